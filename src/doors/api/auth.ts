import type { Request } from 'express';
import { effectiveLevels, type EffectiveLevels } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import type { AuditActor } from '../../http/actor.ts';
import { tokenStatus } from '../../features/api-tokens/repo.ts';
import type { ApiTokenService } from '../../features/api-tokens/service.ts';
import type { ApiSession } from '../../features/api-tokens/sessions.ts';
import { isAddressTrusted } from '../../access/address-check.ts';
import { readPermissions } from '../../features/roles/repo.ts';

/** Who is calling, established afresh on every API request. */
export interface ApiCaller {
  sessionId: string;
  session: ApiSession;
  customerId: number;
  tokenId: number;
  levels: EffectiveLevels;
  actor: AuditActor;
  ip: string;
}

export type ApiAuthResult = { ok: true; caller: ApiCaller } | { ok: false; reason: 'invalid_credentials' | 'ip_not_allowed' };

/** The session id of `Authorization: Bearer <id>`; never read from the URL. */
export function bearerSessionId(req: Request): string | null {
  const match = /^Bearer[ ]+([A-Za-z0-9_-]{1,100})\s*$/i.exec(req.get('authorization') ?? '');
  return match?.[1] ?? null;
}

/**
 * Checks an API session on each request: alive in the store, its token neither revoked nor
 * expired, the customer's credentials unchanged since it opened, and the current address inside
 * the customer's trusted networks. Then slides the idle expiry and computes the role's levels.
 */
export class ApiAuth {
  constructor(
    private readonly deps: Pick<Deps, 'db'>,
    private readonly tokens: ApiTokenService,
  ) {}

  async check(sessionId: string | null, ip: string): Promise<ApiAuthResult> {
    if (!sessionId) return { ok: false, reason: 'invalid_credentials' };
    const session = await this.tokens.sessions.read(sessionId);
    if (!session) return { ok: false, reason: 'invalid_credentials' };
    const holder = await this.tokens.repo.holder(session.tokenId, session.customerId);
    const valid = holder && tokenStatus(holder.token) === 'active' && holder.customer.sessionEpoch === session.epoch && holder.customer.loginLower === session.loginLower;
    if (!holder || !valid) {
      await this.tokens.sessions.close(sessionId);
      return { ok: false, reason: 'invalid_credentials' };
    }
    if (!isAddressTrusted([holder.customer], ip)) return { ok: false, reason: 'ip_not_allowed' };
    await this.tokens.sessions.touch(sessionId, session);
    const levels = effectiveLevels(await readPermissions(this.deps.db, holder.customer.roleId));
    return {
      ok: true,
      caller: {
        sessionId,
        session,
        customerId: session.customerId,
        tokenId: session.tokenId,
        levels,
        actor: { type: 'api', id: session.customerId, label: `${holder.customer.loginLower ?? ''} (token ${holder.token.prefix})` },
        ip,
      },
    };
  }
}
