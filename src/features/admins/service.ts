import type { Knex } from 'knex';
import type { Infra } from '../../infra.ts';
import {
  checkPasswordPolicy,
  hashPassword,
  normalizePassword,
  verifyAgainstDummy,
  verifyPassword,
} from '../../access/passwords.ts';
import type { AdminPermissionName } from '../../access/route-permissions.ts';
import type { AuditContext } from '../../http/actor.ts';
import type { FieldError } from '../../http/form.ts';
import { LastManagerError, type AdminRolesService } from '../admin-roles/service.ts';
import { diffForAudit } from '../audit/service.ts';
import { endImpersonationsOf } from '../impersonation/service.ts';
import { secondFactorChange, type SecondFactor, type TwoFactorService } from '../two-factor/service.ts';
import { AdminRepo, type AdminRow } from './repo.ts';
import { ADMIN_LOGIN_MESSAGE, ADMIN_LOGIN_PATTERN, type AdminForm } from './schema.ts';

export type { AdminRow };

/** What the second step of a sign-in is: a code, setting two-factor sign-in up, or nothing. */
export type SecondStep = 'code' | 'setup' | null;

export type SignInResult =
  | { ok: true; admin: AdminRow; secondStep: SecondStep }
  | { ok: false; reason: 'invalid' | 'disabled' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** A signed-in administrator as the gate sees it on each request: its row and its role's rights. */
export interface AdminPrincipalRecord {
  admin: AdminRow;
  permissions: AdminPermissionName[];
  requireTwoFactor: boolean;
}

export class AdminLoginTakenError extends Error {}
export class InvalidAdminInputError extends Error {}
export class WrongOwnPasswordError extends Error {}

/** Field errors of the administrator form found by the service (policy, uniqueness, roles, last manager). */
export class AdminFormError extends Error {
  constructor(readonly errors: FieldError[]) {
    super('Invalid administrator');
    this.name = 'AdminFormError';
  }
}

export class StaleAdminError extends Error {
  constructor(readonly current: AdminRow) {
    super('The administrator was changed by someone else');
    this.name = 'StaleAdminError';
  }
}

export const ADMINS_PER_PAGE = 25;

function auditView(
  a: Pick<AdminRow, 'login' | 'name' | 'email' | 'passwordChangeRequired' | 'adminRoleId' | 'status'>,
) {
  return {
    login: a.login,
    name: a.name,
    email: a.email,
    password_change_required: a.passwordChangeRequired,
    admin_role_id: a.adminRoleId,
    status: a.status,
  };
}

/**
 * Administrators: sign-in (password, then the second step the account needs), the gate's view of
 * each request, the admin's own password, and the management of administrators by those allowed.
 */
export class AdminAuthService {
  private readonly repo: AdminRepo;

  constructor(
    private readonly deps: Pick<Infra, 'db' | 'throttles' | 'audit' | 'config' | 'kv' | 'sessionStores'>,
    private readonly roles: AdminRolesService,
    private readonly twoFactor: TwoFactorService,
  ) {
    this.repo = new AdminRepo(deps.db);
  }

  /**
   * Same answer and similar cost for an unknown login and a wrong password: an unknown login
   * still pays for one bcrypt comparison. A disabled admin is told so only after a right password.
   */
  async signIn(login: string, password: string, ip: string): Promise<SignInResult> {
    const throttle = this.deps.throttles.admin;
    const anonymous = { type: 'anonymous' as const, id: null, label: login.slice(0, 64) };
    const decision = await throttle.attempt(login, ip);
    if (!decision.allowed) {
      await this.deps.audit.record({
        actor: anonymous,
        ip,
        action: 'admin.login',
        entityType: 'admin',
        outcome: 'refused',
        changes: { reason: { old: null, new: 'rate_limited' } },
      });
      return { ok: false, reason: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
    }
    const admin = login ? await throttle.checking(login, ip, () => this.repo.findByLogin(login)) : null;
    const valid = await throttle.checking(login, ip, () =>
      admin ? verifyPassword(password, admin.passwordHash) : verifyAgainstDummy(password, this.deps.config.bcryptCost),
    );
    if (!admin || !valid) {
      const after = await throttle.afterFailure(login, ip);
      await this.deps.audit.record({
        actor: anonymous,
        ip,
        action: 'admin.login',
        entityType: 'admin',
        entityId: admin?.id ?? null,
        outcome: 'failure',
      });
      return after.allowed
        ? { ok: false, reason: 'invalid' }
        : { ok: false, reason: 'throttled', retryAfterSeconds: after.retryAfterSeconds };
    }
    await throttle.succeed(login, ip);
    if (admin.status !== 'active') {
      await this.deps.audit.record({
        actor: anonymous,
        ip,
        action: 'admin.login',
        entityType: 'admin',
        entityId: admin.id,
        outcome: 'refused',
        changes: { reason: { old: null, new: 'disabled' } },
      });
      return { ok: false, reason: 'disabled' };
    }
    const secondStep = await this.secondStepOf(admin);
    if (secondStep === null) await this.completeSignIn(admin, null, ip);
    return { ok: true, admin, secondStep };
  }

  /** A code when two-factor sign-in is on; its set-up when the role requires it and it is off. */
  private async secondStepOf(admin: AdminRow): Promise<SecondStep> {
    if (await this.twoFactor.isEnabled({ type: 'admin', id: admin.id })) return 'code';
    const role = await this.roles.find(admin.adminRoleId);
    return role?.requireTwoFactor ? 'setup' : null;
  }

  /** The sign-in is complete: last sign-in time and the audit entry, naming the second factor used. */
  async completeSignIn(admin: Pick<AdminRow, 'id' | 'login'>, factor: SecondFactor | 'setup' | null, ip: string) {
    await this.repo.recordLogin(admin.id);
    await this.deps.audit.record({
      actor: { type: 'admin', id: admin.id, label: admin.login },
      ip,
      action: 'admin.login',
      entityType: 'admin',
      entityId: admin.id,
      ...secondFactorChange(factor),
    });
  }

  /** A failed second step, for the audit trail. */
  async recordSecondStepFailure(admin: Pick<AdminRow, 'id' | 'login'>, ip: string, throttled: boolean) {
    await this.deps.audit.record({
      actor: { type: 'anonymous', id: null, label: admin.login },
      ip,
      action: 'admin.login',
      entityType: 'admin',
      entityId: admin.id,
      outcome: throttled ? 'refused' : 'failure',
      changes: { reason: { old: null, new: throttled ? 'rate_limited' : 'wrong_second_factor' } },
    });
  }

  /** The admin of a session while it may go on: still there, active, and its sessions not ended. */
  async findActive(id: number, epoch: number): Promise<AdminRow | null> {
    const admin = await this.repo.findById(id);
    return admin && admin.sessionEpoch === epoch && admin.status === 'active' ? admin : null;
  }

  /** The gate's view of a session's admin, read afresh on every request (a role change applies at once). */
  async principal(id: number, epoch: number): Promise<AdminPrincipalRecord | null> {
    const admin = await this.findActive(id, epoch);
    if (!admin) return null;
    const role = await this.roles.find(admin.adminRoleId);
    return { admin, permissions: role?.permissions ?? [], requireTwoFactor: role?.requireTwoFactor ?? false };
  }

  /** Used by the CLI: an admin with the built-in Administrator role, or a one-line refusal. */
  async createAdmin(login: string, password: string): Promise<number> {
    if (!ADMIN_LOGIN_PATTERN.test(login)) throw new InvalidAdminInputError(ADMIN_LOGIN_MESSAGE);
    const policy = checkPasswordPolicy(password, { login });
    if (!policy.ok) throw new InvalidAdminInputError(policy.message);
    if (await this.repo.findByLogin(login))
      throw new AdminLoginTakenError(`An admin with login "${login}" already exists`);
    return this.repo.insert({
      login,
      name: login,
      email: '',
      passwordHash: await hashPassword(password, this.deps.config.bcryptCost),
      passwordChangeRequired: false,
      adminRoleId: await this.roles.builtinId(),
      status: 'active',
    });
  }

  async isLoginTaken(login: string): Promise<boolean> {
    return (await this.repo.findByLogin(login)) !== null;
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  /**
   * An Administrator whose password was hashed beforehand (the demo seed hashes before it writes
   * anything); refused like `createAdmin` for a malformed or taken login.
   */
  async createWithHash(input: { login: string; passwordHash: string; name: string; email: string }): Promise<number> {
    if (!ADMIN_LOGIN_PATTERN.test(input.login)) throw new InvalidAdminInputError(ADMIN_LOGIN_MESSAGE);
    if (await this.isLoginTaken(input.login))
      throw new AdminLoginTakenError(`An admin with login "${input.login}" already exists`);
    return this.repo.insert({
      ...input,
      passwordChangeRequired: false,
      adminRoleId: await this.roles.builtinId(),
      status: 'active',
    });
  }

  /**
   * The admin's own new password (the current one required): policy checked, every other session
   * ended; returns the new epoch for the session that made the change.
   */
  async changeOwnPassword(admin: AdminRow, current: string, next: string, ctx: AuditContext): Promise<number> {
    if (!(await verifyPassword(current, admin.passwordHash))) throw new WrongOwnPasswordError();
    // The current password was just checked: a new one that reads the same is that password again.
    if (normalizePassword(next) === normalizePassword(current))
      throw new AdminFormError([
        { field: 'new_password', text: 'The new password must be different from the current one' },
      ]);
    const policy = checkPasswordPolicy(next, { login: admin.login });
    if (!policy.ok) throw new AdminFormError([{ field: 'new_password', text: policy.message }]);
    const epoch = await this.repo.setOwnPassword(admin.id, await hashPassword(next, this.deps.config.bcryptCost));
    await this.deps.audit.record({
      ...ctx,
      action: 'admin.password.change',
      entityType: 'admin',
      entityId: admin.id,
      changes: { password: { old: 'changed', new: 'changed' } },
    });
    return epoch;
  }

  // -------------------------------------------------------------------------------------------
  // Management of administrators (admins.manage)

  /** One page of the list and the cursor of the next page (null on the last one). */
  async search(q: string, after: string | null): Promise<{ items: AdminRow[]; nextAfter: string | null }> {
    const rows = await this.repo.search(q, after, ADMINS_PER_PAGE + 1);
    const items = rows.slice(0, ADMINS_PER_PAGE);
    const last = items[items.length - 1];
    return { items, nextAfter: rows.length > ADMINS_PER_PAGE && last ? last.login.toLowerCase() : null };
  }

  find(id: number): Promise<AdminRow | null> {
    return this.repo.findById(id);
  }

  /**
   * What the service refuses in an administrator form: a taken login, a password the policy
   * refuses (or none where one is needed), an admin role that does not exist. A form the schema
   * already refused is checked too, for what it has (no role read without a role id), so every
   * problem is told in one answer.
   */
  async formProblems(
    form: Pick<AdminForm, 'login' | 'password'> & { admin_role_id?: number },
    opts: { id: number | null; passwordRequired: boolean },
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const holder = form.login === '' ? null : await this.repo.findByLogin(form.login);
    if (holder && holder.id !== opts.id)
      errors.push({ field: 'login', text: 'Another administrator has this login; choose a different one' });
    if (form.password === '') {
      if (opts.passwordRequired) errors.push({ field: 'password', text: 'Enter or generate a password' });
    } else {
      const policy = checkPasswordPolicy(form.password, { login: form.login });
      if (!policy.ok) errors.push({ field: 'password', text: policy.message });
    }
    if (form.admin_role_id !== undefined && !(await this.roles.find(form.admin_role_id)))
      errors.push({ field: 'admin_role_id', text: 'Choose one of the admin roles' });
    return errors;
  }

  private async checkForm(form: AdminForm, opts: { id: number | null; passwordRequired: boolean }) {
    const errors = await this.formProblems(form, opts);
    if (errors.length > 0) throw new AdminFormError(errors);
  }

  async create(form: AdminForm, ctx: AuditContext): Promise<number> {
    await this.checkForm(form, { id: null, passwordRequired: true });
    const input = {
      login: form.login,
      name: form.name,
      email: form.email,
      passwordHash: await hashPassword(form.password, this.deps.config.bcryptCost),
      passwordChangeRequired: form.password_change_required,
      adminRoleId: form.admin_role_id,
      status: form.status,
    };
    return this.deps.db.transaction(async (trx) => {
      const id = await this.repo.insert(input, trx);
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'admin.create',
          entityType: 'admin',
          entityId: id,
          changes: { ...diffForAudit({}, auditView(input)), password: { old: null, new: 'set' } },
        },
        trx,
      );
      return id;
    });
  }

  /**
   * Saves the administrator form. Disabling ends the admin's sessions and the portal sessions it
   * opened by "log in as"; so does a new password. Refused (AdminFormError) when it would leave no
   * active admin able to manage admins, or when an admin would disable itself.
   */
  async update(id: number, form: AdminForm & { version: number }, ctx: AuditContext & { selfId: number }) {
    const before = await this.repo.findById(id);
    if (!before) return null;
    if (before.version !== form.version) throw new StaleAdminError(before);
    await this.checkForm(form, { id, passwordRequired: false });
    if (id === ctx.selfId && form.status === 'disabled')
      throw new AdminFormError([{ field: 'status', text: 'You cannot disable your own account' }]);
    const disabling = before.status === 'active' && form.status === 'disabled';
    const passwordHash =
      form.password === '' ? undefined : await hashPassword(form.password, this.deps.config.bcryptCost);
    const update = {
      login: form.login,
      name: form.name,
      email: form.email,
      passwordHash,
      passwordChangeRequired: form.password_change_required,
      adminRoleId: form.admin_role_id,
      status: form.status,
      endSessions: disabling,
    };
    const stale = await this.deps.db.transaction(async (trx: Knex.Transaction) => {
      try {
        await this.roles.ensureManagerRemains(trx, {
          adminId: id,
          newRoleId: form.admin_role_id,
          active: form.status === 'active',
        });
      } catch (err) {
        if (err instanceof LastManagerError)
          throw new AdminFormError([
            { field: form.status === 'disabled' ? 'status' : 'admin_role_id', text: err.message },
          ]);
        throw err;
      }
      if (!(await this.repo.update(id, form.version, update, trx))) return true;
      const changes = diffForAudit(auditView(before), auditView(update));
      if (passwordHash) changes.password = { old: 'changed', new: 'changed' };
      changes.version = { old: form.version, new: form.version + 1 };
      await this.deps.audit.record(
        { ...ctx, action: disabling ? 'admin.disable' : 'admin.update', entityType: 'admin', entityId: id, changes },
        trx,
      );
      return false;
    });
    if (stale) throw new StaleAdminError((await this.repo.findById(id)) ?? before);
    if (disabling || passwordHash) await endImpersonationsOf(this.deps, id, ctx.ip);
    return this.repo.findById(id);
  }

  /** Another admin's two-factor sign-in removed (a lost phone); it sets it up again if its role requires it. */
  async resetTwoFactor(id: number, ctx: AuditContext): Promise<boolean> {
    return this.twoFactor.remove({ type: 'admin', id }, ctx, 'reset');
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** the signed-in administrator's row and rights, set by the admin gate */
      adminAccount?: AdminPrincipalRecord;
    }
  }
}

/** The signed-in administrator of this request (the admin gate guarantees it on non-public routes). */
export function currentAdmin(res: { locals: { adminAccount?: AdminPrincipalRecord } }): AdminPrincipalRecord {
  const account = res.locals.adminAccount;
  if (!account) throw new Error('the admin gate must run before this handler');
  return account;
}
