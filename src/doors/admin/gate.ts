import type { Request, RequestHandler, Response } from 'express';
import {
  ADMIN_PERMISSION_LABELS,
  type AdminPermission,
  type AdminPermissionName,
} from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { pendingSignIn } from '../../http/pending-sign-in.ts';
import { redirectAway } from '../../http/redirect.ts';
import { renderPage } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { destroySession } from '../../http/session.ts';
import { loadCustomer } from './load-customer.ts';
import { stepUp } from './step-up.ts';

/** Where a sign-in waiting for its second step must go: nowhere else is open to it. */
export function pendingPath(stage: 'code' | 'setup'): string {
  return stage === 'code' ? '/admin/login/two-factor' : '/admin/account/two-factor';
}

/** A session's "last used" is written at most this often, not on every request. */
const SEEN_EVERY_MS = 60_000;

function renderForbidden(req: Request, res: Response, permission: AdminPermissionName): Promise<void> {
  return renderPage(req, res, {
    view: 'admin/forbidden',
    status: 403,
    locals: { title: 'Not allowed', permission, permissionLabel: ADMIN_PERMISSION_LABELS[permission].label },
  });
}

/**
 * The admin door's gate, made of small steps: a signed-in, active administrator (else its pending
 * second step, else sign-in keeping the page asked for); no password change pending; the
 * permission the route declares (else 403 naming it); the entity the route loads; a fresh
 * two-factor code where the route asks for one.
 */
export function adminGate(deps: Deps): (route: RouteDef<AdminPermission>) => RequestHandler[] {
  const admins = deps.services.admins;

  const requireAdmin: RequestHandler = async (req, res, next) => {
    const s = req.session.admin;
    const principal = s ? await admins.principal(s.id, s.epoch) : null;
    if (!s || !principal) {
      if (s) await destroySession(req);
      const pending = s ? null : pendingSignIn(req, 'adminPending');
      if (pending) return redirectAway(req, res, pendingPath(pending.stage));
      const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      return redirectAway(req, res, `/admin/login${back}`);
    }
    const { admin, permissions } = principal;
    res.locals.admin = { id: admin.id, login: admin.login, name: admin.name, roleName: admin.roleName, permissions };
    res.locals.adminCan = (permission) => permissions.includes(permission);
    res.locals.adminAccount = principal;
    const now = Date.now();
    if (!req.session.seen || now - req.session.seen.at > SEEN_EVERY_MS)
      req.session.seen = {
        ip: clientIp(req),
        agent: (req.get('User-Agent') ?? '').slice(0, 200),
        at: now,
        since: req.session.seen?.since ?? req.session.createdAt ?? now,
      };
    next();
  };

  // The account page says why the admin landed there (its own notice, while the change is pending).
  const requirePasswordChanged: RequestHandler = (req, res, next) => {
    if (!res.locals.adminAccount?.admin.passwordChangeRequired) return next();
    redirectAway(req, res, '/admin/account');
  };

  const requirePermission =
    (permission: AdminPermissionName): RequestHandler =>
    (req, res, next) => {
      if (res.locals.adminCan?.(permission)) return next();
      renderForbidden(req, res, permission).catch(next);
    };

  /** Its own set-up page is open to a sign-in that must set two-factor sign-in up. */
  const adminOrSetup: RequestHandler = (req, res, next) => {
    if (!req.session.admin && pendingSignIn(req, 'adminPending')?.stage === 'setup') return next();
    return requireAdmin(req, res, next);
  };

  const withCustomer = loadCustomer(deps.services.customers);
  const freshCode = stepUp(deps);
  return (route) => {
    const p = route.permission;
    if (p === 'public') return [];
    if (p === 'two-factor-setup') return [adminOrSetup];
    if (p === 'own-account') return [requireAdmin];
    const steps = [requireAdmin, requirePasswordChanged];
    if (p !== 'signed-in') steps.push(requirePermission(p));
    if (route.loads === 'customer') steps.push(withCustomer);
    if (route.stepUp) steps.push(freshCode);
    return steps;
  };
}
