import type { RequestHandler } from 'express';
import type { Deps } from '../../deps.ts';
import { destroySession } from '../../http/session.ts';
import { AdminAuthService } from '../../features/admins/service.ts';

/** Every admin route says whether it is public (sign-in) or needs a signed-in administrator. */
export type AdminPermission = 'public' | 'admin';

export function adminGate(deps: Deps): (permission: AdminPermission) => RequestHandler[] {
  const service = new AdminAuthService(deps);
  const requireAdmin: RequestHandler = async (req, res, next) => {
    const s = req.session.admin;
    const admin = s ? await service.findActive(s.id, s.epoch) : null;
    if (!admin) {
      if (s) await destroySession(req);
      const next_ = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      if (req.get('HX-Request') === 'true') res.setHeader('HX-Redirect', `/admin/login${next_}`);
      res.redirect(303, `/admin/login${next_}`);
      return;
    }
    res.locals.admin = { id: admin.id, login: admin.login, name: admin.name };
    next();
  };
  return (permission) => (permission === 'public' ? [] : [requireAdmin]);
}
