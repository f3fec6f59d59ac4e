import type { Knex } from 'knex';
import { insertedId, toBool } from '../../db/knex.ts';

export interface AdminRow {
  id: number;
  login: string;
  name: string;
  passwordHash: string;
  sessionEpoch: number;
  passwordChangeRequired: boolean;
}

function fromRow(row: Record<string, unknown>): AdminRow {
  return {
    id: Number(row.id),
    login: String(row.login),
    name: String(row.name ?? ''),
    passwordHash: String(row.password_hash),
    sessionEpoch: Number(row.session_epoch),
    passwordChangeRequired: toBool(row.password_change_required),
  };
}

export class AdminRepo {
  constructor(private readonly db: Knex) {}

  async findByLogin(login: string): Promise<AdminRow | null> {
    const row = await this.db('admins').where({ login_lower: login.trim().toLowerCase() }).first();
    return row ? fromRow(row) : null;
  }

  async findById(id: number): Promise<AdminRow | null> {
    const row = await this.db('admins').where({ id }).first();
    return row ? fromRow(row) : null;
  }

  async create(input: { login: string; passwordHash: string; name?: string }): Promise<number> {
    const now = new Date();
    const result = await this.db('admins').insert({
      login: input.login,
      login_lower: input.login.toLowerCase(),
      password_hash: input.passwordHash,
      name: input.name ?? input.login,
      created_at: now,
      updated_at: now,
    });
    return insertedId(result);
  }

  async setPassword(id: number, passwordHash: string): Promise<void> {
    await this.db('admins')
      .where({ id })
      .update({ password_hash: passwordHash, updated_at: new Date() })
      .increment('session_epoch', 1);
  }

  async recordLogin(id: number): Promise<void> {
    await this.db('admins').where({ id }).update({ last_login_at: new Date() });
  }

  async count(): Promise<number> {
    const row = await this.db('admins').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async createWithEmail(input: { login: string; passwordHash: string; name: string; email: string }): Promise<number> {
    const now = new Date();
    const result = await this.db('admins').insert({
      login: input.login,
      login_lower: input.login.toLowerCase(),
      password_hash: input.passwordHash,
      name: input.name,
      email: input.email,
      created_at: now,
      updated_at: now,
    });
    return insertedId(result);
  }
}
