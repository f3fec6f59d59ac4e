import type { Router } from 'express';
import type { Deps } from '../../deps.ts';
import { portalRoutes } from '../../features/accounts/portal-routes.ts';
import { portalAuthRoutes } from '../../features/accounts/sign-in-routes.ts';
import { portalTwoFactorRoutes } from '../../features/accounts/two-factor-routes.ts';
import { apiTokensPortalRoutes } from '../../features/api-tokens/portal-routes.ts';
import { portalBillingRoutes } from '../../features/billing/portal-routes.ts';
import { impersonationPortalRoutes } from '../../features/impersonation/portal-routes.ts';
import { individualsPortalRoutes } from '../../features/individuals/portal-routes.ts';
import { passwordResetPortalRoutes } from '../../features/password-reset/portal-routes.ts';
import { sessionsPortalRoutes } from '../../features/sessions/portal-routes.ts';
import { buildDoor } from '../../http/door.ts';
import { portalGate } from './gate.ts';
import { portalLanguage } from './language.ts';
import { portalNotFound, portalNotFoundError } from './pages.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { loadViewer } from './viewer.ts';

/** Every route of the portal, in the order the door mounts them. */
export function portalRouteTable(deps: Deps): RouteDef<PortalPermission>[] {
  return [
    ...portalAuthRoutes(deps),
    ...passwordResetPortalRoutes(deps),
    ...impersonationPortalRoutes(deps),
    ...portalTwoFactorRoutes(deps),
    ...portalRoutes(deps),
    ...portalBillingRoutes(deps),
    ...individualsPortalRoutes(deps),
    ...apiTokensPortalRoutes(deps),
    ...sessionsPortalRoutes(deps),
  ];
}

/** The self-care portal at the root: customers and individuals, in their own language. */
export function portalDoor(deps: Deps): Router {
  return buildDoor(deps, 'portal', {
    language: portalLanguage,
    before: [loadViewer(deps)],
    routes: portalRouteTable(deps),
    gate: portalGate,
    after: [portalNotFound, portalNotFoundError],
  });
}
