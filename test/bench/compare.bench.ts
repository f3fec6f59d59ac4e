/**
 * The app against two bare stacks of the same libraries, side by side on one machine in one run
 * (see baseline.ts): the signed-in portal dashboard against "B-page" and GET /api/v1/customer
 * with a Bearer API session against "B-json". Each server runs in its own process, and so does
 * the load (the autocannon command line, one child process per run). Per round, every target
 * gets a warm-up and then a measured run, alternating baseline and app; after BENCH_ROUNDS
 * rounds the table shows medians with min–max, the ratios and whether each target is met, and
 * the CPU time the server process spent per request (from /proc: steadier than req/s on a busy
 * machine).
 * Then a sign-in storm at the production bcrypt cost (sign-in-storm.ts: 8 sign-ins in flight
 * against bare bcrypt.compare on the same thread pool size, the dashboard's p99 on two
 * connections meanwhile against its quiet p99), and, on the same app process: its RSS, the Redis
 * bytes of one signed-in web session, and the weight of the first admin page (compressed, over
 * the wire) with its assets' caching.
 *
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/selfcare_bench BENCH_REDIS_URL=redis://127.0.0.1:6379/7 \
 *     npx tsx test/bench/compare.bench.ts
 *
 * BENCH_CONNECTIONS (20), BENCH_DURATION (8 s), BENCH_WARMUP (2 s), BENCH_ROUNDS (3),
 * BENCH_OUT (the JSON file, default bench-results/compare-<time>.json), BENCH_CPU_PROF=<dir>
 * (starts the app server with --cpu-prof into that directory), BENCH_ONLY (a comma-separated subset of the four
 * targets, for profiling one path; the ratios then read NaN). Exits 1 when a target is missed or a
 * request failed; skips (exit 0) without MySQL and Redis, as the baselines need both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { PROXY_HEADERS } from './browser.ts';
import {
  cpuMs,
  load as loadWith,
  median,
  rssMb,
  spread,
  startServer,
  writeResults,
  stop,
  type Load,
  type Started,
} from './processes.ts';
import { machineLoad, ms, printTable } from './support.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 20);
const DURATION_S = Number(process.env.BENCH_DURATION || 8);
const WARMUP_S = Number(process.env.BENCH_WARMUP || 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const databaseUrl = process.env.BENCH_DATABASE_URL;
const redisUrl = process.env.BENCH_REDIS_URL;

/** One autocannon run, `CONNECTIONS` connections unless told. */
const load = (
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections = CONNECTIONS,
): Promise<Load> => loadWith(url, headers, seconds, connections);

interface Storm {
  ops: number;
  perSecond: number;
  failed: number;
  firstError: string;
}

