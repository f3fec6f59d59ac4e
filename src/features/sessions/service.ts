/**
 * Where a self-care account is signed in, its recent sign-ins, the e-mail on a sign-in from a new
 * address, and ending sessions (the account itself, an administrator, a password reset).
 *
 * Browser sessions live in the portal's session store (Redis in production). To list one account's
 * sessions the key-value store (also Redis in production) keeps an index per account: the session
 * ids opened by its sign-ins, added at sign-in, removed at sign-out, and pruned of ids whose session
 * has expired or no longer belongs to the account whenever the index is read. The index expires on
 * its own after the absolute session lifetime without a new sign-in.
 */
import type { SessionData, Store } from 'express-session';
import UAParser from 'ua-parser-js';
import { digestToken } from '../../access/api-tokens.ts';
import type { AuditContext } from '../../http/actor.ts';
import type { Infra } from '../../infra.ts';
import { composeMail } from '../../mail/compose.ts';
import { accountMail, sessionUserOf, type PortalAccount } from '../accounts/service.ts';
import type { ApiTokenService } from '../api-tokens/service.ts';
import type { CustomerService } from '../customers/service.ts';
import type { IndividualsService } from '../individuals/service.ts';
import { SignInAlertsRepo, type AccountRow } from './repo.ts';

/** What a browser session records about the device it was opened on. */
export interface DeviceInfo {
  userAgent: string;
  signedInFrom: string;
  lastSeenAt: number;
  lastSeenFrom: string;
}

declare module 'express-session' {
  interface SessionData {
    /** portal sessions opened by a sign-in: the device, for "where you are signed in" */
    device?: DeviceInfo;
  }
}

/** One signed-in session of the account as the sessions page shows it. */
export interface SessionView {
  /** names the session in forms without revealing its id */
  handle: string;
  current: boolean;
  browser: string | null;
  system: string | null;
  address: string;
  startedAt: Date;
  lastSeenAt: Date;
}

/** Why a sign-in attempt ended as it did, as the history explains it. */
export const SIGN_IN_REASONS = [
  'success',
  'wrong_password',
  'no_credentials',
  'ip_not_allowed',
  'not_active',
  'expired',
  'rate_limited',
  'refused',
] as const;
export type SignInReason = (typeof SIGN_IN_REASONS)[number];

export interface SignInAttempt {
  at: Date;
  address: string;
  ok: boolean;
  reason: SignInReason;
}

export const SIGN_IN_HISTORY_LENGTH = 20;
/** A sign-in from an address not used for a successful sign-in within this many days is "new". */
export const NEW_ADDRESS_DAYS = 90;
/** The last-seen time of a session is written at most this often (each write costs a store write). */
const LAST_SEEN_RESOLUTION_MS = 60_000;

type Kind = 'customer' | 'individual';
interface AccountId {
  kind: Kind;
  id: number;
}

/** The audit events of self-care sign-ins (see PortalService.signIn). */
const SIGN_IN_EVENT = { action: 'portal.login' } as const;

const indexKey = (account: AccountId): string => `portal-sessions:${account.kind}:${account.id}`;

function alertRow(account: PortalAccount): AccountRow {
  return account.individual
    ? { key: `i:${account.individual.id}`, customerId: account.customer.id, individualId: account.individual.id }
    : { key: `c:${account.customer.id}`, customerId: account.customer.id, individualId: null };
}

/** Browser and system named from a user agent by ua-parser-js (major versions only), or null. */
export function describeUserAgent(userAgent: string): { browser: string | null; system: string | null } {
  const result = new UAParser(userAgent).getResult();
  const named = (name: string | undefined, version: string | undefined): string | null =>
    name ? [name, version?.split('.')[0]].filter(Boolean).join(' ') : null;
  return {
    browser: named(result.browser.name, result.browser.version),
    system: named(result.os.name, result.os.version),
  };
}

const reasonOf = (outcome: string, recorded: unknown): SignInReason => {
  if (outcome === 'success') return 'success';
  return (SIGN_IN_REASONS as readonly string[]).includes(String(recorded)) && recorded !== 'success'
    ? (recorded as SignInReason)
    : 'refused';
};

