// Data at production scale, for benchmarks and for trying the panels on a realistic database:
// N customers that look like an operator's (people and companies from several countries, some
// names with diacritics, e-mail addresses in the usual shapes, self-care logins for four in five)
// and M calls of one customer over the last year.
//
// Rows go in through the customers and billing services' bulk loads: one multi-row INSERT per
// chunk, many chunks per transaction, so a million rows take minutes. From REBUILD_FROM customers
// on, the admin search's keys are left out of the load and built whole at its end (kept row by
// row they would take hours at a million). A stopped run keeps the transactions it committed; the
// next run adds after them, and rebuilds the search keys when some customer has none.
//
// Customer number n (its ordinal, counted on from the highest id at the start of the run) is
// generated from n alone: an empty database gets the same customers every time, names, e-mail
// addresses and logins are unique (each carries n), and the frequent first and last names come
// first in their lists, so a one- to three-letter prefix matches as many customers as in life.

import type { Deps } from '../deps.ts';
import { generatePassword, hashPassword } from '../access/passwords.ts';
import { COMPONENTS, type PermissionMap } from '../access/permissions.ts';
import type { AuditContext } from '../http/actor.ts';
import { isValidTimeZone } from '../regional/time-zones.ts';
import type { NewXdr } from '../features/billing/service.ts';
import { CustomerNotFoundError, type ImportedCustomer } from '../features/customers/service.ts';
import { DEFAULT_ROLE_TYPE, getDefaultRoleId } from '../features/roles/service.ts';
import { LoginNamespace } from '../features/selfcare-access/service.ts';
import { callDuration, DESTINATIONS, type Destination } from './calls.ts';
import { createRandom, round, type Random } from './random.ts';

export type ScaleSeedDeps = Pick<Deps, 'db' | 'config' | 'services'>;

export interface ScaleSeedProgress {
  stage: 'customers' | 'search keys' | 'xdrs';
  done: number;
  total: number;
  elapsedMs: number;
}

export interface ScaleSeedOptions {
  /** customers to add */
  customers: number;
  /** calls (xDRs) to add to one customer, spread over the year before `now` */
  xdrs: number;
  /** whose calls they are; default: the first customer with a login that this run adds */
  xdrCustomerId?: number;
  /** called after every committed transaction */
  onProgress?: (progress: ScaleSeedProgress) => void;
  /** the end of the year of calls and the newest customer's creation; defaults to now */
  now?: Date;
}

export interface ScaleSeedResult {
  customersAdded: number;
  xdrsAdded: number;
  /** the customer with the calls, and its self-care login when it has one */
  xdrCustomer: { id: number; login: string | null } | null;
  /** the one self-care password of every customer this run added (null when it added none) */
  selfcarePassword: string | null;
  seconds: { customers: number; xdrs: number };
}

/** Customers per transaction: a stopped run keeps what it committed. */
const CUSTOMER_BATCH = 10_000;
/** From this many customers, their search keys are built once at the end of the run. */
const REBUILD_FROM = 50_000;
/** Calls per transaction. */
const XDR_BATCH = 20_000;
const YEAR_MS = 365 * 86_400_000;
const SEED = 0x5ca1ab1e;
/** Who the audit trail names for the role this seed creates when there is none. */
const SCALE_SEED: AuditContext = { actor: { type: 'system', id: null, label: 'scale seed' }, ip: '' };

// ---------------------------------------------------------------------------------------------
// What the customers are made of. Most frequent first: the generator picks with Zipf-like weights,
// so "ma…" is common and the end of each list is rare, as in a real customer base.

