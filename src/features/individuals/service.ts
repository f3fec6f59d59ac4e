/**
 * The rules of customer individuals, shared by the admin panel, the portal's Individuals page and
 * the API. Every call is scoped to one customer; the caller says who is granting (an admin, or a
 * self-care viewer whose effective levels cap the roles it may give).
 */
import type { Knex } from 'knex';
import { canGrant, individualLevels, type EffectiveLevels } from '../../access/permissions.ts';
import { checkPasswordPolicy, hashPassword, type PasswordPolicyCode } from '../../access/passwords.ts';
import { parseTrustedNetworks } from '../../access/trusted-networks.ts';
import type { Infra } from '../../infra.ts';
import { diffForAudit } from '../audit/service.ts';
import { isRoleAllowed, listAllowedRoles, type AllowedRole } from '../allowed-roles/service.ts';
import { loadRolePermissions } from '../roles/service.ts';
import { type AuditContext } from '../../http/actor.ts';
import { LoginNamespace, LoginTakenError } from '../selfcare-access/service.ts';
import {
  checkTrustedNetworks,
  LOGIN_TAKEN_MESSAGE,
  loginFieldError,
  regionalFieldErrors,
  trustedNetworksFieldErrors,
} from '../selfcare-access/schema.ts';
import { regionalValuesOf, type RegionalSettings } from '../../regional/settings.ts';
import { sendCredentialsMail } from './mail.ts';
import { IndividualsRepo, type CustomerDefaults, type IndividualColumns, type IndividualRow } from './repo.ts';
import { CustomerNotFoundError } from '../customers/service.ts';
import type { FieldError } from '../../access/field-error.ts';

export { LoginTakenError };
export type { CustomerDefaults };

// ---------------------------------------------------------------------------------------------
// Types

export type IndividualStatus = 'active' | 'not_yet_active' | 'expired';

/** An individual as callers see it (never its password hash). */
export type Individual = Omit<IndividualRow, 'passwordHash'> & { status: IndividualStatus };

/** An individual's own regional settings; null where it takes the customer's. */
export type IndividualRegional = { [K in keyof RegionalSettings]: string | null };

export interface IndividualFields {
  login: string;
  name: string;
  email: string;
  roleId: number;
  /** create: required; update: absent or '' keeps the current password (a new one ends its sessions) */
  password: string;
  passwordChangeRequired: boolean;
  activationAt: Date | null;
  expirationAt: Date | null;
  /** null = inherit the customer's */
  regional: IndividualRegional;
  ipRestriction: boolean;
  trustedIps: string;
}

export type IndividualCreateInput = Pick<IndividualFields, 'login' | 'password' | 'roleId'> &
  Partial<Omit<IndividualFields, 'login' | 'password' | 'roleId'>>;
export type IndividualPatch = Partial<IndividualFields> & {
  /** optimistic lock: a stale one fails */ version?: number;
};

/** Who gives the role: an admin may give any allowed role; a self-care user no more than it has. */
export type Granter = { kind: 'admin' } | { kind: 'customer' | 'individual'; id: number; levels: EffectiveLevels };

export interface IndividualsContext extends AuditContext {
  granter: Granter;
}

export type IndividualErrorCode =
  | 'login_required'
  | 'password_required'
  | 'role_required'
  | 'name_too_long'
  | 'email_too_long'
  | 'login_format'
  | 'login_taken'
  | 'password_too_short'
  | 'password_too_long'
  | 'password_too_common'
  | 'email_format'
  | 'date_order'
  | 'time_zone'
  | 'language'
  | 'format'
  | 'trusted_ips'
  | 'expiration_limit'
  | 'no_email'
  | 'own_password';

