import express, { type Express } from 'express';
import type { Deps } from './deps.ts';
import { buildDoor } from './http/door.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import { setTemplateCache } from './http/render.ts';
import { requestLogger } from './http/request-log.ts';
import { securityHeaders } from './http/security.ts';
import { staticAssets } from './http/static.ts';
import { adminAuthRoutes } from './features/admins/admin-routes.ts';
import { adminGate } from './doors/admin/gate.ts';
import { adminShellRoutes } from './doors/admin/home-routes.ts';
import { healthRoutes } from './http/health.ts';
import { customerRoutes } from './features/customers/admin-routes.ts';
import { auditRoutes } from './features/audit/admin-routes.ts';
import { compatRouter } from './doors/api/rest.ts';
import { API_PREFIX, apiRouter } from './doors/api/routes.ts';
import { apiTokensAdminRoutes } from './features/api-tokens/admin-routes.ts';
import { apiTokensPortalRoutes } from './features/api-tokens/portal-routes.ts';
import { rolesRoutes } from './features/roles/admin-routes.ts';
import { allowedRolesRoutes } from './features/allowed-roles/admin-routes.ts';
import { individualsAdminRoutes } from './features/individuals/admin-routes.ts';
import { individualsPortalRoutes } from './features/individuals/portal-routes.ts';
import { loadViewer, portalGate, portalLanguage } from './doors/portal/gate.ts';
import { portalAuthRoutes } from './features/accounts/sign-in-routes.ts';
import { portalBillingRoutes } from './features/billing/portal-routes.ts';
import { impersonationAdminRoutes, impersonationPortalRoutes } from './features/impersonation/routes.ts';
import { portalRoutes } from './features/accounts/portal-routes.ts';

/** Builds the whole application; `server.ts` listens, tests use it through supertest. */
export function createApp(deps: Deps): Express {
  const production = deps.config.env === 'production';
  setTemplateCache(production);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy ?? false);

  app.use(requestLogger(deps.logger));
  app.use(securityHeaders({ hsts: deps.config.secureCookies }));
  app.use(staticAssets({ production }));
  app.use(healthRoutes(deps));
  app.use(API_PREFIX, apiRouter(deps));
  app.use('/rest', compatRouter(deps));

  app.use(
    '/admin',
    buildDoor(deps, 'admin', {
      language: () => 'en',
      routes: [...adminAuthRoutes(deps), ...adminShellRoutes(deps), ...customerRoutes(deps), ...auditRoutes(deps), ...rolesRoutes(deps), ...allowedRolesRoutes(deps), ...individualsAdminRoutes(deps), ...apiTokensAdminRoutes(deps), ...impersonationAdminRoutes(deps)],
      gate: adminGate(deps),
    }),
  );

  app.use(
    buildDoor(deps, 'portal', {
      language: portalLanguage,
      before: [loadViewer(deps)],
      routes: [
        ...portalAuthRoutes(deps),
        ...impersonationPortalRoutes(deps),
        ...portalRoutes(deps),
        ...portalBillingRoutes(deps),
        ...individualsPortalRoutes(deps),
        ...apiTokensPortalRoutes(deps),
      ],
      gate: portalGate(deps),
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler({ logger: deps.logger, showStack: deps.config.env === 'development', i18n: deps.i18n }));
  return app;
}
