import type { PermissionMap } from '../../access/permissions.ts';
import { digestToken, generateApiToken, isWellFormedApiToken, tokensMatch } from '../../access/api-tokens.ts';
import type { Infra } from '../../infra.ts';
import type { AuditActor } from '../../http/actor.ts';
import { LoginNamespace } from '../selfcare-access/service.ts';
import { ApiTokenRepo, tokenStatus, type ApiTokenRow, type ApiTokenStatus, type TokenHolder } from './repo.ts';
import { ApiSessions, type ApiSession, type RefreshGrant } from './sessions.ts';
import { isAddressTrusted } from '../../access/address-check.ts';
import type { CustomerAccount } from '../customers/schema.ts';

export type ApiTokenView = Omit<ApiTokenRow, 'digest'> & { status: ApiTokenStatus };

export class ApiTokenNotFoundError extends Error {
  constructor() {
    super('No such API token for this customer');
    this.name = 'ApiTokenNotFoundError';
  }
}

export interface ActorContext {
  actor: AuditActor;
  ip: string;
}

export type ApiSignInResult =
  | { ok: true; sessionId: string; expiresAt: Date; customerId: number; tokenId: number; session: ApiSession }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number }
  | { ok: false; reason: 'ip_not_allowed' };

export type ApiRefreshResult =
  | { ok: true; sessionId: string; expiresAt: Date; customerId: number; tokenId: number; session: ApiSession }
  | { ok: false; reason: 'invalid_refresh_token' | 'ip_not_allowed' };

const view = (row: ApiTokenRow, now: Date): ApiTokenView => {
  const { digest: _digest, ...rest } = row;
  return { ...rest, status: tokenStatus(row, now) };
};

/** A digest no stored token can have, compared when the login is unknown so timing tells nothing. */
const NO_MATCH_DIGEST = '0'.repeat(64);

/**
 * Named API tokens of a customer and the API sign-in built on them. Tokens belong to customers
 * only: an individual's login can never open an API session (the API speaks for the customer's
 * account; individuals use the portal).
 */
/** What a session or refresh grant was bound to when it opened. */
type SessionBinding = Pick<RefreshGrant, 'tokenId' | 'customerId' | 'epoch' | 'loginLower'>;

/** The token is still active and the customer's credentials are as they were when the session opened. */
function stillValid(holder: TokenHolder, binding: SessionBinding): boolean {
  return (
    tokenStatus(holder.token) === 'active' &&
    holder.customer.sessionEpoch === binding.epoch &&
    holder.customer.loginLower === binding.loginLower
  );
}

export class ApiTokenService {
  readonly repo: ApiTokenRepo;
  readonly sessions: ApiSessions;
  private readonly logins: LoginNamespace;

  constructor(private readonly deps: Pick<Infra, 'db' | 'kv' | 'config' | 'throttles' | 'audit'>) {
    this.repo = new ApiTokenRepo(deps.db);
    this.sessions = new ApiSessions(deps);
    this.logins = new LoginNamespace(deps.db);
  }

  async list(customerId: number, now = new Date()): Promise<ApiTokenView[]> {
    return (await this.repo.listByCustomer(customerId)).map((row) => view(row, now));
  }

