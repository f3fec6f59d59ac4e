import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';

declare module 'node:http' {
  interface IncomingMessage {
    /** the request id: the caller's X-Request-Id when well-formed, else a fresh UUID */
    id: string;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The path without its query, and without secrets that travel in a path (tickets, reset links). */
export function loggedPath(url: string): string {
  return (url.split('?')[0] ?? '')
    .replace(/^\/impersonate\/[^/]+/, '/impersonate/:ticket')
    .replace(/^\/reset-password\/[^/]+/, '/reset-password/:token');
}

/**
 * One log line per request with a request id (echoed as X-Request-Id); no bodies, no cookies.
 * 5xx at error, 4xx at info, the rest at debug; a line below the logger's level costs nothing
 * beyond the id (this runs on every request, so it builds no child logger).
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id, method: req.method, url: loggedPath(req.originalUrl) },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        },
        'request completed',
      );
    });
    next();
  };
}
