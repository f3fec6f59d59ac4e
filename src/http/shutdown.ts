import type { Server } from 'node:http';
import type { RequestHandler } from 'express';

/** Whether the process is shutting down: /readyz answers 503 and responses close their connection. */
export class Lifecycle {
  draining = false;
}

/** While draining, every response asks the client to close its connection, so keep-alive clients move on. */
export function closeConnectionsWhileDraining(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    if (lifecycle.draining) res.setHeader('Connection', 'close');
    next();
  };
}

/** The longest wait for in-flight requests once the listener is closed. */
export const FINISH_TIMEOUT_MS = 10_000;

/**
 * SIGTERM: readiness turns 503 at once while requests are still served for `drainMs` (the load
 * balancer notices and stops sending), then the listener closes, idle keep-alive connections are
 * closed, in-flight requests finish and `release` closes the pools. Resolves true when everything
 * finished, false when in-flight requests were still running after FINISH_TIMEOUT_MS.
 */
export async function drainAndClose(
  server: Server,
  lifecycle: Lifecycle,
  drainMs: number,
  release: () => Promise<void>,
): Promise<boolean> {
  lifecycle.draining = true;
  await new Promise((resolve) => setTimeout(resolve, drainMs));
  // A keep-alive connection whose request began before the drain turns idle once it is answered:
  // closed then, not after the keep-alive timeout.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const finished = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), FINISH_TIMEOUT_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve(true);
    });
    server.closeIdleConnections();
  });
  clearInterval(sweep);
  await release();
  return finished;
}
