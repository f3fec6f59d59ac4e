import {
  checkPasswordPolicy,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
  type PasswordPolicyCode,
} from '../../access/passwords.ts';
import {
  atLeast,
  effectiveLevels,
  individualLevels,
  type EffectiveLevels,
  type PermissionMap,
} from '../../access/permissions.ts';
import type { i18n } from 'i18next';
import type { Infra } from '../../infra.ts';
import { formatDateTime } from '../../regional/date-format.ts';
import type { AuditActor, AuditContext } from '../../http/actor.ts';
import { diffForAudit } from '../audit/service.ts';
import { isAddressTrusted, type TrustedListSource } from '../../access/address-check.ts';
import type { PortalSessionUser, Viewer } from '../../http/types.ts';
import type { FieldError } from '../../access/field-error.ts';
import { isLanguage } from '../../regional/languages.ts';
import { getDefaultRoleId, loadRolePermissions } from '../roles/service.ts';
import { LoginNamespace } from '../selfcare-access/service.ts';
import {
  profileValuesOf,
  type CustomerAccount,
  type CustomerRecord,
  type SelfServiceColumns,
} from '../customers/schema.ts';
import type { CustomerService } from '../customers/service.ts';
import type { IndividualsService, PortalIndividual } from '../individuals/service.ts';
import { secondFactorChange, type SecondFactor, type TwoFactorService } from '../two-factor/service.ts';
import { PROFILE_COLUMNS, type AccountRef, type PasswordForm, type ProfileField, type VersionStep } from './schema.ts';
import { REGIONAL_FIELDS, type RegionalField } from '../../regional/settings.ts';

export interface PortalAccount {
  customer: CustomerRecord;
  individual: PortalIndividual | null;
  /** the explicit levels of the customer's role, when read together with the customer */
  customerRolePermissions?: PermissionMap;
}

/** Why an account that proved its password may still not enter. */
export type AccountRefusal = 'not_active' | 'expired';

/** What a right password still owes: a two-factor code, setting two-factor sign-in up, or nothing. */
export type SecondStep = 'code' | 'setup' | null;

export type SignInResult =
  | {
      ok: true;
      user: PortalSessionUser;
      mustChangePassword: boolean;
      secondStep: SecondStep;
      /** the account's interface language, spoken from the second step on */
      language: string;
    }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }
  | { ok: false; reason: 'ip_not_allowed' }
  | { ok: false; reason: AccountRefusal };

export class WrongCurrentPasswordError extends Error {}
export class PasswordPolicyError extends Error {
  constructor(readonly code: PasswordPolicyCode | 'based_on_login' | 'same_as_current') {
    super(code);
  }
}

/** The field error for a refused password (policy, current password); anything else is rethrown. */
export function passwordErrors(err: unknown): FieldError[] {
  if (err instanceof WrongCurrentPasswordError)
    return [{ field: 'current_password', key: 'portal.password.errors.currentWrong' }];
  if (err instanceof PasswordPolicyError) return [{ field: 'new_password', key: `portal.password.errors.${err.code}` }];
  throw err;
}

const PASSWORD_FIELDS = ['current_password', 'new_password', 'new_password_confirm'];

/** The policy a new password breaks, before any database look-up; null when it passes. */
function policyBroken(account: PortalAccount, next: string): PasswordPolicyError['code'] | null {
  const policy = checkPasswordPolicy(next, { login: accountLogin(account) });
  if (policy.ok) return null;
  return policy.code === 'too_common' && /login/.test(policy.message) ? 'based_on_login' : policy.code;
}

/** An individual may use the portal only between its activation and expiration moments. */
export function accountRefusal(individual: PortalIndividual | null, now: Date = new Date()): AccountRefusal | null {
  if (!individual) return null;
  if (individual.activationAt && now < individual.activationAt) return 'not_active';
  if (individual.expirationAt && now >= individual.expirationAt) return 'expired';
  return null;
}

export function trustedListsOf(account: PortalAccount): TrustedListSource[] {
  const lists: TrustedListSource[] = [account.customer];
  if (account.individual) lists.push(account.individual);
  return lists;
}

