import type { Knex } from 'knex';
import type { PermissionMap } from '../../access/permissions.ts';
import { insertRow, isMysql, toBool, toDate } from '../../db/knex.ts';
import { rolePermissionsColumn, rolePermissionsOf } from '../../db/role-permissions.ts';

import type {
  CustomerSort,
  CustomerAccount,
  CustomerBasics,
  CustomerListItem,
  CustomerRecord,
  NewCustomer,
  SelfCareUpdate,
  SelfServiceColumns,
} from './schema.ts';

type Db = Knex | Knex.Transaction;

/** The one mapping of a `customers` row (also used by the portal and API repos). */
export function customerFromRow(row: Record<string, unknown>): CustomerRecord {
  const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return {
    id: Number(row.id),
    name: str(row.name),
    email: str(row.email),
    currency: str(row.currency),
    status: str(row.status),
    balance: Number(row.balance ?? 0),
    creditLimit: Number(row.credit_limit ?? 0),
    companyName: str(row.company_name),
    contactName: str(row.contact_name),
    phone: str(row.phone),
    addressLine1: str(row.address_line1),
    addressLine2: str(row.address_line2),
    city: str(row.city),
    postalCode: str(row.postal_code),
    country: str(row.country),
    roleId: Number(row.role_id),
    selfcareLogin: row.selfcare_login ? String(row.selfcare_login) : null,
    passwordHash: row.password_hash ? String(row.password_hash) : null,
    passwordChangeRequired: toBool(row.password_change_required),
    ipRestriction: toBool(row.ip_restriction),
    trustedIps: str(row.trusted_ips),
    twoFactorRequired: toBool(row.two_factor_required),
    timeZone: str(row.time_zone),
    language: str(row.language),
    outDateFormat: str(row.out_date_format),
    outTimeFormat: str(row.out_time_format),
    inDateFormat: str(row.in_date_format),
    inTimeFormat: str(row.in_time_format),
    version: Number(row.version),
    sessionEpoch: Number(row.session_epoch ?? 0),
    // both columns are NOT NULL
    createdAt: toDate(row.created_at) ?? new Date(0),
    updatedAt: toDate(row.updated_at) ?? new Date(0),
    lastLoginAt: toDate(row.last_login_at),
  };
}

/** The column behind each sort of the customer list; `id` breaks ties. */
const SORT_COLUMNS: Readonly<Record<CustomerSort, string>> = {
  name: 'name_lower',
  login: 'selfcare_login_lower',
  created: 'created_at',
  balance: 'balance',
};

/** Where a page starts: the sort value and id of the row next to it. */
export interface ListCursor {
  value: unknown;
  id: number;
}

export interface ListQuery {
  prefix: string;
  sort: CustomerSort;
  dir: 'asc' | 'desc';
  from: ListCursor | null;
  /** read the rows before `from` (the previous page, or the last page without `from`) */
  backward: boolean;
}

/**
 * Only rows after `key` in (column, id) order, ascending or descending. A NULL sorts first going
 * up and last going down on both MySQL and SQLite (only the login can be NULL). The first
 * condition is a range on the (column, id) index.
 */
function afterKey(qb: Knex.QueryBuilder, column: string, ascending: boolean, key: ListCursor): void {
  const { id } = key;
  const value = key.value as Knex.Value;
  if (ascending) {
    if (value === null)
      qb.where((w) => w.where((n) => n.whereNull(column).andWhere('id', '>', id)).orWhereNotNull(column));
    else qb.where(column, '>=', value).andWhere((w) => w.where(column, '>', value).orWhere('id', '>', id));
  } else if (value === null) {
    qb.whereNull(column).andWhere('id', '<', id);
  } else {
    qb.where((w) =>
      w
        .where((r) => r.where(column, '<=', value).andWhere((x) => x.where(column, '<', value).orWhere('id', '<', id)))
        .orWhereNull(column),
    );
  }
}

const SEARCH_INDEX = {
  email_lower: 'customers_email_search_by_name',
  selfcare_login_lower: 'customers_login_search_by_name',
} as const;

/** The smallest string above every string that starts with `prefix` (byte order of UTF-8). */
function prefixUpperBound(prefix: string): string {
  const points = [...prefix];
  const last = points.pop() ?? '';
  return points.join('') + String.fromCodePoint(Math.min((last.codePointAt(0) ?? 0) + 1, 0x10ffff));
}

export class CustomerRepo {
  constructor(private readonly db: Knex) {}

  async findById(id: number, trx?: Db): Promise<CustomerRecord | null> {
    const row = (await (trx ?? this.db)('customers').where({ id }).first()) as Record<string, unknown> | undefined;
    return row ? customerFromRow(row) : null;
  }

