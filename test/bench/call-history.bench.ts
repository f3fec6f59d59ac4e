/**
 * The portal's call history at scale: one customer with BENCH_XDRS (1,000,000) calls spread over a
 * year, the list filtered to one week (about 19,000 calls), page 1 and page 100 — reached by
 * following the "next" cursor 99 times, as the page's Next link does. Measured through
 * BillingService (the two reads the page makes: the page of calls and the week's totals) and
 * through HTTP as the customer signed in to the portal (`GET /xdrs?from=…&to=…&cursor=…`, dates
 * typed in the customer's own input format and time zone).
 *
 *   npx tsx test/bench/call-history.bench.ts                          # SQLite
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/selfcare_bench \
 *     npx tsx test/bench/call-history.bench.ts                        # MySQL/MariaDB
 *
 * The calls live in the bench database (the one customer-search.bench.ts fills). The customer is
 * BENCH_XDR_CUSTOMER when set, else the customer with the most calls when it has BENCH_XDRS or
 * more (what `npm run selfcare -- seed-scale --xdrs 1000000` or an earlier run left), else the
 * first customer with a self-care login and no calls, who gets BENCH_XDRS calls through the scale
 * seed (a one-time cost; later runs reuse them).
 *
 * Targets (exit 1 when one is missed): p95 ≤ 50 ms (BENCH_XDRS_P95_MS) for both pages, and page
 * 100's p95 ≤ 1.5 × page 1's (BENCH_XDRS_GROWTH), through the service and through HTTP; EXPLAIN of
 * every statement of the page shows neither a full scan nor a sort of the customer's calls.
 */
import { createServer, type Server } from 'node:http';
import { cpus } from 'node:os';
import type { Express } from 'express';
import { DateTime } from 'luxon';
import { createApp } from '../../src/app.ts';
import { hashPassword, generatePassword } from '../../src/access/passwords.ts';
import { buildDeps } from '../../src/deps.ts';
import { decodeCursor } from '../../src/db/keyset.ts';
import { isMysql } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { setTemplateCache } from '../../src/http/render.ts';
import { PAGE_SIZE } from '../../src/features/billing/portal-routes.ts';
import { formatInstant, parseDateTimeInput } from '../../src/regional/date-format.ts';
import { seedScale } from '../../src/seed/scale.ts';
import { signInPortal } from '../helpers/portal.ts';
import {
  benchBackend,
  benchConfig,
  describePlan,
  latency,
  machineLoad,
  measureRounds,
  ms,
  planProblems,
  plansOf,
  printTable,
  queriesOf,
  type Latency,
} from './support.ts';

const XDRS = Number(process.env.BENCH_XDRS || 1_000_000);
const P95_LIMIT_MS = Number(process.env.BENCH_XDRS_P95_MS || 50);
const GROWTH_LIMIT = Number(process.env.BENCH_XDRS_GROWTH || 1.5);
const SAMPLES = Number(process.env.BENCH_SAMPLES || 200);
const LAST_PAGE = 100;

const backend = benchBackend();
const deps = await buildDeps(benchConfig(backend, { production: false, redis: true }));
const db = deps.db;
const billing = deps.services.billing;
let server: Server | undefined;

const countOf = async (customerId: number): Promise<number> =>
  Number(
    ((await db('xdrs').where({ customer_id: customerId }).count({ n: '*' }).first()) as { n: unknown } | undefined)
      ?.n ?? 0,
  );

