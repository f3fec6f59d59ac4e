import type { Knex } from 'knex';
import { insertRow, toBool, toDate } from '../../db/knex.ts';
import { isComponentKey, isLevel, type PermissionMap } from '../../access/permissions.ts';

export const ROLE_TYPES = ['customer_selfcare'] as const;
export type RoleType = (typeof ROLE_TYPES)[number];

export interface RoleRow {
  id: number;
  name: string;
  type: string;
  description: string;
  isDefault: boolean;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface RoleUsage {
  /** customers whose own role this is */
  customers: { id: number; name: string }[];
  /** customers that may give this role to their individuals */
  allowedBy: { id: number; name: string }[];
  individuals: { id: number; login: string; name: string; customerId: number; customerName: string }[];
}

type Db = Knex | Knex.Transaction;

function fromRow(row: Record<string, unknown>): RoleRow {
  return {
    id: Number(row.id),
    name: String(row.name),
    type: String(row.type),
    description: String(row.description ?? ''),
    isDefault: toBool(row.is_default),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** Reads the stored levels of one role; unknown components or levels in the table are ignored. */
export async function readPermissions(db: Db, roleId: number): Promise<PermissionMap> {
  const rows = (await db('role_permissions').select('component', 'level').where({ role_id: roleId })) as {
    component: unknown;
    level: unknown;
  }[];
  const perms: PermissionMap = {};
  for (const row of rows) {
    if (isComponentKey(row.component) && isLevel(row.level)) perms[row.component] = row.level;
  }
  return perms;
}

/** The only Knex code of the roles feature. */
export class RolesRepo {
  constructor(private readonly db: Knex) {}

  async list(type?: string, trx?: Db): Promise<RoleRow[]> {
    const q = (trx ?? this.db)('roles')
      .select('*')
      .orderBy([{ column: 'type' }, { column: 'name_lower' }, { column: 'id' }]);
    if (type !== undefined) q.where({ type });
    return ((await q) as Record<string, unknown>[]).map(fromRow);
  }

  async findById(id: number, trx?: Db): Promise<RoleRow | null> {
    const row = (await (trx ?? this.db)('roles').where({ id }).first()) as Record<string, unknown> | undefined;
    return row ? fromRow(row) : null;
  }

  async findByName(type: string, name: string, trx?: Db): Promise<RoleRow | null> {
    const row = (await (trx ?? this.db)('roles').where({ type, name_lower: name.toLowerCase() }).first()) as
      Record<string, unknown> | undefined;
    return row ? fromRow(row) : null;
  }

  async defaultId(type: string, trx?: Db): Promise<number | null> {
    const row = (await (trx ?? this.db)('roles')
      .select('id')
      .where({ type, is_default: true })
      .orderBy('id')
      .first()) as { id: unknown } | undefined;
    return row ? Number(row.id) : null;
  }

  permissions(roleId: number, trx?: Db): Promise<PermissionMap> {
    return readPermissions(trx ?? this.db, roleId);
  }

  async insert(
    trx: Knex.Transaction,
    input: { name: string; type: string; description: string; isDefault: boolean },
  ): Promise<number> {
    const now = new Date();
    return insertRow(trx, 'roles', {
      name: input.name,
      name_lower: input.name.toLowerCase(),
      type: input.type,
      description: input.description,
      is_default: input.isDefault,
      created_at: now,
      updated_at: now,
    });
  }

  async update(trx: Knex.Transaction, id: number, input: { name: string; description: string }): Promise<void> {
    await trx('roles').where({ id }).update({
      name: input.name,
      name_lower: input.name.toLowerCase(),
      description: input.description,
      updated_at: new Date(),
    });
  }

  async replacePermissions(trx: Knex.Transaction, roleId: number, perms: PermissionMap): Promise<void> {
    await trx('role_permissions').where({ role_id: roleId }).del();
    const rows = Object.entries(perms).map(([component, level]) => ({ role_id: roleId, component, level }));
    if (rows.length > 0) await trx('role_permissions').insert(rows);
  }

  /** Exactly one default per type: the flag moves in the caller's transaction. */
  async makeDefault(trx: Knex.Transaction, type: string, roleId: number): Promise<void> {
    await trx('roles')
      .where({ type })
      .whereNot({ id: roleId })
      .where({ is_default: true })
      .update({ is_default: false });
    await trx('roles').where({ id: roleId }).update({ is_default: true });
  }

  async delete(trx: Knex.Transaction, id: number): Promise<void> {
    await trx('role_permissions').where({ role_id: id }).del();
    await trx('roles').where({ id }).del();
  }

  async usage(roleId: number, trx?: Db): Promise<RoleUsage> {
    const db = trx ?? this.db;
    const customers = (await db('customers').select('id', 'name').where({ role_id: roleId }).orderBy('id')) as {
      id: unknown;
      name: unknown;
    }[];
    const allowedBy = (await db('customer_allowed_roles as a')
      .join('customers as c', 'c.id', 'a.customer_id')
      .select('c.id', 'c.name')
      .where('a.role_id', roleId)
      .orderBy('c.id')) as { id: unknown; name: unknown }[];
    const individuals = (await db('individuals as i')
      .join('customers as c', 'c.id', 'i.customer_id')
      .select('i.id', 'i.login', 'i.name', 'i.customer_id', { customer_name: 'c.name' })
      .where('i.role_id', roleId)
      .orderBy('i.id')) as Record<string, unknown>[];
    return {
      customers: customers.map((c) => ({ id: Number(c.id), name: String(c.name) })),
      allowedBy: allowedBy.map((c) => ({ id: Number(c.id), name: String(c.name) })),
      individuals: individuals.map((i) => ({
        id: Number(i.id),
        login: String(i.login),
        name: String(i.name ?? ''),
        customerId: Number(i.customer_id),
        customerName: String(i.customer_name),
      })),
    };
  }

  /** Per role: how many customers hold it and how many individuals. */
  async usageCounts(): Promise<Map<number, { customers: number; individuals: number }>> {
    const counts = new Map<number, { customers: number; individuals: number }>();
    const get = (id: number) => {
      let c = counts.get(id);
      if (!c) counts.set(id, (c = { customers: 0, individuals: 0 }));
      return c;
    };
    const byCustomers = (await this.db('customers').select('role_id').count({ n: '*' }).groupBy('role_id')) as {
      role_id: unknown;
      n: unknown;
    }[];
    for (const row of byCustomers) get(Number(row.role_id)).customers = Number(row.n);
    const byIndividuals = (await this.db('individuals').select('role_id').count({ n: '*' }).groupBy('role_id')) as {
      role_id: unknown;
      n: unknown;
    }[];
    for (const row of byIndividuals) get(Number(row.role_id)).individuals = Number(row.n);
    return counts;
  }
}
