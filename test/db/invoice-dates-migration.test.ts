import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIsoDate } from '../../src/db/knex.ts';
import { migrateLatest, undoMigrationsThrough } from '../../src/db/migrate.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createCustomer } from '../helpers/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await migrateLatest(t.deps.db);
  await t.close();
});

describe('migration 20261210000200: invoice periods and due dates become days', () => {
  it('turns each stored moment into the day it was in the customer’s time zone', async () => {
    const db = t.deps.db;
    const tokyo = await createCustomer(t.deps, { timeZone: 'Asia/Tokyo' });
    const angeles = await createCustomer(t.deps, { timeZone: 'America/Los_Angeles' });
    const migration = '20261210000200_store_invoice_periods_and_due_dates_as_dates.ts';
    expect((await undoMigrationsThrough(db, migration)).at(-1)).toBe(migration);
    const row = (customerId: number, number: string, periodFrom: string, periodTo: string, due: string) => ({
      customer_id: customerId,
      number,
      period_from: new Date(periodFrom),
      period_to: new Date(periodTo),
      issued_at: new Date(periodTo),
      due_at: new Date(due),
      amount: 10,
      currency: 'USD',
      status: 'open',
    });
    // Local midnight of 1 October, the end of 31 October and 06:00 on 15 November, as the demo wrote them.
    await db('invoices').insert([
      row(tokyo.id, 'INV-T', '2026-09-30T15:00:00Z', '2026-10-31T14:59:59.999Z', '2026-11-14T21:00:00Z'),
      row(angeles.id, 'INV-A', '2026-10-01T07:00:00Z', '2026-11-01T06:59:59.999Z', '2026-11-15T14:00:00Z'),
    ]);
    await migrateLatest(db);
    for (const number of ['INV-T', 'INV-A']) {
      const invoice = await db('invoices').where({ number }).first();
      expect([toIsoDate(invoice.period_from), toIsoDate(invoice.period_to), toIsoDate(invoice.due_at)], number).toEqual(
        ['2026-10-01', '2026-10-31', '2026-11-15'],
      );
    }
  });
});