const FIRST_NAMES = [
  'Maria',
  'James',
  'Anna',
  'Michael',
  'David',
  'Laura',
  'Thomas',
  'Olena',
  'Daniel',
  'Sarah',
  'Mohammed',
  'Martin',
  'Sofia',
  'Peter',
  'Elena',
  'John',
  'Julia',
  'Robert',
  'Marta',
  'Andreas',
  'Emma',
  'Mark',
  'Katarzyna',
  'Paul',
  'Ana',
  'Stefan',
  'Lucas',
  'Olga',
  'Christian',
  'Marco',
  'Linda',
  'Jan',
  'Ahmed',
  'Monika',
  'Carlos',
  'Natalia',
  'Matteo',
  'Fatima',
  'William',
  'Hannah',
  'Jürgen',
  'Andrii',
  'Chloé',
  'José',
  'Ingrid',
  'Mateusz',
  'Priya',
  'Tomasz',
  'Giulia',
  'Rafael',
  'Oksana',
  'Henrik',
  'Camille',
  'Dmytro',
  'Amélie',
  'Rahul',
  'Łukasz',
  'Beatriz',
  'Sven',
  'Noah',
  'Hiroshi',
  'Agnieszka',
  'François',
  'Yuki',
  'Bogdan',
  'Leonie',
  'Emre',
  'Aisha',
  'Björn',
  'Zoë',
  'Ines',
  'Kwame',
  'Siobhán',
  'Viktor',
  'Xavier',
  'Quentin',
  'Yevheniia',
  'Xiomara',
  'Zygmunt',
  'Ulrike',
];
const LAST_NAMES = [
  'Smith',
  'Müller',
  'Kowalski',
  'Garcia',
  'Martin',
  'Schmidt',
  'Nowak',
  'Rossi',
  'Johnson',
  'Shevchenko',
  'Fernandes',
  'Bernard',
  'Williams',
  'Schneider',
  'Martinez',
  'Brown',
  'Kovalenko',
  'Wiśniewski',
  'Silva',
  'Dubois',
  'Fischer',
  'Jones',
  'Lopez',
  'Weber',
  'Bondarenko',
  'Russo',
  'Taylor',
  'Meyer',
  'Wójcik',
  'Moreau',
  'Santos',
  'Kumar',
  'Wagner',
  'Davies',
  'Petrenko',
  'Ferrari',
  'Becker',
  'Sánchez',
  'Lewandowski',
  'Evans',
  'Hoffmann',
  'Oliveira',
  'Tkachenko',
  'Laurent',
  'Esposito',
  'Schulz',
  'Thomas',
  'Kamińska',
  'Gonzalez',
  'Koch',
  'Roberts',
  'Kravchenko',
  'Lefebvre',
  'Pereira',
  'Bauer',
  'Novák',
  'Andersson',
  'Yilmaz',
  'Nielsen',
  'Tanaka',
  'Okafor',
  'Haddad',
  'Ivanova',
  "O'Brien",
  'Van Dijk',
  'Zieliński',
  'Quintero',
  'Yamamoto',
  'Xu',
  'Ó Súilleabháin',
];
const COMPANY_WORDS = [
  'Nord',
  'Blue River',
  'Atlas',
  'Sun',
  'Green Valley',
  'Metro',
  'Alpine',
  'Delta',
  'Polar',
  'Silver',
  'Harbour',
  'Orion',
  'Kyiv',
  'Baltic',
  'Iberia',
  'Pacific',
  'Maple',
  'Summit',
  'Riverside',
  'Falcon',
  'Quantum',
  'Vistula',
  'Zenith',
  'Yellowstone',
];
const COMPANY_KINDS = [
  'Logistics',
  'Telecom',
  'Consulting',
  'Software',
  'Trading',
  'Media',
  'Networks',
  'Systems',
  'Foods',
  'Energy',
  'Clinic',
  'Hotels',
];
const LEGAL_FORMS = ['Ltd', 'GmbH', 'LLC', 'S.A.', 'sp. z o.o.', 'B.V.', 'S.r.l.', 'Inc.', 'AB', 'TOV', ''];
const COMPANY_MAILBOXES = ['billing', 'accounts', 'info', 'office', 'finance', 'admin', 'buchhaltung', 'contabilidad'];
const MAIL_DOMAINS = [
  'gmail.example',
  'outlook.example',
  'mail.example',
  'web.example',
  'ukr.example',
  'wp.example',
  'yahoo.example',
  'proton.example',
];

interface CountryProfile {
  code: 'US' | 'DE' | 'PL' | 'UA' | 'BR' | 'FR' | 'ES' | 'GB';
  currency: string;
  /** the IANA name first, then the alias an older ICU knows instead */
  zones: readonly string[];
  language: string;
  dateFormat: string;
  timeFormat: string;
  cities: readonly string[];
  usdRate: number;
}

