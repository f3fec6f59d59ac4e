import QRCode from 'qrcode';
import { secretBox, type SecretBox } from '../../access/secret-box.ts';
import {
  digestRecoveryCode,
  looksLikeTotpCode,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  totpUri,
} from '../../access/totp.ts';
import type { AuditContext } from '../../http/actor.ts';
import type { Infra } from '../../infra.ts';
import { TwoFactorRepo, type AccountType } from './repo.ts';

export type { AccountType };

/** Whose two-factor sign-in this is; `customerId` files a customer's or individual's events under it. */
export interface TwoFactorAccount {
  type: AccountType;
  id: number;
  customerId?: number;
}

export type SecondFactor = 'totp' | 'recovery_code';

/** How the audit trail names the factor that completed a sign-in. */
export const FACTOR_LABELS: Readonly<Record<SecondFactor, string>> = {
  totp: 'authenticator code',
  recovery_code: 'recovery code',
};

/** What a completed sign-in's audit entry says of its second step (nothing when there was none). */
export function secondFactorChange(factor: SecondFactor | 'setup' | null): {
  changes?: { second_factor: { old: null; new: string } };
} {
  if (!factor) return {};
  const used = factor === 'setup' ? `${FACTOR_LABELS.totp} (two-factor sign-in set up now)` : FACTOR_LABELS[factor];
  return { changes: { second_factor: { old: null, new: used } } };
}

export type CodeCheck =
  | { ok: true; factor: SecondFactor }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
}

/** A set-up in progress: the new seed (shown to the user), its QR code and address. */
export interface SetupView {
  secret: string;
  qrSvg: string;
  uri: string;
}

/** A set-up's seed lives sealed in the session, at most this long. */
const SETUP_TTL_MS = 30 * 60_000;

const ISSUER = 'Selfcare';

/**
 * TOTP two-factor sign-in for admins, customers and individuals: set-up (a seed sealed with a key
 * derived from SECRET_KEY, confirmed by a first code; recovery codes kept as digests), the check of
 * a code at sign-in (throttled like the password, each TOTP step accepted once, each recovery code
 * once), reset and turning off.
 */
export class TwoFactorService {
  private readonly repo: TwoFactorRepo;
  private readonly seeds: SecretBox;

  constructor(private readonly deps: Pick<Infra, 'db' | 'config' | 'audit' | 'throttles'>) {
    this.repo = new TwoFactorRepo(deps.db);
    this.seeds = secretBox(deps.config.secretKey, 'totp-seed');
  }

  async isEnabled(account: TwoFactorAccount): Promise<boolean> {
    return (await this.repo.secret(account.type, account.id)) !== null;
  }

  async status(account: TwoFactorAccount): Promise<TwoFactorStatus> {
    const stored = await this.repo.secret(account.type, account.id);
    if (!stored) return { enabled: false, enabledAt: null, recoveryCodesLeft: 0 };
    return {
      enabled: true,
      enabledAt: stored.enabledAt,
      recoveryCodesLeft: await this.repo.recoveryCodesLeft(account.type, account.id),
    };
  }

  /** Which of these accounts have two-factor sign-in on (lists). */
  enabledAmong(type: AccountType, ids: readonly number[]): Promise<Set<number>> {
    return this.repo.enabledAmong(type, ids);
  }

  /** A fresh seed, sealed for keeping in the session until the user confirms it. */
  newSetup(): string {
    return this.seeds.seal(newTotpSecret());
  }

  /** The seed of a set-up in progress as the page shows it; null when the sealed value is not ours. */
  async setupView(sealed: string, account: string): Promise<SetupView | null> {
    const secret = this.seeds.open(sealed);
    if (!secret) return null;
    const uri = totpUri(secret, { issuer: ISSUER, account });
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { secret, uri, qrSvg: svg };
  }

