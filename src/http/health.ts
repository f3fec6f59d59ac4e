import express, { type Router } from 'express';
import type { Infra } from '../infra.ts';

const READY_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * /healthz: the process answers. /readyz: the database and the session store answer too, and the
 * process is not shutting down.
 */
export function healthRoutes(deps: Pick<Infra, 'db' | 'kv' | 'lifecycle'>): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (deps.lifecycle.draining) {
      res.set('Cache-Control', 'no-store').status(503).json({ status: 'draining', checks: {} });
      return;
    }
    const [database, store] = await Promise.allSettled([
      withTimeout(deps.db.raw('select 1'), READY_TIMEOUT_MS),
      withTimeout(deps.kv.ping(), READY_TIMEOUT_MS),
    ]);
    const checks = {
      database: database.status === 'fulfilled' ? 'ok' : 'unavailable',
      session_store: store.status === 'fulfilled' ? 'ok' : 'unavailable',
    };
    const ready = database.status === 'fulfilled' && store.status === 'fulfilled';
    res
      .set('Cache-Control', 'no-store')
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  return router;
}
