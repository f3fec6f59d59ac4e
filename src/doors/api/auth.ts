import type { Request } from 'express';
import { accessTokenKey, looksLikeJwt, verifyAccessToken } from '../../access/jwt.ts';
import { effectiveLevels, type EffectiveLevels } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import type { AuditActor } from '../../http/actor.ts';
import type { ApiTokenService } from '../../features/api-tokens/service.ts';
import type { ApiSession } from '../../features/api-tokens/sessions.ts';
import { isAddressTrusted } from '../../access/address-check.ts';
import type { CustomerAccount } from '../../features/customers/schema.ts';

/** Who is calling, established afresh on every API request. */
export interface ApiCaller {
  sessionId: string;
  session: ApiSession;
  customerId: number;
  tokenId: number;
  levels: EffectiveLevels;
  /** the customer's account as the authentication read it, in the same query */
  account: CustomerAccount;
  actor: AuditActor;
  ip: string;
}

// Every operation of this door sees the account its authentication read (`ApiCaller` of http/).
declare module '../../http/api-operation.ts' {
  interface ApiCaller {
    /** the customer's account as the authentication read it, in the same query */
    account: CustomerAccount;
  }
}

/**
 * `unverifiable_access_token`: the credential has the shape of an access token (a JWT) but its
 * signature, algorithm, claims or `exp` do not hold — as opposed to a well-formed credential
 * naming a session that has ended.
 */
export type ApiAuthResult =
  | { ok: true; caller: ApiCaller }
  | { ok: false; reason: 'invalid_credentials' | 'ip_not_allowed'; detail?: 'unverifiable_access_token' };

export type ResolvedSession =
  { ok: true; sessionId: string; session: ApiSession } | { ok: false; detail?: 'unverifiable_access_token' };

/** The credential of `Authorization: Bearer <session id or access token>`; never read from the URL. */
export function bearerSessionId(req: Request): string | null {
  const header = req.get('authorization') ?? '';
  if (header.length > 4200) return null;
  const match = /^Bearer[ ]+([A-Za-z0-9_-]{1,100}|[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Checks an API session on each request: alive in the store, its token neither revoked nor
 * expired, the customer's credentials unchanged since it opened, and the current address inside
 * the customer's trusted networks. Then slides the idle expiry and computes the role's levels.
 * The credential is the session id or an access token (a JWT whose `jti` is the session id, see
 * access/jwt.ts): the token must verify and its session must pass the very same checks.
 */
export class ApiAuth {
  private readonly accessTokenKey: Uint8Array;

  constructor(
    deps: Pick<Deps, 'config'>,
    private readonly tokens: ApiTokenService,
  ) {
    this.accessTokenKey = accessTokenKey(deps.config.secretKey);
  }

  /** The live session a credential names, without the per-request checks. */
  async resolve(credential: string | null): Promise<ResolvedSession> {
    if (!credential) return { ok: false };
    let sessionId = credential;
    let customerId: number | null = null;
    if (looksLikeJwt(credential)) {
      const claims = await verifyAccessToken(credential, this.accessTokenKey);
      if (!claims) return { ok: false, detail: 'unverifiable_access_token' };
      sessionId = claims.jti;
      customerId = claims.i_customer;
    }
    const session = await this.tokens.sessions.read(sessionId);
    if (!session || (customerId !== null && session.customerId !== customerId)) return { ok: false };
    return { ok: true, sessionId, session };
  }

  async check(credential: string | null, ip: string): Promise<ApiAuthResult> {
    const resolved = await this.resolve(credential);
    if (!resolved.ok)
      return { ok: false, reason: 'invalid_credentials', ...(resolved.detail ? { detail: resolved.detail } : {}) };
    const { sessionId, session } = resolved;
    const found = await this.tokens.liveHolder(session);
    if (!found) {
      await this.tokens.sessions.close(sessionId);
      return { ok: false, reason: 'invalid_credentials' };
    }
    if (!isAddressTrusted([found.holder.customer], ip)) return { ok: false, reason: 'ip_not_allowed' };
    await this.tokens.sessions.touch(sessionId, session);
    const levels = effectiveLevels(found.permissions);
    return {
      ok: true,
      caller: {
        sessionId,
        session,
        customerId: session.customerId,
        tokenId: session.tokenId,
        levels,
        account: found.account,
        actor: {
          type: 'api',
          id: session.customerId,
          label: `${found.holder.customer.loginLower ?? ''} (token ${found.holder.token.prefix})`,
        },
        ip,
      },
    };
  }
}