const COUNTRIES: readonly CountryProfile[] = [
  {
    code: 'US',
    currency: 'USD',
    zones: ['America/New_York'],
    language: 'en',
    dateFormat: 'MM/DD/YYYY',
    timeFormat: 'HH12:MI AM',
    cities: ['New York', 'Chicago', 'Austin', 'Seattle'],
    usdRate: 1,
  },
  {
    code: 'DE',
    currency: 'EUR',
    zones: ['Europe/Berlin'],
    language: 'de',
    dateFormat: 'DD.MM.YYYY',
    timeFormat: 'HH24:MI',
    cities: ['Berlin', 'Hamburg', 'München', 'Köln'],
    usdRate: 0.92,
  },
  {
    code: 'PL',
    currency: 'PLN',
    zones: ['Europe/Warsaw'],
    language: 'en',
    dateFormat: 'DD.MM.YYYY',
    timeFormat: 'HH24:MI',
    cities: ['Warszawa', 'Kraków', 'Gdańsk'],
    usdRate: 3.95,
  },
  {
    code: 'UA',
    currency: 'UAH',
    zones: ['Europe/Kyiv', 'Europe/Kiev'],
    language: 'uk',
    dateFormat: 'DD.MM.YYYY',
    timeFormat: 'HH24:MI:SS',
    cities: ['Kyiv', 'Lviv', 'Odesa', 'Dnipro'],
    usdRate: 41.5,
  },
  {
    code: 'BR',
    currency: 'BRL',
    zones: ['America/Sao_Paulo'],
    language: 'pt-BR',
    dateFormat: 'DD/MM/YYYY',
    timeFormat: 'HH24:MI',
    cities: ['São Paulo', 'Rio de Janeiro', 'Curitiba'],
    usdRate: 5.35,
  },
  {
    code: 'FR',
    currency: 'EUR',
    zones: ['Europe/Paris'],
    language: 'fr',
    dateFormat: 'DD/MM/YYYY',
    timeFormat: 'HH24:MI',
    cities: ['Paris', 'Lyon', 'Marseille'],
    usdRate: 0.92,
  },
  {
    code: 'ES',
    currency: 'EUR',
    zones: ['Europe/Madrid'],
    language: 'es',
    dateFormat: 'DD/MM/YYYY',
    timeFormat: 'HH24:MI',
    cities: ['Madrid', 'Barcelona', 'Valencia'],
    usdRate: 0.92,
  },
  {
    code: 'GB',
    currency: 'GBP',
    zones: ['Europe/London'],
    language: 'en',
    dateFormat: 'DD/MM/YYYY',
    timeFormat: 'HH24:MI',
    cities: ['London', 'Manchester', 'Leeds'],
    usdRate: 0.79,
  },
];

/** Cumulative weights 1/(rank + 8): the first entries are about ten times as frequent as the last ones. */
function zipf<T>(items: readonly T[]): (r: number) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < items.length; i++) cumulative.push((total += 1 / (i + 8)));
  return (r) => {
    const target = r * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return items[lo] as T;
  };
}
const firstName = zipf(FIRST_NAMES);
const lastName = zipf(LAST_NAMES);

