/**
 * Forgotten passwords and the links administrators send instead of passwords.
 *
 * A visitor types a login or an e-mail address and always gets the same answer. Everything that
 * depends on the account — finding it, deciding whether it may have a link, the per-account limit,
 * storing the link, the e-mail — runs after that answer has been sent (`handleRequest` in the
 * background), so neither the answer nor its timing tells accounts apart.
 *
 * A link is `/reset-password/<token>`: 256 random bits, kept only as a keyed digest, single use,
 * 30 minutes (24 hours when an administrator sends it), void once a newer link is sent or the
 * password changes by any path (see access/reset-links.ts).
 */
import { isAddressTrusted } from '../../access/address-check.ts';
import {
  generateResetToken,
  isWellFormedResetToken,
  passwordFingerprint,
  RESET_LINK_MINUTES,
  resetTokenDigest,
  type ResetLinkPurpose,
} from '../../access/reset-links.ts';
import type { AuditActor, AuditContext } from '../../http/actor.ts';
import type { Infra } from '../../infra.ts';
import { composeMail } from '../../mail/compose.ts';
import type { ThrottleDecision } from '../../stores/login-throttle.ts';
import {
  accountMail,
  accountRefusal,
  effectiveRegional,
  trustedListsOf,
  type PortalAccount,
  type PortalService,
} from '../accounts/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { IndividualsService } from '../individuals/service.ts';
import type { SessionsService } from '../sessions/service.ts';
import { ResetLinksRepo, type ResetLinkRow } from './repo.ts';

/** An e-mail address names at most this many accounts in one request. */
const ACCOUNTS_PER_ADDRESS = 5;

/** Why a request sent no link (recorded in the audit trail, never shown to the visitor). */
type RequestRefusal = 'unknown_account' | 'no_credentials' | 'no_email' | 'not_active' | 'expired' | 'rate_limited';

/** What a link in a browser turns out to be. */
export type LinkState =
  | { state: 'valid'; link: ResetLinkRow; account: PortalAccount; language: string }
  | { state: 'ip_not_allowed'; language: string }
  | { state: 'invalid'; reason: 'unknown' | 'used' | 'expired' | 'voided' | 'closed'; language?: string };

export class AccountGoneError extends Error {}

const accountKey = (account: PortalAccount): string =>
  account.individual ? `i:${account.individual.id}` : `c:${account.customer.id}`;
const loginOf = (account: PortalAccount): string => account.individual?.login ?? account.customer.selfcareLogin ?? '';
const emailOf = (account: PortalAccount): string =>
  account.individual ? account.individual.email : account.customer.email;
const hashOf = (account: PortalAccount): string | null =>
  account.individual ? account.individual.passwordHash : account.customer.passwordHash;
const kindOf = (account: PortalAccount): 'customer' | 'individual' => (account.individual ? 'individual' : 'customer');
const idOf = (account: PortalAccount): number => account.individual?.id ?? account.customer.id;

/** The account itself, as the actor of what it does through its link. */
const selfActor = (account: PortalAccount): AuditActor => ({
  type: kindOf(account),
  id: idOf(account),
  label: loginOf(account),
});

export class PasswordResetService {
  private readonly repo: ResetLinksRepo;

  constructor(
    private readonly deps: Pick<Infra, 'db' | 'config' | 'throttles' | 'audit' | 'mailer' | 'i18n' | 'background'>,
    private readonly accounts: PortalService,
    private readonly customers: CustomerService,
    private readonly individuals: IndividualsService,
    private readonly sessions: SessionsService,
  ) {
    this.repo = new ResetLinksRepo(deps.db);
  }

  // -------------------------------------------------------------------------------------------
  // "Forgot your password?"

  /** The per-address budget of requests; the only thing decided before the answer. */
  admit(address: string): Promise<ThrottleDecision> {
    return this.deps.throttles.passwordReset.byAddress.consume(address);
  }

  /**
   * The request, after the visitor has had its answer: find the accounts the text names (a login,
   * else an e-mail address), and send each that may have one a 30-minute link. Audited either way.
   */
  async handleRequest(identifier: string, address: string): Promise<void> {
    const text = identifier.trim();
    const actor: AuditActor = { type: 'anonymous', id: null, label: text.slice(0, 64) };
    const found = await this.accountsNamedBy(text);
    if (found.length === 0) return this.auditRequest(actor, address, null, 'unknown_account');
    for (const account of found) {
      const refusal = this.refusalOf(account);
      if (refusal) {
        await this.auditRequest(actor, address, account, refusal);
        continue;
      }
      const budget = await this.deps.throttles.passwordReset.byAccount.consume(accountKey(account));
      if (!budget.allowed) {
        await this.auditRequest(actor, address, account, 'rate_limited');
        continue;
      }
      const link = await this.issue(account, 'forgot');
      await this.sendLinkMail(account, link.token, link.expiresAt, 'forgot');
      await this.auditRequest(actor, address, account, null, link);
    }
  }

