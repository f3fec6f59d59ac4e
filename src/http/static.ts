import path from 'node:path';
import { createRequire } from 'node:module';
import express, { type Router } from 'express';
import { APP_ROOT } from './app-root.ts';

const require = createRequire(import.meta.url);
const htmxDir = path.join(path.dirname(require.resolve('htmx.org/package.json')), 'dist');

/** Our own assets and htmx, served from our origin (never a CDN). */
export function staticAssets(opts: { production: boolean }): Router {
  const router = express.Router();
  const maxAge = opts.production ? '1h' : 0;
  router.use('/static/vendor/htmx', express.static(htmxDir, { maxAge, index: false }));
  router.use('/static', express.static(path.join(APP_ROOT, 'public'), { maxAge, index: false }));
  return router;
}
