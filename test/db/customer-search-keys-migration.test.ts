import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateLatest, undoMigrationsThrough } from '../../src/db/migrate.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { defaultRoleId } from '../helpers/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await migrateLatest(t.deps.db);
  await t.close();
});

const MIGRATION = '20261216000100_index_customer_search_by_prefix.ts';

describe(`migration ${MIGRATION}`, () => {
  it('gives the customers already there their search keys: a short search finds them in every order', async () => {
    const db = t.deps.db;
    const roleId = await defaultRoleId(t.deps);
    expect((await undoMigrationsThrough(db, MIGRATION)).at(-1)).toBe(MIGRATION);
    expect(await db.schema.hasTable('customer_search_keys')).toBe(false);
    const now = Date.now();
    const customer = (name: string, email: string, login: string | null, balance: number, ageDays: number) => ({
      name,
      name_lower: name.toLowerCase(),
      email,
      email_lower: email.toLowerCase(),
      balance,
      role_id: roleId,
      selfcare_login: login,
      selfcare_login_lower: login?.toLowerCase() ?? null,
      trusted_ips: '',
      created_at: new Date(now - ageDays * 86_400_000),
      updated_at: new Date(now),
    });
    await db('customers').insert([
      customer('Velvet Ltd', 'velvet@example.test', 'VELVET', 10, 3),
      customer('Acme', 'vera@acme.test', null, 30, 1),
      customer('Birch', '', 've-birch', 20, 2),
      customer('Oak', 'oak@example.test', 'oak', 40, 4),
    ]);
    await migrateLatest(db);

    const list = async (q: string, sort: 'name' | 'login' | 'created' | 'balance', dir: 'asc' | 'desc') =>
      (await t.deps.services.customers.list({ q, sort, dir, after: null, before: null, page: '' })).items.map(
        (c) => c.name,
      );
    expect(await list('v', 'name', 'asc')).toEqual(['Acme', 'Birch', 'Velvet Ltd']);
    expect(await list('v', 'balance', 'desc')).toEqual(['Acme', 'Birch', 'Velvet Ltd']);
    expect(await list('ve', 'created', 'desc')).toEqual(['Acme', 'Birch', 'Velvet Ltd']);
    expect(await list('ve', 'login', 'asc')).toEqual(['Acme', 'Birch', 'Velvet Ltd']);
    expect(await list('vel', 'name', 'asc')).toEqual(['Velvet Ltd']);
    expect(await list('o', 'name', 'asc')).toEqual(['Oak']);
  });
});
