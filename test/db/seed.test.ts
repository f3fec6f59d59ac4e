import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { loadConfig, type Config } from '../../src/config.ts';
import { isMysql, toBool, toDate, toIsoDate, type Knex } from '../../src/db/knex.ts';
import { buildDeps, type Deps } from '../../src/deps.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { verifyPassword } from '../../src/access/passwords.ts';
import { effectiveLevels, type PermissionMap } from '../../src/access/permissions.ts';
import { isAddressAllowed, parseTrustedNetworks } from '../../src/access/trusted-networks.ts';
import { validateDateFormat, validateTimeFormat } from '../../src/regional/date-format.ts';
import { isLanguage } from '../../src/regional/languages.ts';
import { isValidTimeZone } from '../../src/regional/time-zones.ts';
import { DEMO_BILLING_DAYS, seedDemo, seedDemoIfEmpty, type DemoSeedResult } from '../../src/seed/demo.ts';

const DAY_MS = 86_400_000;

/** MySQL: every table but Knex's own, emptied with foreign key checks off on one connection. */
async function emptyMysqlDatabase(db: Knex): Promise<void> {
  const [tables] = (await db.raw(
    "select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE' and table_name not like 'knex\\_migrations%'",
  )) as [Array<{ name: string }>];
  await db.transaction(async (trx) => {
    await trx.raw('SET FOREIGN_KEY_CHECKS = 0');
    try {
      for (const { name } of tables) await trx.raw('TRUNCATE TABLE ??', [name]);
    } finally {
      await trx.raw('SET FOREIGN_KEY_CHECKS = 1');
    }
  });
}

async function rolePermissions(db: Knex, roleId: number): Promise<PermissionMap> {
  const rows = (await db('role_permissions').where({ role_id: roleId })) as Array<{ component: string; level: string }>;
  return Object.fromEntries(rows.map((r) => [r.component, r.level])) as PermissionMap;
}