/** Who a portal session (and the index of an account's sessions) is for: the individual or the customer itself. */
export function sessionUserOf(account: PortalAccount): PortalSessionUser {
  return account.individual
    ? {
        kind: 'individual',
        id: account.individual.id,
        customerId: account.customer.id,
        epoch: account.individual.sessionEpoch,
      }
    : {
        kind: 'customer',
        id: account.customer.id,
        customerId: account.customer.id,
        epoch: account.customer.sessionEpoch,
      };
}

/** The individual's own regional values where set, the customer's otherwise. */
export function effectiveRegional(account: PortalAccount): Viewer['regional'] {
  const c = account.customer;
  const i = account.individual?.regional;
  const language = i?.language ?? c.language;
  return {
    timeZone: i?.timeZone ?? c.timeZone,
    language: isLanguage(language) ? language : 'en',
    outDateFormat: i?.outDateFormat ?? c.outDateFormat,
    outTimeFormat: i?.outTimeFormat ?? c.outTimeFormat,
    inDateFormat: i?.inDateFormat ?? c.inDateFormat,
    inTimeFormat: i?.inTimeFormat ?? c.inTimeFormat,
  };
}

/**
 * What an e-mail to a portal account is written with: its address and login, its own language and
 * output formats, the texts under one key prefix (ending in a dot), and the greeting by name.
 */
export function accountMail(account: PortalAccount, i18n: i18n, keyPrefix: string) {
  const regional = effectiveRegional(account);
  const t = i18n.getFixedT(regional.language);
  const tr = (key: string, params: Record<string, unknown> = {}) => String(t(`${keyPrefix}${key}`, params));
  const login = account.individual?.login ?? account.customer.selfcareLogin ?? '';
  return {
    to: account.individual ? account.individual.email : account.customer.email,
    login,
    regional,
    tr,
    when: (at: Date) =>
      formatDateTime(at, {
        dateFormat: regional.outDateFormat,
        timeFormat: regional.outTimeFormat,
        timeZone: regional.timeZone,
        locale: regional.language,
      }),
    greeting: [tr('greeting', { name: account.individual?.name || account.customer.name || login })],
  };
}

/** The two-factor account of a self-care user (its events filed under its customer). */
export function twoFactorAccountOf(user: Pick<PortalSessionUser, 'kind' | 'id' | 'customerId'>) {
  return { type: user.kind, id: user.id, customerId: user.customerId };
}

/** The self-care login of the account. */
export function accountLogin(account: PortalAccount): string {
  return account.individual?.login ?? account.customer.selfcareLogin ?? '';
}

export function accountRef(user: Pick<PortalSessionUser, 'kind' | 'id'>): AccountRef {
  return { kind: user.kind, id: user.id };
}

const stepTo = (version: number): VersionStep => ({ old: version - 1, new: version });

/**
 * The signed-in account's own rows, whichever kind it is: the customer through the customers
 * feature, an individual through the individuals feature.
 */
class AccountStore {
  constructor(
    private readonly customers: Pick<
      CustomerService,
      'find' | 'findWithRolePermissions' | 'applySelfServiceChange' | 'recordLogin'
    >,
    private readonly individuals: Pick<
      IndividualsService,
      'account' | 'setOwnPassword' | 'recordLogin' | 'updateOwnRegional'
    >,
  ) {}

  customer(id: number): Promise<CustomerRecord | null> {
    return this.customers.find(id);
  }

  customerWithRolePermissions(
    id: number,
  ): Promise<{ customer: CustomerRecord; rolePermissions: PermissionMap } | null> {
    return this.customers.findWithRolePermissions(id);
  }

  individual(id: number): Promise<PortalIndividual | null> {
    return this.individuals.account(id);
  }

  /**
   * Sets a new password, clears "must change" and ends other sessions; returns the new epoch and,
   * for a customer, the version step (for the audit trail an admin's stale form reads).
   */
  async setPassword(
    account: AccountRef,
    passwordHash: string,
  ): Promise<{ sessionEpoch: number; version?: VersionStep }> {
    if (account.kind === 'individual') return this.individuals.setOwnPassword(account.id, passwordHash);
    const after = await this.customers.applySelfServiceChange(
      account.id,
      { password_hash: passwordHash, password_change_required: false },
      { endSessions: true },
    );
    return { sessionEpoch: after.sessionEpoch, version: stepTo(after.version) };
  }

  recordLogin(account: AccountRef): Promise<void> {
    return account.kind === 'customer'
      ? this.customers.recordLogin(account.id)
      : this.individuals.recordLogin(account.id);
  }

