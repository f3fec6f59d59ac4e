/**
 * Faults under load, on loopback only: a private MariaDB and Redis (own ports and data folders
 * under a temporary directory) and the compiled production server against them, with a mixed load
 * of portal sign-ins, dashboards, call history, admin saves and API calls while
 *
 *   1. Redis is stopped for OUTAGE_S seconds and started again,
 *   2. MariaDB is stopped for OUTAGE_S seconds and started again,
 *   3. two admins save the same customer panel concurrently, SAVE_ROUNDS times,
 *   4. the app gets SIGTERM under load.
 *
 *   npm run faults                  # all of it, a few minutes; exits 1 when a check fails
 *   npm run faults -- load          # the load run instead (test/faults/load.ts)
 *   FAULTS_OUTAGE_SECONDS=5 npm run faults   # shorter outages while working on it
 *
 * Prints one table: each check, its figures, pass or fail.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, formFields, mixedLoad, Recorder, SIGNED_IN, type Sample } from './client.ts';
import { Stack, waitForPort, type Seeded } from './stack.ts';

const OUTAGE_S = Number(process.env.FAULTS_OUTAGE_SECONDS || 20);
const SAVE_ROUNDS = Number(process.env.FAULTS_SAVE_ROUNDS || 100);
/** the app answers every request within this, even with a dependency down */
const ANSWER_MS = 2000;
/** the app serves again within this once the dependency is back */
const RECOVERY_MS = 5000;

interface Row {
  check: string;
  figures: string;
  pass: boolean;
}
const rows: Row[] = [];
function record(check: string, pass: boolean, figures: string): void {
  rows.push({ check, figures, pass });
  console.log(`${pass ? 'pass' : 'FAIL'}  ${check}: ${figures}`);
}

const pct = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