export class SessionsService {
  private readonly alerts: SignInAlertsRepo;
  private readonly store: Store;

  constructor(
    private readonly deps: Pick<
      Infra,
      'db' | 'kv' | 'sessionStores' | 'config' | 'audit' | 'mailer' | 'i18n' | 'background'
    >,
    private readonly customers: CustomerService,
    private readonly individuals: IndividualsService,
    private readonly apiTokens: ApiTokenService,
  ) {
    this.alerts = new SignInAlertsRepo(deps.db);
    this.store = deps.sessionStores.portal;
  }

  // -------------------------------------------------------------------------------------------
  // The index: account → session ids

  /** A device record for a session opened now. */
  deviceOf(userAgent: string | undefined, address: string, now = Date.now()): DeviceInfo {
    return {
      userAgent: (userAgent ?? '').slice(0, 512),
      signedInFrom: address,
      lastSeenAt: now,
      lastSeenFrom: address,
    };
  }

  /** Notes a request of a signed-in session: the time (to the minute) and the address. */
  noteActivity(session: Partial<SessionData>, address: string, now = Date.now()): void {
    const device = session.device;
    if (!device) return;
    if (now - device.lastSeenAt < LAST_SEEN_RESOLUTION_MS && device.lastSeenFrom === address) return;
    session.device = { ...device, lastSeenAt: now, lastSeenFrom: address };
  }

  /** Adds a freshly opened session to its account's index. */
  async remember(account: AccountId, sessionId: string): Promise<void> {
    await this.deps.kv.addToSet(indexKey(account), sessionId, this.deps.config.sessionAbsoluteHours * 3600);
  }

  /** Removes a session that signed out from its account's index. */
  async forget(account: AccountId, sessionId: string): Promise<void> {
    await this.deps.kv.removeFromSet(indexKey(account), sessionId);
  }

  private handleOf(sessionId: string): string {
    return digestToken(`portal-session-handle:${sessionId}`, this.deps.config.secretKey).slice(0, 32);
  }

  /**
   * The account's live sessions (id and data), pruning the index of sessions that are gone,
   * belong to someone else or began before the account's current epoch (ended by a password
   * change or an administrator).
   */
  private async live(account: AccountId & { epoch: number }): Promise<{ id: string; data: SessionData }[]> {
    const live: { id: string; data: SessionData }[] = [];
    for (const id of await this.deps.kv.members(indexKey(account))) {
      const data = await this.read(id);
      const user = data?.portal;
      const ours = data && user && !user.impersonation && user.kind === account.kind && user.id === account.id;
      if (data && ours && user.epoch === account.epoch) live.push({ id, data });
      else {
        await this.deps.kv.removeFromSet(indexKey(account), id);
        // a session of an older epoch is refused on its next request anyway; end it now
        if (data && ours) await this.destroy(id);
      }
    }
    return live;
  }

  private read(sessionId: string): Promise<SessionData | null> {
    return new Promise((resolve, reject) =>
      this.store.get(sessionId, (err, data) => (err ? reject(err as Error) : resolve(data ?? null))),
    );
  }