  /** The customer and the explicit levels of its role, in one row. */
  async findWithRolePermissions(
    id: number,
  ): Promise<{ customer: CustomerRecord; rolePermissions: PermissionMap } | null> {
    const row = (await this.db('customers as c')
      .where('c.id', id)
      .select('c.*', rolePermissionsColumn(this.db, 'c.role_id'))
      .first()) as Record<string, unknown> | undefined;
    return row ? { customer: customerFromRow(row), rolePermissions: rolePermissionsOf(row) } : null;
  }

  /** Sort key of a customer in the search order, for the keyset cursor. */
  /** The customer and the name of its role, as the API shows it. */
  async findWithRoleName(customerId: number): Promise<CustomerAccount | null> {
    const row = (await this.db('customers as c')
      .leftJoin('roles as r', 'r.id', 'c.role_id')
      .where('c.id', customerId)
      .select('c.*', 'r.name as role_name')
      .first()) as Record<string, unknown> | undefined;
    return row
      ? {
          ...customerFromRow(row),
          roleName: row.role_name === null || row.role_name === undefined ? '' : String(row.role_name),
        }
      : null;
  }

  /** The sort key of one customer (a page's cursor), null when it is gone. */
  async cursorOf(id: number, sort: CustomerSort): Promise<ListCursor | null> {
    const column = SORT_COLUMNS[sort];
    const row = (await this.db('customers').select(`${column} as value`, 'id').where({ id }).first()) as
      { value: unknown; id: unknown } | undefined;
    return row ? { value: row.value ?? null, id: Number(row.id) } : null;
  }

  /**
   * One page of customers whose name, e-mail or self-care login starts with `prefix` (lowercase),
   * in (sort column, id) order, from the keyset `from` on: `backward` reads the rows before it (in
   * reverse order). Each searched column is read on its own index range and the three short lists
   * are merged, so a page never scans the whole table.
   */
  async list(query: ListQuery, limit: number): Promise<CustomerListItem[]> {
    const db = this.db;
    const column = SORT_COLUMNS[query.sort];
    const ascending = (query.dir === 'asc') !== query.backward;
    const order = [
      { column, order: ascending ? 'asc' : 'desc' },
      { column: 'id', order: ascending ? 'asc' : 'desc' },
    ] as const;
    const keyset = (qb: Knex.QueryBuilder) => {
      if (query.from) afterKey(qb, column, ascending, query.from);
    };
    const members = this.matching(query.prefix, (qb) => {
      qb.select('id', `${column} as sort_value`)
        .orderBy([...order])
        .limit(limit);
      keyset(qb);
    });
    // Each member keeps its own order and limit inside a derived table (MySQL needs that for a union).
    const wrapped = members.map((m, i) => db.select('id', 'sort_value').from(m.as(`m${i}`)));
    const ids = (await (members.length === 1
      ? members[0]!
      : db
          .select('id', 'sort_value')
          .from(wrapped[0]!.union(wrapped.slice(1)).as('matches'))
          .orderBy([
            { column: 'sort_value', order: order[0].order },
            { column: 'id', order: order[1].order },
          ])
          .limit(limit))) as { id: unknown }[];
    if (ids.length === 0) return [];
    const rows = (await db('customers')
      .select('id', 'name', 'email', 'selfcare_login', 'currency', 'balance', 'status', 'created_at')
      .whereIn(
        'id',
        ids.map((r) => Number(r.id)),
      )) as Record<string, unknown>[];
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const items = ids.flatMap((r) => {
      const row = byId.get(Number(r.id));
      if (!row) return [];
      return [
        {
          id: Number(row.id),
          name: String(row.name),
          email: String(row.email ?? ''),
          selfcareLogin: row.selfcare_login ? String(row.selfcare_login) : null,
          currency: String(row.currency),
          balance: Number(row.balance ?? 0),
          status: String(row.status),
          createdAt: toDate(row.created_at) ?? new Date(0),
        },
      ];
    });
    return query.backward ? items.reverse() : items;
  }

  /**
   * How many customers match (and, with `before`, how many of them come before that key in the
   * list's order), counting no further than `cap` + 1 so that a million rows cost no more than
   * `cap` index entries.
   */
  async count(query: Pick<ListQuery, 'prefix' | 'sort' | 'dir'> & { before?: ListCursor }, cap: number) {
    const db = this.db;
    const column = SORT_COLUMNS[query.sort];
    const members = this.matching(query.prefix, (qb) => {
      qb.select('id').limit(cap + 1);
      if (query.before) afterKey(qb, column, query.dir !== 'asc', query.before);
    });
    const wrapped = members.map((m, i) => db.select('id').from(m.as(`c${i}`)));
    const source = members.length === 1 ? members[0]! : wrapped[0]!.union(wrapped.slice(1));
    const row = (await db.from(source.as('counted')).count({ n: '*' }).first()) as { n: unknown } | undefined;
    return Math.min(Number(row?.n ?? 0), cap + 1);
  }

