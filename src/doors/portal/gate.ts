import type { RequestHandler } from 'express';
import { FORCED_PASSWORD_PATH } from '../../access/portal-navigation.ts';
import { atLeast, type ComponentKey } from '../../access/permissions.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import { redirectAway } from '../../http/redirect.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { renderForbidden } from './pages.ts';

const requireViewer: RequestHandler = (req, res, next) => {
  if (res.locals.viewer) return next();
  redirectAway(req, res, '/login');
};

const requirePasswordChanged: RequestHandler = (req, res, next) => {
  if (!res.locals.viewer?.mustChangePassword) return next();
  redirectAway(req, res, FORCED_PASSWORD_PATH);
};

/** At least `level` on the component, else the portal's 403 page (the session stays). */
const requireLevel =
  (component: ComponentKey, level: 'read' | 'modify'): RequestHandler =>
  (req, res, next) => {
    const viewer = res.locals.viewer;
    if (viewer && atLeast(viewer.levels[component], level)) return next();
    renderForbidden(req, res).catch(next);
  };

/**
 * Turns a route's permission into its middleware: `public` nothing; `signed-in` a session; a
 * component level a session, no pending forced password change, and at least that level.
 */
export function portalGate(route: RouteDef<PortalPermission>): RequestHandler[] {
  const permission = route.permission;
  if (permission === 'public') return [];
  if (permission === 'signed-in') return [requireViewer];
  return [requireViewer, requirePasswordChanged, requireLevel(permission.component, permission.level)];
}
