import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  // 256 random bits (the library's default is 1,024): kept in every session, sent in every form
  size: 32,
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
  errorConfig: { statusCode: 403, message: 'Invalid or missing CSRF token', code: 'EBADCSRFTOKEN' },
});

/**
 * Checks the synchroniser token on every state change and exposes it to templates. A session's
 * first token is stored before the page is rendered: a form whose session cannot be stored could
 * never be sent, so a store that does not answer fails the page with 503, not its POST later.
 */
export const csrfProtection: RequestHandler = (req, res, next) => {
  csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (err) return next(err);
    const first = typeof req.session.csrfToken !== 'string';
    res.locals.csrfToken = generateToken(req);
    if (!first) return next();
    req.session.save((saveErr?: unknown) => {
      if (!saveErr) return next();
      // The session was never stored: no cookie for it, and no second try when the answer ends.
      delete (req as Partial<Request>).session;
      next(saveErr);
    });
  });
};

/** A new token after the session changed identity (sign-in, sign-out, impersonation). */
export function refreshCsrfToken(req: Request, res: { locals: Record<string, unknown> }): void {
  res.locals.csrfToken = generateToken(req, true);
}