/** The customer whose calls are measured, given its calls first when it has none yet. */
async function caller(): Promise<number> {
  if (process.env.BENCH_XDR_CUSTOMER) return Number(process.env.BENCH_XDR_CUSTOMER);
  // one pass over the (customer_id, …) index: a second or so at a few million calls
  const busiest = (await db('xdrs')
    .select('customer_id')
    .count({ n: '*' })
    .groupBy('customer_id')
    .orderBy('n', 'desc')
    .first()) as { customer_id: unknown; n: unknown } | undefined;
  if (busiest && Number(busiest.n) >= XDRS) {
    console.log('Calls already there: seeding skipped.');
    return Number(busiest.customer_id);
  }
  const fresh = (await db('customers as c')
    .whereNotNull('c.selfcare_login')
    .whereNotExists(db('xdrs as x').select(db.raw('1')).whereRaw('x.customer_id = c.id'))
    .orderBy('c.id')
    .first('c.id')) as { id: unknown } | undefined;
  console.log(`Adding ${XDRS.toLocaleString('en')} calls: a one-time cost, reruns reuse them.`);
  let reported = 0;
  const seeded = await seedScale(deps, {
    customers: fresh ? 0 : 1,
    xdrs: XDRS,
    xdrCustomerId: fresh ? Number(fresh.id) : undefined,
    onProgress: ({ stage, done, total, elapsedMs }) => {
      if (stage !== 'xdrs' || (elapsedMs - reported < 15_000 && done < total)) return;
      reported = elapsedMs;
      const rate = done / (elapsedMs / 1000);
      console.log(
        `  ${done.toLocaleString('en')} / ${total.toLocaleString('en')} calls, ${Math.round(rate).toLocaleString('en')}/s, about ${Math.round((total - done) / rate)} s to go`,
      );
    },
  });
  console.log(`  ${seeded.xdrsAdded.toLocaleString('en')} calls in ${seeded.seconds.xdrs.toFixed(0)} s.`);
  return seeded.xdrCustomer!.id;
}

