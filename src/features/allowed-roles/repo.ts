import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

export interface AllowedRole {
  id: number;
  name: string;
  description: string;
  isDefault: boolean;
}

export interface RoleHolder {
  id: number;
  login: string;
  name: string;
  roleId: number;
}

/** The only Knex code of a customer's allowed roles. */
export class AllowedRolesRepo {
  constructor(private readonly db: Knex) {}

  /** The customer's allowed roles (customer self-care roles only), by name. */
  async list(customerId: number, trx?: Db): Promise<AllowedRole[]> {
    const rows = (await (trx ?? this.db)('customer_allowed_roles as a')
      .join('roles as r', 'r.id', 'a.role_id')
      .select('r.id', 'r.name', 'r.description', 'r.is_default')
      .where('a.customer_id', customerId)
      .where('r.type', 'customer_selfcare')
      .orderBy([{ column: 'r.name_lower' }, { column: 'r.id' }])) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      description: String(r.description ?? ''),
      isDefault: r.is_default === true || r.is_default === 1 || r.is_default === '1',
    }));
  }

  async isAllowed(customerId: number, roleId: number, trx?: Db): Promise<boolean> {
    const row = await (trx ?? this.db)('customer_allowed_roles as a')
      .join('roles as r', 'r.id', 'a.role_id')
      .where({ 'a.customer_id': customerId, 'a.role_id': roleId, 'r.type': 'customer_selfcare' })
      .first('a.role_id');
    return row !== undefined;
  }

  /** Which of `roleIds` are customer self-care roles (anything else is not allowable). */
  async selfcareRoleIds(roleIds: number[], trx?: Db): Promise<Set<number>> {
    if (roleIds.length === 0) return new Set();
    const rows = (await (trx ?? this.db)('roles')
      .select('id')
      .whereIn('id', roleIds)
      .where({ type: 'customer_selfcare' })) as { id: unknown }[];
    return new Set(rows.map((r) => Number(r.id)));
  }

  async holders(customerId: number, roleIds: number[], trx?: Db): Promise<RoleHolder[]> {
    if (roleIds.length === 0) return [];
    const rows = (await (trx ?? this.db)('individuals')
      .select('id', 'login', 'name', 'role_id')
      .where({ customer_id: customerId })
      .whereIn('role_id', roleIds)
      .orderBy('login_lower')) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: Number(r.id),
      login: String(r.login),
      name: String(r.name ?? ''),
      roleId: Number(r.role_id),
    }));
  }

  async add(trx: Knex.Transaction, customerId: number, roleIds: number[]): Promise<void> {
    if (roleIds.length > 0)
      await trx('customer_allowed_roles').insert(
        roleIds.map((roleId) => ({ customer_id: customerId, role_id: roleId })),
      );
  }

  async remove(trx: Knex.Transaction, customerId: number, roleIds: number[]): Promise<void> {
    if (roleIds.length > 0)
      await trx('customer_allowed_roles').where({ customer_id: customerId }).whereIn('role_id', roleIds).del();
  }
}
