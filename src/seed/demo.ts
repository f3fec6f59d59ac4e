// Demo data for a fresh installation (DESIGN.md, "Two ways to run"): a demo admin, the three usual
// self-care roles, six customers across currencies, languages and time zones, a few individuals
// and 90 days of invoices, calls and payments.
//
// Everything random comes from a seeded PRNG, so two runs at the same moment produce the same
// data; only the passwords (CSPRNG) and the login suffixes of a repeated run differ.

import { DateTime } from 'luxon';
import type { Knex } from 'knex';
import type { Deps } from '../deps.ts';
import { insertedId } from '../db/knex.ts';
import { generatePassword, hashPassword } from '../access/passwords.ts';
import { COMPONENTS, type ComponentKey, type Level, type PermissionMap } from '../access/permissions.ts';
import { parseTrustedNetworks } from '../access/trusted-networks.ts';
import { isValidTimeZone } from '../regional/time-zones.ts';
import type { LanguageCode } from '../regional/languages.ts';

export interface DemoSeedResult {
  adminLogin: string;
  adminPassword: string;
  /** The one password of every demo customer and individual self-care login. */
  selfcarePassword: string;
  /** Customer logins first, then individual logins, as they were created. */
  selfcareLogins: string[];
}

export interface DemoSeedOptions {
  /** The moment the 90 days of billing data end; defaults to now. */
  now?: Date;
}

type SeedDeps = Pick<Deps, 'db' | 'config'>;

export const DEMO_BILLING_DAYS = 90;
const ROLE_TYPE = 'customer_selfcare';
const SEED = 0x5e1fca7e;
const CHUNK_SIZE = 200;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (mulberry32)

interface Random {
  next(): number;
  /** An integer from min to max, both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** n digits, the first one not zero, so the number reads as a real subscriber number. */
  digits(n: number): string;
}

function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    digits(n: number): string {
      let text = String(int(1, 9));
      while (text.length < n) text += String(int(0, 9));
      return text;
    },
  };
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

// ---------------------------------------------------------------------------------------------
// Roles

type RoleKey = 'full' | 'readOnly' | 'billingClerk';

interface DemoRole {
  key: RoleKey;
  name: string;
  description: string;
  permissions: PermissionMap;
}

const TOP_LEVEL_COMPONENTS: readonly ComponentKey[] = COMPONENTS.filter((c) => c.parent === null).map((c) => c.key);

function everyTopLevel(level: Level): PermissionMap {
  return Object.fromEntries(TOP_LEVEL_COMPONENTS.map((key) => [key, level])) as PermissionMap;
}