  /** Creates a token and returns its secret, which is never stored and cannot be shown again. */
  async create(
    customerId: number,
    input: { name: string; expiresAt: Date | null },
    ctx: ActorContext,
  ): Promise<{ token: string; id: number; prefix: string }> {
    const { token, prefix } = generateApiToken();
    const createdByAdminId = ctx.actor.type === 'admin' ? ctx.actor.id : (ctx.actor.impersonatorAdminId ?? null);
    const id = await this.deps.db.transaction(async (trx) => {
      const id = await this.repo.insert(
        {
          customerId,
          name: input.name,
          prefix,
          digest: digestToken(token, this.deps.config.secretKey),
          createdByAdminId,
          expiresAt: input.expiresAt,
        },
        trx,
      );
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'api_token.create',
          entityType: 'api_token',
          entityId: id,
          customerId,
          changes: {
            name: { old: null, new: input.name },
            prefix: { old: null, new: prefix },
            expires_at: { old: null, new: input.expiresAt?.toISOString() ?? null },
          },
        },
        trx,
      );
      return id;
    });
    return { token, id, prefix };
  }

  /** Revokes the token and ends every API session opened with it; revoking twice is harmless. */
  async revoke(customerId: number, tokenId: number, ctx: ActorContext): Promise<ApiTokenView> {
    const token = await this.repo.findForCustomer(customerId, tokenId);
    if (!token) throw new ApiTokenNotFoundError();
    const now = new Date();
    const changed = await this.deps.db.transaction(async (trx) => {
      const changed = await this.repo.revoke(tokenId, now, trx);
      if (changed) {
        await this.deps.audit.record(
          {
            ...ctx,
            action: 'api_token.revoke',
            entityType: 'api_token',
            entityId: tokenId,
            customerId,
            changes: { revoked_at: { old: null, new: now.toISOString() } },
          },
          trx,
        );
      }
      return changed;
    });
    await this.sessions.closeAllOfToken(tokenId);
    return view(changed ? { ...token, revokedAt: now } : token, now);
  }

  /**
   * The customer's API sessions that still work: alive in the store, opened with a token that is
   * still active, under the customer's current credentials.
   */
  async liveSessionCount(customerId: number, now = new Date()): Promise<number> {
    const customer = await this.repo.customerForSession(customerId);
    if (!customer) return 0;
    let count = 0;
    for (const token of await this.repo.listByCustomer(customerId)) {
      if (tokenStatus(token, now) !== 'active') continue;
      const sessions = await this.sessions.liveOfToken(token.id, now.getTime());
      count += sessions.filter((s) => s.epoch === customer.sessionEpoch && s.loginLower === customer.loginLower).length;
    }
    return count;
  }

  /**
   * Ends every API session of the customer now (each token's sessions and refresh tokens); the
   * caller moves the customer's session epoch on as well, which ends any session missed here.
   */
  async endSessionsOf(customerId: number): Promise<number> {
    let ended = 0;
    for (const token of await this.repo.listByCustomer(customerId))
      ended += await this.sessions.closeAllOfToken(token.id);
    return ended;
  }

  /**
   * Login + token → API session. Unknown login, an individual's login, a wrong, expired or revoked
   * token all give the same answer; the address check comes only after valid credentials, so it
   * reveals nothing to a guesser.
   */
  async signIn(login: string, token: string, ip: string): Promise<ApiSignInResult> {
    const throttle = this.deps.throttles.api;
    const label = login.slice(0, 64);
    const decision = await throttle.attempt(login, ip);
    if (!decision.allowed) {
      await this.auditSignIn({ type: 'anonymous', id: null, label }, ip, 'refused', null, null, 'rate_limited');
      return { ok: false, reason: 'rate_limited', retryAfterSeconds: decision.retryAfterSeconds };
    }
    const { customer, candidates } = await throttle.checking(login, ip, async () => {
      const owner = login ? await this.logins.ownerOf(login) : null;
      const customer = owner && 'customerId' in owner ? await this.repo.customerForSession(owner.customerId) : null;
      // The same queries and comparisons whether or not the login exists (id 0 has no tokens).
      return { customer, candidates: await this.repo.listByCustomer(customer?.id ?? 0) };
    });
    const digest = digestToken(isWellFormedApiToken(token) ? token : `malformed:${token}`, this.deps.config.secretKey);
    let match: ApiTokenRow | null = null;
    for (const row of candidates) if (tokensMatch(row.digest, digest)) match = row;
    if (candidates.length === 0) tokensMatch(NO_MATCH_DIGEST, digest);
    const now = new Date();
    if (!customer || !customer.loginLower || !match || tokenStatus(match, now) !== 'active') {
      const after = await throttle.afterFailure(login, ip);
      await this.auditSignIn(
        { type: 'anonymous', id: null, label },
        ip,
        'failure',
        customer?.id ?? null,
        match?.id ?? null,
        match ? tokenStatus(match, now) : 'invalid_credentials',
      );
      return after.allowed
        ? { ok: false, reason: 'invalid_credentials' }
        : { ok: false, reason: 'rate_limited', retryAfterSeconds: after.retryAfterSeconds };
    }
    const actor: AuditActor = {
      type: 'api',
      id: customer.id,
      label: `${customer.login ?? label} (token ${match.prefix})`,
    };
    if (!isAddressTrusted([customer], ip)) {
      await this.auditSignIn(actor, ip, 'refused', customer.id, match.id, 'ip_not_allowed');
      return { ok: false, reason: 'ip_not_allowed' };
    }
    await throttle.succeed(login, ip);
    await this.repo.recordUse(match.id, now, ip);
    const session = await this.sessions.open({
      tokenId: match.id,
      customerId: customer.id,
      epoch: customer.sessionEpoch,
      loginLower: customer.loginLower,
    });
    await this.auditSignIn(actor, ip, 'success', customer.id, match.id, null);
    return {
      ok: true,
      sessionId: session.id,
      expiresAt: session.expiresAt,
      customerId: customer.id,
      tokenId: match.id,
      session: session.session,
    };
  }

  /**
   * The token and customer behind a live API session with the customer's account and the levels of
   * its role (read fresh, in one round trip), unless the token or the customer's credentials changed since it opened.
   */
  async liveHolder(
    session: SessionBinding,
  ): Promise<{ holder: TokenHolder; account: CustomerAccount; permissions: PermissionMap } | null> {
    const found = await this.repo.holderWithPermissions(session.tokenId, session.customerId);
    return found && stillValid(found.holder, session) ? found : null;
  }

  /**
   * Refresh token → a successor session. The token is spent whatever the outcome; the successor
   * is opened only while the API token is active, the customer's credentials are unchanged since
   * the first sign-in and the address is inside the trusted networks, and the old session ends.
   */
  async refresh(refreshToken: string, ip: string): Promise<ApiRefreshResult> {
    const grant = await this.sessions.takeRefreshToken(refreshToken);
    if (!grant) return { ok: false, reason: 'invalid_refresh_token' };
    const holder = await this.repo.holder(grant.tokenId, grant.customerId);
    const actor: AuditActor = {
      type: 'api',
      id: grant.customerId,
      label: `${grant.loginLower} (token ${holder?.token.prefix ?? grant.tokenId})`,
    };
    if (!holder || !stillValid(holder, grant)) {
      await this.sessions.close(grant.sessionId);
      await this.auditRefresh(actor, ip, 'failure', grant, 'invalid_credentials');
      return { ok: false, reason: 'invalid_refresh_token' };
    }
    if (!isAddressTrusted([holder.customer], ip)) {
      await this.auditRefresh(actor, ip, 'refused', grant, 'ip_not_allowed');
      return { ok: false, reason: 'ip_not_allowed' };
    }
    await this.sessions.close(grant.sessionId);
    await this.repo.recordUse(grant.tokenId, new Date(), ip);
    const session = await this.sessions.open({
      tokenId: grant.tokenId,
      customerId: grant.customerId,
      epoch: grant.epoch,
      loginLower: grant.loginLower,
    });
    await this.auditRefresh(actor, ip, 'success', grant, null);
    return {
      ok: true,
      sessionId: session.id,
      expiresAt: session.expiresAt,
      customerId: grant.customerId,
      tokenId: grant.tokenId,
      session: session.session,
    };
  }

  private async auditRefresh(
    actor: AuditActor,
    ip: string,
    outcome: 'success' | 'failure' | 'refused',
    grant: { tokenId: number; customerId: number },
    reason: string | null,
  ): Promise<void> {
    await this.deps.audit.record({
      actor,
      ip,
      action: 'api.session.refresh',
      entityType: 'api_token',
      entityId: grant.tokenId,
      customerId: grant.customerId,
      outcome,
      changes: reason ? { reason: { old: null, new: reason } } : null,
    });
  }

  private async auditSignIn(
    actor: AuditActor,
    ip: string,
    outcome: 'success' | 'failure' | 'refused',
    customerId: number | null,
    tokenId: number | null,
    reason: string | null,
  ): Promise<void> {
    await this.deps.audit.record({
      actor,
      ip,
      action: 'api.session.create',
      entityType: 'api_token',
      entityId: tokenId,
      customerId,
      outcome,
      changes: reason ? { reason: { old: null, new: reason } } : null,
    });
  }
}