  private destroy(sessionId: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.store.destroy(sessionId, (err) => (err ? reject(err as Error) : resolve())),
    );
  }

  /** The account's signed-in sessions, newest activity first; `currentId` marks this device. */
  async list(account: PortalAccount, currentId: string | undefined): Promise<SessionView[]> {
    const sessions = await this.live(sessionUserOf(account));
    return sessions
      .map(({ id, data }) => {
        const device = data.device;
        const { browser, system } = describeUserAgent(device?.userAgent ?? '');
        return {
          handle: this.handleOf(id),
          current: id === currentId,
          browser,
          system,
          address: device?.lastSeenFrom ?? '',
          startedAt: new Date(data.createdAt ?? device?.lastSeenAt ?? 0),
          lastSeenAt: new Date(device?.lastSeenAt ?? data.createdAt ?? 0),
        };
      })
      .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  }

  /** Signs out one other session of the account; false when it had ended already (or is this one). */
  async endOne(account: PortalAccount, handle: string, currentId: string, ctx: AuditContext): Promise<boolean> {
    const id = sessionUserOf(account);
    const target = (await this.live(id)).find((s) => this.handleOf(s.id) === handle && s.id !== currentId);
    if (!target) return false;
    await this.destroy(target.id);
    await this.forget(id, target.id);
    await this.deps.audit.record({
      ...ctx,
      action: 'portal.session.end',
      entityType: id.kind,
      entityId: id.id,
      customerId: id.customerId,
      changes: { session: { old: this.deviceLabel(target.data), new: null } },
    });
    return true;
  }

  /** Signs out every session of the account but this one; returns how many ended. */
  async endOthers(account: PortalAccount, currentId: string, ctx: AuditContext): Promise<number> {
    const id = sessionUserOf(account);
    const others = (await this.live(id)).filter((s) => s.id !== currentId);
    for (const session of others) {
      await this.destroy(session.id);
      await this.forget(id, session.id);
    }
    await this.deps.audit.record({
      ...ctx,
      action: 'portal.sessions.end_others',
      entityType: id.kind,
      entityId: id.id,
      customerId: id.customerId,
      changes: { sessions_ended: { old: null, new: others.length } },
    });
    return others.length;
  }

  private deviceLabel(data: SessionData): string {
    const { browser, system } = describeUserAgent(data.device?.userAgent ?? '');
    return [browser ?? 'unknown browser', system ?? 'unknown system', data.device?.lastSeenFrom ?? '']
      .filter(Boolean)
      .join(', ');
  }

  /**
   * Ends every portal session the index knows of an account whose epoch has just moved on (a
   * password reset, an administrator's "End all sessions"): they would be refused on their next
   * request anyway; destroying them frees the store and keeps the counts honest.
   */
  async destroyAll(account: AccountId): Promise<number> {
    const ids = await this.deps.kv.members(indexKey(account));
    for (const id of ids) {
      const user = (await this.read(id))?.portal;
      if (user && user.kind === account.kind && user.id === account.id && !user.impersonation) await this.destroy(id);
    }
    await this.deps.kv.del(indexKey(account));
    return ids.length;
  }

  // -------------------------------------------------------------------------------------------
  // The administrator's view: counts and "End all sessions"

  /** Live portal sessions of a customer's own login, and its live API sessions. */
  async customerCounts(customerId: number): Promise<{ portal: number; api: number }> {
    const customer = await this.customers.find(customerId);
    if (!customer) return { portal: 0, api: 0 };
    const portal = (await this.live({ kind: 'customer', id: customerId, epoch: customer.sessionEpoch })).length;
    return { portal, api: await this.apiTokens.liveSessionCount(customerId) };
  }

  async individualCount(individualId: number): Promise<number> {
    const individual = await this.individuals.account(individualId);
    if (!individual) return 0;
    return (await this.live({ kind: 'individual', id: individualId, epoch: individual.sessionEpoch })).length;
  }

  /** An administrator ends every portal and API session of the customer's own login; audited. */
  async endAllOfCustomer(customerId: number, ctx: AuditContext): Promise<{ portal: number; api: number }> {
    const counts = await this.customerCounts(customerId);
    await this.customers.endSessions(customerId);
    await this.destroyAll({ kind: 'customer', id: customerId });
    await this.apiTokens.endSessionsOf(customerId);
    await this.deps.audit.record({
      ...ctx,
      action: 'customer.sessions.end',
      entityType: 'customer',
      entityId: customerId,
      customerId,
      changes: {
        portal_sessions: { old: counts.portal, new: 0 },
        api_sessions: { old: counts.api, new: 0 },
      },
    });
    return counts;
  }

  /** An administrator ends every portal session of an individual; audited. */
  async endAllOfIndividual(customerId: number, individualId: number, ctx: AuditContext): Promise<number> {
    const count = await this.individualCount(individualId);
    await this.individuals.endSessions(customerId, individualId);
    await this.destroyAll({ kind: 'individual', id: individualId });
    await this.deps.audit.record({
      ...ctx,
      action: 'individual.sessions.end',
      entityType: 'individual',
      entityId: individualId,
      customerId,
      changes: { portal_sessions: { old: count, new: 0 } },
    });
    return count;
  }

  // -------------------------------------------------------------------------------------------
  // Recent sign-ins and the new-address e-mail

  /** The account's last sign-in attempts (successes and refusals), newest first, from the audit trail. */
  async history(account: PortalAccount): Promise<SignInAttempt[]> {
    const id = sessionUserOf(account);
    const events = await this.deps.audit.latestOf(SIGN_IN_EVENT.action, id.kind, id.id, SIGN_IN_HISTORY_LENGTH);
    return events.map((event) => ({
      at: event.occurredAt ?? new Date(0),
      address: event.ip,
      ok: event.outcome === 'success',
      reason: reasonOf(event.outcome, event.changes?.reason?.new),
    }));
  }

  alertsOn(account: PortalAccount): Promise<boolean> {
    return this.alerts.isOn(alertRow(account).key);
  }

  async setAlerts(account: PortalAccount, on: boolean, ctx: AuditContext): Promise<void> {
    if (!(await this.alerts.set(alertRow(account), on))) return;
    const id = sessionUserOf(account);
    await this.deps.audit.record({
      ...ctx,
      action: 'portal.sign_in_alerts.update',
      entityType: id.kind,
      entityId: id.id,
      customerId: id.customerId,
      changes: { sign_in_alerts: { old: !on, new: on } },
    });
  }

  /**
   * After a successful sign-in (already in the audit trail): when the account asked for it and
   * has an e-mail address, and no other successful sign-in came from this address within
   * NEW_ADDRESS_DAYS, e-mail the account in its own language. Runs in the background.
   */
  async alertIfNewAddress(account: PortalAccount, address: string, userAgent: string, at = new Date()): Promise<void> {
    const email = account.individual ? account.individual.email : account.customer.email;
    if (!email || !(await this.alertsOn(account))) return;
    const id = sessionUserOf(account);
    const since = new Date(at.getTime() - NEW_ADDRESS_DAYS * 86_400_000);
    // the sign-in being reported is one of them
    if ((await this.deps.audit.successesFrom(SIGN_IN_EVENT.action, id.kind, id.id, address, since)) > 1) return;
    const { login, regional, tr, when, greeting } = accountMail(account, this.deps.i18n, 'email.newSignIn.');
    const { browser, system } = describeUserAgent(userAgent);
    const base = this.deps.config.publicUrl.replace(/\/+$/, '');
    const sessionsUrl = `${base}/settings/sessions`;
    await this.deps.mailer.send(
      composeMail({
        to: email,
        subject: tr('subject', { login }),
        language: regional.language,
        paragraphs: [
          greeting,
          [tr('intro', { login, time: when(at), zone: regional.timeZone })],
          [
            tr('address', { address }),
            tr('device', {
              browser: browser ?? tr('unknownBrowser'),
              system: system ?? tr('unknownSystem'),
            }),
          ],
          [tr('ifYou')],
          [tr('ifNotYou', { url: sessionsUrl })],
          [tr('optOut', { url: sessionsUrl })],
          [tr('signature')],
        ],
        links: [sessionsUrl],
      }),
    );
  }

  /** What the sign-in route does once the new session is saved: index it, maybe e-mail. */
  async afterSignIn(
    account: PortalAccount,
    sessionId: string,
    address: string,
    userAgent: string | undefined,
  ): Promise<void> {
    await this.remember(sessionUserOf(account), sessionId);
    this.deps.background.run('new-address sign-in e-mail', () =>
      this.alertIfNewAddress(account, address, userAgent ?? ''),
    );
  }

  /** A signed-in account's sessions end without it (password reset): the index and the API sessions. */
  async endEverywhere(account: PortalAccount): Promise<void> {
    const id = sessionUserOf(account);
    await this.destroyAll(id);
    if (id.kind === 'customer') await this.apiTokens.endSessionsOf(id.customerId);
  }
}
