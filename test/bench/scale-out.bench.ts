/**
 * Several app processes behind a load balancer, measured: the signed-in portal dashboard and
 * `GET /api/v1/customer` through one process, then through BENCH_APP_PROCESSES (2) processes on
 * the same MySQL/MariaDB + Redis started with the same secret (app-server.ts), alternating, each
 * after a warm-up, BENCH_ROUNDS times. The load is autocannon's command line in child processes:
 * BENCH_CONNECTIONS (20) connections to the one process, or the same number split evenly between
 * the processes (one autocannon each, all at once, the web session and Bearer of the first
 * process used on every one: no sticky sessions). Prints req/s, p99 and the servers' CPU time per
 * request with the ratio of N processes to one, and writes a JSON file (BENCH_OUT, default
 * bench-results/scale-out-<time>.json). There is no target to meet: docs/benchmarks.md holds
 * what it showed. Exits 1 when a request failed; skips (exit 0) without MySQL and Redis, which several
 * processes need to share anything.
 *
 *   BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/selfcare_bench BENCH_REDIS_URL=redis://127.0.0.1:6379/7 \
 *     npx tsx test/bench/scale-out.bench.ts
 */
import { cpus } from 'node:os';
import { cpuMs, load, median, spread, startServer, stop, writeResults, type Load, type Started } from './processes.ts';
import { machineLoad, ms, printTable } from './support.ts';

const PROCESSES = Math.max(2, Number(process.env.BENCH_APP_PROCESSES || 2));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 20);
const DURATION_S = Number(process.env.BENCH_DURATION || 8);
const WARMUP_S = Number(process.env.BENCH_WARMUP || 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const databaseUrl = process.env.BENCH_DATABASE_URL;
const redisUrl = process.env.BENCH_REDIS_URL;

if (!databaseUrl || !redisUrl) {
  console.log(
    'scale-out: skipped — processes share sessions through MySQL/MariaDB + Redis; set BENCH_DATABASE_URL and BENCH_REDIS_URL.',
  );
  process.exit(0);
}

/** One load on each of `ports` at once, `CONNECTIONS` in all; the servers' CPU per answered request. */
async function loadOn(
  ports: number[],
  pids: number[],
  path_: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<Load> {
  const before = pids.map(cpuMs);
  // CONNECTIONS in all: the first ones take one more when they do not divide evenly
  const share = (i: number): number =>
    Math.max(1, Math.floor(CONNECTIONS / ports.length) + (i < CONNECTIONS % ports.length ? 1 : 0));
  const results = await Promise.all(
    ports.map((port, i) => load(`http://127.0.0.1:${port}${path_}`, headers, seconds, share(i))),
  );
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const cpu = pids.reduce((sum, pid, i) => sum + cpuMs(pid) - (before[i] ?? 0), 0);
  return {
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    requests,
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    cpuPerRequest: cpu / Math.max(1, requests),
  };
}

let app: Started | undefined;
let failed = false;
try {
  app = await startServer('app-server.ts', {
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_REDIS_URL: redisUrl,
    BENCH_APP_PROCESSES: String(PROCESSES),
  });
  const ports = app.info.ports as unknown as number[];
  const pids = app.info.pids as unknown as number[];
  const paths = {
    dashboard: { path: '/', headers: { Cookie: String(app.info.portalCookie) } },
    'api customer': { path: '/api/v1/customer', headers: { Authorization: `Bearer ${String(app.info.bearer)}` } },
  } as const;
  type Path = keyof typeof paths;
  const setups = {
    '1 process': { ports: ports.slice(0, 1), pids: pids.slice(0, 1) },
    [`${PROCESSES} processes`]: { ports, pids },
  };

  console.log(
    `Scale-out: ${CONNECTIONS} connections in all, ${WARMUP_S} s warm-up + ${DURATION_S} s per run, ${ROUNDS} rounds alternating 1 and ${PROCESSES} processes; ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; ${machineLoad()}`,
  );
  const runs: Record<string, Load[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const name of Object.keys(paths) as Path[]) {
      for (const [setup, { ports: on, pids: of }] of Object.entries(setups)) {
        const { path: p, headers } = paths[name];
        if (WARMUP_S > 0) await loadOn(on, of, p, headers, WARMUP_S);
        const result = await loadOn(on, of, p, headers, DURATION_S);
        (runs[`${name}, ${setup}`] ??= []).push(result);
        console.log(
          `  round ${round} ${`${name}, ${setup}`.padEnd(28)} ${result.rps.toFixed(0).padStart(6)} req/s  p99 ${ms(result.p99)} ms  server CPU ${result.cpuPerRequest?.toFixed(2)} ms/req${result.failed ? `  ${result.failed} failed` : ''}`,
        );
      }
    }
  }

  console.log('');
  const rows = Object.entries(runs);
  printTable([
    ['target', 'req/s median (min–max)', 'p99 ms median (min–max)', 'servers CPU ms/req', 'failed'],
    ...rows.map(([name, r]) => [
      name,
      spread(
        r.map((x) => x.rps),
        0,
      ),
      spread(
        r.map((x) => x.p99),
        1,
      ),
      median(r.map((x) => x.cpuPerRequest ?? NaN)).toFixed(2),
      String(r.reduce((sum, x) => sum + x.failed, 0)),
    ]),
  ]);
  const ratios = (Object.keys(paths) as Path[]).map((name) => {
    const one = runs[`${name}, 1 process`] ?? [];
    const many = runs[`${name}, ${PROCESSES} processes`] ?? [];
    return {
      check: `${name}: req/s of ${PROCESSES} processes ÷ 1`,
      ratio: median(many.map((r) => r.rps)) / median(one.map((r) => r.rps)),
      perRound: many.map((r, i) => r.rps / (one[i]?.rps ?? NaN)),
    };
  });
  console.log('');
  printTable([
    ['check', 'measured', 'per round'],
    ...ratios.map((r) => [r.check, r.ratio.toFixed(2), r.perRound.map((x) => x.toFixed(2)).join(', ')]),
  ]);
  console.log(`\n${machineLoad()}`);
  failed = rows.some(([, r]) => r.some((x) => x.failed > 0));

  writeResults('scale-out', {
    load: machineLoad(),
    settings: {
      processes: PROCESSES,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      warmupS: WARMUP_S,
      rounds: ROUNDS,
    },
    runs,
    ratios,
  });
} catch (err) {
  console.error(`FAIL: ${(err instanceof Error ? err.message : String(err)).slice(0, 500)}`);
  failed = true;
} finally {
  if (app) await stop(app.child);
}
if (failed) process.exitCode = 1;