/** "Łukasz Wiśniewski" → "lukasz", "wisniewski" for addresses and logins. */
function ascii(text: string): string {
  return text
    .replace(/[łŁ]/g, 'l')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

let zoneOf: Map<CountryProfile, string> | undefined;
/** The first of a country's zone names this runtime knows, so the stored value is one the panels offer. */
function zone(country: CountryProfile): string {
  zoneOf ??= new Map(COUNTRIES.map((c) => [c, c.zones.find((name) => isValidTimeZone(name)) ?? 'UTC']));
  return zoneOf.get(country) ?? 'UTC';
}

/** Customer number `ordinal`, the same on every run; without role and password hash. */
export function scaleCustomer(ordinal: number, now: Date): Omit<ImportedCustomer, 'roleId' | 'passwordHash'> {
  const random = createRandom(SEED ^ Math.imul(ordinal, 0x9e3779b1));
  const r = (): number => random.next();
  const country = random.pick(COUNTRIES);
  const first = firstName(r());
  const last = lastName(r());
  let name: string;
  let email: string;
  let loginBase: string;
  if (r() < 0.6) {
    name = `${first} ${last}`;
    const shape = r();
    const domain = random.pick(MAIL_DOMAINS);
    if (shape < 0.45) email = `${ascii(first)}.${ascii(last)}${ordinal}@${domain}`;
    else if (shape < 0.75) email = `${ascii(first).charAt(0)}.${ascii(last)}${ordinal}@${domain}`;
    else if (shape < 0.9) email = `${ascii(last)}.${ascii(first)}${ordinal}@${domain}`;
    else email = `${ascii(first)}${ordinal}@${domain}`;
    loginBase = `${ascii(first).charAt(0)}${ascii(last)}`;
  } else {
    const word = r() < 0.5 ? last : random.pick(COMPANY_WORDS);
    name = `${word} ${random.pick(COMPANY_KINDS)} ${random.pick(LEGAL_FORMS)}`.trim();
    const slug = `${ascii(word)}-${ascii(name.slice(word.length)).slice(0, 12)}`;
    email = `${random.pick(COMPANY_MAILBOXES)}@${slug}-${ordinal}.example`;
    loginBase = slug.slice(0, 40);
  }
  const login = r() < 0.8 ? `${loginBase}${ordinal}` : null;
  const dateFormat = r() < 0.9 ? country.dateFormat : 'YYYY-MM-DD';
  return {
    // The number keeps every name apart, as a billing system's customer names are, and sits at the
    // end, where it does not change which prefixes find the customer.
    name: `${name} #${ordinal}`,
    email,
    currency: country.currency,
    status: r() < 0.96 ? 'active' : 'suspended',
    balance: round(r() * 4000 - 1000, 2),
    creditLimit: random.pick([0, 100, 500, 1000, 5000]),
    companyName: name,
    contactName: `${first} ${last}`,
    phone: `+${random.int(10, 99)} ${random.int(100_000_000, 999_999_999)}`,
    addressLine1: `${random.int(1, 200)} ${random.pick(COMPANY_WORDS)} Street`,
    addressLine2: '',
    city: random.pick(country.cities),
    postalCode: String(random.int(10_000, 99_999)),
    country: country.code,
    selfcareLogin: login,
    ipRestriction: false,
    trustedIps: '',
    timeZone: zone(country),
    language: country.language,
    outDateFormat: dateFormat,
    outTimeFormat: country.timeFormat,
    inDateFormat: dateFormat,
    inTimeFormat: country.timeFormat,
    createdAt: new Date(now.getTime() - Math.floor(r() * 5 * YEAR_MS)),
  };
}

// ---------------------------------------------------------------------------------------------
// Calls

/** Call `index` of `total`, in time order over the year before `now`. */
function scaleXdr(
  rng: Random,
  index: number,
  total: number,
  now: Date,
  caller: { customerId: number; numbers: readonly string[]; home: readonly Destination[]; usdRate: number },
): NewXdr {
  const start = now.getTime() - YEAR_MS;
  const destination = caller.home.length > 0 && rng.next() < 0.6 ? rng.pick(caller.home) : rng.pick(DESTINATIONS);
  const duration = callDuration(rng);
  return {
    customerId: caller.customerId,
    connectTime: new Date(Math.min(now.getTime() - 1, Math.floor(start + ((index + rng.next()) * YEAR_MS) / total))),
    cli: rng.pick(caller.numbers),
    cld: destination.number(rng),
    description: `Outgoing call to ${destination.label}`,
    durationSeconds: duration,
    chargedAmount: round(Math.ceil(duration / 60) * destination.usdPerMinute * caller.usdRate, 5),
  };
}

// ---------------------------------------------------------------------------------------------
// Seeding

function count(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${what} must be a whole number, 0 or more (got ${value})`);
  return value;
}

/** The default self-care role; with no self-care role at all, a "Full access" one that becomes it. */
async function defaultRoleId(deps: ScaleSeedDeps): Promise<number> {
  const existing = await getDefaultRoleId(deps.db, DEFAULT_ROLE_TYPE);
  if (existing !== null) return existing;
  const perms = Object.fromEntries(
    COMPONENTS.filter((c) => c.parent === null).map((c) => [c.key, 'modify']),
  ) as PermissionMap;
  return deps.services.roles.create(
    {
      name: 'Full access',
      description: 'Everything in the self-care portal.',
      type: DEFAULT_ROLE_TYPE,
      perms,
      isDefault: true,
    },
    SCALE_SEED,
  );
}

/** Renames the logins someone already holds (`login.2`, `login.3`…) until none is taken. */
async function freeLogins(logins: LoginNamespace, customers: ImportedCustomer[]): Promise<void> {
  const wanted = new Map(customers.flatMap((c) => (c.selfcareLogin === null ? [] : [[c, c.selfcareLogin] as const])));
  for (let attempt = 2; ; attempt++) {
    const taken = await logins.takenAmong(
      customers.flatMap((c) => (c.selfcareLogin === null ? [] : [c.selfcareLogin])),
    );
    if (taken.size === 0) return;
    for (const customer of customers) {
      if (customer.selfcareLogin !== null && taken.has(customer.selfcareLogin.toLowerCase()))
        customer.selfcareLogin = `${wanted.get(customer) ?? customer.selfcareLogin}.${attempt}`;
    }
  }
}

/**
 * Adds `customers` generated customers (every one with the default role, the ones with a login
 * sharing one new password, hashed once) and `xdrs` calls of one customer.
 */
export async function seedScale(deps: ScaleSeedDeps, options: ScaleSeedOptions): Promise<ScaleSeedResult> {
  const customers = count(options.customers, 'customers');
  const xdrs = count(options.xdrs, 'xdrs');
  const now = options.now ?? new Date();
  const { services } = deps;
  const result: ScaleSeedResult = {
    customersAdded: 0,
    xdrsAdded: 0,
    xdrCustomer: null,
    selfcarePassword: null,
    seconds: { customers: 0, xdrs: 0 },
  };

  let started = performance.now();
  if (customers > 0) {
    const roleId = await defaultRoleId(deps);
    const password = generatePassword();
    const passwordHash = await hashPassword(password, deps.config.bcryptCost);
    result.selfcarePassword = password;
    const logins = new LoginNamespace(deps.db);
    const firstOrdinal = (await services.customers.highestId()) + 1;
    const rebuild = customers >= REBUILD_FROM || (await services.customers.searchKeysMissing());
    for (let done = 0; done < customers;) {
      const size = Math.min(CUSTOMER_BATCH, customers - done);
      const batch: ImportedCustomer[] = [];
      for (let i = 0; i < size; i++)
        batch.push({ ...scaleCustomer(firstOrdinal + done + i, now), roleId, passwordHash: null });
      for (const customer of batch) if (customer.selfcareLogin !== null) customer.passwordHash = passwordHash;
      await freeLogins(logins, batch);
      const ids = await services.customers.importCustomers(batch, { searchKeys: !rebuild });
      if (result.xdrCustomer === null) {
        const login = batch.find((c) => c.selfcareLogin !== null)?.selfcareLogin ?? null;
        const id = login === null ? undefined : ids.get(login.toLowerCase());
        if (login !== null && id !== undefined) result.xdrCustomer = { id, login };
      }
      done += size;
      result.customersAdded = done;
      options.onProgress?.({ stage: 'customers', done, total: customers, elapsedMs: performance.now() - started });
    }
    if (rebuild)
      await services.customers.rebuildSearchKeys((done, total) =>
        options.onProgress?.({ stage: 'search keys', done, total, elapsedMs: performance.now() - started }),
      );
  }
  result.seconds.customers = (performance.now() - started) / 1000;

  if (xdrs > 0) {
    started = performance.now();
    const customerId = options.xdrCustomerId ?? result.xdrCustomer?.id;
    if (customerId === undefined)
      throw new Error('Name the customer for the calls (xdrCustomerId): this run adds no customer with a login');
    const customer = await services.customers.find(customerId);
    if (!customer) throw new CustomerNotFoundError();
    result.xdrCustomer = { id: customer.id, login: customer.selfcareLogin };
    const rng = createRandom(SEED ^ Math.imul(customer.id, 0x85ebca6b));
    const homeLandline = DESTINATIONS.find((d) => d.country === customer.country) ?? DESTINATIONS[0];
    if (homeLandline === undefined) throw new Error('no destinations');
    const caller = {
      customerId: customer.id,
      numbers: [homeLandline.number(rng), homeLandline.number(rng), homeLandline.number(rng)],
      home: DESTINATIONS.filter((d) => d.country === customer.country),
      usdRate: COUNTRIES.find((c) => c.currency === customer.currency)?.usdRate ?? 1,
    };
    for (let done = 0; done < xdrs;) {
      const size = Math.min(XDR_BATCH, xdrs - done);
      const batch: NewXdr[] = [];
      for (let i = 0; i < size; i++) batch.push(scaleXdr(rng, done + i, xdrs, now, caller));
      await services.billing.addBillingData({ xdrs: batch });
      done += size;
      result.xdrsAdded = done;
      options.onProgress?.({ stage: 'xdrs', done, total: xdrs, elapsedMs: performance.now() - started });
    }
    result.seconds.xdrs = (performance.now() - started) / 1000;
  }
  return result;
}
