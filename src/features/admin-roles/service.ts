import type { Knex } from 'knex';
import { ADMIN_PERMISSIONS, type AdminPermissionName } from '../../access/route-permissions.ts';
import type { AuditContext } from '../../http/actor.ts';
import type { Infra } from '../../infra.ts';
import { transactionRetried } from '../../db/knex.ts';
import { diffForAudit } from '../audit/service.ts';
import { AdminRoleRepo, type AdminRoleListItem, type AdminRoleRow } from './repo.ts';
import type { AdminRoleForm } from './schema.ts';

export type { AdminRoleListItem, AdminRoleRow };

export class AdminRoleNotFoundError extends Error {}
export class AdminRoleNameTakenError extends Error {}

/** Why a role cannot be deleted or changed as asked; the message says it to the admin. */
export class AdminRoleRefusedError extends Error {}

/** The refusal of a change that would leave no active admin able to manage admins. */
export const LAST_MANAGER_MESSAGE =
  'At least one active administrator must keep the “Administrators” permission (admins.manage), or nobody could manage administrators any more.';

export class LastManagerError extends Error {
  constructor() {
    super(LAST_MANAGER_MESSAGE);
    this.name = 'LastManagerError';
  }
}

function auditView(role: Pick<AdminRoleRow, 'name' | 'description' | 'requireTwoFactor' | 'permissions'>) {
  return {
    name: role.name,
    description: role.description,
    require_two_factor: role.requireTwoFactor,
    permissions: [...role.permissions].sort().join(', '),
  };
}

/**
 * Admin roles: what each administrator may do. The built-in Administrator role holds every
 * permission and cannot be deleted; no change may leave the operator without an active admin who
 * can manage admins.
 */
export class AdminRolesService {
  private readonly repo: AdminRoleRepo;

  constructor(private readonly deps: Pick<Infra, 'db' | 'audit'>) {
    this.repo = new AdminRoleRepo(deps.db);
  }

  list(): Promise<AdminRoleListItem[]> {
    return this.repo.list();
  }

  find(id: number): Promise<AdminRoleRow | null> {
    return this.repo.find(id);
  }

  async get(id: number): Promise<AdminRoleRow> {
    const role = await this.repo.find(id);
    if (!role) throw new AdminRoleNotFoundError();
    return role;
  }

  /**
   * The role every admin made by the CLI or the demo gets. The migration creates it; should a
   * database have been emptied by hand since, it is made again with every permission.
   */
  async builtinId(): Promise<number> {
    const id = await this.repo.builtinId();
    if (id !== null) return id;
    return transactionRetried(this.deps.db, async (trx) => {
      const again = await this.repo.builtinId(trx);
      if (again !== null) return again;
      return this.repo.insert(trx, {
        name: 'Administrator',
        description: 'Everything, including administrators and admin roles.',
        requireTwoFactor: false,
        permissions: ADMIN_PERMISSIONS,
        builtin: true,
      });
    });
  }

  adminCount(id: number): Promise<number> {
    return this.repo.adminCount(id);
  }

  async create(form: AdminRoleForm, ctx: AuditContext): Promise<number> {
    return transactionRetried(this.deps.db, async (trx) => {
      if (await this.repo.nameTaken(form.name, null, trx)) throw new AdminRoleNameTakenError();
      const role = {
        name: form.name,
        description: form.description,
        requireTwoFactor: form.require_two_factor,
        permissions: form.permissions,
      };
      const id = await this.repo.insert(trx, role);
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'admin_role.create',
          entityType: 'admin_role',
          entityId: id,
          changes: diffForAudit({}, auditView(role)),
        },
        trx,
      );
      return id;
    });
  }

  /**
   * Saves a role. The built-in role keeps every permission whatever the form says. Taking
   * `admins.manage` away is refused when its members are the last active admins who hold it.
   */
  async update(id: number, form: AdminRoleForm, ctx: AuditContext): Promise<void> {
    await transactionRetried(this.deps.db, async (trx) => {
      await this.repo.lockManagers(trx);
      const before = await this.repo.find(id, trx);
      if (!before) throw new AdminRoleNotFoundError();
      if (await this.repo.nameTaken(form.name, id, trx)) throw new AdminRoleNameTakenError();
      const permissions: AdminPermissionName[] = before.builtin ? [...ADMIN_PERMISSIONS] : form.permissions;
      const losesManage = before.permissions.includes('admins.manage') && !permissions.includes('admins.manage');
      if (losesManage && (await this.repo.activeManagers(trx, { roleId: id })) === 0) throw new LastManagerError();
      const after = {
        name: form.name,
        description: form.description,
        requireTwoFactor: form.require_two_factor,
        permissions,
      };
      await this.repo.update(trx, id, after);
      const changes = diffForAudit(auditView(before), auditView(after));
      if (Object.keys(changes).length > 0)
        await this.deps.audit.record(
          { ...ctx, action: 'admin_role.update', entityType: 'admin_role', entityId: id, changes },
          trx,
        );
    });
  }

  /** Deletes a role nobody has; the built-in role never. Returns the deleted role. */
  async delete(id: number, ctx: AuditContext): Promise<AdminRoleRow> {
    return transactionRetried(this.deps.db, async (trx) => {
      const role = await this.repo.find(id, trx);
      if (!role) throw new AdminRoleNotFoundError();
      if (role.builtin)
        throw new AdminRoleRefusedError(
          'The built-in Administrator role cannot be deleted: it holds every permission.',
        );
      const members = await this.repo.adminCount(id, trx);
      if (members > 0)
        throw new AdminRoleRefusedError(
          `The role is in use by ${members} ${members === 1 ? 'administrator' : 'administrators'}: give ${members === 1 ? 'it' : 'them'} another role first.`,
        );
      await this.repo.delete(trx, id);
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'admin_role.delete',
          entityType: 'admin_role',
          entityId: id,
          changes: diffForAudit(auditView(role), {
            name: null,
            description: null,
            require_two_factor: null,
            permissions: null,
          }),
        },
        trx,
      );
      return role;
    });
  }

  /**
   * Inside the caller's transaction: refuses (LastManagerError) when disabling `adminId` or moving
   * it to `newRoleId` would leave no active admin holding `admins.manage`.
   */
  async ensureManagerRemains(
    trx: Knex.Transaction,
    change: { adminId: number; newRoleId: number; active: boolean },
  ): Promise<void> {
    await this.repo.lockManagers(trx);
    const newRole = await this.repo.find(change.newRoleId, trx);
    const staysManager = change.active && newRole !== null && newRole.permissions.includes('admins.manage');
    if (staysManager) return;
    if ((await this.repo.activeManagers(trx, { adminId: change.adminId })) === 0) throw new LastManagerError();
  }
}