/** One problem with one field: a stable code (portal/API), params, and English text (admin). */
/** A field problem with its translation key (portal) and its English text (admin panel, API). */
function problem(field: string, code: IndividualErrorCode, text: string, params?: Record<string, unknown>): FieldError {
  return { field, key: `individuals.errors.${code}`, text, ...(params ? { params } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Domain errors

export class ValidationError extends Error {
  constructor(readonly fields: FieldError[]) {
    super(fields.map((f) => `${f.field}: ${f.text ?? f.key ?? ''}`).join('; '));
    this.name = 'ValidationError';
  }
}

/** Unknown id, or an id of another customer's individual. */
export class IndividualNotFoundError extends Error {
  constructor(readonly individualId: number) {
    super('Individual not found');
    this.name = 'IndividualNotFoundError';
  }
}

/** A self-care user tried too many logins in a short time (each attempt tells whether a login is taken). */
export class LoginChecksThrottledError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many logins tried in a short time');
    this.name = 'LoginChecksThrottledError';
  }
}

/** The role is not among the customer's allowed roles, or gives more than the granter has. */
export class RoleNotAllowedError extends Error {
  constructor(
    readonly roleId: number,
    readonly reason: 'not_allowed' | 'exceeds_granter',
  ) {
    super(
      reason === 'not_allowed'
        ? 'This role is not one of the customer’s allowed roles'
        : 'This role gives more than you have yourself',
    );
    this.name = 'RoleNotAllowedError';
  }
}

/** A self-care user may not manage an individual whose role gives more than it has. */
export class IndividualOutOfReachError extends Error {
  constructor(readonly individualId: number) {
    super('This individual has more permissions than you');
    this.name = 'IndividualOutOfReachError';
  }
}

export class StaleIndividualError extends Error {
  constructor(readonly individualId: number) {
    super('The individual was changed by someone else');
    this.name = 'StaleIndividualError';
  }
}

// ---------------------------------------------------------------------------------------------
// Pure rules

export function individualStatus(
  row: Pick<IndividualRow, 'activationAt' | 'expirationAt'>,
  now: Date = new Date(),
): IndividualStatus {
  if (row.activationAt && now < row.activationAt) return 'not_yet_active';
  if (row.expirationAt && now >= row.expirationAt) return 'expired';
  return 'active';
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const POLICY_CODES: Record<PasswordPolicyCode, IndividualErrorCode> = {
  too_short: 'password_too_short',
  too_long: 'password_too_long',
  too_common: 'password_too_common',
};

/** An individual's own regional columns (null = the customer's). */
export function regionalOf(
  row: Pick<
    IndividualRow,
    'timeZone' | 'language' | 'outDateFormat' | 'outTimeFormat' | 'inDateFormat' | 'inTimeFormat'
  >,
): IndividualRegional {
  return {
    timeZone: row.timeZone,
    language: row.language,
    outDateFormat: row.outDateFormat,
    outTimeFormat: row.outTimeFormat,
    inDateFormat: row.inDateFormat,
    inTimeFormat: row.inTimeFormat,
  };
}

export const NO_REGIONAL_OVERRIDES: IndividualRegional = {
  timeZone: null,
  language: null,
  outDateFormat: null,
  outTimeFormat: null,
  inDateFormat: null,
  inTimeFormat: null,
};

/**
 * Every field problem of a complete individual, in form order. `passwordRequired` on creation (or
 * when the account has no password yet); a blank password otherwise keeps the current one.
 */
export function validateIndividual(
  fields: IndividualFields,
  opts: { passwordRequired: boolean; /** the granter's own expiration */ expirationLimit?: Date | null },
): FieldError[] {
  const errors: FieldError[] = [];
  const login = fields.login.trim();
  const loginError = loginFieldError(login, { required: true });
  if (loginError)
    errors.push(problem('login', login === '' ? 'login_required' : 'login_format', loginError.text ?? 'Enter a login'));
  if (fields.password === '') {
    if (opts.passwordRequired) errors.push(problem('password', 'password_required', 'Enter or generate a password'));
  } else {
    const policy = checkPasswordPolicy(fields.password, { login });
    if (!policy.ok) errors.push(problem('password', POLICY_CODES[policy.code], policy.message));
  }
  if (fields.name.length > 160)
    errors.push(problem('name', 'name_too_long', 'Name: at most 160 characters', { max: 160 }));
  if (fields.email.length > 254)
    errors.push(problem('email', 'email_too_long', 'E-mail: at most 254 characters', { max: 254 }));
  else if (fields.email !== '' && !EMAIL_PATTERN.test(fields.email))
    errors.push(problem('email', 'email_format', 'Enter an e-mail address like name@example.com'));
  if (!Number.isSafeInteger(fields.roleId) || fields.roleId <= 0)
    errors.push(problem('role_id', 'role_required', 'Choose a role'));
  const limit = opts.expirationLimit ?? null;
  if (limit && exceedsLimit(fields.expirationAt, limit)) {
    errors.push(
      problem(
        'expiration_at',
        'expiration_limit',
        `Your own access ends on ${limit.toISOString()}: enter an end date no later than that`,
        { limit },
      ),
    );
  } else if (fields.activationAt && fields.expirationAt && fields.expirationAt <= fields.activationAt) {
    errors.push(problem('expiration_at', 'date_order', 'The expiration date must be after the activation date'));
  }
  for (const e of regionalFieldErrors(regionalValuesOf(fields.regional), { allowInherit: true })) {
    const code: IndividualErrorCode =
      e.field === 'time_zone' ? 'time_zone' : e.field === 'language' ? 'language' : 'format';
    errors.push(problem(e.field, code, e.text ?? 'This value is not valid'));
  }
  for (const e of trustedNetworksFieldErrors(checkTrustedNetworks(fields.ipRestriction, fields.trustedIps))) {
    errors.push(problem('trusted_ips', 'trusted_ips', e.text ?? 'Check the trusted IP addresses'));
  }
  return errors;
}

/**
 * What an individual who grants passes on to the individuals it creates or edits: its own trusted
 * networks and its expiration, so it can never mint a less restricted copy of itself. Admins and
 * the customer pass nothing on (null).
 */
export interface GranterLimits {
  ipRestriction: boolean;
  trustedIps: string;
  expirationAt: Date | null;
}

/**
 * The fields with the granter's limits passed on: its trusted networks replace the individual's
 * when it has restriction on; when the caller did not ask for an expiration (`expirationGiven`
 * false), one later than the granter's (or none) becomes the granter's. An expiration the caller
 * did ask for is checked by `validateIndividual` against `expirationLimit` instead.
 */
export function applyGranterLimits(
  fields: IndividualFields,
  limits: GranterLimits | null,
  opts: { expirationGiven: boolean },
): IndividualFields {
  if (!limits) return fields;
  let result = limits.ipRestriction ? { ...fields, ipRestriction: true, trustedIps: limits.trustedIps } : fields;
  if (!opts.expirationGiven && exceedsLimit(result.expirationAt, limits.expirationAt))
    result = { ...result, expirationAt: limits.expirationAt };
  return result;
}

const exceedsLimit = (expirationAt: Date | null, limit: Date | null): boolean =>
  limit !== null && (expirationAt === null || expirationAt > limit);

function toFields(row: IndividualRow): IndividualFields {
  return {
    login: row.login,
    name: row.name,
    email: row.email,
    roleId: row.roleId,
    password: '',
    passwordChangeRequired: row.passwordChangeRequired,
    activationAt: row.activationAt,
    expirationAt: row.expirationAt,
    regional: regionalOf(row),
    ipRestriction: row.ipRestriction,
    trustedIps: row.trustedIps,
  };
}

function withDefaults(input: IndividualCreateInput): IndividualFields {
  return {
    login: input.login,
    password: input.password,
    roleId: input.roleId,
    name: input.name ?? '',
    email: input.email ?? '',
    passwordChangeRequired: input.passwordChangeRequired ?? false,
    activationAt: input.activationAt ?? null,
    expirationAt: input.expirationAt ?? null,
    regional: { ...NO_REGIONAL_OVERRIDES, ...input.regional },
    ipRestriction: input.ipRestriction ?? false,
    trustedIps: input.trustedIps ?? '',
  };
}

function columnsOf(fields: IndividualFields): IndividualColumns {
  const trusted = parseTrustedNetworks(fields.trustedIps);
  const blankToNull = (v: string | null) => (v === null || v.trim() === '' ? null : v.trim());
  return {
    login: fields.login.trim(),
    name: fields.name.trim(),
    email: fields.email.trim(),
    role_id: fields.roleId,
    password_change_required: fields.passwordChangeRequired,
    activation_at: fields.activationAt,
    expiration_at: fields.expirationAt,
    time_zone: blankToNull(fields.regional.timeZone),
    language: blankToNull(fields.regional.language),
    out_date_format: blankToNull(fields.regional.outDateFormat),
    out_time_format: blankToNull(fields.regional.outTimeFormat),
    in_date_format: blankToNull(fields.regional.inDateFormat),
    in_time_format: blankToNull(fields.regional.inTimeFormat),
    ip_restriction: fields.ipRestriction,
    trusted_ips: trusted.errors.length === 0 ? trusted.canonical : fields.trustedIps,
  };
}

/** What the audit trail records of an individual (the password only as "changed"). */
function auditView(cols: IndividualColumns, passwordHash: string | null | undefined): Record<string, unknown> {
  return { ...cols, password: passwordHash ?? null };
}

function publicView(row: IndividualRow, now = new Date()): Individual {
  const { passwordHash: _hidden, ...rest } = row;
  return { ...rest, status: individualStatus(row, now) };
}

/** An individual as its own portal session needs it: credentials, window, lists, regional overrides. */
export type PortalIndividual = Pick<
  IndividualRow,
  | 'id'
  | 'customerId'
  | 'login'
  | 'name'
  | 'email'
  | 'roleId'
  | 'passwordHash'
  | 'passwordChangeRequired'
  | 'activationAt'
  | 'expirationAt'
  | 'ipRestriction'
  | 'trustedIps'
  | 'sessionEpoch'
> & { regional: IndividualRegional };

function accountView(row: IndividualRow): PortalIndividual {
  const {
    id,
    customerId,
    login,
    name,
    email,
    roleId,
    passwordHash,
    passwordChangeRequired,
    activationAt,
    expirationAt,
    ipRestriction,
    trustedIps,
    sessionEpoch,
  } = row;
  return {
    id,
    customerId,
    login,
    name,
    email,
    roleId,
    passwordHash,
    passwordChangeRequired,
    activationAt,
    expirationAt,
    ipRestriction,
    trustedIps,
    regional: regionalOf(row),
    sessionEpoch,
  };
}

// ---------------------------------------------------------------------------------------------
// Service

export class IndividualsService {
  private readonly repo: IndividualsRepo;
  private readonly logins: LoginNamespace;

  constructor(private readonly deps: Pick<Infra, 'db' | 'audit' | 'config' | 'mailer' | 'i18n' | 'throttles'>) {
    this.repo = new IndividualsRepo(deps.db);
    this.logins = new LoginNamespace(deps.db);
  }

  async customer(customerId: number, trx?: Knex.Transaction): Promise<CustomerDefaults> {
    const customer = await this.repo.customer(customerId, trx);
    if (!customer) throw new CustomerNotFoundError();
    return customer;
  }

  async list(
    customerId: number,
    page?: { limit: number; afterLogin?: string; afterId?: number },
  ): Promise<Individual[]> {
    await this.customer(customerId);
    const now = new Date();
    return (await this.repo.list(customerId, page)).map((row) => publicView(row, now));
  }

  /** The individual as its own portal session sees it (by id: the session carries it). */
  /** The individuals an e-mail address names (a forgotten-password request by e-mail). */
  async accountsByEmail(email: string, limit: number): Promise<PortalIndividual[]> {
    return (await this.repo.findByEmail(email, limit)).map(accountView);
  }

  async account(id: number): Promise<PortalIndividual | null> {
    const row = await this.repo.findById(id);
    return row ? accountView(row) : null;
  }

  setOwnPassword(id: number, passwordHash: string): Promise<{ sessionEpoch: number }> {
    return this.repo.setOwnPassword(id, passwordHash);
  }

  recordLogin(id: number): Promise<void> {
    return this.repo.recordLogin(id);
  }

  updateOwnRegional(
    id: number,
    values: Record<
      'time_zone' | 'language' | 'out_date_format' | 'out_time_format' | 'in_date_format' | 'in_time_format',
      string | null
    >,
  ): Promise<void> {
    return this.repo.updateOwnRegional(id, values);
  }

  async get(customerId: number, individualId: number): Promise<Individual> {
    const row = await this.repo.find(customerId, individualId);
    if (!row) throw new IndividualNotFoundError(individualId);
    return publicView(row);
  }

  allowedRoles(customerId: number): Promise<AllowedRole[]> {
    return listAllowedRoles(this.deps.db, customerId);
  }

  /** The allowed roles this granter may give (all of them for an admin). */
  async grantableRoles(customerId: number, granter: Granter): Promise<AllowedRole[]> {
    const roles = await this.allowedRoles(customerId);
    if (granter.kind === 'admin') return roles;
    const customer = await this.customer(customerId);
    const result: AllowedRole[] = [];
    for (const role of roles) if (await this.withinGranter(customer, role.id, granter)) result.push(role);
    return result;
  }

  /** What an individual with `roleId` would effectively get, against what the granter has. */
  private async withinGranter(
    customer: CustomerDefaults,
    roleId: number,
    granter: Granter,
    trx?: Knex.Transaction,
  ): Promise<boolean> {
    if (granter.kind === 'admin') return true;
    const db = trx ?? this.deps.db;
    const levels = individualLevels(
      await loadRolePermissions(db, roleId),
      await loadRolePermissions(db, customer.roleId),
    );
    return canGrant(granter.levels, levels);
  }

  private async checkRole(
    customer: CustomerDefaults,
    roleId: number,
    granter: Granter,
    trx: Knex.Transaction,
  ): Promise<void> {
    if (!(await isRoleAllowed(trx, customer.id, roleId))) throw new RoleNotAllowedError(roleId, 'not_allowed');
    if (!(await this.withinGranter(customer, roleId, granter, trx)))
      throw new RoleNotAllowedError(roleId, 'exceeds_granter');
  }

  /** The limits a granter passes on (null for an admin or the customer). */
  async granterLimits(customerId: number, granter: Granter, trx?: Knex.Transaction): Promise<GranterLimits | null> {
    if (granter.kind !== 'individual') return null;
    const row = await this.repo.find(customerId, granter.id, trx);
    // The portal gate signs out a deleted individual; one that vanishes mid-request grants nothing.
    if (!row) throw new IndividualOutOfReachError(granter.id);
    return { ipRestriction: row.ipRestriction, trustedIps: row.trustedIps, expirationAt: row.expirationAt };
  }

  private async reachable(
    customer: CustomerDefaults,
    row: IndividualRow,
    granter: Granter,
    trx: Knex.Transaction,
  ): Promise<void> {
    if (!(await this.withinGranter(customer, row.roleId, granter, trx))) throw new IndividualOutOfReachError(row.id);
  }

  /**
   * Logins are one namespace across customers, so trying a login tells a self-care user whether
   * it is taken anywhere: each try costs one check of a per-account budget (admins are exempt).
   */
  private async spendLoginCheck(ctx: IndividualsContext): Promise<void> {
    if (ctx.granter.kind === 'admin') return;
    const decision = await this.deps.throttles.loginChecks.consume(`${ctx.granter.kind}:${ctx.granter.id}`);
    if (!decision.allowed) throw new LoginChecksThrottledError(decision.retryAfterSeconds);
  }

  /** A self-care user who hits a taken login is audited: the accepted residual is watched, not silent. */
  private async reportTakenLogin<T>(
    ctx: IndividualsContext,
    customerId: number,
    login: string | undefined,
    write: () => Promise<T>,
  ): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof LoginTakenError) await this.auditTakenLogin(ctx, customerId, login);
      throw err;
    }
  }

  private async auditTakenLogin(ctx: IndividualsContext, customerId: number, login: string | undefined): Promise<void> {
    if (ctx.granter.kind === 'admin') return;
    await this.deps.audit.record({
      actor: ctx.actor,
      ip: ctx.ip,
      action: 'individual.login_taken',
      entityType: 'individual',
      customerId,
      outcome: 'refused',
      changes: { login: { old: null, new: login ?? '' } },
    });
  }

  /**
   * "This login is taken", for a form that has other problems too: every problem is reported in
   * one round (a form without any finds a taken login when saving). Null when the login is free,
   * unchanged or badly formed (its own error says so). Costs a self-care user one login check.
   */
  async loginTakenProblem(
    customerId: number,
    login: string,
    individualId: number | null,
    ctx: IndividualsContext,
  ): Promise<FieldError | null> {
    const wanted = login.trim();
    if (loginFieldError(wanted, { required: true }) !== null) return null;
    if (individualId !== null) {
      const current = await this.repo.find(customerId, individualId);
      if (current && current.login.toLowerCase() === wanted.toLowerCase()) return null;
    }
    await this.spendLoginCheck(ctx);
    const owner = individualId === null ? undefined : { individualId };
    if (await this.logins.isAvailable(wanted, owner)) return null;
    await this.auditTakenLogin(ctx, customerId, wanted);
    return problem('login', 'login_taken', LOGIN_TAKEN_MESSAGE);
  }

  async create(customerId: number, input: IndividualCreateInput, ctx: IndividualsContext): Promise<Individual> {
    const limits = await this.granterLimits(customerId, ctx.granter);
    const fields = applyGranterLimits(withDefaults(input), limits, { expirationGiven: true });
    const errors = validateIndividual(fields, { passwordRequired: true, expirationLimit: limits?.expirationAt });
    if (errors.length > 0) throw new ValidationError(errors);
    const cols = columnsOf(fields);
    await this.spendLoginCheck(ctx);
    const passwordHash = await hashPassword(fields.password, this.deps.config.bcryptCost);
    const id = await this.reportTakenLogin(ctx, customerId, cols.login, () =>
      this.deps.db.transaction(async (trx) => {
        const customer = await this.customer(customerId, trx);
        await this.checkRole(customer, fields.roleId, ctx.granter, trx);
        const newId = await this.repo.insert(trx, customerId, { ...cols, password_hash: passwordHash });
        await this.logins.assign(trx, { individualId: newId }, cols.login ?? '');
        await this.deps.audit.record(
          {
            actor: ctx.actor,
            ip: ctx.ip,
            action: 'individual.create',
            entityType: 'individual',
            entityId: newId,
            customerId,
            changes: diffForAudit({}, auditView(cols, passwordHash), ['password']),
          },
          trx,
        );
        return newId;
      }),
    );
    return this.get(customerId, id);
  }

  async update(
    customerId: number,
    individualId: number,
    patch: IndividualPatch,
    ctx: IndividualsContext,
  ): Promise<Individual> {
    const current = await this.repo.find(customerId, individualId);
    if (!current) throw new IndividualNotFoundError(individualId);
    const { version, ...changes } = patch;
    // An individual's own password changes only on the settings page, with the current password.
    if (ctx.granter.kind === 'individual' && ctx.granter.id === individualId && (changes.password ?? '') !== '') {
      throw new ValidationError([
        problem(
          'password',
          'own_password',
          'Change your own password on the Settings page, with your current password',
        ),
      ]);
    }
    const asked: IndividualFields = {
      ...toFields(current),
      ...changes,
      regional: { ...toFields(current).regional, ...changes.regional },
      password: changes.password ?? '',
    };
    const limits = await this.granterLimits(customerId, ctx.granter);
    const fields = applyGranterLimits(asked, limits, { expirationGiven: changes.expirationAt !== undefined });
    const errors = validateIndividual(fields, {
      passwordRequired: !current.hasPassword,
      expirationLimit: limits?.expirationAt,
    });
    if (errors.length > 0) throw new ValidationError(errors);
    const cols = columnsOf(fields);
    if (cols.login !== current.login) await this.spendLoginCheck(ctx);
    const newHash = fields.password !== '' ? await hashPassword(fields.password, this.deps.config.bcryptCost) : null;
    await this.reportTakenLogin(ctx, customerId, cols.login, () =>
      this.deps.db.transaction(async (trx) => {
        const before = await this.repo.find(customerId, individualId, trx);
        if (!before) throw new IndividualNotFoundError(individualId);
        if (version !== undefined && before.version !== version) throw new StaleIndividualError(individualId);
        const customer = await this.customer(customerId, trx);
        await this.reachable(customer, before, ctx.granter, trx);
        if (cols.role_id !== before.roleId) await this.checkRole(customer, fields.roleId, ctx.granter, trx);
        if (cols.login !== before.login) await this.logins.assign(trx, { individualId }, cols.login ?? '');
        const update: IndividualColumns = newHash ? { ...cols, password_hash: newHash } : cols;
        const beforeView = auditView(columnsOf(toFields(before)), before.passwordHash);
        const afterView = auditView(cols, newHash ?? before.passwordHash);
        const diff = diffForAudit(beforeView, afterView, ['password']);
        if (Object.keys(diff).length === 0) return;
        await this.repo.update(trx, customerId, individualId, update, newHash !== null);
        await this.deps.audit.record(
          {
            actor: ctx.actor,
            ip: ctx.ip,
            action: 'individual.update',
            entityType: 'individual',
            entityId: individualId,
            customerId,
            changes: diff,
          },
          trx,
        );
      }),
    );
    return this.get(customerId, individualId);
  }

  /** Deletes the row (and its login); the portal checks the row on every request, so its sessions end. */
  async delete(customerId: number, individualId: number, ctx: IndividualsContext): Promise<Individual> {
    return this.deps.db.transaction(async (trx) => {
      const row = await this.repo.find(customerId, individualId, trx);
      if (!row) throw new IndividualNotFoundError(individualId);
      await this.reachable(await this.customer(customerId, trx), row, ctx.granter, trx);
      await this.logins.release(trx, { individualId });
      await this.repo.delete(trx, customerId, individualId);
      const view = auditView(columnsOf(toFields(row)), row.passwordHash);
      const gone = Object.fromEntries(Object.keys(view).map((key) => [key, null]));
      await this.deps.audit.record(
        {
          actor: ctx.actor,
          ip: ctx.ip,
          action: 'individual.delete',
          entityType: 'individual',
          entityId: individualId,
          customerId,
          changes: diffForAudit(view, gone, ['password']),
        },
        trx,
      );
      return publicView(row);
    });
  }

  /**
   * E-mails the login, how to sign in and the portal address, in the individual's language. Never
   * the password: an individual who does not know it gets a password-reset link instead.
   */
  async sendCredentials(customerId: number, individualId: number, ctx: IndividualsContext): Promise<void> {
    const row = await this.repo.find(customerId, individualId);
    if (!row) throw new IndividualNotFoundError(individualId);
    const customer = await this.customer(customerId);
    await this.deps.db.transaction(async (trx) => this.reachable(customer, row, ctx.granter, trx));
    if (row.email === '')
      throw new ValidationError([problem('email', 'no_email', 'This individual has no e-mail address')]);
    const language = row.language ?? customer.language;
    await sendCredentialsMail(this.deps, {
      to: row.email,
      login: row.login,
      name: row.name,
      customerName: customer.name,
      language,
      mustChange: row.passwordChangeRequired,
    });
    await this.deps.audit.record({
      actor: ctx.actor,
      ip: ctx.ip,
      action: 'individual.credentials_sent',
      entityType: 'individual',
      entityId: individualId,
      customerId,
      changes: { email: { old: null, new: row.email } },
    });
  }

  /** Ends every portal session of the individual: its session epoch moves on (see the portal viewer). */
  async endSessions(customerId: number, individualId: number): Promise<void> {
    if (!(await this.repo.find(customerId, individualId))) throw new IndividualNotFoundError(individualId);
    await this.repo.endSessions(customerId, individualId);
  }

  /**
   * An individual loaded whole (the demo seed): `create` as an admin would, but with a password
   * hash made once for many accounts instead of a password to hash here. Returns its id.
   */
  async importIndividual(
    customerId: number,
    input: Omit<IndividualCreateInput, 'password'> & { passwordHash: string },
    ctx: AuditContext,
  ): Promise<number> {
    const { passwordHash, ...rest } = input;
    const fields = withDefaults({ ...rest, password: '' });
    const errors = validateIndividual(fields, { passwordRequired: false });
    if (errors.length > 0) throw new ValidationError(errors);
    const cols = columnsOf(fields);
    return this.deps.db.transaction(async (trx) => {
      const customer = await this.customer(customerId, trx);
      await this.checkRole(customer, fields.roleId, { kind: 'admin' }, trx);
      const id = await this.repo.insert(trx, customerId, { ...cols, password_hash: passwordHash });
      await this.logins.assign(trx, { individualId: id }, cols.login ?? '');
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'individual.create',
          entityType: 'individual',
          entityId: id,
          customerId,
          changes: diffForAudit({}, auditView(cols, passwordHash), ['password']),
        },
        trx,
      );
      return id;
    });
  }
}
