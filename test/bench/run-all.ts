/**
 * `npm run bench`: every benchmark in turn, each in its own process (`tsx <file>`) so one's
 * database connections, JIT state and garbage never weigh on the next. Prints their output as it
 * comes, then a summary; exits 1 when any of them failed.
 *
 * Environment (see each file's header): BENCH_DATABASE_URL + BENCH_REDIS_URL for MySQL and Redis,
 * BENCH_DATA_DIR, BENCH_CUSTOMERS, BENCH_SMALL_CUSTOMERS, BENCH_SMALL_DATABASE_URL, BENCH_SEARCH_P95_MS,
 * BENCH_SEARCH_GROWTH, BENCH_XDRS, BENCH_XDR_CUSTOMER, BENCH_XDRS_P95_MS, BENCH_XDRS_GROWTH, BENCH_SAMPLES,
 * BENCH_DURATION, BENCH_CONNECTIONS, BENCH_WARMUP, BENCH_ROUNDS, BENCH_CPU_PROF, BENCH_ONLY, BENCH_APP_PROCESSES
 * (BENCH_OUT only for one benchmark run alone: here each writes its own file under bench-results/).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLoad, printTable } from './support.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsx = path.resolve(here, '../../node_modules/.bin/tsx');
const BENCHMARKS = [
  'compare.bench.ts',
  'scale-out.bench.ts',
  'trusted-networks.bench.ts',
  'customer-search.bench.ts',
  'call-history.bench.ts',
  'http.bench.ts',
];

function run(file: string): Promise<number> {
  return new Promise((resolve) => {
    // BENCH_OUT names one benchmark's file: each writes its own default here
    const { BENCH_OUT: _one, ...env } = process.env;
    const child = spawn(tsx, [path.join(here, file)], { stdio: 'inherit', env });
    child.on('error', (err) => {
      console.error(`${file}: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

console.log(
  `Benchmarks: ${process.env.BENCH_DATABASE_URL ? `MySQL (${process.env.BENCH_DATABASE_URL})` : 'embedded SQLite'}${process.env.BENCH_REDIS_URL ? ` + Redis (${process.env.BENCH_REDIS_URL})` : ''}; ${machineLoad()}`,
);
console.log(
  'A first run fills the bench databases (a million customers, a million calls: a one-time cost of minutes); later runs reuse them.\n',
);
const summary: string[][] = [['benchmark', 'result', 'time']];
for (const file of BENCHMARKS) {
  console.log(`━━ ${file} ━━`);
  const started = performance.now();
  const code = await run(file);
  summary.push([
    file,
    code === 0 ? 'ok' : `FAILED (exit ${code})`,
    `${((performance.now() - started) / 1000).toFixed(0)} s`,
  ]);
  console.log('');
}
printTable(summary);
console.log(`\n${machineLoad()}`);
if (summary.some((row) => row[1]?.startsWith('FAILED'))) process.exitCode = 1;
