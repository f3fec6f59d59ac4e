/**
 * What the benchmarks share: where the bench database lives, how the app is configured for them,
 * the bench admin, deterministic randomness and the printed tables.
 */
import { randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
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
