import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import type { Config } from '../config.ts';

export type { Knex };

const here = path.dirname(fileURLToPath(import.meta.url));
/** migrations/ next to src/: the sources under tsx and vitest, dist/migrations/ for dist/src/db/knex.js. */
export const MIGRATIONS_DIR = path.resolve(here, '../../migrations');

/** Fail closed quickly: never wait long for a connection the server will not give. */
const ACQUIRE_TIMEOUT_MS = 2000;

type DbSettings = Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'databasePoolMax'>>;

export function knexConfig(config: DbSettings): Knex.Config {
  const migrations = { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'], tableName: 'knex_migrations' };
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    return {
      client: 'mysql2',
      connection: {
        host: url.hostname,
        port: url.port ? Number(url.port) : 3306,
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: decodeURIComponent(url.pathname.slice(1)),
        charset: 'utf8mb4',
        timezone: 'Z',
        decimalNumbers: true,
        connectTimeout: ACQUIRE_TIMEOUT_MS,
      },
      pool: { min: 0, max: config.databasePoolMax ?? 10 },
      acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
      migrations,
    };
  }
  mkdirSync(config.dataDir, { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename: path.join(config.dataDir, 'selfcare.sqlite') },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 2000');
        done(null, conn);
      },
    },
    acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
    migrations,
  };
}

export function createDb(config: DbSettings): Knex {
  return knexFactory(knexConfig(config));
}

export function isMysql(db: Knex): boolean {
  return db.client.config.client === 'mysql2';
}

const DEADLOCK_ATTEMPTS = 6;

/** MySQL chose this transaction as a deadlock's victim (ER_LOCK_DEADLOCK): it was rolled back whole. */
function isDeadlock(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ER_LOCK_DEADLOCK';
}

/**
 * A transaction that MySQL may roll back as a deadlock's victim when others write the same rows
 * at the same moment (InnoDB's gap locks): it is run again after a short random pause, up to six
 * times, since nothing of it was kept. Any other error, or a sixth deadlock, goes to the caller.
 */
export async function transactionRetried<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction(work);
    } catch (err) {
      if (!isDeadlock(err) || attempt >= DEADLOCK_ATTEMPTS) throw err;
      // a random pause, longer each time, so the transactions that collided do not meet again
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** A DATE column's value as `YYYY-MM-DD` (mysql2 answers a Date at UTC midnight, SQLite the text). */
export function toIsoDate(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value ?? '').slice(0, 10);
}

/** Timestamps come back as Date (MySQL) or epoch milliseconds (SQLite); the program uses Date. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') {
    const d = /^\d+$/.test(value)
      ? new Date(Number(value))
      : new Date(value.includes('T') || value.endsWith('Z') ? value : value.replace(' ', 'T') + 'Z');
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/**
 * Inserts one row and answers its new id. MySQL reports the id of an insert; SQLite needs
 * RETURNING, which MySQL does not know (Knex warns on every such insert there).
 */
export async function insertRow(db: Knex, table: string, row: Record<string, unknown>): Promise<number> {
  const query = db(table);
  return insertedId(await (isMysql(db) ? query.insert(row) : query.insert(row, ['id'])));
}

/** The id an insert returned, on either backend. */
function insertedId(result: unknown): number {
  const first = Array.isArray(result) ? result[0] : result;
  const id = typeof first === 'object' && first !== null && 'id' in first ? (first as { id: unknown }).id : first;
  return Number(id);
}
