// Demo data for a fresh installation (DESIGN.md, "Two ways to run"): a demo admin, the three usual
// self-care roles, six customers across currencies, languages and time zones, a few individuals
// and 90 days of invoices, calls and payments.
//
// Everything random comes from a seeded PRNG, so two runs at the same moment produce the same
// data; only the passwords (CSPRNG) and the login suffixes of a repeated run differ. Every row is
// written through the features' services, with the rules and the audit trail an admin's change
// gets; billing data through the billing service's bulk load, as a billing system delivers it.

import { DateTime } from 'luxon';
import type { Deps } from '../deps.ts';
import { generatePassword, hashPassword } from '../access/passwords.ts';
import { COMPONENTS, type ComponentKey, type Level, type PermissionMap } from '../access/permissions.ts';
import type { AuditContext } from '../http/actor.ts';
import { isValidTimeZone } from '../regional/time-zones.ts';
import type { LanguageCode } from '../regional/languages.ts';
import type { NewInvoice, NewPayment, NewXdr } from '../features/billing/service.ts';
import { NO_REGIONAL_OVERRIDES } from '../features/individuals/service.ts';
import { getDefaultRoleId, type RolesService } from '../features/roles/service.ts';
import { LoginNamespace } from '../features/selfcare-access/service.ts';
import { callDuration, DESTINATIONS, USD_RATES, type Country } from './calls.ts';
import { createRandom, round, type Random } from './random.ts';

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

export type SeedDeps = Pick<Deps, 'db' | 'config' | 'services'>;

export const DEMO_BILLING_DAYS = 90;
const ROLE_TYPE = 'customer_selfcare';
const SEED = 0x5e1fca7e;
const DAY_MS = 86_400_000;
/** Who the audit trail names for the demo's roles, customers and individuals. */
const DEMO_SEED: AuditContext = { actor: { type: 'system', id: null, label: 'demo data' }, ip: '' };

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
// Billing data, built in memory before anything is written

type XdrDraft = Omit<NewXdr, 'customerId'>;