function statusCounts(samples: Sample[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const key = s.status ? String(s.status) : (s.error ?? 'error');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort()
    .map(([k, n]) => `${n}×${k}`)
    .join(' ');
}

/** Until a fresh portal sign-in, its dashboard, an admin page and an API session all work again. */
async function serviceBack(stack: Stack, seeded: Seeded, since: number): Promise<number> {
  const rec = new Recorder();
  rec.phase = 'probe';
  const probe = seeded.portal[seeded.portal.length - 1]!;
  while (Date.now() - since < 30_000) {
    const portal = new Client(stack.base, rec);
    const admin = new Client(stack.base, rec);
    const api = new Client(stack.base, rec);
    const ok =
      (await portal.signIn('/login', probe.login, probe.password)) &&
      (await portal.send('page', 'dashboard', '/', { mark: SIGNED_IN })).status === 200 &&
      (await admin.signIn('/admin/login', seeded.admins[0]!.login, seeded.admins[0]!.password)) &&
      (await api
        .send('api', 'session', '/api/v1/sessions', {
          json: seeded.api,
        })
        .then((r) => r.status === 201));
    if (ok) return Date.now() - since;
    if (process.env.FAULTS_DEBUG && process.env.FAULTS_DEBUG_429 && rec.samples.some((s) => s.status === 429)) {
      console.log(rec.samples.filter((s) => s.status === 429));
      const { execSync } = await import('node:child_process');
      console.log(
        execSync(
          `for k in $(redis-cli -p ${stack.redisPort} --scan); do echo "$k $(redis-cli -p ${stack.redisPort} get $k | head -c 80) $(redis-cli -p ${stack.redisPort} pttl $k)"; done`,
          { encoding: 'utf8' },
        ),
      );
      throw new Error('stop');
    }
    if (process.env.FAULTS_DEBUG && Date.now() - since > 6000 && Date.now() - since < 6400)
      console.log(
        'stuck',
        JSON.stringify(await stack.query('SELECT * FROM information_schema.innodb_trx').catch(String)),
        JSON.stringify(await stack.query('SHOW FULL PROCESSLIST').catch(String)),
      );
    if (process.env.FAULTS_DEBUG)
      console.log(
        'probe',
        Date.now() - since,
        rec.samples.slice(-4).map((s) => `${s.what} ${s.status || s.error} ${s.ms}ms`),
      );
    await sleep(100);
  }
  return Number.POSITIVE_INFINITY;
}

/** One dependency stopped for OUTAGE_S under the mixed load, then started again. */
async function outage(
  name: 'Redis' | 'MariaDB',
  stack: Stack,
  seeded: Seeded,
  adminCustomers: number[],
): Promise<void> {
  const service = name === 'Redis' ? stack.redis : stack.mariadb;
  const port = name === 'Redis' ? stack.redisPort : stack.dbPort;
  const rec = new Recorder();
  rec.phase = 'before';
  const load = mixedLoad(stack.base, rec, seeded, { portal: 6, api: 3, adminCustomers });
  await sleep(3000);
  await service.stop();
  rec.phase = 'outage';
  const downAt = Date.now();
  // readiness says so while it lasts
  let readyDuring = 0;
  let readyChecks = 0;
  while (Date.now() - downAt < OUTAGE_S * 1000) {
    const res = await fetch(`${stack.base}/readyz`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
    readyChecks++;
    if (res?.status === 200) readyDuring++;
    await sleep(1000);
  }
  rec.phase = 'restart';
  const restartAt = Date.now();
  service.start();
  const upMs = await waitForPort(port, 60_000);
  const upAt = Date.now();
  const backMs = await serviceBack(stack, seeded, upAt);
  rec.phase = 'after';
  await sleep(3000);
  await load.stop();

  const down = rec.inPhase('outage');
  if (process.env.FAULTS_DEBUG) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${stack.dir}/${name}-samples.json`, JSON.stringify(rec.samples));
  }
  const answered = down.filter((s) => s.status > 0);
  const slow = down.filter((s) => s.status === 0 || s.ms > ANSWER_MS);
  record(
    `${name} down ${OUTAGE_S} s: every request answered within 2 s`,
    slow.length === 0 && down.length > 0,
    `${down.length} requests, ${answered.length} answered, max ${Math.max(0, ...down.map((s) => s.ms))} ms, p99 ${pct(
      down.map((s) => s.ms),
      99,
    )} ms, ${slow.length} slow or unanswered; ${statusCounts(down)}`,
  );
  const unexplained = down.filter((s) => s.status >= 500 && !(s.status === 503 && s.explained));
  record(
    `${name} down: failures are a 503 page or JSON, never another 5xx`,
    unexplained.length === 0,
    `${down.filter((s) => s.status === 503).length}× 503 (${down.filter((s) => s.explained).length} explained), ${unexplained.length} other 5xx or bare 503`,
  );
  if (name === 'Redis') {
    const leaked = down.filter((s) => s.signedIn);
    record(
      'Redis down: nothing served as signed in without a session',
      leaked.length === 0,
      `${leaked.length} signed-in answers out of ${down.filter((s) => s.kind === 'page' || s.kind === 'api').length} page and API requests`,
    );
  }
  const saves = down.filter((s) => s.kind === 'save');
  const applied = saves.filter((s) => s.status === 303 || (s.status >= 200 && s.status < 300));
  record(
    `${name} down: saves refused visibly`,
    applied.length === 0 && saves.every((s) => s.status >= 400),
    `${saves.length} saves tried: ${statusCounts(saves) || 'none'}; ${applied.length} applied`,
  );
  record(
    `${name} down: /readyz answers 503`,
    readyDuring === 0 && readyChecks > 0,
    `${readyChecks - readyDuring} of ${readyChecks} checks answered 503`,
  );
  record(
    `${name} back: serving again within 5 s, without restarting the app`,
    backMs <= RECOVERY_MS && stack.app.child?.exitCode === null,
    `${name} listening ${upMs} ms after start (${((upAt - restartAt) / 1000).toFixed(1)} s), sign-in + dashboard + admin + API session working ${backMs} ms after that`,
  );
  const after = rec.inPhase('after');
  const afterBad = after.filter((s) => s.status === 0 || s.status >= 500);
  record(
    `${name} back: the load runs clean again`,
    afterBad.length === 0 && after.length > 0,
    `${after.length} requests in the 3 s after recovery: ${statusCounts(after)}`,
  );
}

/** Two admins load the same panel, then save it at the same moment, SAVE_ROUNDS times. */
async function concurrentSaves(stack: Stack, seeded: Seeded): Promise<void> {
  const rec = new Recorder();
  rec.phase = 'saves';
  const [a, b] = [new Client(stack.base, rec), new Client(stack.base, rec)];
  if (
    !(await a.signIn('/admin/login', seeded.admins[0]!.login, seeded.admins[0]!.password)) ||
    !(await b.signIn('/admin/login', seeded.admins[1]!.login, seeded.admins[1]!.password))
  ) {
    record('two admins save one panel concurrently', false, 'the admins could not sign in');
    return;
  }
  const id = seeded.contestedCustomerId;
  const path = `/admin/customers/${id}`;
  const [start] = await stack.query<{ version: number }>('SELECT version FROM customers WHERE id = ?', [id]);
  const [{ n: auditBefore } = { n: 0 }] = await stack.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'customer.update' AND entity_id = ?",
    [id],
  );
  let appliedCount = 0;
  let conflicts = 0;
  let other = 0;
  let lastApplied = '';
  for (let round = 1; round <= SAVE_ROUNDS; round++) {
    const pages = await Promise.all([a.send('page', 'panel', path), b.send('page', 'panel', path)]);
    const saves = await Promise.all(
      [a, b].map((client, i) => {
        const fields = formFields(pages[i]!.text, path);
        fields.set('contact_name', `Round ${round} by ${i === 0 ? 'A' : 'B'}`);
        return client.send('save', 'panel save', path, { form: fields }).then((res) => ({ res, fields }));
      }),
    );
    for (const { res, fields } of saves) {
      if (res.status === 303) {
        appliedCount++;
        lastApplied = fields.get('contact_name') ?? '';
      } else if (res.status === 409) conflicts++;
      else other++;
    }
  }
  const [end] = await stack.query<{ version: number; contact_name: string }>(
    'SELECT version, contact_name FROM customers WHERE id = ?',
    [id],
  );
  const [{ n: auditAfter } = { n: 0 }] = await stack.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'customer.update' AND entity_id = ?",
    [id],
  );
  const audited = Number(auditAfter) - Number(auditBefore);
  const versions = (end?.version ?? 0) - (start?.version ?? 0);
  record(
    `two admins save one panel concurrently ${SAVE_ROUNDS}×: applied or 409, no lost update`,
    other === 0 &&
      appliedCount + conflicts === 2 * SAVE_ROUNDS &&
      audited === appliedCount &&
      versions === appliedCount &&
      end?.contact_name === lastApplied,
    `${appliedCount} applied, ${conflicts}× 409, ${other} other; audit entries ${audited}, version +${versions}, final row "${end?.contact_name}" = last applied "${lastApplied}"`,
  );
}

/** SIGTERM under load: readiness first, in-flight requests finish, exit within the grace period. */
async function sigterm(stack: Stack, seeded: Seeded, adminCustomers: number[]): Promise<void> {
  const rec = new Recorder();
  rec.phase = 'before';
  const load = mixedLoad(stack.base, rec, seeded, { portal: 6, api: 3, adminCustomers });
  await sleep(3000);
  const child = stack.app.child!;
  const exit = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  // A load balancer's readiness checks: once one answers 503, it stops routing new requests here
  // (after LB_NOTICE_MS); requests already sent go on.
  const LB_NOTICE_MS = 300;
  const ready: Array<{ sent: number; status: number }> = [];
  let polling = true;
  let signalAt = Number.POSITIVE_INFINITY;
  const poller = (async () => {
    while (polling) {
      const sent = Date.now();
      const res = await fetch(`${stack.base}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      ready.push({ sent, status: res?.status ?? 0 });
      if (res?.status === 503 && sent > signalAt && rec.routing) setTimeout(() => (rec.routing = false), LB_NOTICE_MS);
      await sleep(50);
    }
  })();
  signalAt = Date.now();
  rec.phase = 'draining';
  child.kill('SIGTERM');
  const exited = await exit;
  rec.phase = 'stopped';
  polling = false;
  await poller;
  await load.stop();

  const after = ready.filter((r) => r.sent > signalAt);
  const firstRefused = after.findIndex((r) => r.status === 0);
  const beforeClose = firstRefused < 0 ? after : after.slice(0, firstRefused);
  const grace = stack.drainSeconds * 1000 + 10_000;
  record(
    'SIGTERM: /readyz turns 503 before the listener closes',
    beforeClose.length > 0 && beforeClose.every((r) => r.status === 503),
    `${beforeClose.filter((r) => r.status === 503).length} readiness checks sent after the signal answered 503 during the ${stack.drainSeconds} s drain, ${beforeClose.filter((r) => r.status !== 503).length} did not`,
  );
  // Every request sent from a second before the signal until the load balancer stopped routing
  // gets its whole answer: in flight at the signal, or sent during the drain.
  const sent = rec.samples.filter((s) => s.started >= signalAt - 1000);
  const broken = sent.filter((s) => s.status === 0 || s.status >= 500);
  const duringDrain = sent.filter((s) => s.started >= signalAt).length;
  record(
    'SIGTERM: in-flight requests finish, none fails mid-way',
    broken.length === 0 && sent.length > 0,
    `${sent.length} requests from 1 s before the signal (${duringDrain} sent during the drain, until routing stopped ${LB_NOTICE_MS} ms after the first 503): ${statusCounts(sent)}`,
  );
  const took = exited.at - signalAt;
  record(
    'SIGTERM: the process exits within the grace period',
    exited.code === 0 && took <= grace,
    `exit code ${exited.code} after ${(took / 1000).toFixed(1)} s (drain ${stack.drainSeconds} s, grace ${grace / 1000} s)`,
  );
}

