/**
 * Fills the bench database with N customers that look like an operator's: people and companies
 * from several countries (some names with diacritics), e-mail addresses in the usual shapes,
 * self-care logins for four in five of them. Customer `id` is generated from `id` alone, so a run
 * that stops half way resumes where it stopped and every run measures the same rows.
 */
import type { Knex } from 'knex';
import { hashPassword, generatePassword } from '../../src/access/passwords.ts';
import { isMysql } from '../../src/db/knex.ts';
import { resetDatabase } from '../helpers/app.ts';
import { defaultRoleId } from '../helpers/fixtures.ts';
import { prng } from './prng.ts';

// Most frequent first: the generator picks with Zipf-like weights, so "ma…" is common and the end
// of each list is rare, as in a real customer base.
const FIRST_NAMES = [
  'Maria', 'James', 'Anna', 'Michael', 'David', 'Laura', 'Thomas', 'Olena', 'Daniel', 'Sarah', 'Mohammed', 'Martin', 'Sofia', 'Peter', 'Elena',
  'John', 'Julia', 'Robert', 'Marta', 'Andreas', 'Emma', 'Mark', 'Katarzyna', 'Paul', 'Ana', 'Stefan', 'Lucas', 'Olga', 'Christian', 'Marco',
  'Linda', 'Jan', 'Ahmed', 'Monika', 'Carlos', 'Natalia', 'Matteo', 'Fatima', 'William', 'Hannah', 'Jürgen', 'Andrii', 'Chloé', 'José', 'Ingrid',
  'Mateusz', 'Priya', 'Tomasz', 'Giulia', 'Rafael', 'Oksana', 'Henrik', 'Camille', 'Dmytro', 'Amélie', 'Rahul', 'Łukasz', 'Beatriz', 'Sven', 'Noah',
  'Hiroshi', 'Agnieszka', 'François', 'Yuki', 'Bogdan', 'Leonie', 'Emre', 'Aisha', 'Björn', 'Zoë', 'Ines', 'Kwame', 'Siobhán', 'Viktor', 'Xavier',
  'Quentin', 'Yevheniia', 'Xiomara', 'Zygmunt', 'Ulrike',
];
const LAST_NAMES = [
  'Smith', 'Müller', 'Kowalski', 'Garcia', 'Martin', 'Schmidt', 'Nowak', 'Rossi', 'Johnson', 'Shevchenko', 'Fernandes', 'Bernard', 'Williams',
  'Schneider', 'Martinez', 'Brown', 'Kovalenko', 'Wiśniewski', 'Silva', 'Dubois', 'Fischer', 'Jones', 'Lopez', 'Weber', 'Bondarenko', 'Russo',
  'Taylor', 'Meyer', 'Wójcik', 'Moreau', 'Santos', 'Kumar', 'Wagner', 'Davies', 'Petrenko', 'Ferrari', 'Becker', 'Sánchez', 'Lewandowski', 'Evans',
  'Hoffmann', 'Oliveira', 'Tkachenko', 'Laurent', 'Esposito', 'Schulz', 'Thomas', 'Kamińska', 'Gonzalez', 'Koch', 'Roberts', 'Kravchenko',
  'Lefebvre', 'Pereira', 'Bauer', 'Novák', 'Andersson', 'Yilmaz', 'Nielsen', 'Tanaka', 'Okafor', 'Haddad', 'Ivanova', "O'Brien", 'Van Dijk',
  'Zieliński', 'Quintero', 'Yamamoto', 'Xu', 'Ó Súilleabháin',
];
const COMPANY_WORDS = [
  'Nord', 'Blue River', 'Atlas', 'Sun', 'Green Valley', 'Metro', 'Alpine', 'Delta', 'Polar', 'Silver', 'Harbour', 'Orion', 'Kyiv', 'Baltic',
  'Iberia', 'Pacific', 'Maple', 'Summit', 'Riverside', 'Falcon', 'Quantum', 'Vistula', 'Zenith', 'Yellowstone',
];
const COMPANY_KINDS = ['Logistics', 'Telecom', 'Consulting', 'Software', 'Trading', 'Media', 'Networks', 'Systems', 'Foods', 'Energy', 'Clinic', 'Hotels'];
const LEGAL_FORMS = ['Ltd', 'GmbH', 'LLC', 'S.A.', 'sp. z o.o.', 'B.V.', 'S.r.l.', 'Inc.', 'AB', 'TOV', ''];
const COMPANY_MAILBOXES = ['billing', 'accounts', 'info', 'office', 'finance', 'admin', 'buchhaltung', 'contabilidad'];
const MAIL_DOMAINS = ['gmail.example', 'outlook.example', 'mail.example', 'web.example', 'ukr.example', 'wp.example', 'yahoo.example', 'proton.example'];
const COUNTRIES: ReadonlyArray<{ code: string; currency: string; zone: string; language: string; cities: string[] }> = [
  { code: 'US', currency: 'USD', zone: 'America/New_York', language: 'en', cities: ['New York', 'Chicago', 'Austin', 'Seattle'] },
  { code: 'DE', currency: 'EUR', zone: 'Europe/Berlin', language: 'de', cities: ['Berlin', 'Hamburg', 'München', 'Köln'] },
  { code: 'PL', currency: 'PLN', zone: 'Europe/Warsaw', language: 'en', cities: ['Warszawa', 'Kraków', 'Gdańsk'] },
  { code: 'UA', currency: 'UAH', zone: 'Europe/Kyiv', language: 'uk', cities: ['Kyiv', 'Lviv', 'Odesa', 'Dnipro'] },
  { code: 'BR', currency: 'BRL', zone: 'America/Sao_Paulo', language: 'pt-BR', cities: ['São Paulo', 'Rio de Janeiro', 'Curitiba'] },
  { code: 'FR', currency: 'EUR', zone: 'Europe/Paris', language: 'fr', cities: ['Paris', 'Lyon', 'Marseille'] },
  { code: 'ES', currency: 'EUR', zone: 'Europe/Madrid', language: 'es', cities: ['Madrid', 'Barcelona', 'Valencia'] },
  { code: 'GB', currency: 'GBP', zone: 'Europe/London', language: 'en', cities: ['London', 'Manchester', 'Leeds'] },
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

export interface GeneratedCustomer {
  row: Record<string, unknown>;
  login: string | null;
}

/** Customer number `id`, the same on every run. */
export function generatedCustomer(id: number, roleId: number, passwordHash: string, now: Date): GeneratedCustomer {
  const random = prng(0x5ca1ab1e ^ Math.imul(id, 0x9e3779b1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const country = pick(COUNTRIES);
  const first = firstName(random());
  const last = lastName(random());
  let name: string;
  let email: string;
  let loginBase: string;
  if (random() < 0.6) {
    name = `${first} ${last}`;
    const shape = random();
    const domain = pick(MAIL_DOMAINS);
    if (shape < 0.45) email = `${ascii(first)}.${ascii(last)}@${domain}`;
    else if (shape < 0.75) email = `${ascii(first).charAt(0)}.${ascii(last)}@${domain}`;
    else if (shape < 0.9) email = `${ascii(last)}.${ascii(first)}@${domain}`;
    else email = `${ascii(first)}${Math.floor(random() * 100)}@${domain}`;
    loginBase = `${ascii(first).charAt(0)}${ascii(last)}`;
  } else {
    const word = random() < 0.5 ? last : pick(COMPANY_WORDS);
    name = `${word} ${pick(COMPANY_KINDS)} ${pick(LEGAL_FORMS)}`.trim();
    const slug = `${ascii(word)}-${ascii(name.slice(word.length)).slice(0, 12)}`;
    email = `${pick(COMPANY_MAILBOXES)}@${slug}.example`;
    loginBase = slug.slice(0, 40);
  }
  const login = random() < 0.8 ? `${loginBase}${id}` : null;
  const balance = Math.round((random() * 4000 - 1000) * 100) / 100;
  return {
    login,
    row: {
      id,
      name,
      name_lower: name.toLowerCase(),
      email,
      email_lower: email.toLowerCase(),
      currency: country.currency,
      status: random() < 0.96 ? 'active' : 'suspended',
      balance,
      credit_limit: pick([0, 100, 500, 1000, 5000]),
      company_name: name,
      contact_name: `${first} ${last}`,
      phone: `+${Math.floor(random() * 90 + 10)} ${Math.floor(random() * 9e8 + 1e8)}`,
      address_line1: `${Math.floor(random() * 200) + 1} ${pick(COMPANY_WORDS)} Street`,
      city: pick(country.cities),
      postal_code: String(Math.floor(random() * 90000) + 10000),
      country: country.code,
      role_id: roleId,
      selfcare_login: login,
      selfcare_login_lower: login?.toLowerCase() ?? null,
      password_hash: login === null ? null : passwordHash,
      trusted_ips: '',
      time_zone: country.zone,
      language: country.language,
      created_at: now,
      updated_at: now,
    },
  };
}

/** Rows per transaction: a stopped fill keeps what it committed and resumes after it. */
const BATCH = 20_000;
/** Rows per INSERT statement: Knex writes a SQLite one as a compound SELECT (at most 500 terms). */
const statementRows = (db: Knex): number => (isMysql(db) ? 1_000 : 400);

export interface FillOutcome {
  filled: number;
  seconds: number;
}

/**
 * Makes customers 1..n the generated ones. Skips what is already there; empties the database first
 * when its customers are not a prefix of the generated ones (another count, foreign rows).
 */
export async function fillCustomers(db: Knex, n: number, log: (line: string) => void): Promise<FillOutcome> {
  const row = (await db('customers').where('id', '<=', n).count({ count: '*' }).max({ top: 'id' }).first()) as { count: unknown; top: unknown } | undefined;
  let have = Number(row?.count ?? 0);
  const top = Number(row?.top ?? 0);
  if (have === n) return { filled: 0, seconds: 0 };
  if (have !== top) {
    log(`The database holds other customers (${have} rows up to id ${top}); emptying it before the fill.`);
    await resetDatabase(db);
    have = 0;
  }
  const started = performance.now();
  const mysql = isMysql(db);
  const statement = statementRows(db);
  log(
    `Filling customers ${have + 1}..${n} in transactions of ${BATCH.toLocaleString('en')} rows. ` +
      `This is a one-time cost (${mysql ? 'several minutes for a million rows on MySQL' : 'tens of seconds'}): reruns find the rows and skip it.`,
  );
  const roleId = await defaultRoleId({ db });
  // One hash for all: nobody signs in as these customers, but a login always comes with a password.
  const passwordHash = await hashPassword(generatePassword(), 4);
  const now = new Date();
  let lastReport = started;
  for (let from = have + 1; from <= n; from += BATCH) {
    const to = Math.min(n, from + BATCH - 1);
    await db.transaction(async (trx) => {
      for (let first = from; first <= to; first += statement) {
        const generated: GeneratedCustomer[] = [];
        for (let id = first; id <= Math.min(to, first + statement - 1); id++) generated.push(generatedCustomer(id, roleId, passwordHash, now));
        await trx('customers').insert(generated.map((g) => g.row));
        // The login namespace shared with individuals: the app refuses a taken login through it.
        const logins = generated.flatMap((g) => (g.login === null ? [] : [{ login_lower: g.login.toLowerCase(), customer_id: g.row.id, individual_id: null }]));
        if (logins.length > 0) await trx('selfcare_logins').insert(logins);
      }
    });
    const clock = performance.now();
    if (clock - lastReport > 10_000 || to === n) {
      lastReport = clock;
      const rate = (to - have) / ((clock - started) / 1000);
      log(`  ${to.toLocaleString('en')} / ${n.toLocaleString('en')} customers, ${Math.round(rate).toLocaleString('en')} rows/s, about ${Math.round((n - to) / rate)} s to go`);
    }
  }
  return { filled: n - have, seconds: (performance.now() - started) / 1000 };
}