interface InvoiceDraft {
  periodFrom: string;
  periodTo: string;
  issuedAt: Date;
  dueOn: string;
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
  xdrs: XdrDraft[];
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

function buildBilling(customer: DemoCustomer, zone: string, index: number, now: Date): Billing {
  const rng = createRandom(SEED + (index + 1) * 7919);
  const windowStart = new Date(now.getTime() - DEMO_BILLING_DAYS * DAY_MS);
  const usdRate = USD_RATES[customer.currency] ?? 1;
  const home = DESTINATIONS.filter((d) => d.country === customer.country);
  const abroad = DESTINATIONS.filter((d) => d.country !== customer.country);
  const homeLandline = home[0] ?? DESTINATIONS[0];
  if (homeLandline === undefined) throw new Error('no destinations');
  const ownNumbers = [homeLandline.number(rng), homeLandline.number(rng), homeLandline.number(rng)];

  const xdrs: XdrDraft[] = [];
  const callCount = rng.int(40, 120);
  for (let i = 0; i < callCount; i++) {
    const destination = rng.next() < 0.6 ? rng.pick(home) : rng.pick(abroad);
    const duration = callDuration(rng);
    const perMinute = destination.usdPerMinute * usdRate;
    xdrs.push({
      connectTime: businessHoursMoment(rng, zone, now, windowStart),
      cli: rng.pick(ownNumbers),
      cld: destination.number(rng),
      description: `Outgoing call to ${destination.label}`,
      durationSeconds: duration,
      chargedAmount: round(Math.ceil(duration / 60) * perMinute, 5),
    });
  }
  xdrs.sort((a, b) => a.connectTime.getTime() - b.connectTime.getTime());

  const chargesBetween = (from: Date, to: Date): number =>
    xdrs.filter((x) => x.connectTime >= from && x.connectTime <= to).reduce((sum, x) => sum + x.chargedAmount, 0);

  // Monthly invoices issued on the 1st at 06:00 local time for the month before, oldest first.
  const thisMonth = DateTime.fromJSDate(now, { zone }).startOf('month');
  const invoices: InvoiceDraft[] = [];
  for (let back = 4; back >= 1; back--) {
    const periodStart = thisMonth.minus({ months: back });
    const issued = periodStart.plus({ months: 1 }).set({ hour: 6 });
    if (issued.toJSDate() > now || issued.toJSDate() < windowStart) continue;
    const periodEnd = periodStart.endOf('month');
    const due = issued.plus({ days: 14 });
    invoices.push({
      periodFrom: periodStart.toISODate() ?? '',
      periodTo: periodEnd.toISODate() ?? '',
      issuedAt: issued.toJSDate(),
      dueOn: due.toISODate() ?? '',
      amount: round(customer.monthlyFee + chargesBetween(periodStart.toJSDate(), periodEnd.toJSDate()), 2),
      status: due.toJSDate() > now ? 'open' : 'paid',
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

/** `wanted`, or `wanted2`, `wanted3`… when a previous run (or a person) already took it. */
async function firstFreeLogin(wanted: string, isTaken: (login: string) => Promise<boolean>): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? wanted : `${wanted}${n}`;
    if (!(await isTaken(candidate))) return candidate;
  }
}

/**
 * Creates the demo roles that do not exist yet. With no self-care role at all, the first one
 * created ("Full access") becomes the default, as the roles service makes any first role.
 */
async function ensureRoles(roles: RolesService): Promise<Map<RoleKey, number>> {
  const ids = new Map<RoleKey, number>();
  for (const role of DEMO_ROLES) {
    const existing = await roles.findByName(ROLE_TYPE, role.name);
    const id =
      existing?.id ??
      (await roles.create(
        { name: role.name, description: role.description, type: ROLE_TYPE, perms: role.permissions, isDefault: false },
        DEMO_SEED,
      ));
    ids.set(role.key, id);
  }
  return ids;
}

function roleId(ids: ReadonlyMap<RoleKey, number>, key: RoleKey): number {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`Demo role ${key} was not created`);
  return id;
}

/**
 * Writes the demo data through the services. Safe to run again: the admin becomes `admin2`, taken
 * self-care logins get a number, existing roles of the same name are reused. Each service change
 * is its own transaction, as an admin's would be; the billing data is one.
 */
export async function seedDemo(deps: SeedDeps, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const { services } = deps;
  const now = options.now ?? new Date();
  const cost = deps.config.bcryptCost;
  const adminPassword = generatePassword();
  const selfcarePassword = generatePassword();
  // Hashed before anything is written. The demo self-care users share one password by design, so
  // they share one hash: at cost 12 each hash costs about half a second, and a fresh `npm start`
  // should not wait for eight of them.
  const [adminHash, selfcareHash] = await Promise.all([
    hashPassword(adminPassword, cost),
    hashPassword(selfcarePassword, cost),
  ]);

  const zones = DEMO_CUSTOMERS.map((customer) => selectableZone(customer.timeZone));
  const billing = DEMO_CUSTOMERS.map((customer, index) => buildBilling(customer, zones[index] ?? 'UTC', index, now));
  const logins = new LoginNamespace(deps.db);
  const selfcareLoginTaken = async (login: string): Promise<boolean> => !(await logins.isAvailable(login));

  const adminLogin = await firstFreeLogin('admin', (login) => services.admins.isLoginTaken(login));
  await services.admins.createWithHash({
    login: adminLogin,
    passwordHash: adminHash,
    name: 'Demo administrator',
    email: 'admin@selfcare.example',
  });

  const roleIds = await ensureRoles(services.roles);
  const defaultRoleId = await getDefaultRoleId(deps.db, ROLE_TYPE);
  if (defaultRoleId === null) throw new Error('No default self-care role after creating the demo roles');
  const customerLogins: string[] = [];
  const individualLogins: string[] = [];
  const invoiceDrafts: Array<{ customerId: number; draft: InvoiceDraft; currency: string }> = [];
  const payments: Array<{ customerId: number; draft: PaymentDraft; invoices: InvoiceDraft[]; currency: string }> = [];
  const xdrs: NewXdr[] = [];

  for (const [index, customer] of DEMO_CUSTOMERS.entries()) {
    const customerBilling = billing[index];
    if (customerBilling === undefined) throw new Error('billing data missing');
    const login = customer.login === null ? null : await firstFreeLogin(customer.login, selfcareLoginTaken);
    const customerId = await services.customers.importCustomer(
      {
        name: customer.name,
        email: customer.email,
        currency: customer.currency,
        status: 'active',
        balance: customerBilling.balance,
        creditLimit: customer.creditLimit,
        companyName: customer.name,
        contactName: customer.contactName,
        phone: customer.phone,
        addressLine1: customer.addressLine1,
        addressLine2: customer.addressLine2,
        city: customer.city,
        postalCode: customer.postalCode,
        country: customer.country,
        roleId: customer.role === 'default' ? defaultRoleId : roleId(roleIds, customer.role),
        selfcareLogin: login,
        passwordHash: login === null ? null : selfcareHash,
        ipRestriction: customer.trustedNetworks !== undefined,
        trustedIps: customer.trustedNetworks ?? '',
        timeZone: zones[index] ?? 'UTC',
        language: customer.language,
        outDateFormat: customer.dateFormat,
        outTimeFormat: customer.timeFormat,
        inDateFormat: customer.dateFormat,
        inTimeFormat: customer.timeFormat,
        createdAt: new Date(now.getTime() - customer.createdDaysAgo * DAY_MS),
      },
      DEMO_SEED,
    );
    if (login !== null) customerLogins.push(login);
    if (customer.allowedRoles.length > 0) {
      await services.allowedRoles.set(
        customerId,
        customer.allowedRoles.map((key) => roleId(roleIds, key)),
        DEMO_SEED,
      );
    }

    if (login !== null) {
      for (const individual of customer.individuals) {
        if (!customer.allowedRoles.includes(individual.role))
          throw new Error(`${individual.name}: role not allowed for ${customer.name}`);
        const individualLogin = await firstFreeLogin(
          `${login.toLowerCase()}.${individual.loginSuffix}`,
          selfcareLoginTaken,
        );
        const dayOffset = (days: number | undefined): Date | null =>
          days === undefined ? null : new Date(now.getTime() + days * DAY_MS);
        await services.individuals.importIndividual(
          customerId,
          {
            login: individualLogin,
            passwordHash: selfcareHash,
            name: individual.name,
            email: individual.email,
            roleId: roleId(roleIds, individual.role),
            activationAt: dayOffset(individual.activationDays),
            expirationAt: dayOffset(individual.expirationDays),
            regional: {
              ...NO_REGIONAL_OVERRIDES,
              timeZone: individual.timeZone === undefined ? null : selectableZone(individual.timeZone),
              language: individual.language ?? null,
            },
          },
          DEMO_SEED,
        );
        individualLogins.push(individualLogin);
      }
    }

    for (const xdr of customerBilling.xdrs) xdrs.push({ customerId, ...xdr });
    for (const draft of customerBilling.invoices)
      invoiceDrafts.push({ customerId, draft, currency: customer.currency });
    for (const draft of customerBilling.payments)
      payments.push({ customerId, draft, invoices: customerBilling.invoices, currency: customer.currency });
  }

  // Invoice numbers run in issue order across customers and continue after existing invoices.
  let nextNumber = (await services.billing.invoiceCount()) + 101;
  invoiceDrafts.sort((a, b) => a.draft.issuedAt.getTime() - b.draft.issuedAt.getTime() || a.customerId - b.customerId);
  const numbers = new Map<InvoiceDraft, string>();
  for (const { draft } of invoiceDrafts)
    numbers.set(draft, `INV-${draft.issuedAt.getUTCFullYear()}-${String(nextNumber++).padStart(6, '0')}`);

  await services.billing.addBillingData({
    invoices: invoiceDrafts.map(({ customerId, draft, currency }): NewInvoice => ({
      customerId,
      number: numbers.get(draft) ?? '',
      periodFrom: draft.periodFrom,
      periodTo: draft.periodTo,
      issuedAt: draft.issuedAt,
      dueOn: draft.dueOn,
      amount: draft.amount,
      currency,
      status: draft.status,
    })),
    xdrs,
    payments: payments.map(({ customerId, draft, invoices, currency }): NewPayment => {
      const invoice = invoices[draft.invoiceIndex];
      return {
        customerId,
        paidAt: draft.paidAt,
        amount: draft.amount,
        currency,
        method: draft.method,
        reference: paymentReference(draft, (invoice && numbers.get(invoice)) ?? ''),
      };
    }),
  });

  return { adminLogin, adminPassword, selfcarePassword, selfcareLogins: [...customerLogins, ...individualLogins] };
}

/** On a brand-new database (no admin, no customer) seeds the demo; otherwise does nothing. */
export async function seedDemoIfEmpty(deps: SeedDeps, options: DemoSeedOptions = {}): Promise<DemoSeedResult | null> {
  if ((await deps.services.admins.count()) > 0) return null;
  if ((await deps.services.customers.search('', null)).items.length > 0) return null;
  return seedDemo(deps, options);
}