  private async accountsNamedBy(text: string): Promise<PortalAccount[]> {
    if (text === '') return [];
    const byLogin = await this.accounts.findByLogin(text);
    if (byLogin) return [byLogin];
    if (!text.includes('@')) return [];
    const customers = await this.customers.findByEmail(text, ACCOUNTS_PER_ADDRESS);
    const individuals = await this.individuals.accountsByEmail(text, ACCOUNTS_PER_ADDRESS);
    const accounts: PortalAccount[] = customers.map((customer) => ({ customer, individual: null }));
    for (const individual of individuals) {
      const customer = await this.customers.find(individual.customerId);
      if (customer) accounts.push({ customer, individual });
    }
    return accounts.slice(0, ACCOUNTS_PER_ADDRESS);
  }

  /** A link goes only to an account that could sign in with the password it would choose. */
  private refusalOf(account: PortalAccount): RequestRefusal | null {
    if (!loginOf(account) || !hashOf(account)) return 'no_credentials';
    const window = accountRefusal(account.individual);
    if (window) return window;
    if (!emailOf(account)) return 'no_email';
    return null;
  }

  private auditRequest(
    actor: AuditActor,
    address: string,
    account: PortalAccount | null,
    refusal: RequestRefusal | null,
    link?: { id: number; expiresAt: Date },
  ): Promise<void> {
    return this.deps.audit.record({
      actor,
      ip: address,
      action: 'portal.password_reset.request',
      entityType: account ? kindOf(account) : 'customer',
      entityId: account ? idOf(account) : null,
      customerId: account?.customer.id ?? null,
      outcome: refusal ? 'refused' : 'success',
      changes: refusal
        ? { reason: { old: null, new: refusal } }
        : {
            reset_link: { old: null, new: `#${link?.id ?? ''}` },
            email: { old: null, new: emailOf(account as PortalAccount) },
            expires_at: { old: null, new: link?.expiresAt.toISOString() ?? null },
          },
    });
  }

  // -------------------------------------------------------------------------------------------
  // An administrator's link

  /**
   * An administrator sends the account a 24-hour link (the mail goes out before this returns, so
   * the admin hears of a mail failure). Without a login or an e-mail address nothing is sent and the answer says which is missing.
   */
  async sendAdminLink(
    target: { customerId: number; individualId: number | null },
    ctx: AuditContext,
  ): Promise<{ ok: true; email: string; expiresAt: Date } | { ok: false; missing: 'email' | 'login' }> {
    const account = await this.accounts.loadAccount(
      target.individualId === null
        ? { kind: 'customer', id: target.customerId, customerId: target.customerId }
        : { kind: 'individual', id: target.individualId, customerId: target.customerId },
    );
    if (!account) throw new AccountGoneError();
    if (!loginOf(account)) return { ok: false, missing: 'login' };
    const email = emailOf(account);
    if (!email) return { ok: false, missing: 'email' };
    const link = await this.issue(account, 'admin');
    await this.sendLinkMail(account, link.token, link.expiresAt, 'admin');
    await this.deps.audit.record({
      ...ctx,
      action: `${kindOf(account)}.password_reset_link.send`,
      entityType: kindOf(account),
      entityId: idOf(account),
      customerId: account.customer.id,
      changes: {
        reset_link: { old: null, new: `#${link.id}` },
        email: { old: null, new: email },
        expires_at: { old: null, new: link.expiresAt.toISOString() },
      },
    });
    return { ok: true, email, expiresAt: link.expiresAt };
  }

  // -------------------------------------------------------------------------------------------
  // Links

  private async issue(
    account: PortalAccount,
    purpose: ResetLinkPurpose,
    now = new Date(),
  ): Promise<{ id: number; token: string; expiresAt: Date }> {
    const token = generateResetToken();
    const expiresAt = new Date(now.getTime() + RESET_LINK_MINUTES[purpose] * 60_000);
    const id = await this.repo.insertVoidingOlder({
      digest: resetTokenDigest(token, this.deps.config.secretKey),
      accountKey: accountKey(account),
      customerId: account.customer.id,
      individualId: account.individual?.id ?? null,
      purpose,
      passwordFingerprint: passwordFingerprint(hashOf(account), this.deps.config.secretKey),
      createdAt: now,
      expiresAt,
    });
    return { id, token, expiresAt };
  }