async function main(): Promise<number> {
  if (process.argv[2] === 'load') {
    const { runLoad } = await import('./load.ts');
    return runLoad();
  }
  const started = Date.now();
  const stack = new Stack();
  try {
    const seeded = await stack.start();
    console.log(`private MariaDB :${stack.dbPort}, Redis :${stack.redisPort}, app :${stack.appPort} (${stack.dir})`);
    const others = (await stack.query<{ id: number }>('SELECT id FROM customers ORDER BY id')).map((r) => r.id);
    const adminCustomers = others.filter((id) => id !== seeded.contestedCustomerId).slice(0, 2);
    const only = (name: string) => !process.env.FAULTS_ONLY || process.env.FAULTS_ONLY.split(',').includes(name);
    if (only('redis')) await outage('Redis', stack, seeded, adminCustomers);
    if (only('mariadb')) await outage('MariaDB', stack, seeded, adminCustomers);
    if (only('saves')) await concurrentSaves(stack, seeded);
    if (only('sigterm')) await sigterm(stack, seeded, adminCustomers);
  } catch (err) {
    record('the run itself', false, err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    await stack.stop();
  }
  const width = Math.max(...rows.map((r) => r.check.length));
  console.log(`\nFault run, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  for (const r of rows) console.log(`${r.pass ? 'pass' : 'FAIL'}  ${r.check.padEnd(width)}  ${r.figures}`);
  const failed = rows.filter((r) => !r.pass).length;
  console.log(`\n${rows.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exit(await main());
