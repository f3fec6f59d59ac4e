import type { Knex } from 'knex';
import { insertRow, toBool, toDate } from '../../db/knex.ts';

type Db = Knex | Knex.Transaction;

export type AdminStatus = 'active' | 'disabled';

export interface AdminRow {
  id: number;
  login: string;
  name: string;
  email: string;
  passwordHash: string;
  sessionEpoch: number;
  passwordChangeRequired: boolean;
  status: AdminStatus;
  adminRoleId: number;
  roleName: string;
  version: number;
  createdAt: Date;
  lastLoginAt: Date | null;
}

function fromRow(row: Record<string, unknown>): AdminRow {
  return {
    id: Number(row.id),
    login: String(row.login),
    name: String(row.name ?? ''),
    email: String(row.email ?? ''),
    passwordHash: String(row.password_hash),
    sessionEpoch: Number(row.session_epoch),
    passwordChangeRequired: toBool(row.password_change_required),
    status: row.status === 'disabled' ? 'disabled' : 'active',
    adminRoleId: Number(row.admin_role_id ?? 0),
    roleName: String(row.role_name ?? ''),
    version: Number(row.version ?? 0),
    createdAt: toDate(row.created_at) ?? new Date(0),
    lastLoginAt: toDate(row.last_login_at),
  };
}

export interface NewAdmin {
  login: string;
  name: string;
  email: string;
  passwordHash: string;
  passwordChangeRequired: boolean;
  adminRoleId: number;
  status: AdminStatus;
}

export interface AdminUpdate {
  login: string;
  name: string;
  email: string;
  /** only when the password changes (which also ends the admin's sessions) */
  passwordHash?: string;
  passwordChangeRequired: boolean;
  adminRoleId: number;
  status: AdminStatus;
  /** move the session epoch on: every session of the admin ends */
  endSessions: boolean;
}

export class AdminRepo {
  constructor(private readonly db: Knex) {}

  private select(db: Db) {
    return db('admins as a')
      .leftJoin('admin_roles as r', 'r.id', 'a.admin_role_id')
      .select('a.*', 'r.name as role_name');
  }

  async findByLogin(login: string): Promise<AdminRow | null> {
    const row = (await this.select(this.db).where({ 'a.login_lower': login.trim().toLowerCase() }).first()) as
      Record<string, unknown> | undefined;
    return row ? fromRow(row) : null;
  }

  async findById(id: number, trx?: Db): Promise<AdminRow | null> {
    const row = (await this.select(trx ?? this.db)
      .where({ 'a.id': id })
      .first()) as Record<string, unknown> | undefined;
    return row ? fromRow(row) : null;
  }

  /** Admins whose login or name starts with `q`, by login, after the keyset `after` (a login). */
  async search(q: string, after: string | null, limit: number): Promise<AdminRow[]> {
    const query = this.select(this.db).orderBy('a.login_lower').limit(limit);
    if (q !== '') {
      const pattern = `${q.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
      query.where((w) =>
        w
          .whereRaw("a.login_lower like ? escape '!'", [pattern])
          .orWhereRaw("lower(a.name) like ? escape '!'", [pattern]),
      );
    }
    if (after !== null) query.where('a.login_lower', '>', after);
    return ((await query) as Record<string, unknown>[]).map(fromRow);
  }

  async insert(input: NewAdmin, trx?: Db): Promise<number> {
    const now = new Date();
    return insertRow(trx ?? this.db, 'admins', {
      login: input.login,
      login_lower: input.login.toLowerCase(),
      password_hash: input.passwordHash,
      name: input.name,
      email: input.email,
      password_change_required: input.passwordChangeRequired,
      admin_role_id: input.adminRoleId,
      status: input.status,
      created_at: now,
      updated_at: now,
    });
  }

  /** Writes the admin form if the version still matches; false when someone saved meanwhile. */
  async update(id: number, version: number, input: AdminUpdate, trx: Db): Promise<boolean> {
    const columns: Record<string, unknown> = {
      login: input.login,
      login_lower: input.login.toLowerCase(),
      name: input.name,
      email: input.email,
      password_change_required: input.passwordChangeRequired,
      admin_role_id: input.adminRoleId,
      status: input.status,
      version: version + 1,
      updated_at: new Date(),
    };
    if (input.passwordHash !== undefined) columns.password_hash = input.passwordHash;
    const q = trx('admins').where({ id, version });
    if (input.endSessions || input.passwordHash !== undefined) void q.increment('session_epoch', 1);
    return Number(await q.update(columns)) === 1;
  }

  /** The admin's own new password: "must change" cleared, every session ended; the new epoch. */
  async setOwnPassword(id: number, passwordHash: string): Promise<number> {
    return this.db.transaction(async (trx) => {
      await trx('admins')
        .where({ id })
        .update({ password_hash: passwordHash, password_change_required: false, updated_at: new Date() })
        .increment('session_epoch', 1);
      const row = (await trx('admins').select('session_epoch').where({ id }).first()) as { session_epoch: unknown };
      return Number(row.session_epoch);
    });
  }

  async recordLogin(id: number): Promise<void> {
    await this.db('admins').where({ id }).update({ last_login_at: new Date() });
  }

  async count(): Promise<number> {
    const row = await this.db('admins').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
