import type { RequestHandler } from 'express';
import { FORCED_PASSWORD_PATH } from '../../access/portal-navigation.ts';
import { atLeast, type ComponentKey } from '../../access/permissions.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import { pendingSignIn } from '../../http/pending-sign-in.ts';
import { redirectAway } from '../../http/redirect.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { renderForbidden } from './pages.ts';

/** Where a sign-in waiting for its second step must go: nowhere else is open to it. */
export function portalPendingPath(stage: 'code' | 'setup'): string {
  return stage === 'code' ? '/login/two-factor' : '/settings/two-factor';
}

const requireViewer: RequestHandler = (req, res, next) => {
  if (res.locals.viewer) return next();
  const pending = pendingSignIn(req, 'portalPending');
  redirectAway(req, res, pending ? portalPendingPath(pending.stage) : '/login');
};

/** The two-factor set-up page is also open to a sign-in that must set it up first. */
const viewerOrSetup: RequestHandler = (req, res, next) => {
  if (!res.locals.viewer && pendingSignIn(req, 'portalPending')?.stage === 'setup') return next();
  requireViewer(req, res, next);
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
 * Turns a route's permission into its middleware: `public` nothing; `signed-in` a session;
 * `two-factor-setup` a session or a sign-in owing that set-up; a component level a session, no
 * pending forced password change, and at least that level.
 */
export function portalGate(route: RouteDef<PortalPermission>): RequestHandler[] {
  const permission = route.permission;
  if (permission === 'public') return [];
  if (permission === 'signed-in') return [requireViewer];
  if (permission === 'two-factor-setup') return [viewerOrSetup];
  return [requireViewer, requirePasswordChanged, requireLevel(permission.component, permission.level)];
}
