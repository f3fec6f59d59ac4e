import express, { type Express } from 'express';
import type { Deps } from './deps.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import { setTemplateCache } from './http/render.ts';
import { requestLogger } from './http/request-log.ts';
import { securityHeaders } from './http/security.ts';
import { staticAssets } from './http/static.ts';
import { adminDoor } from './doors/admin/routes.ts';
import { API_PREFIX, apiRouter } from './doors/api/routes.ts';
import { compatRouter } from './doors/api/rest.ts';
import { portalDoor } from './doors/portal/routes.ts';
import { healthRoutes } from './http/health.ts';
import { closeConnectionsWhileDraining } from './http/shutdown.ts';

/** Builds the whole application; `server.ts` listens, tests use it through supertest. */
export function createApp(deps: Deps): Express {
  const production = deps.config.env === 'production';
  setTemplateCache(production);
  const app = express();
  app.disable('x-powered-by');
  // JSON answers carry stored text as it was saved; writing <, > and & as \u escapes keeps any
  // markup in it inert even where a client or a browser mistakes the JSON for HTML.
  app.set('json escape', true);
  app.set('trust proxy', deps.config.trustProxy ?? false);
  // Pages and API answers are personal and `no-store`: no cache would ever send their ETag back,
  // so none is computed (a hash of every answer). Static assets set their own (http/static.ts).
  app.set('etag', false);

  app.use(requestLogger(deps.logger));
  app.use(closeConnectionsWhileDraining(deps.lifecycle));
  app.use(securityHeaders({ hsts: deps.config.secureCookies }));
  app.use(staticAssets({ production }));
  app.use(healthRoutes(deps));
  app.use(API_PREFIX, apiRouter(deps));
  app.use('/rest', compatRouter(deps));

  app.use('/admin', adminDoor(deps));
  app.use(portalDoor(deps));

  app.use(notFoundHandler);
  app.use(errorHandler({ logger: deps.logger, showStack: deps.config.showStackTraces, i18n: deps.i18n }));
  return app;
}
