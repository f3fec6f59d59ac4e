import session, { type Store } from 'express-session';
import type { Request, RequestHandler } from 'express';
import type { Config } from '../config.ts';

export type Door = 'admin' | 'portal';

export function sessionCookieName(door: Door, secure: boolean): string {
  return `${secure ? '__Host-' : ''}sc_${door}`;
}

/**
 * One cookie per door so an admin can impersonate a customer in a second tab. The idle timeout
 * is the cookie's Max-Age and the store's time to live, both renewed when the session is saved:
 * `slideIdleTimeout` saves a stored session that has not slid for a while. The absolute timeout
 * is enforced by `enforceAbsoluteTimeout`.
 */
export function sessionMiddleware(door: Door, store: Store, config: Config): RequestHandler {
  return session({
    name: sessionCookieName(door, config.secureCookies),
    secret: config.secretKey,
    store,
    resave: false,
    saveUninitialized: false,
    // The idle timeout slides with each save (see slideIdleTimeout), not with every answer: no
    // Set-Cookie and no store write (touch) per request.
    rolling: false,
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

/** How often a session in use is saved to renew its idle timeout: a tenth of it, at most a minute. */
export function slideIntervalMs(config: Pick<Config, 'sessionIdleMinutes'>): number {
  return Math.min(60_000, config.sessionIdleMinutes * 6_000);
}

/**
 * Renews the idle timeout of a stored session in use once per slide interval, by marking it
 * changed: express-session then saves it (a fresh time to live in the store) and sends the cookie
 * with a fresh Max-Age. A session that slid recently is neither written nor re-sent, so the idle
 * timeout ends at most one interval early. A session created by this request (holding nothing
 * yet) is left alone: an anonymous visit must not create a stored session.
 */
export const slideIdleTimeout =
  (config: Pick<Config, 'sessionIdleMinutes'>): RequestHandler =>
  (req, _res, next) => {
    const session = req.session as (typeof req.session & Record<string, unknown>) | undefined;
    if (!session || !Object.keys(session).some((key) => key !== 'cookie')) return next();
    const now = Date.now();
    if (now - (session.slidAt ?? session.createdAt ?? 0) >= slideIntervalMs(config)) session.slidAt = now;
    next();
  };

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
