import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, isMysql, type Knex } from '../../src/db/knex.ts';
import { migrateLatest, rollbackAll } from '../../src/db/migrate.ts';

const TABLES = [
  'admins',
  'admin_roles',
  'admin_role_permissions',
  'two_factor_secrets',
  'two_factor_recovery_codes',
  'roles',
  'role_permissions',
  'customers',
  'customer_allowed_roles',
  'customer_search_keys',
  'individuals',
  'selfcare_logins',
  'api_tokens',
  'audit_events',
  'invoices',
  'xdrs',
  'payments',
  'password_reset_links',
  'sign_in_alerts',
];

let db: Knex;
beforeAll(() => {
  db = createDb({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: mkdtempSync(path.join(tmpdir(), 'selfcare-migrate-')),
  });
});
afterAll(async () => {
  // Leave the schema in place for the other test files of this run.
  await migrateLatest(db);
  await db.destroy();
});

describe('migrations', () => {
  it('run latest, roll everything back, and run latest again', async () => {
    await migrateLatest(db);
    for (const table of TABLES) expect(await db.schema.hasTable(table), table).toBe(true);
    const rolledBack = await rollbackAll(db);
    expect(rolledBack.length).toBeGreaterThan(0);
    for (const table of TABLES) expect(await db.schema.hasTable(table), table).toBe(false);
    await migrateLatest(db);
    for (const table of TABLES) expect(await db.schema.hasTable(table), table).toBe(true);
  });

  it('refuse a second self-care login that differs only in letter case', async () => {
    await migrateLatest(db);
    await db('selfcare_logins').where({ login_lower: 'case-test' }).del();
    await db('selfcare_logins').insert({ login_lower: 'case-test' });
    await expect(db('selfcare_logins').insert({ login_lower: 'CASE-TEST'.toLowerCase() })).rejects.toThrow();
    await db('selfcare_logins').where({ login_lower: 'case-test' }).del();
  });

  it('index the xDRs by customer and time, with the amounts the totals add up', async () => {
    await migrateLatest(db);
    const indexes = isMysql(db)
      ? ((await db.raw("SHOW INDEX FROM xdrs WHERE Key_name = 'xdrs_customer_time_amounts'")) as [unknown[]])[0]
      : await db.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'xdrs_customer_time_amounts'");
    expect((indexes as unknown[]).length).toBeGreaterThan(0);
  });
});