  /** One query per searched column (name, e-mail, login), each shaped by `shape`; one for no prefix. */
  private matching(prefix: string, shape: (qb: Knex.QueryBuilder) => void): Knex.QueryBuilder[] {
    const db = this.db;
    if (prefix === '') {
      const q = db('customers');
      shape(q);
      return [q];
    }
    return (['name_lower', 'email_lower', 'selfcare_login_lower'] as const).map((column) => {
      // MySQL would rather walk another index in order and test each row's e-mail or login; the
      // covering index reads only the matching range (see the search-index migration).
      const table =
        isMysql(db) && column !== 'name_lower'
          ? db.raw('?? force index (??)', ['customers', SEARCH_INDEX[column]])
          : 'customers';
      const q = db.from(table);
      if (isMysql(db)) q.whereRaw("?? like ? escape '!'", [column, `${prefix.replace(/[!%_]/g, '!$&')}%`]);
      else q.where(column, '>=', prefix).andWhere(column, '<', prefixUpperBound(prefix));
      shape(q);
      return q;
    });
  }

  async insert(input: NewCustomer, defaults: { timeZone: string; language: string }, trx?: Db): Promise<number> {
    const now = new Date();
    return insertRow(trx ?? this.db, 'customers', {
      ...basicsColumns(input),
      role_id: input.roleId,
      // MySQL gives TEXT columns no default
      trusted_ips: '',
      time_zone: defaults.timeZone,
      language: defaults.language,
      created_at: now,
      updated_at: now,
    });
  }

  /** Writes the basics if the version still matches; false when someone saved meanwhile. */
  async updateBasics(id: number, version: number, input: CustomerBasics, trx?: Db): Promise<boolean> {
    const count = await (trx ?? this.db)('customers')
      .where({ id, version })
      .update({ ...basicsColumns(input), version: version + 1, updated_at: new Date() });
    return Number(count) === 1;
  }

  /**
   * Writes the self-care settings if the version still matches; false when someone saved
   * meanwhile. A new password ends every open session of the customer (session epoch).
   */
  async updateSelfCare(id: number, version: number, input: SelfCareUpdate, trx?: Db): Promise<boolean> {
    const columns: Record<string, unknown> = {
      selfcare_login: input.selfcareLogin,
      selfcare_login_lower: input.selfcareLogin?.toLowerCase() ?? null,
      password_change_required: input.passwordChangeRequired,
      ip_restriction: input.ipRestriction,
      trusted_ips: input.trustedIps,
      two_factor_required: input.twoFactorRequired,
      role_id: input.roleId,
      time_zone: input.timeZone,
      language: input.language,
      out_date_format: input.outDateFormat,
      out_time_format: input.outTimeFormat,
      in_date_format: input.inDateFormat,
      in_time_format: input.inTimeFormat,
      version: version + 1,
      updated_at: new Date(),
    };
    const q = (trx ?? this.db)('customers').where({ id, version });
    if (input.passwordHash !== undefined) {
      columns.password_hash = input.passwordHash;
      q.increment('session_epoch', 1);
    }
    const count = await q.update(columns);
    return Number(count) === 1;
  }

  /**
   * A change the customer makes itself (portal, API). It is not held to an admin form's version
   * but moves it on, so an admin form opened before the change answers 409 instead of silently
   * overwriting it. `endSessions` also moves the session epoch (a new password ends the other
   * sessions). Returns the version and session epoch after the write.
   */
  async applySelfServiceChange(
    id: number,
    columns: SelfServiceColumns,
    opts: { endSessions?: boolean } = {},
    trx?: Db,
  ): Promise<{ version: number; sessionEpoch: number }> {
    const write = async (db: Db) => {
      const update: Record<string, unknown> = { ...columns, updated_at: new Date() };
      if (columns.email !== undefined) update.email_lower = columns.email.toLowerCase();
      const q = db('customers').where({ id }).update(update).increment('version', 1);
      if (opts.endSessions) void q.increment('session_epoch', 1);
      await q;
      // the row stays locked by this transaction's write, so the read sees exactly our version
      const row = (await db('customers').select('version', 'session_epoch').where({ id }).first()) as
        { version: unknown; session_epoch: unknown } | undefined;
      return { version: Number(row?.version ?? 0), sessionEpoch: Number(row?.session_epoch ?? 0) };
    };
    return trx ? write(trx) : this.db.transaction(write);
  }

  /** Customers with self-care credentials whose e-mail is `emailLower` (a forgotten-password request). */
  async findByEmail(emailLower: string, limit: number): Promise<CustomerRecord[]> {
    const rows = (await this.db('customers')
      .where({ email_lower: emailLower })
      .whereNotNull('selfcare_login')
      .orderBy('id')
      .limit(limit)) as Record<string, unknown>[];
    return rows.map(customerFromRow);
  }

