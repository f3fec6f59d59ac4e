import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { atLeast } from '../../access/permissions.ts';
import { InvalidCursorError } from '../../db/keyset.ts';
import {
  apiErrors,
  ApiError,
  problemsOf,
  type ApiCaller,
  type ApiOperation,
  type ApiPermission,
} from '../../http/api-operation.ts';
import { clientIp } from '../../http/client-ip.ts';
import { apiErrorBody } from '../../http/errors.ts';
import { bearerSessionId, type ApiAuth } from './auth.ts';
import type { z } from 'zod';

type Schema = z.ZodType;

function parseInput(schema: Schema | undefined, value: unknown, prefix: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw apiErrors.invalid(
    problemsOf(result.error).map((p) => ({ ...p, field: prefix && p.field === 'body' ? prefix : p.field })),
  );
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      apiCaller?: ApiCaller;
    }
  }
}

/** Middleware for a permission: a live session (401/403 ip_not_allowed), then the role's level (403). */
export function apiGate(auth: ApiAuth): (permission: ApiPermission) => RequestHandler[] {
  const requireSession: RequestHandler = async (req, res, next) => {
    const result = await auth.check(bearerSessionId(req), clientIp(req));
    if (!result.ok) {
      if (result.reason === 'invalid_credentials') res.setHeader('WWW-Authenticate', 'Bearer');
      return next(result.reason === 'ip_not_allowed' ? apiErrors.ipNotAllowed() : apiErrors.invalidCredentials());
    }
    res.locals.apiCaller = result.caller;
    next();
  };
  return (permission) => {
    if (permission === 'public') return [];
    if (permission === 'session') return [requireSession];
    const requireLevel: RequestHandler = (_req, res, next) => {
      const level = res.locals.apiCaller?.levels[permission.component] ?? 'hidden';
      next(
        atLeast(level, permission.level)
          ? undefined
          : apiErrors.forbidden(level === 'read' ? 'Your role gives read-only access to this.' : undefined),
      );
    };
    return [requireSession, requireLevel];
  };
}

export function mountOperations(
  router: Router,
  operations: readonly ApiOperation[],
  gate: (p: ApiPermission) => RequestHandler[],
): Router {
  for (const op of operations) {
    router[op.method](op.path, ...gate(op.permission), async (req, res) => {
      let params: unknown;
      try {
        params = parseInput(op.params, req.params, '');
      } catch {
        throw apiErrors.notFound();
      }
      const query = parseInput(op.query, req.query, 'query');
      const body = parseInput(op.body, req.body ?? {}, 'body');
      let result: unknown;
      try {
        result = await op.handle({ params, query, body }, res.locals.apiCaller, req, res);
      } catch (err) {
        if (err instanceof InvalidCursorError)
          throw apiErrors.invalid([{ field: 'cursor', message: 'Not a cursor this API returned' }]);
        throw err;
      }
      if (res.headersSent) return;
      if (op.success.status === 204) res.status(204).end();
      else res.status(op.success.status).json(result);
    });
  }
  return router;
}

/** JSON bodies only, small: an integration never needs more than a few kilobytes. */
export const API_BODY_LIMIT = '16kb';
export const apiJsonBody = express.json({ limit: API_BODY_LIMIT });

/** Body-parser failures as the API's errors: bad JSON 400, too large 413, unknown charset 415. */
export function bodyErrorOf(err: unknown): ApiError | null {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return new ApiError(400, 'invalid_input', 'The request body is not valid JSON.');
  if (type === 'entity.too.large')
    return new ApiError(413, 'invalid_input', `The request body is larger than ${API_BODY_LIMIT}.`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new ApiError(415, 'invalid_input', 'Send the body as UTF-8 JSON.');
  if (typeof type === 'string' && type.startsWith('request.'))
    return new ApiError(400, 'invalid_input', 'The request body could not be read.');
  return null;
}

/** Answers the API's own errors with their fields and Retry-After; anything else goes to the app's handler. */
export const apiErrorHandler: ErrorRequestHandler = (err, _req, res, next) => {
  const error = err instanceof ApiError ? err : bodyErrorOf(err);
  if (!error || res.headersSent) return next(err);
  if (error.retryAfter) res.setHeader('Retry-After', String(error.retryAfter));
  const body = apiErrorBody(error.status, error.message, error.code);
  res.status(error.status).json(error.fields ? { error: { ...body.error, fields: error.fields } } : body);
};

/**
 * The end of the API's route table: an unknown path is a JSON 404, a known path with another
 * method a JSON 405 naming the allowed ones (never a page, never the portal's CSRF refusal).
 */
export function unknownOperation(operations: readonly ApiOperation[]): RequestHandler {
  const routes = operations.map((op) => ({
    method: op.method.toUpperCase(),
    pattern: new RegExp(`^${op.path.replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`),
  }));
  return (req, res, next) => {
    const allowed = routes.filter((r) => r.pattern.test(req.path)).map((r) => r.method);
    if (allowed.length === 0) return next(apiErrors.notFound('No such API operation.'));
    res.setHeader('Allow', [...new Set(allowed)].join(', '));
    next(new ApiError(405, 'method_not_allowed', `Use ${[...new Set(allowed)].join(' or ')} on this path.`));
  };
}