  /** Profile changes move the customer's version on, so an admin's open form sees the conflict. */
  async updateProfile(customerId: number, values: Partial<Record<ProfileField, string>>): Promise<VersionStep> {
    const columns: SelfServiceColumns = {};
    for (const [field, value] of Object.entries(values)) columns[PROFILE_COLUMNS[field as ProfileField]] = value;
    return stepTo((await this.customers.applySelfServiceChange(customerId, columns)).version);
  }

  /**
   * Regional settings; for an individual null means "inherit the customer's". Returns the
   * customer's version step (none for an individual).
   */
  async updateRegional(
    account: AccountRef,
    values: Record<RegionalField, string | null>,
  ): Promise<VersionStep | undefined> {
    if (account.kind === 'individual') {
      await this.individuals.updateOwnRegional(account.id, values);
      return undefined;
    }
    const columns: SelfServiceColumns = {};
    for (const column of REGIONAL_FIELDS) {
      const value = values[column];
      // a customer's regional settings are never empty (the schema gives no "inherit" for a customer)
      if (value !== null) columns[column] = value;
    }
    return stepTo((await this.customers.applySelfServiceChange(account.id, columns)).version);
  }
}

/** Sign-in, the viewer of each request, and the changes a self-care user makes to its own account. */
export class PortalService {
  private readonly repo: AccountStore;
  private readonly logins: LoginNamespace;

  constructor(
    private readonly deps: Pick<Infra, 'db' | 'throttles' | 'audit' | 'config'>,
    customers: CustomerService,
    individuals: IndividualsService,
    private readonly twoFactor: TwoFactorService,
  ) {
    this.repo = new AccountStore(customers, individuals);
    this.logins = new LoginNamespace(deps.db);
  }

  customer(id: number): Promise<CustomerRecord | null> {
    return this.repo.customer(id);
  }

  individual(id: number): Promise<PortalIndividual | null> {
    return this.repo.individual(id);
  }

  /** The customer (and individual) of a session, or null when either is gone. */
  async loadAccount(user: Pick<PortalSessionUser, 'kind' | 'id' | 'customerId'>): Promise<PortalAccount | null> {
    const found = await this.repo.customerWithRolePermissions(user.customerId);
    if (!found) return null;
    const { customer, rolePermissions: customerRolePermissions } = found;
    if (user.kind === 'customer')
      return customer.id === user.id ? { customer, individual: null, customerRolePermissions } : null;
    const individual = await this.repo.individual(user.id);
    return individual && individual.customerId === customer.id
      ? { customer, individual, customerRolePermissions }
      : null;
  }

  /**
   * Effective levels, read fresh on every request so a role change applies at once. In the
   * admin's "default role" mode the default role stands in for the customer's own.
   */
  async levels(account: PortalAccount, impersonation?: PortalSessionUser['impersonation']): Promise<EffectiveLevels> {
    let customerRoleId: number | null = account.customer.roleId;
    if (impersonation?.mode === 'default') customerRoleId = await getDefaultRoleId(this.deps.db);
    // the customer's own role was read with the account (same request): no second query
    const own = customerRoleId === account.customer.roleId ? account.customerRolePermissions : undefined;
    const customerPerms =
      customerRoleId === null ? {} : (own ?? (await loadRolePermissions(this.deps.db, customerRoleId)));
    if (!account.individual) return effectiveLevels(customerPerms);
    return individualLevels(await loadRolePermissions(this.deps.db, account.individual.roleId), customerPerms);
  }

  /** The account a self-care login names (customer or individual), or null. */
  async findByLogin(login: string): Promise<PortalAccount | null> {
    const owner = login ? await this.logins.ownerOf(login) : null;
    if (!owner) return null;
    if ('customerId' in owner) {
      const customer = await this.repo.customer(owner.customerId);
      return customer ? { customer, individual: null } : null;
    }
    const individual = await this.repo.individual(owner.individualId);
    const customer = individual ? await this.repo.customer(individual.customerId) : null;
    return customer && individual ? { customer, individual } : null;
  }

