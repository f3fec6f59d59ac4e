import { digestToken, generateSessionId } from '../../access/api-tokens.ts';
import type { Config } from '../../config.ts';
import type { KeyValueStore } from '../../stores/kv.ts';

/** What the store keeps for one API session; checked against the database on every request. */
export interface ApiSession {
  tokenId: number;
  customerId: number;
  /** the customer's credentials epoch and login when the session opened: a change ends it */
  epoch: number;
  loginLower: string;
  createdAt: number;
  absoluteExpiresAt: number;
  /** when the idle expiry last slid (absent in sessions stored before it was kept) */
  touchedAt?: number;
}

/** The idle expiry slides at most this often: a burst of calls writes the session once. */
const TOUCH_RESOLUTION_MS = 60_000;

/** What a refresh token stands for: the session it was issued with and that session's binding. */
export interface RefreshGrant {
  sessionId: string;
  tokenId: number;
  customerId: number;
  epoch: number;
  loginLower: string;
}

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const sessionKey = (id: string): string => `api-session:${id}`;
const tokenSessionsKey = (tokenId: number): string => `token-sessions:${tokenId}`;
const refreshKey = (digest: string): string => `api-refresh:${digest}`;
const sessionRefreshKey = (sessionId: string): string => `api-session-refresh:${sessionId}`;

function parseGrant(text: string | null): RefreshGrant | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<RefreshGrant>;
    if (
      typeof value.sessionId !== 'string' ||
      typeof value.tokenId !== 'number' ||
      typeof value.customerId !== 'number' ||
      typeof value.epoch !== 'number' ||
      typeof value.loginLower !== 'string'
    )
      return null;
    return value as RefreshGrant;
  } catch {
    return null;
  }
}

function parseSession(text: string | null): ApiSession | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<ApiSession>;
    if (
      typeof value.tokenId !== 'number' ||
      typeof value.customerId !== 'number' ||
      typeof value.absoluteExpiresAt !== 'number'
    )
      return null;
    return value as ApiSession;
  } catch {
    return null;
  }
}

/**
 * API sessions in the key-value store (Redis in production): opaque 256-bit ids, an idle expiry
 * that slides with each request (the key's TTL) and an absolute expiry kept in the value. The ids
 * opened with each token are kept in a set, so revoking the token can end them all.
 *
 * A session opened through `/rest` also gets a refresh token: 256 random bits, stored only as a
 * keyed digest, single use (taken atomically), bound to the session it was issued with. It lives
 * as long as that session's absolute expiry, so it can revive a session that idled out; closing
 * the session (logout, token revocation) destroys it.
 */
export class ApiSessions {
  constructor(
    private readonly deps: {
      kv: KeyValueStore;
      config: Pick<Config, 'apiSessionIdleMinutes' | 'apiSessionAbsoluteHours' | 'secretKey'>;
    },
  ) {}

  private refreshDigest(token: string): string {
    return digestToken(`refresh:${token}`, this.deps.config.secretKey);
  }

  private idleSeconds(session: ApiSession, now: number): number {
    const remaining = Math.ceil((session.absoluteExpiresAt - now) / 1000);
    return Math.min(this.deps.config.apiSessionIdleMinutes * 60, remaining);
  }

  async open(
    input: Omit<ApiSession, 'createdAt' | 'absoluteExpiresAt'>,
    now = Date.now(),
  ): Promise<{ id: string; expiresAt: Date; session: ApiSession }> {
    const id = generateSessionId();
    const session: ApiSession = {
      ...input,
      createdAt: now,
      absoluteExpiresAt: now + this.deps.config.apiSessionAbsoluteHours * 3_600_000,
    };
    await this.deps.kv.set(sessionKey(id), JSON.stringify(session), this.idleSeconds(session, now));
    await this.deps.kv.addToSet(tokenSessionsKey(input.tokenId), id, this.deps.config.apiSessionAbsoluteHours * 3600);
    return { id, expiresAt: new Date(session.absoluteExpiresAt), session };
  }

  /** The live session with this id, or null (unknown, idle too long, or past its absolute expiry). */
  async read(id: string, now = Date.now()): Promise<ApiSession | null> {
    if (!SESSION_ID_PATTERN.test(id)) return null;
    const session = parseSession(await this.deps.kv.get(sessionKey(id)));
    if (!session) return null;
    if (session.absoluteExpiresAt <= now) {
      await this.deps.kv.del(sessionKey(id));
      return null;
    }
    return session;
  }

  /**
   * Slides the idle expiry after a request passed every check, at most once a minute (a session
   * used a few seconds ago keeps the expiry that use gave it, a minute shorter at worst).
   */
  async touch(id: string, session: ApiSession, now = Date.now()): Promise<void> {
    const since = now - (session.touchedAt ?? session.createdAt);
    if (since >= 0 && since < TOUCH_RESOLUTION_MS) return;
    const ttl = this.idleSeconds(session, now);
    if (ttl > 0) await this.deps.kv.set(sessionKey(id), JSON.stringify({ ...session, touchedAt: now }), ttl);
  }

  /** Ends the session and destroys its unspent refresh token. */
  async close(id: string): Promise<void> {
    await this.deps.kv.del(sessionKey(id));
    const digest = await this.deps.kv.take(sessionRefreshKey(id));
    if (digest) await this.deps.kv.del(refreshKey(digest));
  }

  /** The live sessions opened with a token; ids whose session has gone are dropped from its set. */
  async liveOfToken(tokenId: number, now = Date.now()): Promise<ApiSession[]> {
    const live: ApiSession[] = [];
    for (const id of await this.deps.kv.members(tokenSessionsKey(tokenId))) {
      const session = await this.read(id, now);
      if (session) live.push(session);
      else await this.deps.kv.removeFromSet(tokenSessionsKey(tokenId), id);
    }
    return live;
  }

  async closeAllOfToken(tokenId: number): Promise<number> {
    const ids = await this.deps.kv.members(tokenSessionsKey(tokenId));
    for (const id of ids) await this.close(id);
    await this.deps.kv.del(tokenSessionsKey(tokenId));
    return ids.length;
  }

  /** A new refresh token for a session; only its digest is kept. */
  async issueRefreshToken(sessionId: string, session: ApiSession, now = Date.now()): Promise<string> {
    const token = generateSessionId();
    const digest = this.refreshDigest(token);
    const grant: RefreshGrant = {
      sessionId,
      tokenId: session.tokenId,
      customerId: session.customerId,
      epoch: session.epoch,
      loginLower: session.loginLower,
    };
    const ttl = Math.max(1, Math.ceil((session.absoluteExpiresAt - now) / 1000));
    await this.deps.kv.set(refreshKey(digest), JSON.stringify(grant), ttl);
    await this.deps.kv.set(sessionRefreshKey(sessionId), digest, ttl);
    return token;
  }

  /** Spends a refresh token: the grant it stood for, or null when unknown, spent or destroyed. */
  async takeRefreshToken(token: string): Promise<RefreshGrant | null> {
    if (!REFRESH_TOKEN_PATTERN.test(token)) return null;
    const grant = parseGrant(await this.deps.kv.take(refreshKey(this.refreshDigest(token))));
    if (grant) await this.deps.kv.del(sessionRefreshKey(grant.sessionId));
    return grant;
  }
}
