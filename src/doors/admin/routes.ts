import type { Router } from 'express';
import { ADMIN_LANGUAGE } from '../../regional/languages.ts';
import type { Deps } from '../../deps.ts';
import { adminRolesRoutes } from '../../features/admin-roles/admin-routes.ts';
import { adminAccountRoutes } from '../../features/admins/account-routes.ts';
import { adminAuthRoutes } from '../../features/admins/admin-routes.ts';
import { adminDirectoryRoutes } from '../../features/admins/directory-routes.ts';
import { allowedRolesRoutes } from '../../features/allowed-roles/admin-routes.ts';
import { apiTokensAdminRoutes } from '../../features/api-tokens/admin-routes.ts';
import { auditRoutes } from '../../features/audit/admin-routes.ts';
import { customerRoutes } from '../../features/customers/admin-routes.ts';
import { impersonationAdminRoutes } from '../../features/impersonation/admin-routes.ts';
import { individualsAdminRoutes } from '../../features/individuals/admin-routes.ts';
import { rolesRoutes } from '../../features/roles/admin-routes.ts';
import { buildDoor } from '../../http/door.ts';
import { notFoundHandler } from '../../http/errors.ts';
import { adminGate } from './gate.ts';
import { adminHomeRoutes } from './home-routes.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';

/** Every route of the admin door, in the order the door mounts them. */
export function adminRouteTable(deps: Deps): RouteDef<AdminPermission>[] {
  return [
    ...adminAuthRoutes(deps),
    ...adminAccountRoutes(deps),
    ...adminHomeRoutes(),
    ...customerRoutes(deps),
    ...auditRoutes(deps),
    ...rolesRoutes(deps),
    ...allowedRolesRoutes(deps),
    ...individualsAdminRoutes(deps),
    ...apiTokensAdminRoutes(deps),
    ...impersonationAdminRoutes(deps),
    ...adminDirectoryRoutes(deps),
    ...adminRolesRoutes(deps),
  ];
}

/**
 * The `/admin` door: English pages for operator administrators, each route behind the admin gate
 * with the permission it declares.
 */
export function adminDoor(deps: Deps): Router {
  return buildDoor(deps, 'admin', {
    language: () => ADMIN_LANGUAGE,
    routes: adminRouteTable(deps),
    gate: adminGate(deps),
    // An unknown admin address is the admin door's 404, never the portal's.
    after: [notFoundHandler],
  });
}