const DEMO_ROLES: readonly DemoRole[] = [
  {
    key: 'full',
    name: 'Full access',
    description: 'Everything in the self-care portal, including individuals and API access.',
    permissions: everyTopLevel('modify'),
  },
  {
    key: 'readOnly',
    name: 'Read only',
    description: 'Sees the account, invoices, calls and payments; may still change the own password.',
    permissions: { ...everyTopLevel('read'), 'settings.password': 'modify', api_access: 'hidden' },
  },
  {
    key: 'billingClerk',
    name: 'Billing clerk',
    description: 'Works with invoices and payments; no individuals, no API access, no address.',
    permissions: {
      dashboard: 'read',
      profile: 'read',
      'profile.address': 'hidden',
      invoices: 'modify',
      xdrs: 'read',
      payments: 'read',
      individuals: 'hidden',
      api_access: 'hidden',
      settings: 'modify',
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Call destinations

type Country = 'US' | 'DE' | 'UA' | 'BR' | 'GB' | 'IN' | 'FR' | 'ES' | 'PL';

interface Destination {
  country: Country;
  /** "Outgoing call to <label>" */
  label: string;
  usdPerMinute: number;
  number(rng: Random): string;
}

const DESTINATIONS: readonly Destination[] = [
  // 555-0100…0199 are the North American numbers reserved for fiction.
  { country: 'US', label: 'United States', usdPerMinute: 0.012, number: (r) => `+1${r.pick(['212', '415', '312', '617'])}5550${r.int(100, 199)}` },
  { country: 'DE', label: 'Germany landline', usdPerMinute: 0.018, number: (r) => `+49${r.pick(['30', '40', '69', '89'])}${r.digits(7)}` },
  { country: 'DE', label: 'Germany mobile', usdPerMinute: 0.085, number: (r) => `+49${r.pick(['151', '160', '170', '176'])}${r.digits(8)}` },
  { country: 'UA', label: 'Ukraine landline', usdPerMinute: 0.09, number: (r) => `+38044${r.digits(7)}` },
  { country: 'UA', label: 'Ukraine mobile', usdPerMinute: 0.14, number: (r) => `+380${r.pick(['50', '67', '93', '97'])}${r.digits(7)}` },
  { country: 'BR', label: 'Brazil landline', usdPerMinute: 0.035, number: (r) => `+55113${r.digits(7)}` },
  { country: 'BR', label: 'Brazil mobile', usdPerMinute: 0.07, number: (r) => `+55119${r.digits(8)}` },
  // Ofcom's ranges for drama: 020 7946 0xxx and 07700 900xxx.
  { country: 'GB', label: 'United Kingdom landline', usdPerMinute: 0.015, number: (r) => `+442079460${String(r.int(0, 999)).padStart(3, '0')}` },
  { country: 'GB', label: 'United Kingdom mobile', usdPerMinute: 0.075, number: (r) => `+447700900${String(r.int(0, 999)).padStart(3, '0')}` },
  { country: 'IN', label: 'India landline', usdPerMinute: 0.03, number: (r) => `+9180${r.pick(['2', '4'])}${r.digits(7)}` },
  { country: 'IN', label: 'India mobile', usdPerMinute: 0.025, number: (r) => `+91${r.pick(['98', '99', '97', '70'])}${r.digits(8)}` },
  { country: 'FR', label: 'France landline', usdPerMinute: 0.02, number: (r) => `+331${r.digits(8)}` },
  { country: 'FR', label: 'France mobile', usdPerMinute: 0.06, number: (r) => `+336${r.digits(8)}` },
  { country: 'ES', label: 'Spain mobile', usdPerMinute: 0.055, number: (r) => `+346${r.digits(8)}` },
  { country: 'PL', label: 'Poland mobile', usdPerMinute: 0.05, number: (r) => `+48${r.pick(['50', '60', '69'])}${r.digits(7)}` },
];

const USD_RATES: Readonly<Record<string, number>> = { USD: 1, EUR: 0.92, GBP: 0.79, UAH: 41.5, BRL: 5.35 };

// ---------------------------------------------------------------------------------------------
// Customers and individuals

type PaymentMethod = 'card' | 'bank_transfer' | 'direct_debit';

interface DemoIndividual {
  /** Appended to the customer's login: "acme" + "jcarter" → "acme.jcarter" */
  loginSuffix: string;
  name: string;
  email: string;
  role: RoleKey;
  activationDays?: number;
  expirationDays?: number;
  timeZone?: readonly string[];
  language?: LanguageCode;
}

interface DemoCustomer {
  name: string;
  email: string;
  currency: 'USD' | 'EUR' | 'GBP' | 'UAH' | 'BRL';
  creditLimit: number;
  monthlyFee: number;
  contactName: string;
  phone: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  postalCode: string;
  country: Country;
  /** The IANA name first, then the aliases an older ICU lists instead (Node 20 knows Europe/Kiev). */
  timeZone: readonly string[];
  language: LanguageCode;
  dateFormat: string;
  timeFormat: string;
  /** null: no self-care credentials */
  login: string | null;
  role: 'default' | RoleKey;
  allowedRoles: readonly RoleKey[];
  trustedNetworks?: string;
  /** The most recent invoice past its due date is left unpaid. */
  hasOverdueInvoice?: boolean;
  paymentMethod: PaymentMethod;
  createdDaysAgo: number;
  individuals: readonly DemoIndividual[];
}

const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  {
    name: 'Acme Logistics Inc.',
    email: 'billing@acme-logistics.example',
    currency: 'USD',
    creditLimit: 5000,
    monthlyFee: 149,
    contactName: 'Jennifer Walsh',
    phone: '+1 212 555 0147',
    addressLine1: '350 Fifth Avenue',
    addressLine2: 'Suite 4100',
    city: 'New York',
    postalCode: '10118',
    country: 'US',
    timeZone: ['America/New_York'],
    language: 'en',
    dateFormat: 'MM/DD/YYYY',
    timeFormat: 'HH12:MI AM',
    login: 'acme',
    role: 'default',
    allowedRoles: ['full', 'readOnly', 'billingClerk'],
    paymentMethod: 'card',
    createdDaysAgo: 412,
    individuals: [
      {
        loginSuffix: 'jcarter',
        name: 'Jordan Carter',
        email: 'jordan.carter@acme-logistics.example',
        role: 'readOnly',
        timeZone: ['America/Chicago'],
        language: 'es',
      },
      {
        loginSuffix: 'mortiz',
        name: 'Maria Ortiz',
        email: 'maria.ortiz@acme-logistics.example',
        role: 'billingClerk',
        activationDays: 7,
      },
    ],
  },
  {
    name: 'Nordwind Spedition GmbH',
    email: 'buchhaltung@nordwind-spedition.example',
    currency: 'EUR',
    creditLimit: 3000,
    monthlyFee: 89,
    contactName: 'Katrin Hoffmann',
    phone: '+49 40 3861 2290',
    addressLine1: 'Am Sandtorkai 41',
    addressLine2: '',
    city: 'Hamburg',
    postalCode: '20457',
    country: 'DE',
    timeZone: ['Europe/Berlin'],
    language: 'de',
    dateFormat: 'DD.MM.YYYY',
    timeFormat: 'HH24:MI',
    login: 'Nordwind',
    role: 'billingClerk',
    allowedRoles: ['readOnly', 'billingClerk'],
    paymentMethod: 'direct_debit',
    createdDaysAgo: 275,
    individuals: [],
  },
  {
    name: 'Dnipro Soft LLC',
    email: 'finance@dniprosoft.example',
    currency: 'UAH',
    creditLimit: 120000,
    monthlyFee: 2490,
    contactName: 'Olena Kovalenko',
    phone: '+380 44 235 7190',
    addressLine1: 'vul. Khreshchatyk 22',
    addressLine2: 'office 512',
    city: 'Kyiv',
    postalCode: '01001',
    country: 'UA',
    timeZone: ['Europe/Kyiv', 'Europe/Kiev'],
    language: 'uk',
    dateFormat: 'DD.MM.YYYY',
    timeFormat: 'HH24:MI:SS',
    login: 'dniprosoft',
    role: 'default',
    allowedRoles: [],
    // Loopback first, so the demo portal opens from the machine it runs on.
    trustedNetworks: '127.0.0.1\n::1\n10.0.0.0/8',
    hasOverdueInvoice: true,
    paymentMethod: 'bank_transfer',
    createdDaysAgo: 198,
    individuals: [],
  },
  {
    name: 'Rio Verde Comércio Ltda.',
    email: 'financeiro@rioverde.example',
    currency: 'BRL',
    creditLimit: 15000,
    monthlyFee: 299,
    contactName: 'Ana Paula Souza',
    phone: '+55 11 3456 7821',
    addressLine1: 'Avenida Paulista, 1578',
    addressLine2: 'Conjunto 82',
    city: 'São Paulo',
    postalCode: '01310-200',
    country: 'BR',
    timeZone: ['America/Sao_Paulo'],
    language: 'pt-BR',
    dateFormat: 'DD/MM/YYYY',
    timeFormat: 'HH24:MI',
    login: 'rioverde',
    role: 'default',
    allowedRoles: ['full', 'readOnly'],
    paymentMethod: 'bank_transfer',
    createdDaysAgo: 530,
    individuals: [
      {
        loginSuffix: 'lucas',
        name: 'Lucas Ferreira',
        email: 'lucas.ferreira@rioverde.example',
        role: 'readOnly',
        activationDays: -200,
        expirationDays: -10,
      },
    ],
  },
  {
    name: 'Kestrel & Finch Analytics Ltd',
    email: 'accounts@kestrelfinch.example',
    currency: 'GBP',
    creditLimit: 2000,
    monthlyFee: 79,
    contactName: 'Amélie Durand',
    phone: '+44 20 7946 0321',
    addressLine1: '1 Canada Square',
    addressLine2: 'Level 37',
    city: 'London',
    postalCode: 'E14 5AB',
    country: 'GB',
    timeZone: ['UTC'],
    language: 'fr',
    dateFormat: 'YYYY-MM-DD',
    timeFormat: 'HH24:MI:SS',
    login: 'kestrel',
    role: 'default',
    allowedRoles: [],
    paymentMethod: 'bank_transfer',
    createdDaysAgo: 96,
    individuals: [],
  },
  {
    name: 'Monsoon Digital Services Pvt Ltd',
    email: 'accounts@monsoondigital.example',
    currency: 'USD',
    creditLimit: 1000,
    monthlyFee: 59,
    contactName: 'Carlos Mendoza',
    phone: '+91 80 4123 5678',
    addressLine1: '80 Feet Road, Koramangala',
    addressLine2: '4th Block',
    city: 'Bengaluru',
    postalCode: '560034',
    country: 'IN',
    timeZone: ['Asia/Kolkata', 'Asia/Calcutta'],
    language: 'es',
    dateFormat: 'DD/MM/YYYY',
    timeFormat: 'HH24:MI',
    login: null,
    role: 'default',
    allowedRoles: [],
    paymentMethod: 'card',
    createdDaysAgo: 61,
    individuals: [],
  },
];

/** The first of the names that the time zone list offers, so the stored value matches an option. */
function selectableZone(names: readonly string[]): string {
  const zone = names.find((name) => isValidTimeZone(name));
  if (zone === undefined) throw new Error(`None of the demo time zones ${names.join(', ')} is known to this runtime`);
  return zone;
}

// ---------------------------------------------------------------------------------------------
// Billing data, built in memory before the transaction

type Row = Record<string, unknown>;

interface InvoiceDraft {
  periodFrom: Date;
  periodTo: Date;
  issuedAt: Date;
  dueAt: Date;
  amount: number;
  status: 'paid' | 'open' | 'overdue';
}

interface PaymentDraft {
  paidAt: Date;
  amount: number;
  method: PaymentMethod;
  /** Index into the customer's invoices: the reference quotes the invoice number. */
  invoiceIndex: number;
  cardReference: string;
}

interface Billing {
  xdrs: Row[];
  invoices: InvoiceDraft[];
  payments: PaymentDraft[];
  balance: number;
}

/** A weekday moment between 08:00 and 17:59 in the customer's zone, inside the window. */
function businessHoursMoment(rng: Random, zone: string, now: Date, windowStart: Date): Date {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  for (;;) {
    const day = today.minus({ days: rng.int(0, DEMO_BILLING_DAYS) });
    if (day.weekday > 5) continue;
    const local = day.set({ hour: rng.int(8, 17), minute: rng.int(0, 59), second: rng.int(0, 59) });
    const instant = local.toJSDate();
    if (instant <= now && instant >= windowStart) return instant;
  }
}

function callDuration(rng: Random): number {
  // Most business calls are a few minutes; a few run to the hour.
  return Math.round(5 + 3595 * rng.next() ** 4);
}

function buildBilling(customer: DemoCustomer, zone: string, index: number, now: Date): Billing {
  const rng = createRandom(SEED + (index + 1) * 7919);
  const windowStart = new Date(now.getTime() - DEMO_BILLING_DAYS * DAY_MS);
  const usdRate = USD_RATES[customer.currency] ?? 1;
  const home = DESTINATIONS.filter((d) => d.country === customer.country);
  const abroad = DESTINATIONS.filter((d) => d.country !== customer.country);
  const homeLandline = home[0] ?? DESTINATIONS[0];
  if (homeLandline === undefined) throw new Error('no destinations');
  const ownNumbers = [homeLandline.number(rng), homeLandline.number(rng), homeLandline.number(rng)];

  const xdrs: Row[] = [];
  const callCount = rng.int(40, 120);
  for (let i = 0; i < callCount; i++) {
    const destination = rng.next() < 0.6 ? rng.pick(home) : rng.pick(abroad);
    const duration = callDuration(rng);
    const perMinute = destination.usdPerMinute * usdRate;
    xdrs.push({
      connect_time: businessHoursMoment(rng, zone, now, windowStart),
      cli: rng.pick(ownNumbers),
      cld: destination.number(rng),
      description: `Outgoing call to ${destination.label}`,
      duration_seconds: duration,
      charged_amount: round(Math.ceil(duration / 60) * perMinute, 5),
    });
  }
  xdrs.sort((a, b) => (a.connect_time as Date).getTime() - (b.connect_time as Date).getTime());

  const chargesBetween = (from: Date, to: Date): number =>
    xdrs
      .filter((x) => (x.connect_time as Date) >= from && (x.connect_time as Date) <= to)
      .reduce((sum, x) => sum + (x.charged_amount as number), 0);

  // Monthly invoices issued on the 1st at 06:00 local time for the month before, oldest first.
  const thisMonth = DateTime.fromJSDate(now, { zone }).startOf('month');
  const invoices: InvoiceDraft[] = [];
  for (let back = 4; back >= 1; back--) {
    const periodStart = thisMonth.minus({ months: back });
    const issued = periodStart.plus({ months: 1 }).set({ hour: 6 });
    if (issued.toJSDate() > now || issued.toJSDate() < windowStart) continue;
    const periodFrom = periodStart.toJSDate();
    const periodTo = periodStart.endOf('month').toJSDate();
    const dueAt = issued.plus({ days: 14 }).toJSDate();
    invoices.push({
      periodFrom,
      periodTo,
      issuedAt: issued.toJSDate(),
      dueAt,
      amount: round(customer.monthlyFee + chargesBetween(periodFrom, periodTo), 2),
      status: dueAt > now ? 'open' : 'paid',
    });
  }
  if (customer.hasOverdueInvoice) {
    const latestPastDue = invoices.filter((invoice) => invoice.status === 'paid').at(-1);
    if (latestPastDue) latestPastDue.status = 'overdue';
  }

  const cardLast4 = String(rng.int(1000, 9999));
  const payments: PaymentDraft[] = [];
  invoices.forEach((invoice, invoiceIndex) => {
    if (invoice.status !== 'paid') return;
    const paidLocal = DateTime.fromJSDate(invoice.issuedAt, { zone })
      .plus({ days: rng.int(2, 12) })
      .set({ hour: rng.int(9, 16), minute: rng.int(0, 59), second: rng.int(0, 59) });
    payments.push({
      paidAt: paidLocal.toJSDate(),
      amount: invoice.amount,
      method: customer.paymentMethod,
      invoiceIndex,
      cardReference: `VISA ****${cardLast4} AUTH ${rng.digits(6)}`,
    });
  });

  const outstanding = invoices.filter((i) => i.status !== 'paid').reduce((sum, i) => sum + i.amount, 0);
  const unbilled = chargesBetween(thisMonth.toJSDate(), now);
  return { xdrs, invoices, payments, balance: round(outstanding + unbilled, 2) };
}

function paymentReference(payment: PaymentDraft, invoiceNumber: string): string {
  switch (payment.method) {
    case 'card':
      return payment.cardReference;
    case 'direct_debit':
      return `SEPA DD ${invoiceNumber}`;
    case 'bank_transfer':
      return `Invoice ${invoiceNumber}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

async function insertInChunks(trx: Knex.Transaction, table: string, rows: readonly Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_SIZE) {
    await trx(table).insert(rows.slice(i, i + CHUNK_SIZE));
  }
}

/** `wanted`, or `wanted2`, `wanted3`… when a previous run (or a person) already took it. */
async function firstFreeLogin(trx: Knex.Transaction, table: 'admins' | 'selfcare_logins', wanted: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? wanted : `${wanted}${n}`;
    const taken = await trx(table).where({ login_lower: candidate.toLowerCase() }).first('login_lower');
    if (!taken) return candidate;
  }
}

/** Creates the demo roles that do not exist yet; "Full access" becomes the default if none is. */
async function ensureRoles(trx: Knex.Transaction, now: Date): Promise<{ ids: Map<RoleKey, number>; defaultRoleId: number }> {
  const ids = new Map<RoleKey, number>();
  for (const role of DEMO_ROLES) {
    const existing = await trx('roles').where({ type: ROLE_TYPE, name_lower: role.name.toLowerCase() }).first('id');
    if (existing) {
      ids.set(role.key, Number(existing.id));
      continue;
    }
    const id = insertedId(
      await trx('roles').insert({
        name: role.name,
        name_lower: role.name.toLowerCase(),
        type: ROLE_TYPE,
        description: role.description,
        is_default: false,
        created_at: now,
        updated_at: now,
      }),
    );
    await trx('role_permissions').insert(Object.entries(role.permissions).map(([component, level]) => ({ role_id: id, component, level })));
    ids.set(role.key, id);
  }
  const currentDefault = await trx('roles').where({ type: ROLE_TYPE, is_default: true }).first('id');
  if (currentDefault) return { ids, defaultRoleId: Number(currentDefault.id) };
  const fullAccessId = roleId(ids, 'full');
  await trx('roles').where({ id: fullAccessId }).update({ is_default: true, updated_at: now });
  return { ids, defaultRoleId: fullAccessId };
}

function roleId(ids: ReadonlyMap<RoleKey, number>, key: RoleKey): number {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`Demo role ${key} was not created`);
  return id;
}

/**
 * Inserts the demo data in one transaction. Safe to run again: the admin becomes `admin2`, taken
 * self-care logins get a number, existing roles of the same name are reused.
 */
export async function seedDemo(deps: SeedDeps, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const now = options.now ?? new Date();
  const cost = deps.config.bcryptCost;
  const adminPassword = generatePassword();
  const selfcarePassword = generatePassword();
  // Hashed before the transaction so the write lock is held briefly. The demo self-care users
  // share one password by design, so they share one hash: at cost 12 each hash costs about half a
  // second, and a fresh `npm start` should not wait for eight of them.
  const [adminHash, selfcareHash] = await Promise.all([hashPassword(adminPassword, cost), hashPassword(selfcarePassword, cost)]);

  const zones = DEMO_CUSTOMERS.map((customer) => selectableZone(customer.timeZone));
  const billing = DEMO_CUSTOMERS.map((customer, index) => buildBilling(customer, zones[index] ?? 'UTC', index, now));
  const trusted = (text: string): string => {
    const parsed = parseTrustedNetworks(text);
    if (parsed.errors.length > 0) throw new Error(`Demo trusted networks do not parse: ${parsed.errors[0]?.message}`);
    return parsed.canonical;
  };

  return deps.db.transaction(async (trx) => {
    const adminLogin = await firstFreeLogin(trx, 'admins', 'admin');
    await trx('admins').insert({
      login: adminLogin,
      login_lower: adminLogin.toLowerCase(),
      password_hash: adminHash,
      name: 'Demo administrator',
      email: 'admin@selfcare.example',
      created_at: now,
      updated_at: now,
    });

    const roles = await ensureRoles(trx, now);
    const customerLogins: string[] = [];
    const individualLogins: string[] = [];
    const invoiceRows: Array<{ customerId: number; draft: InvoiceDraft; currency: string }> = [];
    const paymentRows: Array<{ customerId: number; draft: PaymentDraft; invoices: InvoiceDraft[]; currency: string }> = [];
    const xdrRows: Row[] = [];

    for (const [index, customer] of DEMO_CUSTOMERS.entries()) {
      const customerBilling = billing[index];
      if (customerBilling === undefined) throw new Error('billing data missing');
      const login = customer.login === null ? null : await firstFreeLogin(trx, 'selfcare_logins', customer.login);
      const createdAt = new Date(now.getTime() - customer.createdDaysAgo * DAY_MS);
      const customerId = insertedId(
        await trx('customers').insert({
          name: customer.name,
          name_lower: customer.name.toLowerCase(),
          email: customer.email,
          email_lower: customer.email.toLowerCase(),
          currency: customer.currency,
          status: 'active',
          balance: customerBilling.balance,
          credit_limit: customer.creditLimit,
          company_name: customer.name,
          contact_name: customer.contactName,
          phone: customer.phone,
          address_line1: customer.addressLine1,
          address_line2: customer.addressLine2,
          city: customer.city,
          postal_code: customer.postalCode,
          country: customer.country,
          role_id: customer.role === 'default' ? roles.defaultRoleId : roleId(roles.ids, customer.role),
          selfcare_login: login,
          selfcare_login_lower: login?.toLowerCase() ?? null,
          password_hash: login === null ? null : selfcareHash,
          ip_restriction: customer.trustedNetworks !== undefined,
          trusted_ips: customer.trustedNetworks === undefined ? '' : trusted(customer.trustedNetworks),
          time_zone: zones[index],
          language: customer.language,
          out_date_format: customer.dateFormat,
          out_time_format: customer.timeFormat,
          in_date_format: customer.dateFormat,
          in_time_format: customer.timeFormat,
          created_at: createdAt,
          updated_at: now,
        }),
      );
      if (login !== null) {
        await trx('selfcare_logins').insert({ login_lower: login.toLowerCase(), customer_id: customerId, individual_id: null });
        customerLogins.push(login);
      }
      if (customer.allowedRoles.length > 0) {
        await trx('customer_allowed_roles').insert(customer.allowedRoles.map((key) => ({ customer_id: customerId, role_id: roleId(roles.ids, key) })));
      }

      if (login !== null) {
        for (const individual of customer.individuals) {
          if (!customer.allowedRoles.includes(individual.role)) throw new Error(`${individual.name}: role not allowed for ${customer.name}`);
          const individualLogin = await firstFreeLogin(trx, 'selfcare_logins', `${login.toLowerCase()}.${individual.loginSuffix}`);
          const dayOffset = (days: number | undefined): Date | null => (days === undefined ? null : new Date(now.getTime() + days * DAY_MS));
          const individualId = insertedId(
            await trx('individuals').insert({
              customer_id: customerId,
              login: individualLogin,
              login_lower: individualLogin.toLowerCase(),
              password_hash: selfcareHash,
              name: individual.name,
              email: individual.email,
              role_id: roleId(roles.ids, individual.role),
              activation_at: dayOffset(individual.activationDays),
              expiration_at: dayOffset(individual.expirationDays),
              time_zone: individual.timeZone === undefined ? null : selectableZone(individual.timeZone),
              language: individual.language ?? null,
              // Knex gives a MySQL text column no default, so it is always written.
              ip_restriction: false,
              trusted_ips: '',
              created_at: createdAt,
              updated_at: now,
            }),
          );
          await trx('selfcare_logins').insert({ login_lower: individualLogin.toLowerCase(), customer_id: null, individual_id: individualId });
          individualLogins.push(individualLogin);
        }
      }

      for (const xdr of customerBilling.xdrs) xdrRows.push({ customer_id: customerId, ...xdr });
      for (const draft of customerBilling.invoices) invoiceRows.push({ customerId, draft, currency: customer.currency });
      for (const draft of customerBilling.payments) {
        paymentRows.push({ customerId, draft, invoices: customerBilling.invoices, currency: customer.currency });
      }
    }

    // Invoice numbers run in issue order across customers and continue after existing invoices.
    const existingInvoices = await trx('invoices').count({ n: '*' }).first();
    let nextNumber = Number(existingInvoices?.n ?? 0) + 101;
    invoiceRows.sort((a, b) => a.draft.issuedAt.getTime() - b.draft.issuedAt.getTime() || a.customerId - b.customerId);
    const numbers = new Map<InvoiceDraft, string>();
    for (const { draft } of invoiceRows) {
      numbers.set(draft, `INV-${draft.issuedAt.getUTCFullYear()}-${String(nextNumber++).padStart(6, '0')}`);
    }

    await insertInChunks(
      trx,
      'invoices',
      invoiceRows.map(({ customerId, draft, currency }) => ({
        customer_id: customerId,
        number: numbers.get(draft),
        period_from: draft.periodFrom,
        period_to: draft.periodTo,
        issued_at: draft.issuedAt,
        due_at: draft.dueAt,
        amount: draft.amount,
        currency,
        status: draft.status,
      })),
    );
    await insertInChunks(trx, 'xdrs', xdrRows);
    await insertInChunks(
      trx,
      'payments',
      paymentRows.map(({ customerId, draft, invoices, currency }) => {
        const invoice = invoices[draft.invoiceIndex];
        return {
          customer_id: customerId,
          paid_at: draft.paidAt,
          amount: draft.amount,
          currency,
          method: draft.method,
          reference: paymentReference(draft, (invoice && numbers.get(invoice)) ?? ''),
        };
      }),
    );

    return { adminLogin, adminPassword, selfcarePassword, selfcareLogins: [...customerLogins, ...individualLogins] };
  });
}

/** On a brand-new database (no admin, no customer) seeds the demo; otherwise does nothing. */
export async function seedDemoIfEmpty(deps: SeedDeps, options: DemoSeedOptions = {}): Promise<DemoSeedResult | null> {
  const admins = await deps.db('admins').count({ n: '*' }).first();
  const customers = await deps.db('customers').count({ n: '*' }).first();
  if (Number(admins?.n ?? 0) > 0 || Number(customers?.n ?? 0) > 0) return null;
  return seedDemo(deps, options);
}
