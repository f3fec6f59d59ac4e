/**
 * Throughput and latency of the running app under load: autocannon (in a worker thread) against
 * the real app started in this process on 127.0.0.1, configured as in production behind a
 * TLS-terminating proxy (NODE_ENV=production, TRUST_PROXY=loopback, X-Forwarded-Proto: https,
 * template cache, Secure cookies; request logging off).
 *
 *   npx tsx test/bench/http.bench.ts                         # embedded default: SQLite + in-process stores
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/selfcare_t_bench BENCH_REDIS_URL=redis://127.0.0.1:6379/5 \
 *     npx tsx test/bench/http.bench.ts                       # MySQL + Redis (both must be set)
 *
 * The database is the bench database of customer-search.bench.ts (BENCH_DATA_DIR for SQLite), so
 * the admin search runs over however many customers that one filled; the demo data is seeded into
 * it once. Each endpoint gets BENCH_CONNECTIONS (10) connections for BENCH_DURATION (10) seconds
 * after a 2-second warm-up: GET /healthz, the portal dashboard of the demo customer "acme"
 * (signed in once, its cookie reused), GET /api/v1/invoices with a Bearer API session, and the
 * admin customers page as it opens and with an e-mail search (how the search's latency varies
 * with the prefix is customer-search.bench.ts's business). Sign-in itself is never benchmarked:
 * the brute-force throttles would (rightly) refuse it.
 *
 * Fails (exit 1) when any request errs, times out or answers other than 2xx.
 */
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import autocannon, { type Result } from 'autocannon';
import { createApp } from '../../src/app.ts';
import { hashPassword, generatePassword } from '../../src/access/passwords.ts';
import { buildDeps } from '../../src/deps.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { ApiTokenService } from '../../src/features/api-tokens/service.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { csrfFrom } from '../helpers/app.ts';
import { CookieJar } from '../faults/client.ts';
import { benchBackend, benchConfig, ensureBenchAdmin, machineLoad, ms, printTable } from './support.ts';

const DURATION_S = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);
const WARMUP_S = 2;
const PORTAL_LOGIN = 'acme';
const PROXY_HEADERS = { 'X-Forwarded-Proto': 'https' };

const chosen = benchBackend();
const both = Boolean(chosen.databaseUrl && chosen.redisUrl);
if (!both && (chosen.databaseUrl || chosen.redisUrl))
  console.log(
    'BENCH_DATABASE_URL and BENCH_REDIS_URL go together; with one of them only, this runs on the embedded default.',
  );
const backend = both ? chosen : benchBackend({ embedded: true });

/** Posts a sign-in form as a browser would (GET for the CSRF token, then POST); returns the cookie header. */
async function signIn(base: string, path: string, login: string, password: string): Promise<string> {
  const jar = new CookieJar();
  const page = await fetch(base + path, { headers: PROXY_HEADERS });
  jar.take(page);
  const body = new URLSearchParams({ _csrf: csrfFrom(await page.text()), login, password });
  const res = await fetch(base + path, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, Cookie: jar.header() },
  });
  if (res.status !== 303) throw new Error(`sign-in at ${path} answered ${res.status}`);
  jar.take(res);
  return jar.header();
}

/**
 * Waits for the requests autocannon leaves in flight when it stops (it drops its sockets, the
 * handlers still run): the next run starts on a quiet server, and closing the pools fails none.
 */
async function settle(db: Knex): Promise<void> {
  // Knex types its client as any; the pool is tarn's
  const pool = db.client.pool as { numUsed(): number; numPendingAcquires(): number } | undefined;
  const until = Date.now() + 30_000;
  while (pool && (pool.numUsed() > 0 || pool.numPendingAcquires() > 0) && Date.now() < until) await sleep(50);
  await sleep(250);
}

interface Target {
  name: string;
  path: string;
  headers: Record<string, string>;
  /** what the answer must contain, so a redirect to a sign-in page cannot pass for the page */
  expect: string;
}

