import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
  errorConfig: { statusCode: 403, message: 'Invalid or missing CSRF token', code: 'EBADCSRFTOKEN' },
});

/** Checks the synchroniser token on every state change and exposes it to templates. */
export const csrfProtection: RequestHandler = (req, res, next) => {
  csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (err) return next(err);
    res.locals.csrfToken = generateToken(req);
    next();
  });
};

/** A new token after the session changed identity (sign-in, sign-out, impersonation). */
export function refreshCsrfToken(req: Request, res: { locals: Record<string, unknown> }): void {
  res.locals.csrfToken = generateToken(req, true);
}
