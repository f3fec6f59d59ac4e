import session from 'express-session';
import type { SessionData } from 'express-session';
import { MemoryKeyValueStore } from './memory-kv.ts';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: SessionData | null) => void;

/** express-session store for the embedded default: bounded, expiring, single process. */
export class BoundedMemorySessionStore extends session.Store {
  private readonly kv: MemoryKeyValueStore;

  constructor(
    private readonly defaultTtlSeconds: number,
    maxSessions = 50_000,
  ) {
    super();
    this.kv = new MemoryKeyValueStore(maxSessions);
  }

  private ttlOf(sess: SessionData): number {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : undefined;
    return expires ? Math.max(1, Math.ceil((expires - Date.now()) / 1000)) : this.defaultTtlSeconds;
  }

  override get(sid: string, cb: GetCallback): void {
    this.kv.get(sid).then((raw) => cb(null, raw ? (JSON.parse(raw) as SessionData) : null), cb);
  }

  override set(sid: string, sess: SessionData, cb?: Callback): void {
    this.kv.set(sid, JSON.stringify(sess), this.ttlOf(sess)).then(() => cb?.(), (e) => cb?.(e));
  }

  override touch(sid: string, sess: SessionData, cb?: Callback): void {
    this.set(sid, sess, cb);
  }

  override destroy(sid: string, cb?: Callback): void {
    this.kv.del(sid).then(() => cb?.(), (e) => cb?.(e));
  }
}