  /**
   * What the token in a browser's address bar stands for. Valid only when the link is unused,
   * unexpired and the newest of its account, the password unchanged since it was sent, the account
   * still able to sign in, and the address inside the account's trusted networks (a link can be
   * asked for from anywhere; it can be used only where the account may sign in).
   */
  async inspect(token: string, address: string, now = new Date()): Promise<LinkState> {
    if (!isWellFormedResetToken(token)) return { state: 'invalid', reason: 'unknown' };
    const link = await this.repo.findByDigest(resetTokenDigest(token, this.deps.config.secretKey));
    if (!link) return { state: 'invalid', reason: 'unknown' };
    const account = await this.accounts.loadAccount(
      link.individualId === null
        ? { kind: 'customer', id: link.customerId, customerId: link.customerId }
        : { kind: 'individual', id: link.individualId, customerId: link.customerId },
    );
    if (!account) return { state: 'invalid', reason: 'unknown' };
    const language = effectiveRegional(account).language;
    if (link.usedAt) return { state: 'invalid', reason: 'used', language };
    if (link.voidedAt) return { state: 'invalid', reason: 'voided', language };
    if (link.expiresAt <= now) return { state: 'invalid', reason: 'expired', language };
    if (passwordFingerprint(hashOf(account), this.deps.config.secretKey) !== link.passwordFingerprint)
      return { state: 'invalid', reason: 'voided', language };
    if (!loginOf(account) || accountRefusal(account.individual))
      return { state: 'invalid', reason: 'closed', language };
    if (!isAddressTrusted(trustedListsOf(account), address)) {
      await this.deps.audit.record({
        actor: selfActor(account),
        ip: address,
        action: 'portal.password_reset.refused',
        entityType: kindOf(account),
        entityId: idOf(account),
        customerId: account.customer.id,
        outcome: 'refused',
        changes: { reason: { old: null, new: 'ip_not_allowed' } },
      });
      return { state: 'ip_not_allowed', language };
    }
    return { state: 'valid', link, account, language };
  }

  /**
   * Sets the new password through a valid link: the policy first (a refused password leaves the
   * link usable), then the link is spent (exactly once, even for two tabs at the same moment), the
   * password set, every portal and API session of the account ended, the other links voided and
   * a "your password was changed" e-mail sent. Throws PasswordPolicyError; returns false when the
   * link was spent meanwhile.
   */
  async complete(valid: Extract<LinkState, { state: 'valid' }>, next: string, address: string): Promise<boolean> {
    const { account, link } = valid;
    await this.accounts.checkNewPassword(account, next);
    const now = new Date();
    if (!(await this.repo.claim(link.id, now))) return false;
    await this.accounts.resetPassword(account, next, { actor: selfActor(account), ip: address }, link);
    await this.repo.voidAll(accountKey(account), now);
    await this.sessions.endEverywhere(account);
    this.deps.background.run('password-changed e-mail', () => this.sendChangedMail(account, address, now));
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // E-mails, in the account's own language and regional settings

  private async sendLinkMail(
    account: PortalAccount,
    token: string,
    expiresAt: Date,
    purpose: ResetLinkPurpose,
  ): Promise<void> {
    const { to, login, regional, tr, when, greeting } = accountMail(account, this.deps.i18n, 'email.passwordReset.');
    const base = this.deps.config.publicUrl.replace(/\/+$/, '');
    const url = `${base}/reset-password/${token}`;
    await this.deps.mailer.send(
      composeMail({
        to,
        subject: tr('subject', { customer: account.customer.name }),
        language: regional.language,
        paragraphs: [
          greeting,
          [purpose === 'admin' ? tr('introAdmin', { login }) : tr('introForgot', { login })],
          [tr('open', { url })],
          [
            tr(purpose === 'admin' ? 'validAdmin' : 'validForgot', {
              time: when(expiresAt),
              zone: regional.timeZone,
            }),
          ],
          [purpose === 'admin' ? tr('ignoreAdmin') : tr('ignoreForgot')],
          [tr('signature')],
        ],
        links: [url],
      }),
    );
  }

  private async sendChangedMail(account: PortalAccount, address: string, at: Date): Promise<void> {
    const { to, login, regional, tr, when, greeting } = accountMail(account, this.deps.i18n, 'email.passwordChanged.');
    if (!to) return;
    const base = this.deps.config.publicUrl.replace(/\/+$/, '');
    const forgotUrl = `${base}/forgot-password`;
    await this.deps.mailer.send(
      composeMail({
        to,
        subject: tr('subject', { login }),
        language: regional.language,
        paragraphs: [
          greeting,
          [tr('intro', { login, time: when(at), zone: regional.timeZone, address })],
          [tr('sessionsEnded')],
          [tr('ifNotYou', { url: forgotUrl })],
          [tr('signature')],
        ],
        links: [forgotUrl],
      }),
    );
  }
}
