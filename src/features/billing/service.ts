import type { Knex } from 'knex';
import { BillingRepo } from './repo.ts';

export type { Invoice, Payment, Xdr, NewInvoice, NewXdr, NewPayment } from './repo.ts';

/**
 * Invoices, calls and payments as the portal and the API read them. Billing data is read-only
 * here (the billing system writes it), so the service is the repo's customer-scoped queries, plus
 * the bulk `addBillingData` through which the demo and scale seeds load what a billing system
 * would have delivered.
 */
export class BillingService extends BillingRepo {
  constructor(db: Knex) {
    super(db);
  }
}
