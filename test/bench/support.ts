/**
 * What the benchmarks share: where the bench database lives, how the app is configured for them,
 * the bench admin, deterministic randomness and the printed tables.
 */
import { randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { loadConfig, type Config } from '../../src/config.ts';
import { createDb, isMysql } from '../../src/db/knex.ts';
import { hashPassword } from '../../src/access/passwords.ts';
import type { Deps } from '../../src/deps.ts';
import { createAdmin } from '../helpers/app.ts';

/** MySQL/MariaDB when BENCH_DATABASE_URL is set, else a SQLite file that outlives the run. */
export interface BenchBackend {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  label: string;
}

export function benchBackend(opts: { embedded?: boolean } = {}): BenchBackend {
  const databaseUrl = (!opts.embedded && process.env.BENCH_DATABASE_URL) || undefined;
  const redisUrl = (!opts.embedded && process.env.BENCH_REDIS_URL) || undefined;
  // Kept between runs (a temporary directory, not the app's ./data) so a rerun skips the fill.
  const dataDir = path.resolve(process.env.BENCH_DATA_DIR || path.join(tmpdir(), 'selfcare-bench'));
  const database = databaseUrl
    ? `MySQL ${new URL(databaseUrl).pathname.slice(1)}`
    : `SQLite ${path.join(dataDir, 'selfcare.sqlite')}`;
  return {
    databaseUrl,
    redisUrl,
    dataDir,
    label: `${database}, ${redisUrl ? `Redis ${redisUrl}` : 'in-process stores'}`,
  };
}

/**
 * The app's configuration for a benchmark. `production` runs it as deployed behind a TLS proxy
 * (template cache, Secure `__Host-` cookies, bcrypt cost 12); request logging is off either way
 * so the figures measure the app, not the terminal.
 */
export function benchConfig(backend: BenchBackend, opts: { production: boolean; redis: boolean }): Config {
  return loadConfig({
    NODE_ENV: opts.production ? 'production' : 'test',
    DATA_DIR: backend.dataDir,
    DATABASE_URL: backend.databaseUrl,
    REDIS_URL: opts.redis ? backend.redisUrl : undefined,
    SECRET_KEY: randomBytes(32).toString('hex'),
    TRUST_PROXY: opts.production ? 'loopback' : undefined,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn',
  });
}

export const BENCH_ADMIN_LOGIN = 'bench-admin';

/** The bench's admin with a fresh random password (created on the first run). */
export async function ensureBenchAdmin(deps: Deps): Promise<{ login: string; password: string }> {
  const password = randomBytes(18).toString('base64url');
  const existing = (await deps.db('admins').where({ login_lower: BENCH_ADMIN_LOGIN }).first()) as
    { id: number } | undefined;
  if (!existing) return createAdmin(deps, BENCH_ADMIN_LOGIN, password);
  await deps
    .db('admins')
    .where({ id: existing.id })
    .update({
      password_hash: await hashPassword(password, 4),
      password_change_required: false,
      updated_at: new Date(),
    });
  return { login: BENCH_ADMIN_LOGIN, password };
}

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentiles of durations in milliseconds. */
export function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { n: sorted.length, p50: rank(50), p95: rank(95), max: sorted[sorted.length - 1] ?? Number.NaN };
}

export const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

/** Columns padded to their widest cell; numbers would read better right-aligned, text left. */
export function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const numeric = (cell: string): boolean => /^[\d.,]+( ms| %)?$/.test(cell);
  for (const [index, row] of rows.entries()) {
    console.log(
      row
        .map((cell, column) =>
          index > 0 && numeric(cell) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    );
  }
}

/** The load of the machine right now, to read the figures against (2 cores: above 2 means queueing). */
export function machineLoad(): string {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  return `load average ${one}, ${five}, ${fifteen}`;
}

/** The benchmark's second population (customer search at 10,000 rows next to a million): its own database. */
export function smallerBackend(backend: BenchBackend, label: string): BenchBackend {
  const dataDir = path.join(backend.dataDir, label);
  if (!backend.databaseUrl)
    return { ...backend, dataDir, label: `SQLite ${path.join(dataDir, 'selfcare.sqlite')}, in-process stores` };
  const url = new URL(process.env.BENCH_SMALL_DATABASE_URL || backend.databaseUrl);
  if (!process.env.BENCH_SMALL_DATABASE_URL) url.pathname = `${url.pathname}_${label}`;
  return { ...backend, databaseUrl: url.toString(), dataDir, label: `MySQL ${url.pathname.slice(1)}` };
}

