import type { Knex } from 'knex';
import { insertRow, isMysql, toBool, toDate } from '../../db/knex.ts';
import { REGIONAL_FIELDS, type RegionalSettings } from '../../regional/settings.ts';

type Db = Knex | Knex.Transaction;

export interface IndividualRow {
  id: number;
  customerId: number;
  login: string;
  name: string;
  email: string;
  roleId: number;
  roleName: string;
  hasPassword: boolean;
  passwordHash: string | null;
  passwordChangeRequired: boolean;
  activationAt: Date | null;
  expirationAt: Date | null;
  timeZone: string | null;
  language: string | null;
  outDateFormat: string | null;
  outTimeFormat: string | null;
  inDateFormat: string | null;
  inTimeFormat: string | null;
  ipRestriction: boolean;
  trustedIps: string;
  version: number;
  /** moves on when the password changes: every older session ends */
  sessionEpoch: number;
  createdAt: Date | null;
  updatedAt: Date | null;
  lastLoginAt: Date | null;
}

/** The customer's values an individual inherits, and its role (the cap of every individual). */
export interface CustomerDefaults extends RegionalSettings {
  id: number;
  name: string;
  roleId: number;
}

/** Columns an insert or update writes (snake_case, as stored). */
export interface IndividualColumns {
  login?: string;
  password_hash?: string | null;
  password_change_required?: boolean;
  name?: string;
  email?: string;
  role_id?: number;
  activation_at?: Date | null;
  expiration_at?: Date | null;
  time_zone?: string | null;
  language?: string | null;
  out_date_format?: string | null;
  out_time_format?: string | null;
  in_date_format?: string | null;
  in_time_format?: string | null;
  ip_restriction?: boolean;
  trusted_ips?: string;
}

const optional = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

function fromRow(row: Record<string, unknown>): IndividualRow {
  return {
    id: Number(row.id),
    customerId: Number(row.customer_id),
    login: String(row.login),
    name: String(row.name ?? ''),
    email: String(row.email ?? ''),
    roleId: Number(row.role_id),
    roleName: String(row.role_name ?? ''),
    hasPassword: row.password_hash !== null && row.password_hash !== undefined && row.password_hash !== '',
    passwordHash: optional(row.password_hash),
    passwordChangeRequired: toBool(row.password_change_required),
    activationAt: toDate(row.activation_at),
    expirationAt: toDate(row.expiration_at),
    timeZone: optional(row.time_zone),
    language: optional(row.language),
    outDateFormat: optional(row.out_date_format),
    outTimeFormat: optional(row.out_time_format),
    inDateFormat: optional(row.in_date_format),
    inTimeFormat: optional(row.in_time_format),
    ipRestriction: toBool(row.ip_restriction),
    trustedIps: String(row.trusted_ips ?? ''),
    version: Number(row.version),
    sessionEpoch: Number(row.session_epoch ?? 0),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    lastLoginAt: toDate(row.last_login_at),
  };
}

/** The only Knex code of the individuals feature. Every read is scoped to one customer. */
export class IndividualsRepo {
  constructor(private readonly db: Knex) {}

  private base(db: Db) {
    return db('individuals as i').join('roles as r', 'r.id', 'i.role_id').select('i.*', { role_name: 'r.name' });
  }

  async customer(customerId: number, trx?: Db): Promise<CustomerDefaults | null> {
    const row = (await (trx ?? this.db)('customers')
      .select('id', 'name', 'role_id', ...REGIONAL_FIELDS)
      .where({ id: customerId })
      .first()) as Record<string, unknown> | undefined;
    if (!row) return null;
    return {
      id: Number(row.id),
      name: String(row.name),
      roleId: Number(row.role_id),
      timeZone: String(row.time_zone),
      language: String(row.language),
      outDateFormat: String(row.out_date_format),
      outTimeFormat: String(row.out_time_format),
      inDateFormat: String(row.in_date_format),
      inTimeFormat: String(row.in_time_format),
    };
  }

  async list(
    customerId: number,
    page: { limit: number; afterLogin?: string; afterId?: number } = { limit: 1000 },
    trx?: Db,
  ): Promise<IndividualRow[]> {
    const q = this.base(trx ?? this.db)
      .where('i.customer_id', customerId)
      .orderBy([{ column: 'i.login_lower' }, { column: 'i.id' }])
      .limit(page.limit);
    if (page.afterLogin !== undefined && page.afterId !== undefined) {
      const { afterLogin, afterId } = page;
      void q.where((w) =>
        w
          .where('i.login_lower', '>', afterLogin)
          .orWhere((w2) => w2.where('i.login_lower', afterLogin).where('i.id', '>', afterId)),
      );
    }
    return ((await q) as Record<string, unknown>[]).map(fromRow);
  }

