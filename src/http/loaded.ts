/** What every admin customer page shows in its header and scopes its sub-resources by. */
export interface CustomerSummary {
  id: number;
  name: string;
  email: string;
  selfcareLogin: string | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** set by the admin door for routes that declare `loads: 'customer'` */
      customer?: CustomerSummary;
    }
  }
}

/** The customer the admin door loaded for this route (routes that use it declare `loads: 'customer'`). */
export function currentCustomer(res: { locals: { customer?: CustomerSummary } }): CustomerSummary {
  const customer = res.locals.customer;
  if (!customer) throw new Error("the route must declare loads: 'customer'");
  return customer;
}
