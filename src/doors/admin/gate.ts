import type { RequestHandler } from 'express';
import type { AdminPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { redirectAway } from '../../http/redirect.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { destroySession } from '../../http/session.ts';
import { loadCustomer } from './load-customer.ts';

/**
 * The admin door's gate, in order: a signed-in, still active administrator (else sign-in, keeping
 * the page asked for), then the entity the route declares it loads.
 */
export function adminGate(deps: Deps): (route: RouteDef<AdminPermission>) => RequestHandler[] {
  const admins = deps.services.admins;
  const requireAdmin: RequestHandler = async (req, res, next) => {
    const s = req.session.admin;
    const admin = s ? await admins.findActive(s.id, s.epoch) : null;
    if (!admin) {
      if (s) await destroySession(req);
      const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      return redirectAway(req, res, `/admin/login${back}`);
    }
    res.locals.admin = { id: admin.id, login: admin.login, name: admin.name };
    next();
  };
  const withCustomer = loadCustomer(deps.services.customers);
  return (route) => {
    if (route.permission === 'public') return [];
    return route.loads === 'customer' ? [requireAdmin, withCustomer] : [requireAdmin];
  };
}
