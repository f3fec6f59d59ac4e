import session from 'express-session';
import type { SessionData } from 'express-session';
import { MemoryKeyValueStore } from './memory-kv.ts';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: SessionData | null) => void;

const isSignedIn = (sess: SessionData): boolean => Boolean(sess.admin || sess.portal);

/**
 * express-session store for the embedded default: bounded, expiring, single process. Anonymous
 * sessions (a sign-in form's CSRF token) live in a pool of their own, so a flood of visits can
 * never push a signed-in user out.
 */
export class BoundedMemorySessionStore extends session.Store {
  private readonly signedIn: MemoryKeyValueStore;
  private readonly anonymous: MemoryKeyValueStore;

  constructor(
    private readonly defaultTtlSeconds: number,
    maxSessions = 50_000,
    maxAnonymousSessions = 20_000,
  ) {
    super();
    this.signedIn = new MemoryKeyValueStore(maxSessions);
    this.anonymous = new MemoryKeyValueStore(maxAnonymousSessions);
  }

  private ttlOf(sess: SessionData): number {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : undefined;
    return expires ? Math.max(1, Math.ceil((expires - Date.now()) / 1000)) : this.defaultTtlSeconds;
  }

  override get(sid: string, cb: GetCallback): void {
    Promise.all([this.signedIn.get(sid), this.anonymous.get(sid)]).then(([a, b]) => {
      const raw = a ?? b;
      cb(null, raw ? (JSON.parse(raw) as SessionData) : null);
    }, cb);
  }

  override set(sid: string, sess: SessionData, cb?: Callback): void {
    const [pool, other] = isSignedIn(sess) ? [this.signedIn, this.anonymous] : [this.anonymous, this.signedIn];
    Promise.all([pool.set(sid, JSON.stringify(sess), this.ttlOf(sess)), other.del(sid)]).then(
      () => cb?.(),
      (e) => cb?.(e),
    );
  }

  /** As in Redis (disableTouch): the time to live is renewed by saves, which slideIdleTimeout makes. */
  override touch(_sid: string, _sess: SessionData, cb?: Callback): void {
    cb?.();
  }

  override destroy(sid: string, cb?: Callback): void {
    Promise.all([this.signedIn.del(sid), this.anonymous.del(sid)]).then(
      () => cb?.(),
      (e) => cb?.(e),
    );
  }
}