  /**
   * One generic failure for an unknown login, a wrong password and an account without
   * credentials, at the cost of one bcrypt comparison each. The address and the activation
   * window are checked only once the password is right; refusals count toward the throttle.
   */
  async signIn(login: string, password: string, ip: string): Promise<SignInResult> {
    const throttle = this.deps.throttles.portal;
    const label = login.slice(0, 64);
    const refuse = (reason: string, outcome: 'failure' | 'refused', account?: PortalAccount | null) =>
      this.deps.audit.record({
        actor: { type: 'anonymous', id: null, label },
        ip,
        action: 'portal.login',
        entityType: account?.individual ? 'individual' : 'customer',
        entityId: account ? (account.individual?.id ?? account.customer.id) : null,
        customerId: account?.customer.id ?? null,
        outcome,
        changes: { reason: { old: null, new: reason } },
      });

    const decision = await throttle.attempt(login, ip);
    if (!decision.allowed) {
      await refuse('rate_limited', 'refused');
      return { ok: false, reason: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
    }
    const account = await throttle.checking(login, ip, () => this.findByLogin(login));
    const hash = account
      ? account.individual
        ? account.individual.passwordHash
        : account.customer.passwordHash
      : null;
    // too many checks at once is not a guess either
    const valid = await throttle.checking(login, ip, () =>
      account && hash ? verifyPassword(password, hash) : verifyAgainstDummy(password, this.deps.config.bcryptCost),
    );
    if (!account || !hash || !valid) {
      await refuse(!account ? 'unknown_login' : !hash ? 'no_credentials' : 'wrong_password', 'failure', account);
      const after = await throttle.afterFailure(login, ip);
      return after.allowed
        ? { ok: false, reason: 'invalid' }
        : { ok: false, reason: 'throttled', retryAfterSeconds: after.retryAfterSeconds };
    }
    if (!isAddressTrusted(trustedListsOf(account), ip)) {
      await throttle.notAPasswordFailure(ip);
      await refuse('ip_not_allowed', 'refused', account);
      return { ok: false, reason: 'ip_not_allowed' };
    }
    const refusal = accountRefusal(account.individual);
    if (refusal) {
      await throttle.notAPasswordFailure(ip);
      await refuse(refusal, 'refused', account);
      return { ok: false, reason: refusal };
    }
    await throttle.succeed(login, ip);
    const user = sessionUserOf(account);
    const secondStep: SecondStep = (await this.twoFactor.isEnabled(twoFactorAccountOf(user)))
      ? 'code'
      : account.customer.twoFactorRequired
        ? 'setup'
        : null;
    if (secondStep === null) await this.completeSignIn(account, null, ip);
    const mustChangePassword = account.individual
      ? account.individual.passwordChangeRequired
      : account.customer.passwordChangeRequired;
    return { ok: true, user, mustChangePassword, secondStep, language: effectiveRegional(account).language };
  }

  /** The sign-in is complete: last sign-in time and the audit entry, naming the second factor used. */
  async completeSignIn(account: PortalAccount, factor: SecondFactor | 'setup' | null, ip: string): Promise<void> {
    const user = sessionUserOf(account);
    await this.repo.recordLogin(accountRef(user));
    await this.deps.audit.record({
      actor: { type: user.kind, id: user.id, label: accountLogin(account) },
      ip,
      action: 'portal.login',
      entityType: user.kind,
      entityId: user.id,
      customerId: account.customer.id,
      ...secondFactorChange(factor),
    });
  }

  /** A wrong or throttled second step, for the audit trail. */
  async recordSecondStepFailure(account: PortalAccount, ip: string, throttled: boolean): Promise<void> {
    const user = sessionUserOf(account);
    await this.deps.audit.record({
      actor: { type: 'anonymous', id: null, label: accountLogin(account) },
      ip,
      action: 'portal.login',
      entityType: user.kind,
      entityId: user.id,
      customerId: account.customer.id,
      outcome: throttled ? 'refused' : 'failure',
      changes: { reason: { old: null, new: throttled ? 'rate_limited' : 'wrong_second_factor' } },
    });
  }

  sessionUser(account: PortalAccount): PortalSessionUser {
    return sessionUserOf(account);
  }

  /**
   * A new password for the signed-in account: policy checked, other sessions ended (the epoch
   * moves on); returns the new epoch for the current session. `current` is checked unless this is
   * the forced change right after sign-in.
   */
  async changePassword(
    account: PortalAccount,
    input: { current: string | null; next: string },
    ctx: AuditContext,
  ): Promise<number> {
    const hash = account.individual ? account.individual.passwordHash : account.customer.passwordHash;
    if (input.current !== null && !(hash && (await verifyPassword(input.current, hash))))
      throw new WrongCurrentPasswordError();
    return this.setNewPassword(account, input.next, ctx, { action: 'portal.password.change', changes: {} });
  }

  /**
   * Every problem of a password form in one answer, in form order: what the form's schema refused
   * (a field left empty), the new password against the policy, a repetition that differs and, when
   * anything else is wrong, a wrong current password. Empty when the change may be tried: the
   * change itself then checks the current password and that the new one is not the current one.
   */
  async passwordFormErrors(account: PortalAccount, form: PasswordForm, refused: FieldError[]): Promise<FieldError[]> {
    const errors = [...refused];
    const fine = (field: string) => !refused.some((e) => e.field === field);
    const broken = fine('new_password') ? policyBroken(account, form.next) : null;
    if (broken) errors.push({ field: 'new_password', key: `portal.password.errors.${broken}` });
    if (fine('new_password') && fine('new_password_confirm') && form.next !== form.confirm)
      errors.push({ field: 'new_password_confirm', key: 'portal.password.errors.mismatch' });
    if (errors.length > 0 && form.current !== null && fine('current_password')) {
      const hash = account.individual ? account.individual.passwordHash : account.customer.passwordHash;
      if (!(hash && (await verifyPassword(form.current, hash))))
        errors.push({ field: 'current_password', key: 'portal.password.errors.currentWrong' });
    }
    return errors.sort((a, b) => PASSWORD_FIELDS.indexOf(a.field) - PASSWORD_FIELDS.indexOf(b.field));
  }

  /**
   * A new password chosen through a password-reset link: the same policy as every password, then
   * every session ends (portal and, for a customer, API: the epoch moves on) and "must change"
   * clears. Returns the new epoch.
   */
  resetPassword(
    account: PortalAccount,
    next: string,
    ctx: AuditContext,
    link: { id: number; purpose: string },
  ): Promise<number> {
    return this.setNewPassword(account, next, ctx, {
      action: 'portal.password.reset',
      changes: { reset_link: { old: null, new: `#${link.id} (${link.purpose})` } },
    });
  }

  /**
   * The rules of every new password: 12 characters to 72 bytes, not common, not based on the
   * login, not the current one.
   */
  async checkNewPassword(account: PortalAccount, next: string): Promise<void> {
    const broken = policyBroken(account, next);
    if (broken) throw new PasswordPolicyError(broken);
    const hash = account.individual ? account.individual.passwordHash : account.customer.passwordHash;
    if (hash && (await verifyPassword(next, hash))) throw new PasswordPolicyError('same_as_current');
  }

  private async setNewPassword(
    account: PortalAccount,
    next: string,
    ctx: AuditContext,
    event: { action: string; changes: Record<string, { old: unknown; new: unknown }> },
  ): Promise<number> {
    await this.checkNewPassword(account, next);
    const ref: AccountRef = account.individual
      ? { kind: 'individual', id: account.individual.id }
      : { kind: 'customer', id: account.customer.id };
    const after = await this.repo.setPassword(ref, await hashPassword(next, this.deps.config.bcryptCost));
    await this.deps.audit.record({
      ...ctx,
      action: event.action,
      entityType: ref.kind,
      entityId: ref.id,
      customerId: account.customer.id,
      changes: {
        password: { old: 'changed', new: 'changed' },
        ...event.changes,
        ...(after.version ? { version: after.version } : {}),
      },
    });
    return after.sessionEpoch;
  }

  async updateProfile(
    account: PortalAccount,
    values: Partial<Record<ProfileField, string>>,
    ctx: AuditContext,
  ): Promise<void> {
    const changes = diffForAudit(profileValuesOf(account.customer), values);
    if (Object.keys(changes).length === 0) return;
    const version = await this.repo.updateProfile(account.customer.id, values);
    await this.deps.audit.record({
      ...ctx,
      action: 'customer.profile.update',
      entityType: 'customer',
      entityId: account.customer.id,
      customerId: account.customer.id,
      changes: { ...changes, version },
    });
  }

  /** Regional settings of the signed-in account; an individual's null values inherit. */
  async updateRegional(
    account: PortalAccount,
    values: Record<RegionalField, string | null>,
    ctx: AuditContext,
  ): Promise<void> {
    const own = account.individual ? account.individual.regional : account.customer;
    const before: Record<string, unknown> = {
      time_zone: own.timeZone,
      language: own.language,
      out_date_format: own.outDateFormat,
      out_time_format: own.outTimeFormat,
      in_date_format: own.inDateFormat,
      in_time_format: own.inTimeFormat,
    };
    const changes = diffForAudit(before, values);
    if (Object.keys(changes).length === 0) return;
    const ref: AccountRef = account.individual
      ? { kind: 'individual', id: account.individual.id }
      : { kind: 'customer', id: account.customer.id };
    const version = await this.repo.updateRegional(ref, values);
    await this.deps.audit.record({
      ...ctx,
      action: `${ref.kind}.regional.update`,
      entityType: ref.kind,
      entityId: ref.id,
      customerId: account.customer.id,
      changes: version ? { ...changes, version } : changes,
    });
  }
}

/** The signed-in viewer and its rows; the portal gate guarantees both on every non-public route. */
export function signedIn(res: { locals: { viewer?: Viewer; portalAccount?: PortalAccount } }): {
  viewer: Viewer;
  account: PortalAccount;
} {
  const viewer = res.locals.viewer;
  const account = res.locals.portalAccount;
  if (!viewer || !account) throw new Error('the portal gate must run before this handler');
  return { viewer, account };
}

export class ProfileGroupForbiddenError extends Error {
  constructor(readonly group: 'profile' | 'profile.contacts' | 'profile.address') {
    super(`Your role does not allow changing ${group}`);
    this.name = 'ProfileGroupForbiddenError';
  }
}

export class CustomerGoneError extends Error {}

export interface ProfilePatch {
  company_name?: string;
  contacts?: { contact_name?: string; email?: string; phone?: string };
  address?: { address_line1?: string; address_line2?: string; city?: string; postal_code?: string; country?: string };
}

/** Which profile groups a role lets the caller see: the top-level fields need `profile`. */
export function visibleGroups(levels: EffectiveLevels): { contacts: boolean; address: boolean } {
  return { contacts: atLeast(levels['profile.contacts'], 'read'), address: atLeast(levels['profile.address'], 'read') };
}

/**
 * The customer's own profile as a caller with the given levels may see and change it: company name
 * needs Full on `profile`, contacts on `profile.contacts`, the address on `profile.address`.
 */
export class CustomerProfileService {
  private readonly portal: AccountStore;