describe('seedDemo', () => {
  let dataDir: string;
  let deps: Deps;
  let db: Knex;
  let seeded: DemoSeedResult | null;
  let seededAt: Date;
  let config: Config;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfcare-seed-'));
    config = {
      ...loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL }),
      bcryptCost: 4,
    };
    deps = await buildDeps({ ...config, logLevel: 'silent' });
    db = deps.db;
    await migrateLatest(db);
    if (isMysql(db)) await emptyMysqlDatabase(db);
    seededAt = new Date();
    seeded = await seedDemoIfEmpty(deps, { now: seededAt });
  });

  afterAll(async () => {
    await deps?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds an empty database and returns the demo credentials', () => {
    expect(seeded).not.toBeNull();
    expect(seeded?.adminLogin).toBe('admin');
    expect(seeded?.adminPassword.length).toBeGreaterThanOrEqual(16);
    expect(seeded?.selfcarePassword).not.toBe(seeded?.adminPassword);
    expect(seeded?.selfcareLogins.length).toBeGreaterThanOrEqual(4);
  });

  it('stores a hash the returned admin password verifies against', async () => {
    const admin = await db('admins').where({ login_lower: 'admin' }).first();
    expect(await verifyPassword(seeded!.adminPassword, String(admin.password_hash))).toBe(true);
    expect(await verifyPassword('not the password', String(admin.password_hash))).toBe(false);
  });

  it('opens every returned self-care login with the one demo password', async () => {
    for (const login of seeded!.selfcareLogins) {
      const owner = await db('selfcare_logins').where({ login_lower: login.toLowerCase() }).first();
      expect(owner, login).toBeDefined();
      const row = owner.customer_id
        ? await db('customers').where({ id: owner.customer_id }).first('password_hash')
        : await db('individuals').where({ id: owner.individual_id }).first('password_hash');
      expect(await verifyPassword(seeded!.selfcarePassword, String(row.password_hash)), login).toBe(true);
    }
  });

  it('marks exactly one self-care role as the default', async () => {
    const defaults = await db('roles').where({ type: 'customer_selfcare', is_default: true });
    expect(defaults.map((r) => r.name)).toEqual(['Full access']);
  });

  it('gives the read-only role its password page and hides API access', async () => {
    const role = await db('roles').where({ name_lower: 'read only' }).first();
    const levels = effectiveLevels(await rolePermissions(db, Number(role.id)));
    expect(levels.invoices).toBe('read');
    expect(levels['settings.regional']).toBe('read');
    expect(levels['settings.password']).toBe('modify');
    expect(levels.api_access).toBe('hidden');
  });

  it('hides the address and individuals from the billing clerk', async () => {
    const role = await db('roles').where({ name_lower: 'billing clerk' }).first();
    const levels = effectiveLevels(await rolePermissions(db, Number(role.id)));
    expect(levels).toMatchObject({
      invoices: 'modify',
      payments: 'read',
      'profile.contacts': 'read',
      'profile.address': 'hidden',
      individuals: 'hidden',
      api_access: 'hidden',
    });
  });

  it('gives every customer an existing role, one of them not the default', async () => {
    const customers = await db('customers')
      .leftJoin('roles', 'roles.id', 'customers.role_id')
      .select('customers.name', 'roles.id as role', 'roles.is_default');
    expect(customers).toHaveLength(6);
    for (const customer of customers) expect(customer.role, customer.name).not.toBeNull();
    expect(customers.filter((c) => !toBool(c.is_default))).toHaveLength(1);
  });

  it('stores regional settings the portal can use', async () => {
    const customers = await db('customers');
    for (const c of customers) {
      expect(isValidTimeZone(c.time_zone), c.time_zone).toBe(true);
      expect(isLanguage(c.language), c.language).toBe(true);
      expect(validateDateFormat(c.out_date_format)).toBeNull();
      expect(validateTimeFormat(c.out_time_format)).toBeNull();
      expect(c.name_lower).toBe(c.name.toLowerCase());
      expect(c.email_lower).toBe(c.email.toLowerCase());
    }
    expect(new Set(customers.map((c) => c.time_zone)).size).toBe(6);
    expect(new Set(customers.map((c) => c.language)).size).toBe(6);
  });

  it('records every self-care login once in the shared namespace, pointing to its owner', async () => {
    const customers = await db('customers').whereNotNull('selfcare_login_lower');
    const individuals = await db('individuals');
    const namespace = await db('selfcare_logins');
    expect(namespace).toHaveLength(customers.length + individuals.length);
    for (const c of customers) {
      const rows = namespace.filter((n) => n.login_lower === c.selfcare_login_lower);
      expect(rows, c.selfcare_login).toHaveLength(1);
      expect(Number(rows[0].customer_id)).toBe(Number(c.id));
      expect(rows[0].individual_id).toBeNull();
    }
    for (const i of individuals) {
      const rows = namespace.filter((n) => n.login_lower === i.login_lower);
      expect(rows, i.login).toHaveLength(1);
      expect(Number(rows[0].individual_id)).toBe(Number(i.id));
      expect(rows[0].customer_id).toBeNull();
    }
    expect(customers.length).toBe(5);
  });

  it('restricts one customer to trusted networks that include loopback', async () => {
    const restricted = await db('customers').where({ ip_restriction: true });
    expect(restricted).toHaveLength(1);
    const text = String(restricted[0].trusted_ips);
    const parsed = parseTrustedNetworks(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.canonical).toBe(text);
    expect(isAddressAllowed(parsed.networks, '127.0.0.1')).toBe(true);
    expect(isAddressAllowed(parsed.networks, '::1')).toBe(true);
    expect(isAddressAllowed(parsed.networks, '192.0.2.1')).toBe(false);
  });

  it('gives individuals only roles their customer allows', async () => {
    const individuals = await db('individuals');
    expect(individuals.length).toBeGreaterThanOrEqual(2);
    expect(individuals.length).toBeLessThanOrEqual(4);
    for (const i of individuals) {
      const allowed = await db('customer_allowed_roles')
        .where({ customer_id: i.customer_id, role_id: i.role_id })
        .first();
      expect(allowed, i.login).toBeDefined();
    }
  });

  it('seeds a not-yet-active, an expired and a regionally overriding individual', async () => {
    const individuals = await db('individuals');
    const now = Date.now();
    expect(individuals.some((i) => (toDate(i.activation_at)?.getTime() ?? 0) > now)).toBe(true);
    expect(individuals.some((i) => (toDate(i.expiration_at)?.getTime() ?? Infinity) < now)).toBe(true);
    expect(individuals.some((i) => i.time_zone !== null && i.language !== null && isValidTimeZone(i.time_zone))).toBe(
      true,
    );
  });

  it('gives each customer with credentials an invoice, calls and a payment within the last 90 days', async () => {
    const since = new Date(seededAt.getTime() - DEMO_BILLING_DAYS * DAY_MS);
    const customers = await db('customers').whereNotNull('selfcare_login_lower');
    for (const c of customers) {
      const count = async (table: string, column: string): Promise<number> => {
        const row = await db(table)
          .where({ customer_id: c.id })
          .where(column, '>=', since)
          .where(column, '<=', new Date())
          .count({ n: '*' })
          .first();
        return Number(row?.n ?? 0);
      };
      expect(await count('invoices', 'issued_at'), c.name).toBeGreaterThanOrEqual(1);
      expect(await count('xdrs', 'connect_time'), c.name).toBeGreaterThanOrEqual(40);
      expect(await count('xdrs', 'connect_time'), c.name).toBeLessThanOrEqual(120);
      expect(await count('payments', 'paid_at'), c.name).toBeGreaterThanOrEqual(1);
    }
  });

  it('numbers invoices INV-year-sequence and bills them in the customer currency', async () => {
    const invoices = await db('invoices')
      .join('customers', 'customers.id', 'invoices.customer_id')
      .select('invoices.*', 'customers.currency as customer_currency', 'customers.time_zone as customer_zone');
    expect(new Set(invoices.map((i) => i.number)).size).toBe(invoices.length);
    for (const i of invoices) {
      expect(i.number).toMatch(/^INV-\d{4}-\d{6}$/);
      expect(i.currency).toBe(i.customer_currency);
      // due 14 days after the local issue day; the period is a whole local month, as days
      const issuedDay = DateTime.fromJSDate(toDate(i.issued_at)!, { zone: i.customer_zone });
      expect(toIsoDate(i.due_at)).toBe(issuedDay.plus({ days: 14 }).toISODate());
      expect(toIsoDate(i.period_from)).toBe(issuedDay.minus({ months: 1 }).startOf('month').toISODate());
      expect(toIsoDate(i.period_to)).toBe(issuedDay.minus({ months: 1 }).endOf('month').toISODate());
      expect(['paid', 'open', 'overdue']).toContain(i.status);
    }
    expect(invoices.some((i) => i.status === 'overdue')).toBe(true);
  });

  it('places calls on weekdays between 08:00 and 18:00 in the customer time zone', async () => {
    const { DateTime } = await import('luxon');
    const rows = await db('xdrs')
      .join('customers', 'customers.id', 'xdrs.customer_id')
      .select('xdrs.connect_time', 'xdrs.duration_seconds', 'customers.time_zone');
    for (const row of rows) {
      const local = DateTime.fromJSDate(toDate(row.connect_time)!, { zone: row.time_zone });
      expect(local.weekday).toBeLessThanOrEqual(5);
      expect(local.hour).toBeGreaterThanOrEqual(8);
      expect(local.hour).toBeLessThan(18);
      expect(Number(row.duration_seconds)).toBeGreaterThanOrEqual(5);
      expect(Number(row.duration_seconds)).toBeLessThanOrEqual(3600);
    }
  });

  it('records the roles, customers and individuals it creates in the audit trail, as the system', async () => {
    const events = (await db('audit_events').where({ actor_type: 'system' }).select('action', 'entity_id')) as Array<{
      action: string;
      entity_id: unknown;
    }>;
    const created = (action: string) => events.filter((e) => e.action === action).map((e) => Number(e.entity_id));
    const ids = async (table: string) => (await db(table).select('id')).map((r) => Number(r.id));
    // `migrate` itself provides the default “Full access” role on a fresh database; the seed reuses it.
    const provided = (await db('roles').where({ name: 'Full access' }).pluck('id')).map(Number);
    const made = created('role.create');
    expect([...made, ...provided.filter((id) => !made.includes(id))].sort()).toEqual((await ids('roles')).sort());
    expect(made.length).toBeGreaterThanOrEqual(2);
    expect(created('customer.create').sort()).toEqual((await ids('customers')).sort());
    expect(created('individual.create').sort()).toEqual((await ids('individuals')).sort());
    const changes = (await db('audit_events').where({ action: 'customer.create' }).pluck('changes')).join('\n');
    expect(changes).not.toContain('$2');
  });

  it('does nothing when the database already has data', async () => {
    expect(await seedDemoIfEmpty(deps)).toBeNull();
    const admins = await db('admins').count({ n: '*' }).first();
    expect(Number(admins?.n)).toBe(1);
  });

  it('runs again without clashing: admin2, numbered logins and the same calls', async () => {
    const firstCustomer = await db('customers').orderBy('id').first();
    const again = await seedDemo(deps, { now: seededAt });
    expect(again.adminLogin).toBe('admin2');
    expect(again.selfcareLogins).toContain('acme2');
    expect(again.selfcareLogins).toContain('acme2.jcarter');
    const defaults = await db('roles').where({ type: 'customer_selfcare', is_default: true });
    expect(defaults).toHaveLength(1);
    const namespace = await db('selfcare_logins').count({ n: '*' }).first();
    expect(Number(namespace?.n)).toBe(seeded!.selfcareLogins.length + again.selfcareLogins.length);

    // The PRNG is seeded: at the same moment, the repeated customer gets the very same calls.
    const twin = await db('customers').where({ selfcare_login_lower: 'acme2' }).first();
    const callsOf = async (customerId: number) =>
      (await db('xdrs').where({ customer_id: customerId }).orderBy('id')).map((x) => [
        toDate(x.connect_time)?.toISOString(),
        x.cli,
        x.cld,
        Number(x.duration_seconds),
        Number(x.charged_amount),
      ]);
    expect(await callsOf(Number(twin.id))).toEqual(await callsOf(Number(firstCustomer.id)));
  });
});