  /**
   * Turns two-factor sign-in on once the user proves its app has the seed (a current code);
   * returns the recovery codes, shown once and stored only as digests. Null for a wrong code.
   */
  async confirmSetup(
    account: TwoFactorAccount,
    sealed: string,
    code: string,
    ctx: AuditContext,
  ): Promise<string[] | null> {
    const secret = this.seeds.open(sealed);
    const step = secret ? matchTotp(secret, code) : null;
    if (secret === null || step === null) return null;
    const codes = newRecoveryCodes();
    await this.deps.db.transaction(async (trx) => {
      await this.repo.enable(trx, account.type, account.id, {
        sealed: this.seeds.seal(secret),
        lastStep: step,
        codeDigests: codes.map((c) => digestRecoveryCode(c, this.deps.config.secretKey)),
      });
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'two_factor.enable',
          entityType: account.type,
          entityId: account.id,
          customerId: account.customerId ?? null,
          changes: { two_factor: { old: 'off', new: 'on' } },
        },
        trx,
      );
    });
    return codes;
  }

  /**
   * Checks a second factor: a TOTP code (each time step accepted once, so a code seen over a
   * shoulder cannot be replayed) or an unused recovery code (then spent). Counted by the door's
   * sign-in throttle under the account, like a password guess. `only: 'totp'` refuses recovery
   * codes (a confirmation that asks for the authenticator itself).
   */
  async check(
    account: TwoFactorAccount,
    text: string,
    ip: string,
    door: 'admin' | 'portal',
    only?: 'totp',
  ): Promise<CodeCheck> {
    const throttle = this.deps.throttles[door];
    const key = `two-factor:${account.type}:${account.id}`;
    const decision = await throttle.attempt(key, ip);
    if (!decision.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
    const factor = await throttle.checking(key, ip, () => this.accept(account, text, only));
    if (factor) {
      await throttle.succeed(key, ip);
      return { ok: true, factor };
    }
    const after = await throttle.afterFailure(key, ip);
    return after.allowed
      ? { ok: false, reason: 'invalid' }
      : { ok: false, reason: 'throttled', retryAfterSeconds: after.retryAfterSeconds };
  }

  private async accept(account: TwoFactorAccount, text: string, only?: 'totp'): Promise<SecondFactor | null> {
    const stored = await this.repo.secret(account.type, account.id);
    if (!stored) return null;
    if (looksLikeTotpCode(text)) {
      const secret = this.seeds.open(stored.sealed);
      const step = secret ? matchTotp(secret, text) : null;
      return step !== null && (await this.repo.acceptStep(account.type, account.id, step)) ? 'totp' : null;
    }
    if (only === 'totp') return null;
    const code = normalizeRecoveryCode(text);
    if (!code) return null;
    const digest = digestRecoveryCode(code, this.deps.config.secretKey);
    return (await this.repo.spendRecoveryCode(account.type, account.id, digest)) ? 'recovery_code' : null;
  }

  /**
   * Replaces the account's recovery codes with a new set once a current authenticator code (not a
   * recovery code) shows it is the account's owner: the old ones stop working at once. Audited; the
   * new codes, shown once and stored only as digests, or why the code was refused.
   */
  async renewRecoveryCodes(
    account: TwoFactorAccount,
    code: string,
    door: 'admin' | 'portal',
    ctx: AuditContext,
  ): Promise<{ ok: true; codes: string[] } | Exclude<CodeCheck, { ok: true }>> {
    const check = await this.check(account, code, ctx.ip, door, 'totp');
    if (!check.ok) return check;
    const codes = newRecoveryCodes();
    const replaced = await this.deps.db.transaction(async (trx) => {
      const renewed = await this.repo.replaceRecoveryCodes(
        trx,
        account.type,
        account.id,
        codes.map((c) => digestRecoveryCode(c, this.deps.config.secretKey)),
      );
      if (!renewed) return false;
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'two_factor.recovery_codes.renew',
          entityType: account.type,
          entityId: account.id,
          customerId: account.customerId ?? null,
          changes: { recovery_codes: { old: 'changed', new: 'changed' } },
        },
        trx,
      );
      return true;
    });
    return replaced ? { ok: true, codes } : { ok: false, reason: 'invalid' };
  }

  /**
   * Removes the account's two-factor sign-in: an admin's reset (a lost phone) or the user turning
   * it off. Audited; false when it was not on.
   */
  async remove(account: TwoFactorAccount, ctx: AuditContext, how: 'reset' | 'disable'): Promise<boolean> {
    return this.deps.db.transaction(async (trx) => {
      const removed = await this.repo.forget(trx, account.type, account.id);
      if (!removed) return false;
      await this.deps.audit.record(
        {
          ...ctx,
          action: `two_factor.${how}`,
          entityType: account.type,
          entityId: account.id,
          customerId: account.customerId ?? null,
          changes: { two_factor: { old: 'on', new: 'off' } },
        },
        trx,
      );
      return true;
    });
  }
}

/**
 * The sealed seed of the set-up this session has in progress, or a new one (kept in the session,
 * so reloading the page shows the same QR code until it is confirmed or grows old).
 */
export function setupInProgress(
  session: { twoFactorSetup?: { sealed: string; startedAt: number } },
  twoFactor: Pick<TwoFactorService, 'newSetup'>,
): string {
  const current = session.twoFactorSetup;
  if (current && Date.now() - current.startedAt < SETUP_TTL_MS) return current.sealed;
  const sealed = twoFactor.newSetup();
  session.twoFactorSetup = { sealed, startedAt: Date.now() };
  return sealed;
}
