import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The path without its query, and without secrets that travel in a path (tickets, reset links). */
export function loggedPath(url: string): string {
  return (url.split('?')[0] ?? '')
    .replace(/^\/impersonate\/[^/]+/, '/impersonate/:ticket')
    .replace(/^\/reset-password\/[^/]+/, '/reset-password/:token');
}

/** One log line per request with a request id (echoed as X-Request-Id); no bodies, no cookies. */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: loggedPath(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
  }) as unknown as RequestHandler;
}
