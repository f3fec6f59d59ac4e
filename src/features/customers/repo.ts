import type { Knex } from 'knex';
import type { PermissionMap } from '../../access/permissions.ts';
import { insertRow, isMysql, toBool, toDate } from '../../db/knex.ts';
import { regionalValuesOf, type RegionalSettings } from '../../regional/settings.ts';
import { prepared, type Prepared } from '../../db/prepared.ts';
import { rolePermissionsColumn, rolePermissionsOf } from '../../db/role-permissions.ts';
import {
  addSearchKeys,
  isKeyPrefix,
  rebuildSearchKeys,
  SEARCH_KEY_INDEX,
  searchKeysMissing,
  SORT_COLUMNS,
  syncSearchKeys,
} from './search-keys.ts';

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

/** Where a page starts: the sort value and id of the row next to it. */
export interface ListCursor {
  value: unknown;
  id: number;
}

/** A customer of a list page and its keyset position. */
export interface ListedCustomer {
  item: CustomerListItem;
  key: ListCursor;
}

export interface ListQuery {
  prefix: string;
  sort: CustomerSort;
  dir: 'asc' | 'desc';
  from: ListCursor | null;
  /** read the rows before `from` (the previous page, or the last page without `from`) */
  backward: boolean;
}

/** The one sort column that can be NULL. */
const NULLABLE_SORT_COLUMN = SORT_COLUMNS.login;

/**
 * Only rows after `key` in (column, id) order, ascending or descending. A NULL sorts first going
 * up and last going down on both MySQL and SQLite (only the login can be NULL: for the other
 * columns no "or NULL" is added, which would keep SQLite from reading a range). The first
 * condition is a range on the (column, id) index.
 */
