/**
 * Load for the sign-in storm of `compare.bench.ts`, run in a child process of its own:
 *
 *   STORM=app    BASE=http://127.0.0.1:<port> LOGIN=… PASSWORD=…  sign-ins through the portal form
 *   STORM=bcrypt HASH_COST=12                                      bare bcrypt.compare, same pool size
 *
 * Both keep STORM_CONCURRENCY (8) operations in flight for STORM_SECONDS (8) and print one JSON
 * line: { ops, seconds, perSecond, failed }. The app's sign-ins are the whole form (GET for the
 * CSRF token, POST with the right password, 303); the bare figure is what the same libuv thread
 * pool (UV_THREADPOOL_SIZE, inherited) gives bcrypt alone at the same cost.
 */
import bcrypt from 'bcrypt';
import { signIn } from './browser.ts';

const concurrency = Number(process.env.STORM_CONCURRENCY || 8);
const seconds = Number(process.env.STORM_SECONDS || 8);
const until = performance.now() + seconds * 1000;
let ops = 0;
let failed = 0;
let firstError = '';

async function loop(op: (worker: number) => Promise<void>, worker: number): Promise<void> {
  while (performance.now() < until) {
    try {
      await op(worker);
      ops++;
    } catch (err) {
      failed++;
      firstError ||= err instanceof Error ? err.message : String(err);
    }
  }
}

let op: (worker: number) => Promise<void>;
if (process.env.STORM === 'bcrypt') {
  const password = 'a passphrase of a usual length';
  const hash = await bcrypt.hash(password, Number(process.env.HASH_COST || 12));
  op = async () => {
    if (!(await bcrypt.compare(password, hash))) throw new Error('no match');
  };
} else {
  const base = process.env.BASE ?? '';
  const login = process.env.LOGIN ?? '';
  const password = process.env.PASSWORD ?? '';
  // Each worker is another client address (the app trusts the loopback proxy): the brute-force
  // throttle counts attempts in flight per login and address, and a storm is many users anyway.
  op = async (worker) => {
    await signIn(base, '/login', login, password, { 'X-Forwarded-For': `198.51.100.${worker + 1}` });
  };
}
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, (_, worker) => loop(op, worker)));
const elapsed = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ ops, seconds: elapsed, perSecond: ops / elapsed, failed, firstError })}\n`);