const config = benchConfig(backend, { production: true, redis: true });
const deps = await buildDeps(config);
const server = createServer(createApp(deps));
try {
  await migrateLatest(deps.db);
  const customers = Number(
    ((await deps.db('customers').count({ n: '*' }).first()) as { n: unknown } | undefined)?.n ?? 0,
  );
  console.log(
    `HTTP: ${backend.label}, ${customers.toLocaleString('en')} customers, ${CONNECTIONS} connections × ${DURATION_S} s per endpoint, ${cpus().length} CPUs, ${machineLoad()}`,
  );

  if (!(await deps.db('customers').where({ selfcare_login_lower: PORTAL_LOGIN }).first())) {
    console.log('Seeding the demo data (once per bench database).');
    await seedDemo(deps);
  }
  const acme = (await deps.db('customers').where({ selfcare_login_lower: PORTAL_LOGIN }).first()) as {
    id: number;
    selfcare_login: string;
  };
  // The demo's password was shown once when it was seeded; the bench gives the account its own.
  const portalPassword = generatePassword();
  await deps
    .db('customers')
    .where({ id: acme.id })
    .update({ password_hash: await hashPassword(portalPassword, config.bcryptCost), password_change_required: false });
  const admin = await ensureBenchAdmin(deps);
  const { token } = await new ApiTokenService(deps).create(
    acme.id,
    { name: 'http bench', expiresAt: new Date(Date.now() + 3_600_000) },
    { actor: { type: 'system', id: null, label: 'http bench' }, ip: '' },
  );

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no port');
  const base = `http://127.0.0.1:${address.port}`;

  const adminCookie = await signIn(base, '/admin/login', admin.login, admin.password);
  const portalCookie = await signIn(base, '/login', acme.selfcare_login, portalPassword);
  const apiSession = await fetch(`${base}/api/v1/sessions`, {
    method: 'POST',
    headers: { ...PROXY_HEADERS, 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: acme.selfcare_login, token }),
  });
  if (apiSession.status !== 201) throw new Error(`POST /api/v1/sessions answered ${apiSession.status}`);
  const { session_id: sessionId } = (await apiSession.json()) as { session_id: string };

  const targets: Target[] = [
    { name: 'GET /healthz', path: '/healthz', headers: {}, expect: '' },
    { name: 'GET / (portal dashboard)', path: '/', headers: { Cookie: portalCookie }, expect: 'Acme' },
    {
      name: 'GET /api/v1/invoices',
      path: '/api/v1/invoices',
      headers: { Authorization: `Bearer ${sessionId}` },
      expect: '"number"',
    },
    {
      name: 'GET /admin/customers',
      path: '/admin/customers',
      headers: { Cookie: adminCookie },
      expect: 'href="/admin/customers/',
    },
    {
      name: 'GET /admin/customers?q=k.nowak',
      path: '/admin/customers?q=k.nowak',
      headers: { Cookie: adminCookie },
      expect: 'href="/admin/customers/',
    },
  ];

  const results: Array<{ target: Target; result: Result }> = [];
  for (const target of targets) {
    const headers = { ...PROXY_HEADERS, ...target.headers };
    const check = await fetch(base + target.path, { headers, redirect: 'manual' });
    const text = await check.text();
    if (check.status !== 200 || !text.includes(target.expect))
      throw new Error(`${target.name} answered ${check.status} without "${target.expect}" before the run`);
    await autocannon({ url: base + target.path, connections: CONNECTIONS, duration: WARMUP_S, headers, workers: 1 });
    await settle(deps.db);
    results.push({
      target,
      result: await autocannon({
        url: base + target.path,
        connections: CONNECTIONS,
        duration: DURATION_S,
        headers,
        workers: 1,
      }),
    });
    await settle(deps.db);
  }

  const failing: string[] = [];
  const rows = results.map(({ target, result }) => {
    const bad = result.errors + result.timeouts + result.non2xx;
    if (bad > 0) {
      const codes = Object.entries(result.statusCodeStats)
        .map(([code, { count }]) => `${count}× ${code}`)
        .join(', ');
      failing.push(
        `${target.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx (${codes})`,
      );
    }
    const l = result.latency;
    return [
      target.name,
      result.requests.average.toFixed(0),
      `${ms(l.p50)} ms`,
      `${ms(l.p97_5)} ms`,
      `${ms(l.p99)} ms`,
      `${ms(l.max)} ms`,
      result.requests.total.toLocaleString('en'),
      String(result.errors + result.timeouts),
      String(result.non2xx),
    ];
  });
  console.log('');
  printTable([['endpoint', 'req/s', 'p50', 'p97.5', 'p99', 'max', 'requests', 'errors', 'non-2xx'], ...rows]);
  console.log(`\n${machineLoad()}`);
  if (failing.length > 0) {
    console.error(`\nFAIL: ${failing.join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nOK: no errors, every answer 2xx');
  }
} catch (err) {
  console.error(`FAIL: ${(err instanceof Error ? err.message : String(err)).slice(0, 500)}`);
  process.exitCode = 1;
} finally {
  server.closeAllConnections();
  server.close();
  await deps.close();
}
