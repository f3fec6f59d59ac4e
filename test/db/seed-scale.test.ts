import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildDeps, type Deps } from '../../src/deps.ts';
import { toDate } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { verifyPassword } from '../../src/access/passwords.ts';
import { seedScale, type ScaleSeedProgress, type ScaleSeedResult } from '../../src/seed/scale.ts';
import { CUSTOMER_COUNT_CAP } from '../../src/features/customers/service.ts';
import { resetDatabase } from '../helpers/app.ts';

const CUSTOMERS = 2_000;
const XDRS = 5_000;
const YEAR_MS = 365 * 86_400_000;

describe('seedScale', () => {
  let dataDir: string;
  let deps: Deps;
  let seeded: ScaleSeedResult;
  let now: Date;
  const progress: ScaleSeedProgress[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfcare-seed-scale-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.DATABASE_URL,
      LOG_LEVEL: 'silent',
    });
    deps = await buildDeps({ ...config, bcryptCost: 4 });
    await migrateLatest(deps.db);
    await resetDatabase(deps.db);
    now = new Date();
    seeded = await seedScale(deps, { customers: CUSTOMERS, xdrs: XDRS, now, onProgress: (p) => progress.push(p) });
  });

  afterAll(async () => {
    await deps?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds the customers and the calls it was asked for, and says so as it goes', async () => {
    expect(seeded.customersAdded).toBe(CUSTOMERS);
    expect(seeded.xdrsAdded).toBe(XDRS);
    expect(Number((await deps.db('customers').count({ n: '*' }).first())?.n)).toBe(CUSTOMERS);
    expect(Number((await deps.db('xdrs').count({ n: '*' }).first())?.n)).toBe(XDRS);
    expect(progress.filter((p) => p.stage === 'customers').at(-1)).toMatchObject({ done: CUSTOMERS, total: CUSTOMERS });
    expect(progress.filter((p) => p.stage === 'xdrs').at(-1)).toMatchObject({ done: XDRS, total: XDRS });
  });

  it('makes names, e-mail addresses and logins unique', async () => {
    const distinct = async (column: string) =>
      Number((await deps.db('customers').countDistinct({ n: column }).first())?.n);
    const withLogin = Number(
      (await deps.db('customers').whereNotNull('selfcare_login_lower').count({ n: '*' }).first())?.n,
    );
    expect(await distinct('name_lower')).toBe(CUSTOMERS);
    expect(await distinct('email_lower')).toBe(CUSTOMERS);
    expect(await distinct('selfcare_login_lower')).toBe(withLogin);
    // about four in five customers have self-care credentials
    expect(withLogin).toBeGreaterThan(CUSTOMERS * 0.7);
    expect(withLogin).toBeLessThan(CUSTOMERS * 0.9);
  });

  it('spreads names over prefixes as a real customer base: "ma" is common, most letters start someone', async () => {
    const names = (await deps.db('customers').pluck('name_lower')) as string[];
    const share = (prefix: string) => names.filter((n) => n.startsWith(prefix)).length / names.length;
    expect(share('ma')).toBeGreaterThan(0.03);
    expect(share('ma')).toBeLessThan(0.3);
    expect(new Set(names.map((n) => n.charAt(0))).size).toBeGreaterThanOrEqual(20);
    expect(new Set(names.map((n) => n.slice(0, 3))).size).toBeGreaterThan(100);
  });

  it('claims every login in the shared namespace for its customer', async () => {
    const rows = await deps
      .db('customers as c')
      .leftJoin('selfcare_logins as l', 'l.login_lower', 'c.selfcare_login_lower')
      .whereNotNull('c.selfcare_login_lower')
      .select('c.id', 'l.customer_id', 'l.individual_id');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Number(row.customer_id), `customer ${row.id}`).toBe(Number(row.id));
      expect(row.individual_id).toBeNull();
    }
    expect(Number((await deps.db('selfcare_logins').count({ n: '*' }).first())?.n)).toBe(rows.length);
  });

  it('finds them through the admin search by name, e-mail and login prefix', async () => {
    const customer = await deps.db('customers').whereNotNull('selfcare_login').orderBy('id', 'desc').first();
    for (const q of [
      customer.name_lower.slice(0, 3),
      customer.email_lower.slice(0, 8),
      customer.selfcare_login_lower,
    ]) {
      const ids: number[] = [];
      let after: number | null = null;
      do {
        const page = await deps.services.customers.search(q, after);
        ids.push(...page.items.map((i) => i.id));
        after = page.nextAfter;
      } while (after !== null && !ids.includes(Number(customer.id)));
      expect(ids, q).toContain(Number(customer.id));
    }
  });

  /** The admin list finds, in every sort order, as many customers per short prefix as the rows hold. */
  async function expectSearchKeysInStep(): Promise<void> {
    const rows = (await deps.db('customers').select('name_lower', 'email_lower', 'selfcare_login_lower')) as {
      name_lower: string;
      email_lower: string;
      selfcare_login_lower: string | null;
    }[];
    for (const q of ['m', 'ma', 'sch', 'k.', 'q']) {
      const expected = rows.filter((r) =>
        [r.name_lower, r.email_lower, r.selfcare_login_lower ?? ''].some((v) => v.startsWith(q)),
      ).length;
      for (const sort of ['name', 'login', 'created', 'balance'] as const) {
        const page = await deps.services.customers.list({ q, sort, dir: 'desc', after: null, before: null, page: '' });
        expect(page.total, `${q} by ${sort}`).toBe(Math.min(expected, CUSTOMER_COUNT_CAP + 1));
        expect(page.items.length, `${q} by ${sort}`).toBe(Math.min(expected, 25));
      }
    }
  }

  it('counts as many matches of one to three characters in every sort order as the customers hold', async () => {
    await expectSearchKeysInStep();
  });

  it('gives customers with a login the returned password and the default role', async () => {
    const customer = await deps.db('customers').whereNotNull('selfcare_login').first();
    expect(await verifyPassword(seeded.selfcarePassword!, String(customer.password_hash))).toBe(true);
    const role = await deps.db('roles').where({ id: customer.role_id }).first();
    expect(role.is_default).toBeTruthy();
    expect(
      await deps.db('customers').whereNull('selfcare_login').whereNotNull('password_hash').first(),
    ).toBeUndefined();
  });

  it("puts every call on one customer with a login, within the last year, in the customer's currency units", async () => {
    expect(seeded.xdrCustomer?.login).toBeTruthy();
    const owners = await deps.db('xdrs').distinct('customer_id');
    expect(owners.map((o) => Number(o.customer_id))).toEqual([seeded.xdrCustomer!.id]);
    const span = (await deps.db('xdrs').min({ first: 'connect_time' }).max({ last: 'connect_time' }).first()) as {
      first: unknown;
      last: unknown;
    };
    const first = toDate(span.first)!.getTime();
    const last = toDate(span.last)!.getTime();
    expect(first).toBeGreaterThanOrEqual(now.getTime() - YEAR_MS);
    expect(last).toBeLessThan(now.getTime());
    // spread over the year, not bunched at one end
    expect(last - first).toBeGreaterThan(YEAR_MS * 0.95);
    const page = await deps.services.billing.xdrs(
      seeded.xdrCustomer!.id,
      { from: null, to: null },
      { after: null, limit: 10 },
    );
    expect(page.items).toHaveLength(10);
    for (const call of page.items) {
      expect(call.durationSeconds).toBeGreaterThanOrEqual(5);
      expect(call.chargedAmount).toBeGreaterThan(0);
      expect(call.description).toMatch(/^Outgoing call to /);
    }
  });

  it('adds after what is there: a second run brings new customers, never a taken login', async () => {
    const again = await seedScale(deps, { customers: 500, xdrs: 100, xdrCustomerId: seeded.xdrCustomer!.id });
    expect(again.customersAdded).toBe(500);
    expect(again.xdrCustomer?.id).toBe(seeded.xdrCustomer!.id);
    expect(Number((await deps.db('customers').count({ n: '*' }).first())?.n)).toBe(CUSTOMERS + 500);
    expect(Number((await deps.db('customers').countDistinct({ n: 'email_lower' }).first())?.n)).toBe(CUSTOMERS + 500);
    const withLogin = Number(
      (await deps.db('customers').whereNotNull('selfcare_login_lower').count({ n: '*' }).first())?.n,
    );
    expect(Number((await deps.db('selfcare_logins').count({ n: '*' }).first())?.n)).toBe(withLogin);
  });

  it('rebuilds the search keys whole when a stopped run left customers without them, as often as needed', async () => {
    await deps.db('customer_search_keys').where('customer_id', '<=', 300).del();
    expect(await deps.services.customers.searchKeysMissing()).toBe(true);
    const stages = new Set<string>();
    await seedScale(deps, { customers: 10, xdrs: 0, onProgress: (p) => void stages.add(p.stage) });
    expect(stages).toEqual(new Set(['customers', 'search keys']));
    expect(await deps.services.customers.searchKeysMissing()).toBe(false);
    await expectSearchKeysInStep();
    // again: the table swapped in by the first rebuild is swapped out by the second
    await deps.services.customers.rebuildSearchKeys();
    await expectSearchKeysInStep();
  });

  it('refuses calls without a customer to give them to', async () => {
    await expect(seedScale(deps, { customers: 0, xdrs: 10 })).rejects.toThrow(/xdrCustomerId/);
    await expect(seedScale(deps, { customers: -1, xdrs: 0 })).rejects.toThrow(RangeError);
  });
});