function afterKey(qb: Knex.QueryBuilder, column: string, ascending: boolean, key: ListCursor, idColumn: string): void {
  const { id } = key;
  const value = key.value as Knex.Value;
  if (ascending) {
    if (value === null)
      qb.where((w) => w.where((n) => n.whereNull(column).andWhere(idColumn, '>', id)).orWhereNotNull(column));
    else qb.where(column, '>=', value).andWhere((w) => w.where(column, '>', value).orWhere(idColumn, '>', id));
  } else if (value === null) {
    qb.whereNull(column).andWhere(idColumn, '<', id);
  } else {
    const before = (r: Knex.QueryBuilder) =>
      r.where(column, '<=', value).andWhere((x) => x.where(column, '<', value).orWhere(idColumn, '<', id));
    if (column === NULLABLE_SORT_COLUMN) qb.where((w) => w.where(before).orWhereNull(column));
    else qb.where(before);
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
  /** every portal request's customer and role levels: built once */
  private readonly withRolePermissions: Prepared;

  constructor(private readonly db: Knex) {
    this.withRolePermissions = prepared(db, (param) =>
      db('customers as c').where('c.id', param(0)).select('c.*', rolePermissionsColumn(db, 'c.role_id')).first(),
    );
  }

  async findById(id: number, trx?: Db): Promise<CustomerRecord | null> {
    const row = (await (trx ?? this.db)('customers').where({ id }).first()) as Record<string, unknown> | undefined;
    return row ? customerFromRow(row) : null;
  }

  /** The customer and the explicit levels of its role, in one row. */
  async findWithRolePermissions(
    id: number,
  ): Promise<{ customer: CustomerRecord; rolePermissions: PermissionMap } | null> {
    const [row] = await this.withRolePermissions.rows([id]);
    return row ? { customer: customerFromRow(row), rolePermissions: rolePermissionsOf(row) } : null;
  }

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
   * reverse order). A short prefix reads one range of its search key; a longer one reads each
   * searched column on its own index range and merges the three short lists. A page never scans
   * the whole table.
   */
  async list(query: ListQuery, limit: number): Promise<ListedCustomer[]> {
    const db = this.db;
    const column = SORT_COLUMNS[query.sort];
    const ascending = (query.dir === 'asc') !== query.backward;
    const order = ascending ? 'asc' : 'desc';
    const members = this.matching(query.prefix, query.sort, (qb, idColumn) => {
      qb.select(`${idColumn} as id`, `${column} as sort_value`)
        .orderBy([
          { column, order },
          { column: idColumn, order },
        ])
        .limit(limit);
      if (query.from) afterKey(qb, column, ascending, query.from, idColumn);
    });
    // Each member keeps its own order and limit inside a derived table (MySQL needs that for a union).
    const wrapped = members.map((m, i) => db.select('id', 'sort_value').from(m.as(`m${i}`)));
    const page =
      members.length === 1
        ? members[0]!
        : db
            .select('id', 'sort_value')
            .from(wrapped[0]!.union(wrapped.slice(1)).as('matches'))
            .orderBy([
              { column: 'sort_value', order },
              { column: 'id', order },
            ])
            .limit(limit);
    // The page's few ids, then their rows by primary key: one statement.
    const rows = (await db
      .from(page.as('page'))
      .join('customers as c', 'c.id', 'page.id')
      .select('c.id', 'c.name', 'c.email', 'c.selfcare_login', 'c.currency', 'c.balance', 'c.status', 'c.created_at')
      .select('page.sort_value')
      .orderBy([
        { column: 'page.sort_value', order },
        { column: 'page.id', order },
      ])) as Record<string, unknown>[];
    const listed = rows.map((row) => ({
      item: {
        id: Number(row.id),
        name: String(row.name),
        email: String(row.email ?? ''),
        selfcareLogin: row.selfcare_login ? String(row.selfcare_login) : null,
        currency: String(row.currency),
        balance: Number(row.balance ?? 0),
        status: String(row.status),
        createdAt: toDate(row.created_at) ?? new Date(0),
      },
      key: { value: row.sort_value ?? null, id: Number(row.id) },
    }));
    return query.backward ? listed.reverse() : listed;
  }

  /**
   * How many customers match (and, with `before`, how many of them come before that key in the
   * list's order), counting no further than `cap` + 1 so that a million rows cost no more than
   * `cap` index entries.
   */
  async count(query: Pick<ListQuery, 'prefix' | 'sort' | 'dir'> & { before?: ListCursor }, cap: number) {
    const db = this.db;
    const column = SORT_COLUMNS[query.sort];
    const members = this.matching(query.prefix, query.sort, (qb, idColumn) => {
      qb.select(`${idColumn} as id`).limit(cap + 1);
      if (query.before) afterKey(qb, column, query.dir !== 'asc', query.before, idColumn);
    });
    const wrapped = members.map((m, i) => db.select('id').from(m.as(`c${i}`)));
    const source = members.length === 1 ? members[0]! : wrapped[0]!.union(wrapped.slice(1));
    const row = (await db.from(source.as('counted')).count({ n: '*' }).first()) as { n: unknown } | undefined;
    return Math.min(Number(row?.n ?? 0), cap + 1);
  }

  /**
   * The queries that find the matches, each shaped by `shape` (given the column that holds the
   * customer's id): one for no prefix, one on the search keys for a short prefix, else one per
   * searched column (name, e-mail, login).
   */
  private matching(
    prefix: string,
    sort: CustomerSort,
    shape: (qb: Knex.QueryBuilder, idColumn: string) => void,
  ): Knex.QueryBuilder[] {
    const db = this.db;
    if (prefix === '') {
      const q = db('customers');
      shape(q, 'id');
      return [q];
    }
    if (isKeyPrefix(prefix)) {
      // MySQL may take the primary key's range of a few rows' estimate and sort; the sort's index
      // reads the page in order.
      const table = isMysql(db)
        ? db.raw('?? force index (??)', ['customer_search_keys', SEARCH_KEY_INDEX[sort]])
        : 'customer_search_keys';
      const q = db.from(table).where('search_key', prefix);
      shape(q, 'customer_id');
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
      shape(q, 'id');
      return q;
    });
  }

  /** Brings one customer's search keys in step with its row, in the transaction that wrote it. */
  syncSearchKeys(trx: Knex.Transaction, id: number): Promise<void> {
    return syncSearchKeys(trx, id);
  }

  async insert(
    input: NewCustomer,
    defaults: { timeZone: string; language: string },
    trx: Knex.Transaction,
  ): Promise<number> {
    const now = new Date();
    const id = await insertRow(trx, 'customers', {
      ...basicsColumns(input),
      role_id: input.roleId,
      // MySQL gives TEXT columns no default
      trusted_ips: '',
      time_zone: defaults.timeZone,
      language: defaults.language,
      created_at: now,
      updated_at: now,
    });
    await this.syncSearchKeys(trx, id);
    return id;
  }

  /** Writes the basics if the version still matches; false when someone saved meanwhile. */
  async updateBasics(id: number, version: number, input: CustomerBasics, trx: Knex.Transaction): Promise<boolean> {
    const count = await trx('customers')
      .where({ id, version })
      .update({ ...basicsColumns(input), version: version + 1, updated_at: new Date() });
    if (Number(count) !== 1) return false;
    await this.syncSearchKeys(trx, id);
    return true;
  }

  /**
   * Writes the self-care settings if the version still matches; false when someone saved
   * meanwhile. A new password ends every open session of the customer (session epoch).
   */
  async updateSelfCare(id: number, version: number, input: SelfCareUpdate, trx: Knex.Transaction): Promise<boolean> {
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
    const q = trx('customers').where({ id, version });
    if (input.passwordHash !== undefined) {
      columns.password_hash = input.passwordHash;
      q.increment('session_epoch', 1);
    }
    const count = await q.update(columns);
    if (Number(count) !== 1) return false;
    await this.syncSearchKeys(trx, id);
    return true;
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
    trx?: Knex.Transaction,
  ): Promise<{ version: number; sessionEpoch: number }> {
    const write = async (db: Knex.Transaction) => {
      const update: Record<string, unknown> = { ...columns, updated_at: new Date() };
      if (columns.email !== undefined) update.email_lower = columns.email.toLowerCase();
      const q = db('customers').where({ id }).update(update).increment('version', 1);
      if (opts.endSessions) void q.increment('session_epoch', 1);
      await q;
      if (columns.email !== undefined) await this.syncSearchKeys(db, id);
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
    const id = await insertRow(trx, 'customers', importedColumns(customer));
    await this.syncSearchKeys(trx, id);
    return id;
  }

  /**
   * Customers written whole (seeding): one multi-row INSERT per chunk, in the caller's transaction,
   * then their search keys in one INSERT … SELECT (unless a rebuild of them all follows the load).
   */
  async insertManyImported(
    trx: Knex.Transaction,
    customers: readonly ImportedCustomer[],
    opts: { searchKeys: boolean },
  ): Promise<void> {
    const before = await this.highestId(trx);
    // SQLite gets a multi-row INSERT from Knex as a compound SELECT, at most 500 terms.
    const perStatement = isMysql(this.db) ? 1000 : 400;
    for (let i = 0; i < customers.length; i += perStatement)
      await trx('customers').insert(customers.slice(i, i + perStatement).map(importedColumns));
    if (opts.searchKeys) await addSearchKeys(trx, before);
  }

  /** Every customer's search keys built anew (after a bulk load that skipped them). */
  rebuildSearchKeys(onProgress?: (done: number, total: number) => void): Promise<void> {
    return rebuildSearchKeys(this.db, onProgress);
  }

  /** Whether some customer has no search keys (a bulk load stopped before it rebuilt them). */
  searchKeysMissing(): Promise<boolean> {
    return searchKeysMissing(this.db);
  }

  /** The highest customer id (0 with no customer). */
  async highestId(trx?: Db): Promise<number> {
    const row = (await (trx ?? this.db)('customers').max({ top: 'id' }).first()) as { top: unknown } | undefined;
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
export interface ImportedCustomer extends NewCustomer, RegionalSettings {
  status: 'active' | 'suspended';
  balance: number;
  selfcareLogin: string | null;
  passwordHash: string | null;
  ipRestriction: boolean;
  /** canonical form (one entry per line, each ending in ";") */
  trustedIps: string;
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
    ...regionalValuesOf(c),
    created_at: c.createdAt,
    updated_at: c.createdAt,
  };
}