/** The sign-in storm's load (sign-in-storm.ts) in a child process: `app` sign-ins or bare `bcrypt`. */
function storm(kind: 'app' | 'bcrypt', env: Record<string, string>): Promise<Storm> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'sign-in-storm.ts')], {
      cwd: root,
      env: { ...process.env, ...env, STORM: kind, STORM_SECONDS: String(DURATION_S) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`sign-in storm (${kind}) exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Storm);
    });
  });
}

/** A GET as a browser on a slow link would see it: the bytes on the wire (still compressed). */
function wireGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; bytes: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { ...PROXY_HEADERS, 'Accept-Encoding': 'br, gzip', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, bytes: body.length, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function decoded(body: Buffer, encoding: string | undefined): Promise<string> {
  const zlib = await import('node:zlib');
  if (encoding === 'br') return zlib.brotliDecompressSync(body).toString();
  if (encoding === 'gzip') return zlib.gunzipSync(body).toString();
  return body.toString();
}

/** The first admin page and what it loads: compressed bytes, third-party requests, asset caching. */
async function pageWeight(base: string, cookie: string) {
  const page = await wireGet(`${base}/admin`, { Cookie: cookie });
  const html = await decoded(page.body, page.headers['content-encoding'] as string | undefined);
  const refs = [...html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"/g)]
    .map((m) => m[1] ?? '')
    .filter((ref) => !ref.startsWith('data:') && !ref.startsWith('#'));
  const thirdParty = refs.filter((ref) => /^(https?:)?\/\//.test(ref) && !ref.startsWith(base));
  const assets = [];
  for (const ref of refs.filter((r) => r.startsWith('/static/'))) {
    const asset = await wireGet(base + ref, {});
    assets.push({
      path: ref,
      bytes: asset.bytes,
      encoding: asset.headers['content-encoding'] ?? 'identity',
      cacheControl: String(asset.headers['cache-control'] ?? ''),
    });
  }
  const yearCached = assets.every((a) => /max-age=31536000/.test(a.cacheControl) && /immutable/.test(a.cacheControl));
  const fingerprinted = assets.every((a) => /\.[0-9a-f]{8,}\./.test(a.path) || /[?&]v=[0-9a-f]{8,}/.test(a.path));
  return {
    status: page.status,
    htmlBytes: page.bytes,
    htmlEncoding: page.headers['content-encoding'] ?? 'identity',
    assets,
    totalBytes: page.bytes + assets.reduce((sum, a) => sum + a.bytes, 0),
    thirdParty,
    yearCached,
    fingerprinted,
  };
}

/** The Redis key of the session a `__Host-sc_portal=s%3A<id>.<sig>` cookie names. */
function portalSessionKey(cookieHeader: string): string {
  const value = /sc_portal=([^;]+)/.exec(cookieHeader)?.[1] ?? '';
  const id = decodeURIComponent(value).replace(/^s:/, '').split('.')[0] ?? '';
  return `sc:sess:portal:${id}`;
}

if (!databaseUrl || !redisUrl) {
  console.log(
    'compare: skipped — the baselines run on MySQL/MariaDB + Redis; set BENCH_DATABASE_URL and BENCH_REDIS_URL.',
  );
  process.exit(0);
}

const env = { BENCH_DATABASE_URL: databaseUrl, BENCH_REDIS_URL: redisUrl };
const profileDir = process.env.BENCH_CPU_PROF;
const servers: ChildProcess[] = [];
let failed = false;
try {
  const app = await startServer(
    'app-server.ts',
    profileDir ? { ...env, BENCH_APP_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${path.resolve(profileDir)}` } : env,
  );
  servers.push(app.child);
  const rowId = String(app.info.customerId);
  const bPage = await startServer('baseline.ts', { ...env, BASELINE: 'page', BENCH_ROW_ID: rowId });
  servers.push(bPage.child);
  const bJson = await startServer('baseline.ts', { ...env, BASELINE: 'json', BENCH_ROW_ID: rowId });
  servers.push(bJson.child);
  const url = (s: Started, p: string): string => `http://127.0.0.1:${s.info.port}${p}`;

  const targets = {
    'B-page': { url: url(bPage, '/'), headers: { Cookie: String(bPage.info.cookie) }, pid: bPage.info.pid },
    dashboard: { url: url(app, '/'), headers: { Cookie: String(app.info.portalCookie) }, pid: app.info.pid },
    'B-json': {
      url: url(bJson, '/customer'),
      headers: { Authorization: `Bearer ${bJson.info.bearer}` },
      pid: bJson.info.pid,
    },
    'api customer': {
      url: url(app, '/api/v1/customer'),
      headers: { Authorization: `Bearer ${app.info.bearer}` },
      pid: app.info.pid,
    },
  } as const;
  type Name = keyof typeof targets;
  // BENCH_ONLY=dashboard,B-page: while profiling one path (the checks need all four)
  const only = process.env.BENCH_ONLY?.split(',');
  const names = (Object.keys(targets) as Name[]).filter((n) => !only || only.includes(n));
  for (const name of names) {
    const { url: u, headers } = targets[name];
    const res = await fetch(u, { headers: { ...PROXY_HEADERS, ...headers }, redirect: 'manual' });
    if (res.status !== 200) throw new Error(`${name} answered ${res.status} before the run`);
  }

  console.log(
    `Compare: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per run, ${ROUNDS} rounds alternating ${names.join(' → ')}; ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}; ${machineLoad()}`,
  );
  const runs = Object.fromEntries(Object.keys(targets).map((n) => [n, [] as Load[]])) as Record<Name, Load[]>;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const name of names) {
      const { url: u, headers, pid } = targets[name];
      if (WARMUP_S > 0) await load(u, headers, WARMUP_S);
      const cpuBefore = cpuMs(Number(pid));
      const result = await load(u, headers, DURATION_S);
      result.cpuPerRequest = (cpuMs(Number(pid)) - cpuBefore) / Math.max(1, result.requests);
      runs[name].push(result);
      console.log(
        `  round ${round} ${name.padEnd(12)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(result.p50)} ms  p99 ${ms(result.p99)} ms  server CPU ${result.cpuPerRequest.toFixed(2)} ms/req${result.failed ? `  ${result.failed} failed` : ''}`,
      );
    }
  }

  const rps = (n: Name): number[] => runs[n].map((r) => r.rps);
  const p99 = (n: Name): number[] => runs[n].map((r) => r.p99);
  const ratios = (a: number[], b: number[]): number[] => a.map((v, i) => v / (b[i] ?? NaN));
  const checks = [
    {
      check: 'dashboard req/s ÷ B-page req/s',
      ratio: median(rps('dashboard')) / median(rps('B-page')),
      perRound: ratios(rps('dashboard'), rps('B-page')),
      target: '≥ 0.5',
      ok: (r: number) => r >= 0.5,
    },
    {
      check: 'dashboard p99 ÷ B-page p99',
      ratio: median(p99('dashboard')) / median(p99('B-page')),
      perRound: ratios(p99('dashboard'), p99('B-page')),
      target: '≤ 2',
      ok: (r: number) => r <= 2,
    },
    {
      check: 'API customer req/s ÷ B-json req/s',
      ratio: median(rps('api customer')) / median(rps('B-json')),
      perRound: ratios(rps('api customer'), rps('B-json')),
      target: '≥ 0.7',
      ok: (r: number) => r >= 0.7,
    },
  ];

  // Sign-in storm at the production cost: the portal form against bare bcrypt.compare on the same
  // thread pool size, while two connections keep asking for the dashboard (its p99 against the
  // same two connections on a quiet app).
  let signIns: { quietP99: number; stormP99: number; app: Storm; bcrypt: Storm } | null = null;
  if (!only) {
    const probe = targets.dashboard;
    const quiet = await load(probe.url, probe.headers, DURATION_S, 2);
    const [app_, during] = await Promise.all([
      storm('app', {
        BASE: `http://127.0.0.1:${app.info.port}`,
        LOGIN: String(app.info.portalLogin),
        PASSWORD: String(app.info.portalPassword),
      }),
      load(probe.url, probe.headers, DURATION_S, 2),
    ]);
    const raw = await storm('bcrypt', { HASH_COST: '12' });
    signIns = { quietP99: quiet.p99, stormP99: during.p99, app: app_, bcrypt: raw };
    console.log(
      `  sign-in storm: ${app_.perSecond.toFixed(1)} sign-ins/s (${app_.failed} failed${app_.firstError ? `: ${app_.firstError}` : ''}), bare bcrypt.compare ${raw.perSecond.toFixed(1)}/s; dashboard p99 ${ms(quiet.p99)} ms quiet, ${ms(during.p99)} ms during`,
    );
  }

  const rss = rssMb(Number(app.info.pid));
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  const sessionBytes = await redis.memoryUsage(portalSessionKey(String(app.info.portalCookie)));
  await redis.close();
  const weight = await pageWeight(`http://127.0.0.1:${app.info.port}`, String(app.info.adminCookie));

  console.log('');
  printTable([
    [
      'target',
      'req/s median (min–max)',
      'p50 ms',
      'p99 ms median (min–max)',
      'server CPU ms/req',
      'requests',
      'failed',
    ],
    ...names.map((n) => [
      n,
      spread(rps(n), 0),
      ms(median(runs[n].map((r) => r.p50))),
      spread(p99(n), 1),
      median(runs[n].map((r) => r.cpuPerRequest ?? NaN)).toFixed(2),
      runs[n].reduce((s, r) => s + r.requests, 0).toLocaleString('en'),
      String(runs[n].reduce((s, r) => s + r.failed, 0)),
    ]),
  ]);
  console.log('');
  const other = [
    ...(signIns
      ? [
          {
            check: 'sign-ins/s ÷ bare bcrypt.compare/s (cost 12)',
            value: (signIns.app.perSecond / signIns.bcrypt.perSecond).toFixed(2),
            target: '≥ 0.8',
            ok: signIns.app.perSecond / signIns.bcrypt.perSecond >= 0.8 && signIns.app.failed === 0,
          },
          {
            check: 'dashboard p99 during the storm ÷ quiet',
            value: (signIns.stormP99 / signIns.quietP99).toFixed(2),
            target: '≤ 3',
            ok: signIns.stormP99 / signIns.quietP99 <= 3,
          },
        ]
      : []),
    { check: 'app RSS after the runs', value: `${rss.toFixed(0)} MB`, target: '≤ 200 MB', ok: rss <= 200 },
    {
      check: 'Redis per signed-in web session',
      value: `${sessionBytes ?? NaN} B`,
      target: '≤ 1024 B',
      ok: (sessionBytes ?? Infinity) <= 1024,
    },
    {
      check: 'first admin page + assets, compressed',
      value: `${(weight.totalBytes / 1024).toFixed(1)} KB (HTML ${weight.htmlEncoding})`,
      target: '≤ 60 KB',
      ok: weight.totalBytes <= 60 * 1024,
    },
    {
      check: 'third-party requests',
      value: String(weight.thirdParty.length),
      target: '0',
      ok: weight.thirdParty.length === 0,
    },
    {
      check: 'assets fingerprinted, cached a year',
      value: `${weight.fingerprinted ? 'fingerprinted' : 'not fingerprinted'}, ${weight.yearCached ? '1 year immutable' : (weight.assets[0]?.cacheControl ?? '-')}`,
      target: 'both',
      ok: weight.fingerprinted && weight.yearCached,
    },
  ];
  printTable([
    ['check', 'measured', 'per round', 'target', 'result'],
    ...checks.map((c) => [
      c.check,
      c.ratio.toFixed(2),
      c.perRound.map((r) => r.toFixed(2)).join(', '),
      c.target,
      c.ok(c.ratio) ? 'met' : 'MISSED',
    ]),
    ...other.map((c) => [c.check, c.value, '', c.target, c.ok ? 'met' : 'MISSED']),
  ]);
  console.log(`\n${machineLoad()}`);
  const anyFailed = names.some((n) => runs[n].some((r) => r.failed > 0));
  failed = anyFailed || checks.some((c) => !c.ok(c.ratio)) || other.some((c) => !c.ok);

  writeResults('compare', {
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memoryGb: totalmem() / 2 ** 30,
      node: process.version,
    },
    load: machineLoad(),
    settings: { connections: CONNECTIONS, durationS: DURATION_S, warmupS: WARMUP_S, rounds: ROUNDS },
    runs,
    checks: checks.map((c) => ({
      check: c.check,
      ratio: c.ratio,
      perRound: c.perRound,
      target: c.target,
      met: c.ok(c.ratio),
    })),
    other: other.map((c) => ({ check: c.check, value: c.value, target: c.target, met: c.ok })),
    pageWeight: weight,
    signIns,
  });
} catch (err) {
  console.error(`FAIL: ${(err instanceof Error ? err.message : String(err)).slice(0, 500)}`);
  failed = true;
} finally {
  await Promise.all(servers.map(stop));
}
if (failed) process.exitCode = 1;