  /** Moves the session epoch on: every portal and API session of the customer ends. */
  async endSessions(id: number): Promise<void> {
    await this.db('customers').where({ id }).increment('session_epoch', 1);
  }

  /** The time of a self-care sign-in; not a change of the customer, so the version stays. */
  async recordLogin(id: number): Promise<void> {
    await this.db('customers').where({ id }).update({ last_login_at: new Date() });
  }

  async activeTokenCount(customerId: number, now: Date = new Date()): Promise<number> {
    const row = await this.db('api_tokens')
      .where({ customer_id: customerId })
      .whereNull('revoked_at')
      .andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', now))
      .count({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  }

  async role(roleId: number, trx?: Db): Promise<{ id: number; name: string; type: string; isDefault: boolean } | null> {
    const row = (await (trx ?? this.db)('roles')
      .select('id', 'name', 'type', 'is_default')
      .where({ id: roleId })
      .first()) as Record<string, unknown> | undefined;
    return row
      ? { id: Number(row.id), name: String(row.name), type: String(row.type), isDefault: toBool(row.is_default) }
      : null;
  }

  /** One customer written whole (seeding); its id. */
  async insertImported(trx: Knex.Transaction, customer: ImportedCustomer): Promise<number> {
    return insertRow(trx, 'customers', importedColumns(customer));
  }

  /** Customers written whole (seeding): one multi-row INSERT per chunk, in the caller's transaction. */
  async insertManyImported(trx: Knex.Transaction, customers: readonly ImportedCustomer[]): Promise<void> {
    // SQLite gets a multi-row INSERT from Knex as a compound SELECT, at most 500 terms.
    const perStatement = isMysql(this.db) ? 1000 : 400;
    for (let i = 0; i < customers.length; i += perStatement)
      await trx('customers').insert(customers.slice(i, i + perStatement).map(importedColumns));
  }

  /** The highest customer id (0 with no customer). */
  async highestId(): Promise<number> {
    const row = (await this.db('customers').max({ top: 'id' }).first()) as { top: unknown } | undefined;
    return Number(row?.top ?? 0);
  }

  /** The ids of the customers holding these self-care logins (lowercase), by login. */
  async idsByLogin(trx: Knex.Transaction, loginsLower: readonly string[]): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (let i = 0; i < loginsLower.length; i += 500) {
      const rows = (await trx('customers')
        .select('id', 'selfcare_login_lower')
        .whereIn('selfcare_login_lower', loginsLower.slice(i, i + 500))) as {
        id: unknown;
        selfcare_login_lower: unknown;
      }[];
      // A login in the namespace belongs to one customer; should an older row still carry it, the newest wins.
      for (const row of rows)
        ids.set(
          String(row.selfcare_login_lower),
          Math.max(Number(row.id), ids.get(String(row.selfcare_login_lower)) ?? 0),
        );
    }
    return ids;
  }
}

function basicsColumns(input: CustomerBasics): Record<string, unknown> {
  return {
    name: input.name,
    name_lower: input.name.toLowerCase(),
    email: input.email,
    email_lower: input.email.toLowerCase(),
    currency: input.currency,
    credit_limit: input.creditLimit,
    company_name: input.companyName,
    contact_name: input.contactName,
    phone: input.phone,
    address_line1: input.addressLine1,
    address_line2: input.addressLine2,
    city: input.city,
    postal_code: input.postalCode,
    country: input.country,
  };
}

/** A customer as seeding writes it: every column an admin panel sets, the password as a hash. */
export interface ImportedCustomer extends NewCustomer {
  status: 'active' | 'suspended';
  balance: number;
  selfcareLogin: string | null;
  passwordHash: string | null;
  ipRestriction: boolean;
  /** canonical form (one entry per line, each ending in ";") */
  trustedIps: string;
  timeZone: string;
  language: string;
  outDateFormat: string;
  outTimeFormat: string;
  inDateFormat: string;
  inTimeFormat: string;
  createdAt: Date;
}

function importedColumns(c: ImportedCustomer): Record<string, unknown> {
  return {
    ...basicsColumns(c),
    status: c.status,
    balance: c.balance,
    role_id: c.roleId,
    selfcare_login: c.selfcareLogin,
    selfcare_login_lower: c.selfcareLogin?.toLowerCase() ?? null,
    password_hash: c.passwordHash,
    password_change_required: false,
    ip_restriction: c.ipRestriction,
    trusted_ips: c.trustedIps,
    time_zone: c.timeZone,
    language: c.language,
    out_date_format: c.outDateFormat,
    out_time_format: c.outTimeFormat,
    in_date_format: c.inDateFormat,
    in_time_format: c.inTimeFormat,
    created_at: c.createdAt,
    updated_at: c.createdAt,
  };
}
