import session, { type Store } from 'express-session';
import type { Request, RequestHandler } from 'express';
import type { Config } from '../config.ts';

export type Door = 'admin' | 'portal';

export function sessionCookieName(door: Door, secure: boolean): string {
  return `${secure ? '__Host-' : ''}sc_${door}`;
}

/**
 * One cookie per door so an admin can impersonate a customer in a second tab. Idle timeout by a
 * rolling cookie; the absolute timeout is enforced by `enforceAbsoluteTimeout`.
 */
export function sessionMiddleware(door: Door, store: Store, config: Config): RequestHandler {
  return session({
    name: sessionCookieName(door, config.secureCookies),
    secret: config.secretKey,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    // 'keep': a session the store failed to load (req.session unset) must not be destroyed at the
    // end of the 503 answer — that would end the visitor's session on a passing store error and,
    // with the store down, fail a second time after the answer was written.
    unset: 'keep',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.secureCookies,
      path: '/',
      maxAge: config.sessionIdleMinutes * 60_000,
    },
  });
}

/**
 * Signed-in sessions carry `createdAt` from sign-in (set by `regenerateSession`); past the
 * absolute limit they are replaced by a fresh anonymous session. Anonymous sessions are left
 * untouched so that a visit alone does not write to the store.
 */
export const enforceAbsoluteTimeout =
  (config: Config): RequestHandler =>
  (req, _res, next) => {
    const createdAt = req.session.createdAt;
    if (createdAt === undefined || Date.now() - createdAt <= config.sessionAbsoluteHours * 3_600_000) return next();
    req.session.regenerate((err) => next(err));
  };

export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.createdAt = Date.now();
      resolve();
    });
  });
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}
