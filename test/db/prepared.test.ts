import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prepared } from '../../src/db/prepared.ts';
import { createTestApp, resetDatabase, type TestApp } from '../helpers/app.ts';
import { createCustomer } from '../helpers/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await resetDatabase(t.deps.db);
});

describe('prepared statements', () => {
  it('builds the SQL once per shape and runs it with each call’s values', async () => {
    const db = t.deps.db;
    const a = await createCustomer(t.deps, { name: 'Alder Ltd' });
    const b = await createCustomer(t.deps, { name: 'Birch Ltd' });
    const built: string[] = [];
    const byId = prepared(db, (param, shape) => {
      built.push(shape);
      const query = db('customers').where('id', param(0)).select('id', 'name');
      return shape === 'with-email' ? query.select('email') : query;
    });
    expect((await byId.rows([a.id])).map((r) => r.name)).toEqual(['Alder Ltd']);
    expect((await byId.rows([b.id])).map((r) => r.name)).toEqual(['Birch Ltd']);
    expect(await byId.rows([-1])).toEqual([]);
    const [withEmail] = await byId.rows([b.id], 'with-email');
    expect(Object.keys(withEmail ?? {}).sort()).toEqual(['email', 'id', 'name']);
    expect(built).toEqual(['', 'with-email']);
  });

  it('keeps values apart from the SQL: a value that looks like SQL is only compared', async () => {
    const db = t.deps.db;
    await createCustomer(t.deps, { name: 'Alder Ltd' });
    const byName = prepared(db, (param) => db('customers').where('name', param(0)).select('id'));
    expect(await byName.rows(["x' or '1'='1"])).toEqual([]);
    expect(await byName.rows(['Alder Ltd'])).toHaveLength(1);
  });

  it('refuses a statement where a value would land in the SQL text instead of a binding', async () => {
    const db = t.deps.db;
    const asColumn = prepared(db, (param) => db('customers').select(param(0)));
    await expect(asColumn.rows(['name'])).rejects.toThrow(/not a binding of its own/);
  });
});
