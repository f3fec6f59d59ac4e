import type { Knex } from 'knex';
import { insertRow, isMysql, toBool } from '../../db/knex.ts';
import { isAdminPermission, type AdminPermissionName } from '../../access/route-permissions.ts';

type Db = Knex | Knex.Transaction;

export interface AdminRoleRow {
  id: number;
  name: string;
  description: string;
  requireTwoFactor: boolean;
  builtin: boolean;
  permissions: AdminPermissionName[];
}

export interface AdminRoleListItem extends AdminRoleRow {
  adminCount: number;
}

function fromRow(row: Record<string, unknown>, permissions: AdminPermissionName[]): AdminRoleRow {
  return {
    id: Number(row.id),
    name: String(row.name),
    description: String(row.description ?? ''),
    requireTwoFactor: toBool(row.require_two_factor),
    builtin: toBool(row.is_builtin),
    permissions,
  };
}

export class AdminRoleRepo {
  constructor(private readonly db: Knex) {}

  private async permissionMap(db: Db, roleIds: number[]): Promise<Map<number, AdminPermissionName[]>> {
    const map = new Map<number, AdminPermissionName[]>(roleIds.map((id) => [id, []]));
    if (roleIds.length === 0) return map;
    const rows = (await db('admin_role_permissions').whereIn('admin_role_id', roleIds)) as Record<string, unknown>[];
    for (const row of rows) {
      const permission = row.permission;
      if (isAdminPermission(permission)) map.get(Number(row.admin_role_id))?.push(permission);
    }
    return map;
  }

  async list(): Promise<AdminRoleListItem[]> {
    const rows = (await this.db('admin_roles as r')
      .leftJoin('admins as a', 'a.admin_role_id', 'r.id')
      .groupBy('r.id', 'r.name', 'r.name_lower', 'r.description', 'r.require_two_factor', 'r.is_builtin')
      .select('r.id', 'r.name', 'r.description', 'r.require_two_factor', 'r.is_builtin')
      .count({ admin_count: 'a.id' })
      .orderBy('r.name_lower')) as Record<string, unknown>[];
    const perms = await this.permissionMap(
      this.db,
      rows.map((r) => Number(r.id)),
    );
    return rows.map((r) => ({ ...fromRow(r, perms.get(Number(r.id)) ?? []), adminCount: Number(r.admin_count ?? 0) }));
  }

  /** The role with its permissions in one query (the admin gate asks on every request). */
  async find(id: number, trx?: Db): Promise<AdminRoleRow | null> {
    const rows = (await (trx ?? this.db)('admin_roles as r')
      .leftJoin('admin_role_permissions as p', 'p.admin_role_id', 'r.id')
      .where({ 'r.id': id })
      .select('r.*', 'p.permission')) as Record<string, unknown>[];
    if (rows.length === 0) return null;
    return fromRow(rows[0]!, rows.map((row) => row.permission).filter(isAdminPermission));
  }

  async builtinId(trx?: Db): Promise<number | null> {
    const row = (await (trx ?? this.db)('admin_roles').where({ is_builtin: true }).select('id').first()) as
      { id: unknown } | undefined;
    return row ? Number(row.id) : null;
  }

  async nameTaken(name: string, exceptId: number | null, trx?: Db): Promise<boolean> {
    const q = (trx ?? this.db)('admin_roles').where({ name_lower: name.toLowerCase() });
    if (exceptId !== null) q.whereNot({ id: exceptId });
    return (await q.first()) !== undefined;
  }

  async insert(
    trx: Knex.Transaction,
    input: {
      name: string;
      description: string;
      requireTwoFactor: boolean;
      permissions: readonly string[];
      builtin?: boolean;
    },
  ): Promise<number> {
    const now = new Date();
    const id = await insertRow(trx, 'admin_roles', {
      name: input.name,
      name_lower: input.name.toLowerCase(),
      description: input.description,
      require_two_factor: input.requireTwoFactor,
      is_builtin: input.builtin ?? false,
      created_at: now,
      updated_at: now,
    });
    await this.setPermissions(trx, id, input.permissions);
    return id;
  }

  async update(
    trx: Knex.Transaction,
    id: number,
    input: { name: string; description: string; requireTwoFactor: boolean; permissions: readonly string[] },
  ): Promise<void> {
    await trx('admin_roles').where({ id }).update({
      name: input.name,
      name_lower: input.name.toLowerCase(),
      description: input.description,
      require_two_factor: input.requireTwoFactor,
      updated_at: new Date(),
    });
    await this.setPermissions(trx, id, input.permissions);
  }

  private async setPermissions(trx: Knex.Transaction, id: number, permissions: readonly string[]): Promise<void> {
    await trx('admin_role_permissions').where({ admin_role_id: id }).del();
    if (permissions.length > 0)
      await trx('admin_role_permissions').insert(permissions.map((permission) => ({ admin_role_id: id, permission })));
  }

  async delete(trx: Knex.Transaction, id: number): Promise<void> {
    await trx('admin_roles').where({ id }).del();
  }

  async adminCount(id: number, trx?: Db): Promise<number> {
    const row = await (trx ?? this.db)('admins').where({ admin_role_id: id }).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /**
   * Serialises the changes that could leave nobody able to manage admins: on MySQL a row lock on
   * the built-in role; SQLite runs one write transaction at a time anyway.
   */
  async lockManagers(trx: Knex.Transaction): Promise<void> {
    if (isMysql(this.db)) await trx('admin_roles').where({ is_builtin: true }).forUpdate().select('id');
  }

  /**
   * Active admins whose role holds `admins.manage`, leaving out one admin (about to be disabled or
   * moved) or the members of one role (about to lose the permission).
   */
  async activeManagers(trx: Db, except: { adminId?: number; roleId?: number }): Promise<number> {
    const q = trx('admins as a')
      .join('admin_role_permissions as p', 'p.admin_role_id', 'a.admin_role_id')
      .where({ 'a.status': 'active', 'p.permission': 'admins.manage' });
    if (except.adminId !== undefined) q.whereNot('a.id', except.adminId);
    if (except.roleId !== undefined) q.whereNot('a.admin_role_id', except.roleId);
    const row = await q.count({ n: 'a.id' }).first();
    return Number(row?.n ?? 0);
  }
}
