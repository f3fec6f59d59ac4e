import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { notFoundError } from '../../http/errors.ts';

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
      customer?: CustomerSummary;
    }
  }
}

/**
 * Loads the customer named by `:id` for every admin customer page (tabs header, scoping of
 * sub-resources); an unknown or malformed id is a 404 through the error handler.
 */
export function loadCustomer(db: Knex): RequestHandler {
  return async (req, res, next) => {
    const raw = req.params.id;
    const id = typeof raw === 'string' && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id)) return next(notFoundError());
    const row = await db('customers').select('id', 'name', 'email', 'selfcare_login').where({ id }).first();
    if (!row) return next(notFoundError());
    res.locals.customer = { id: Number(row.id), name: String(row.name), email: String(row.email), selfcareLogin: row.selfcare_login ? String(row.selfcare_login) : null };
    next();
  };
}

/** The customer loaded by `loadCustomer` (routes that use it always run it first). */
export function currentCustomer(res: { locals: { customer?: CustomerSummary } }): CustomerSummary {
  const customer = res.locals.customer;
  if (!customer) throw new Error('loadCustomer must run before this handler');
  return customer;
}
