import type { RequestHandler } from 'express';
import type { CustomerService } from '../../features/customers/service.ts';
import { notFoundError } from '../../http/errors.ts';
import { parseId } from '../../http/ids.ts';

/**
 * Loads the customer named by `:id` for every admin route that declares `loads: 'customer'` (tabs
 * header, scoping of sub-resources); an unknown or malformed id is a 404 through the error handler.
 */
export function loadCustomer(customers: CustomerService): RequestHandler {
  return async (req, res, next) => {
    const id = parseId(req.params.id);
    const customer = id === null ? null : await customers.summary(id);
    if (!customer) return next(notFoundError());
    res.locals.customer = customer;
    next();
  };
}
