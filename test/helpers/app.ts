import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildDeps, type Deps } from '../../src/deps.ts';
import { migrateLatest, rollbackAll } from '../../src/db/migrate.ts';
import { insertRow, isMysql } from '../../src/db/knex.ts';
import { hashPassword } from '../../src/access/passwords.ts';
import { capturingLogger, keepOutbox, recordPasswords } from './secrets.ts';

recordPasswords();

export const TEST_SECRET = 'test-secret-key-0123456789abcdef0123456789abcdef';

export interface TestApp {
  app: Express;
  deps: Deps;
  config: Config;
  close(): Promise<void>;
}

/** Tables in an order that respects foreign keys when emptied from first to last. */
const TABLES = [
  'password_reset_links',
  'sign_in_alerts',
  'two_factor_recovery_codes',
  'two_factor_secrets',
  'audit_events',
  'payments',
  'xdrs',
  'invoices',
  'api_tokens',
  'selfcare_logins',
  'individuals',
  'customer_allowed_roles',
  'customer_search_keys',
  'customers',
  'role_permissions',
  'roles',
  'admins',
];

export async function resetDatabase(db: Knex): Promise<void> {
  await resetTables(db);
  // An empty audit trail starts a new chain.
  await db('audit_chain_head')
    .where({ id: 1 })
    .update({ last_id: 0, last_digest: '0'.repeat(64) });
}

async function resetTables(db: Knex): Promise<void> {
  if (isMysql(db)) {
    await db.raw('SET FOREIGN_KEY_CHECKS=0');
    for (const table of TABLES) await db.raw('TRUNCATE TABLE ??', [table]);
    await db.raw('SET FOREIGN_KEY_CHECKS=1');
  } else {
    for (const table of TABLES) await db(table).del();
  }
  // The built-in Administrator role (seeded by the migration) stays as the migration left it;
  // roles made by tests go.
  const builtin = db('admin_roles').where({ is_builtin: true }).select('id');
  await db('admin_role_permissions').whereNotIn('admin_role_id', builtin).del();
  await db('admin_roles').where({ is_builtin: false }).del();
  await db('admin_roles')
    .where({ is_builtin: true })
    .update({ name: 'Administrator', name_lower: 'administrator', require_two_factor: false });
}

/** The id of the built-in Administrator role. */
export function administratorRoleId(deps: Deps): Promise<number> {
  return deps.services.adminRoles.builtinId();
}

/**
 * The real app on the backend the environment names: MySQL + Redis when DATABASE_URL and
 * REDIS_URL are set (CI's second run), the embedded default otherwise. Each call starts from an
 * empty database and an empty store (`freshInstall`: the database as `migrate` leaves it, with
 * the rows the migrations provide).
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
  opts: { freshInstall?: boolean } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'selfcare-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    SECRET_KEY: TEST_SECRET,
    BCRYPT_COST: '4',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const logger = capturingLogger();
  const deps = await buildDeps(config, logger ? { logger } : {});
  if (opts.freshInstall) {
    // Exactly what `migrate` leaves on an empty database: every migration run from the start.
    await rollbackAll(deps.db);
    await migrateLatest(deps.db);
  } else {
    await migrateLatest(deps.db);
    await resetDatabase(deps.db);
  }
  if (deps.redis) await deps.redis.flushDb();
  return {
    app: createApp(deps),
    deps,
    config,
    async close() {
      await deps.close();
      keepOutbox(dataDir);
    },
  };
}

/** An admin written straight to the database, with the built-in Administrator role unless told otherwise. */
export async function createAdmin(
  deps: Deps,
  login = 'operator',
  password = 'correct horse battery',
  opts: { roleId?: number; status?: 'active' | 'disabled' } = {},
): Promise<{ id: number; login: string; password: string }> {
  const now = new Date();
  const id = await insertRow(deps.db, 'admins', {
    login,
    login_lower: login.toLowerCase(),
    password_hash: await hashPassword(password, 4),
    name: login,
    admin_role_id: opts.roleId ?? (await administratorRoleId(deps)),
    status: opts.status ?? 'active',
    created_at: now,
    updated_at: now,
  });
  return { id, login, password };
}

/** The CSRF token of the first form on a page, as a browser would submit it. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in the page');
  return match[1];
}

export async function signInAdmin(
  app: Express,
  login: string,
  password: string,
): Promise<{ agent: ReturnType<typeof request.agent>; csrf: string }> {
  const agent = request.agent(app);
  const page = await agent.get('/admin/login');
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), login, password });
  if (res.status !== 303) throw new Error(`admin sign-in failed with ${res.status}`);
  const home = await agent.get('/admin');
  return { agent, csrf: csrfFrom(home.text) };
}