  constructor(
    private readonly deps: Pick<Infra, 'db' | 'audit'>,
    private readonly customers: CustomerService,
    individuals: IndividualsService,
  ) {
    this.portal = new AccountStore(customers, individuals);
  }

  async get(customerId: number): Promise<CustomerAccount> {
    const account = await this.customers.findWithRoleName(customerId);
    if (!account) throw new CustomerGoneError();
    return account;
  }

  async update(
    customerId: number,
    levels: EffectiveLevels,
    patch: ProfilePatch,
    ctx: { actor: AuditActor; ip: string },
  ): Promise<CustomerAccount> {
    if (patch.company_name !== undefined && !atLeast(levels.profile, 'modify'))
      throw new ProfileGroupForbiddenError('profile');
    if (patch.contacts && Object.keys(patch.contacts).length > 0 && !atLeast(levels['profile.contacts'], 'modify'))
      throw new ProfileGroupForbiddenError('profile.contacts');
    if (patch.address && Object.keys(patch.address).length > 0 && !atLeast(levels['profile.address'], 'modify'))
      throw new ProfileGroupForbiddenError('profile.address');
    const changes: Partial<Record<ProfileField, string>> = {
      ...(patch.company_name !== undefined ? { company_name: patch.company_name } : {}),
      ...patch.contacts,
      ...patch.address,
    };
    const before = await this.get(customerId);
    if (Object.keys(changes).length === 0) return before;
    const diff = diffForAudit(profileValuesOf(before), changes);
    if (Object.keys(diff).length === 0) return before;
    const version = await this.portal.updateProfile(customerId, changes);
    await this.deps.audit.record({
      ...ctx,
      action: 'customer.profile.update',
      entityType: 'customer',
      entityId: customerId,
      customerId,
      changes: { ...diff, version },
    });
    return this.get(customerId);
  }
}