try {
  await migrateLatest(db);
  console.log(`Call history: ${backend.label}; ${cpus().length} CPUs, ${machineLoad()}`);
  const customerId = await caller();
  const customer = await deps.services.customers.get(customerId);
  const calls = await countOf(customerId);
  if (!customer.selfcareLogin) throw new Error(`customer ${customerId} has no self-care login`);

  // The week in the middle of the customer's year of calls, typed as the customer types dates.
  const span = (await db('xdrs')
    .where({ customer_id: customerId })
    .min({ first: 'connect_time' })
    .max({ last: 'connect_time' })
    .first()) as { first: unknown; last: unknown };
  const edge = (v: unknown) =>
    v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(`${String(v)}Z`);
  const middle = new Date((edge(span.first) + edge(span.last)) / 2);
  const zone = customer.timeZone;
  const weekStart = DateTime.fromJSDate(middle, { zone }).startOf('day');
  const typed = (d: DateTime) =>
    formatInstant(d.toJSDate(), customer.inDateFormat, { timeZone: zone, locale: customer.language });
  const filter = { from: typed(weekStart), to: typed(weekStart.plus({ days: 7 })) };
  const read = (text: string) =>
    parseDateTimeInput(text, {
      dateFormat: customer.inDateFormat,
      timeFormat: customer.inTimeFormat,
      timeZone: zone,
      locale: customer.language,
    });
  const range = { from: read(filter.from), to: read(filter.to) };
  if (!range.from || !range.to) throw new Error(`the typed week ${filter.from}–${filter.to} does not parse`);
  const inWeek = Number(
    (
      (await db('xdrs')
        .where({ customer_id: customerId })
        .where('connect_time', '>=', range.from)
        .where('connect_time', '<', range.to)
        .count({ n: '*' })
        .first()) as { n: unknown } | undefined
    )?.n ?? 0,
  );

  // The page's two reads, side by side as the /xdrs handler makes them.
  const servicePage = async (cursor: string | null) => {
    const [page] = await Promise.all([
      billing.xdrs(customerId, range, { after: cursor ? decodeCursor(cursor) : null, limit: PAGE_SIZE }),
      billing.xdrTotals(customerId, range),
    ]);
    return page;
  };
  let cursor: string | null = null;
  for (let page = 1; page < LAST_PAGE; page++) {
    cursor = (await servicePage(cursor)).nextCursor;
    if (!cursor) throw new Error(`the week has ${page} pages only, not ${LAST_PAGE}`);
  }
  const cursors = new Map<number, string | null>([
    [1, null],
    [LAST_PAGE, cursor],
  ]);

  // The customer signs in with a password of the bench's (the seed's was shown once).
  const password = generatePassword();
  await db('customers')
    .where({ id: customerId })
    .update({
      password_hash: await hashPassword(password, 4),
      password_change_required: false,
      ip_restriction: false,
      two_factor_required: false,
    });
  server = createServer(createApp(deps));
  setTemplateCache(true); // as in production (createApp turned it off outside production)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  // supertest sends to a server that already listens instead of starting one per request
  const { agent } = await signInPortal(server as unknown as Express, customer.selfcareLogin, password);
  const pageUrl = (c: string | null) => `/xdrs?${new URLSearchParams({ ...filter, ...(c ? { cursor: c } : {}) })}`;
  const httpPage = async (c: string | null) => {
    const res = await agent.get(pageUrl(c));
    if (res.status !== 200) throw new Error(`GET ${pageUrl(c)} answered ${res.status}`);
    return res.text;
  };
  // The page's own Next link, followed 99 times, must land where the service's cursor did.
  let url = pageUrl(null);
  for (let page = 1; page < LAST_PAGE; page++) {
    const html = (await agent.get(url)).text;
    const next = /<a href="(\/xdrs\?[^"]*cursor=[^"]*)"[^>]*rel="next"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    if (!next) throw new Error(`no Next link on page ${page} of ${url}`);
    url = next;
  }
  if (new URL(url, 'http://x').searchParams.get('cursor') !== cursor)
    throw new Error(`page ${LAST_PAGE} by Next links (${url}) is not the service's (${cursor})`);

  const pages = [1, LAST_PAGE];
  const direct = await measureRounds(pages, (p) => servicePage(cursors.get(p) ?? null), { samples: SAMPLES });
  const http = await measureRounds(pages, (p) => httpPage(cursors.get(p) ?? null), { samples: SAMPLES });
  const rowsShown = (html: string) => (html.match(/<td class="num">/g)?.length ?? 0) / 2;
  const shown = await Promise.all(pages.map(async (p) => rowsShown(await httpPage(cursors.get(p) ?? null))));

  // EXPLAIN of every statement of the page: the service's two, then all those of a request
  // (the customer and its role's permissions too).
  const failing: string[] = [];
  const plans: string[] = [];
  for (const p of pages) {
    const c = cursors.get(p) ?? null;
    const sent = [...(await queriesOf(db, () => servicePage(c))), ...(await queriesOf(db, () => httpPage(c)))];
    for (const plan of await plansOf(db, sent)) {
      plans.push(`page ${p}: ${describePlan(plan)}`);
      failing.push(...planProblems(plan).map((problem) => `page ${p}: ${problem}`));
    }
  }

  const l = (m: typeof direct, p: number): Latency => latency(m.get(p)!.samples);
  const table: string[][] = [['way', 'page', 'rows', 'first call', 'p50', 'p95', 'max', 'samples']];
  for (const [way, m] of [
    ['service', direct],
    ['HTTP', http],
  ] as const) {
    for (const [i, p] of pages.entries()) {
      const lat = l(m, p);
      table.push([
        way,
        String(p),
        String(shown[i]),
        ms(m.get(p)!.first),
        ms(lat.p50),
        ms(lat.p95),
        ms(lat.max),
        String(lat.n),
      ]);
      if (lat.p95 > P95_LIMIT_MS) failing.push(`${way} page ${p}: p95 ${ms(lat.p95)} ms`);
    }
    const growth = l(m, LAST_PAGE).p95 / l(m, 1).p95;
    table.push([way, `${LAST_PAGE} ÷ 1`, '', '', '', `${growth.toFixed(2)}×`, '', '']);
    if (growth > GROWTH_LIMIT) failing.push(`${way}: page ${LAST_PAGE} p95 ${growth.toFixed(2)} × page 1's`);
  }
  console.log(
    `\n${isMysql(db) ? 'MySQL' : 'SQLite'}; customer ${customerId} ("${customer.selfcareLogin}", ${customer.timeZone}) with ${calls.toLocaleString('en')} calls; ` +
      `week ${filter.from} – ${filter.to}: ${inWeek.toLocaleString('en')} calls, ${PAGE_SIZE} a page; ms\n`,
  );
  printTable(table);
  console.log(`\nPlans:\n  ${[...new Set(plans)].join('\n  ')}`);
  console.log(`\n${machineLoad()}`);
  if (failing.length > 0) {
    console.error(
      `\nFAIL (p95 ≤ ${P95_LIMIT_MS} ms, page ${LAST_PAGE} ≤ ${GROWTH_LIMIT} × page 1, no full scan or sort):\n  ${failing.join('\n  ')}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`\nOK: p95 ≤ ${P95_LIMIT_MS} ms, page ${LAST_PAGE} ≤ ${GROWTH_LIMIT} × page 1, no full scan or sort`);
  }
} catch (err) {
  console.error(`FAIL: ${(err instanceof Error ? (err.stack ?? err.message) : String(err)).slice(0, 1500)}`);
  process.exitCode = 1;
} finally {
  server?.closeAllConnections();
  server?.close();
  await deps.close();
}