  async find(customerId: number, id: number, trx?: Db): Promise<IndividualRow | null> {
    const row = (await this.base(trx ?? this.db)
      .where({ 'i.id': id, 'i.customer_id': customerId })
      .first()) as Record<string, unknown> | undefined;
    return row ? fromRow(row) : null;
  }

  /** An individual by id alone: the sign-in lookup and the portal session, which carry no customer scope yet. */
  async findById(id: number): Promise<IndividualRow | null> {
    const row = (await this.base(this.db).where({ 'i.id': id }).first()) as Record<string, unknown> | undefined;
    return row ? fromRow(row) : null;
  }

  /**
   * Individuals whose e-mail is `email`, ignoring case (a forgotten-password request). MySQL's
   * case-insensitive collation and SQLite's NOCASE index both answer from the e-mail index.
   */
  async findByEmail(email: string, limit: number): Promise<IndividualRow[]> {
    const q = this.base(this.db).orderBy('i.id').limit(limit);
    if (isMysql(this.db)) void q.where('i.email', email);
    else void q.whereRaw('i.email = ? collate nocase', [email]);
    const rows = ((await q) as Record<string, unknown>[]).map(fromRow);
    return rows.filter((row) => row.email.toLowerCase() === email.toLowerCase());
  }

  /** The individual's own new password: clears "must change" and ends every other session. */
  async setOwnPassword(id: number, passwordHash: string): Promise<{ sessionEpoch: number }> {
    return this.db.transaction(async (trx) => {
      await trx('individuals')
        .where({ id })
        .update({ password_hash: passwordHash, password_change_required: false, updated_at: new Date() })
        .increment('session_epoch', 1);
      const row = await trx('individuals').select('session_epoch').where({ id }).first();
      return { sessionEpoch: Number(row?.session_epoch ?? 0) };
    });
  }

  /** Moves the session epoch on: every open portal session of the individual ends. */
  async endSessions(customerId: number, id: number): Promise<void> {
    await this.db('individuals').where({ id, customer_id: customerId }).increment('session_epoch', 1);
  }

  async recordLogin(id: number): Promise<void> {
    await this.db('individuals').where({ id }).update({ last_login_at: new Date() });
  }

  /** The individual's own regional settings; null means "inherit the customer's". */
  async updateOwnRegional(
    id: number,
    values: Pick<
      IndividualColumns,
      'time_zone' | 'language' | 'out_date_format' | 'out_time_format' | 'in_date_format' | 'in_time_format'
    >,
  ): Promise<void> {
    await this.db('individuals')
      .where({ id })
      .update({ ...values, updated_at: new Date() })
      .increment('version', 1);
  }

  async insert(trx: Knex.Transaction, customerId: number, cols: IndividualColumns): Promise<number> {
    const now = new Date();
    const login = cols.login ?? '';
    return await insertRow(trx, 'individuals', {
      ...cols,
      customer_id: customerId,
      login,
      login_lower: login.toLowerCase(),
      created_at: now,
      updated_at: now,
    });
  }

  /** Updates and bumps the version; `endSessions` also moves the session epoch (sessions end). */
  async update(
    trx: Knex.Transaction,
    customerId: number,
    id: number,
    cols: IndividualColumns,
    endSessions: boolean,
  ): Promise<void> {
    const update: Record<string, unknown> = { ...cols, updated_at: new Date() };
    if (cols.login !== undefined) update.login_lower = cols.login.toLowerCase();
    await trx('individuals')
      .where({ id, customer_id: customerId })
      .update(update)
      .increment(endSessions ? { version: 1, session_epoch: 1 } : { version: 1 });
  }

  /** Deletes the individual and its two-factor seed and recovery codes (kept by account, not by key). */
  async delete(trx: Knex.Transaction, customerId: number, id: number): Promise<void> {
    await trx('individuals').where({ id, customer_id: customerId }).del();
    await trx('two_factor_secrets').where({ account_type: 'individual', account_id: id }).del();
    await trx('two_factor_recovery_codes').where({ account_type: 'individual', account_id: id }).del();
  }
}
