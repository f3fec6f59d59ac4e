import type { Knex } from 'knex';
import { isComponentKey, isLevel, type PermissionMap } from '../../access/permissions.ts';
import { insertedId, isMysql, toBool, toDate } from '../../db/knex.ts';

import type {
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

type SearchColumn = 'name_lower' | 'email_lower' | 'selfcare_login_lower';

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

  /** The customer and the explicit levels of its role in one round trip (a row per permission). */
  async findWithRolePermissions(
    id: number,
  ): Promise<{ customer: CustomerRecord; rolePermissions: PermissionMap } | null> {
    const rows = (await this.db('customers as c')
      .leftJoin('role_permissions as rp', 'rp.role_id', 'c.role_id')
      .where('c.id', id)
      .select('c.*', 'rp.component as rp_component', 'rp.level as rp_level')) as Record<string, unknown>[];
    const [first] = rows;
    if (!first) return null;
    const rolePermissions: PermissionMap = {};
    for (const row of rows)
      if (isComponentKey(row.rp_component) && isLevel(row.rp_level)) rolePermissions[row.rp_component] = row.rp_level;
    return { customer: customerFromRow(first), rolePermissions };
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

  async sortKey(id: number): Promise<{ nameLower: string; id: number } | null> {
    const row = (await this.db('customers').select('name_lower', 'id').where({ id }).first()) as
      { name_lower: string; id: number } | undefined;
    return row ? { nameLower: String(row.name_lower), id: Number(row.id) } : null;
  }

  /**
   * Customers whose name, e-mail or self-care login starts with `prefix` (lowercase), ordered by
   * (name, id), after the keyset `after`. Each column is searched on its own (name, id)-ordered
   * index range and the three short lists are merged, so a page never scans the whole table.
   */
  async search(
    prefix: string,
    after: { nameLower: string; id: number } | null,
    limit: number,
  ): Promise<CustomerListItem[]> {
    const db = this.db;
    // (name_lower, id) > after, written so that the first condition is an index range on both backends
    const keyset = (qb: Knex.QueryBuilder) => {
      if (after)
        qb.where('name_lower', '>=', after.nameLower).andWhere((w) =>
          w.where('name_lower', '>', after.nameLower).orWhere('id', '>', after.id),
        );
    };
    const matching = (qb: Knex.QueryBuilder, column: SearchColumn) => {
      if (prefix === '') return;
      if (isMysql(db)) qb.whereRaw("?? like ? escape '!'", [column, `${prefix.replace(/[!%_]/g, '!$&')}%`]);
      else qb.where(column, '>=', prefix).andWhere(column, '<', prefixUpperBound(prefix));
    };
    let ids: { id: number; name_lower: string }[];
    if (prefix === '') {
      const q = db('customers')
        .select('id', 'name_lower')
        .orderBy([{ column: 'name_lower' }, { column: 'id' }])
        .limit(limit);
      keyset(q);
      ids = await q;
    } else {
      const member = (column: SearchColumn, alias: string) => {
        // MySQL would rather walk the name index in order and test each row's e-mail or login;
        // the covering index reads only the matching range (see the search-index migration).
        const table =
          isMysql(db) && column !== 'name_lower'
            ? db.raw('?? force index (??)', ['customers', SEARCH_INDEX[column]])
            : 'customers';
        const inner = db
          .from(table)
          .select('id', 'name_lower')
          .orderBy([{ column: 'name_lower' }, { column: 'id' }])
          .limit(limit);
        matching(inner, column);
        keyset(inner);
        return db.select('id', 'name_lower').from(inner.as(alias));
      };
      const union = member('name_lower', 'by_name').union([
        member('email_lower', 'by_email'),
        member('selfcare_login_lower', 'by_login'),
      ]);
      ids = await db
        .select('id', 'name_lower')
        .from(union.as('matches'))
        .orderBy([{ column: 'name_lower' }, { column: 'id' }])
        .limit(limit);
    }
    if (ids.length === 0) return [];
    const rows = (await db('customers')
      .select('id', 'name', 'email', 'selfcare_login', 'currency', 'balance', 'status')
      .whereIn(
        'id',
        ids.map((r) => Number(r.id)),
      )) as Record<string, unknown>[];
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    return ids.flatMap((r) => {
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
        },
      ];
    });
  }

  async insert(input: NewCustomer, defaults: { timeZone: string; language: string }, trx?: Db): Promise<number> {
    const now = new Date();
    const result = await (trx ?? this.db)('customers').insert(
      {
        ...basicsColumns(input),
        role_id: input.roleId,
        // MySQL gives TEXT columns no default
        trusted_ips: '',
        time_zone: defaults.timeZone,
        language: defaults.language,
        created_at: now,
        updated_at: now,
      },
      ['id'],
    );
    return insertedId(result);
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
    return insertedId(await trx('customers').insert(importedColumns(customer)));
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