/** Creates the MySQL database of `backend` when it is missing, with the character set and collation of `like`'s. */
export async function ensureDatabase(backend: BenchBackend, like: Knex): Promise<void> {
  if (!backend.databaseUrl) return;
  const url = new URL(backend.databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/';
  const server = createDb({ databaseUrl: url.toString(), dataDir: backend.dataDir });
  try {
    const [[current]] = (await like.raw('SELECT @@character_set_database AS cs, @@collation_database AS co')) as [
      { cs: string; co: string }[],
    ];
    await server.raw(`CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET ${current!.cs} COLLATE ${current!.co}`, [name]);
  } finally {
    await server.destroy();
  }
}

export interface Measured {
  /** the first (cold) call */
  first: number;
  samples: number[];
}

/**
 * Times `run` per case: one cold call and one warm-up each, then `samples` rounds over all the
 * cases — every other round backwards — so that a load spike of the shared machine hits them all
 * alike. A call slower than `hopelessMs` is not repeated (one sample tells enough), and a case
 * that has spent `budgetMs` stops after `minSamples`.
 */
export async function measureRounds<T>(
  cases: readonly T[],
  run: (c: T) => Promise<unknown>,
  opts: { samples: number; hopelessMs?: number; budgetMs?: number; minSamples?: number },
): Promise<Map<T, Measured>> {
  const { samples, hopelessMs = 5_000, budgetMs = 10_000, minSamples = 5 } = opts;
  const results = new Map<T, Measured>();
  for (const c of cases) {
    const started = performance.now();
    await run(c);
    const first = performance.now() - started;
    results.set(c, { first, samples: first > hopelessMs ? [first] : [] });
    if (first <= hopelessMs) await run(c);
  }
  for (let round = 0; round < samples; round++) {
    for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
      const m = results.get(c)!;
      const spent = m.samples.reduce((a, b) => a + b, 0);
      if (m.first > hopelessMs || (spent > budgetMs && m.samples.length >= minSamples)) continue;
      const started = performance.now();
      await run(c);
      m.samples.push(performance.now() - started);
    }
  }
  return results;
}

/** A statement as the app sent it through Knex. */
export interface SentQuery {
  sql: string;
  bindings: readonly unknown[];
}

/** Every statement `run` sends through `db`, in order (Knex's query event). */
export async function queriesOf(db: Knex, run: () => Promise<unknown>): Promise<SentQuery[]> {
  const sent: SentQuery[] = [];
  const listen = (q: { sql: string; bindings?: readonly unknown[] }) =>
    void sent.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listen);
  try {
    await run();
  } finally {
    db.removeListener('query', listen);
  }
  return sent;
}

export interface PlanStep {
  /** one line of the plan, short */
  line: string;
  /** reads a whole table (MySQL access type ALL, SQLite SCAN without an index) */
  fullScan: boolean;
  /** sorts rows of a table instead of reading them in index order (filesort, temporary B-tree) */
  sorts: boolean;
}

/**
 * The database's plan for a statement: MySQL `EXPLAIN` (one row per table; derived tables, named
 * `<derivedN>`, are the few rows the statement itself put together and are not held against it),
 * SQLite `EXPLAIN QUERY PLAN` (a sort counts when it sits next to a table's SCAN or SEARCH).
 */
async function explain(db: Knex, query: SentQuery): Promise<PlanStep[]> {
  if (isMysql(db)) {
    const [rows] = (await db.raw(`EXPLAIN ${query.sql}`, query.bindings as Knex.RawBinding[])) as [
      Record<string, unknown>[],
    ];
    return rows.map((r) => {
      const table = String(r.table ?? '');
      const base = table !== '' && !table.startsWith('<');
      const extra = String(r.Extra ?? '');
      const key = r.key === null || r.key === undefined ? '' : ` ${String(r.key)}`;
      return {
        line: `${table || '-'}: ${String(r.type ?? '-')}${key}, ~${String(r.rows ?? '-')} rows${extra ? `; ${extra}` : ''}`,
        fullScan: base && r.type === 'ALL',
        sorts: base && extra.includes('filesort'),
      };
    });
  }
  const rows = (await db.raw(`EXPLAIN QUERY PLAN ${query.sql}`, query.bindings as Knex.RawBinding[])) as {
    id: number;
    parent: number;
    detail: string;
  }[];
  const tables = new Set(
    ((await db('sqlite_master').where({ type: 'table' }).pluck('name')) as string[]).map((n) => n.toLowerCase()),
  );
  const readsTable = (detail: string) => {
    const match = /^(?:SCAN|SEARCH) (\S+)/.exec(detail);
    return match !== null && tables.has(match[1]!.toLowerCase());
  };
  return rows.map((r) => ({
    line: r.detail,
    fullScan: readsTable(r.detail) && /^SCAN \S+( AS \S+)?$/.test(r.detail),
    sorts:
      r.detail.startsWith('USE TEMP B-TREE FOR') &&
      !r.detail.includes('DISTINCT') &&
      rows.some((o) => o.parent === r.parent && readsTable(o.detail)),
  }));
}

export interface StatementPlan {
  sql: string;
  steps: PlanStep[];
}

/** EXPLAIN of each distinct SELECT among `sent` (a page read through the service and then through HTTP sends some twice). */
export async function plansOf(db: Knex, sent: readonly SentQuery[]): Promise<StatementPlan[]> {
  const plans: StatementPlan[] = [];
  for (const query of sent) {
    if (!/^\s*select/i.test(query.sql) || plans.some((p) => p.sql === query.sql)) continue;
    plans.push({ sql: query.sql, steps: await explain(db, query) });
  }
  return plans;
}

/** A plan as printed: the start of the statement, then one line per step. */
export function describePlan(plan: StatementPlan): string {
  return `${plan.sql.replace(/\s+/g, ' ').slice(0, 100)}…\n      ${plan.steps.map((s) => s.line).join('\n      ')}`;
}

/** What the benchmarks hold against a plan: the steps that read a whole table or sort its rows. */
export function planProblems(plan: StatementPlan): string[] {
  const short = plan.sql.replace(/\s+/g, ' ').slice(0, 200);
  return plan.steps.filter((s) => s.fullScan || s.sorts).map((s) => `${s.line} in ${short}`);
}
