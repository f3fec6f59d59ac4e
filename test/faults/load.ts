/**
 * The load run (`npm run load`): LOAD_CONNECTIONS (200) concurrent connections for LOAD_SECONDS
 * (60) of the mixed load against the compiled production server on the private MariaDB and Redis
 * of stack.ts. Three quarters of the connections read (portal dashboard, invoices, call history,
 * the API's invoices and calls, admin customer pages), one quarter writes (a portal sign-in every
 * few rounds, then an admin save of the connection's own customer from a freshly loaded form).
 *
 * Passes when no answer is a 5xx or unexpected (a page that redirects to the sign-in, a save that
 * is not applied), no request errs or times out, the reading connections' p99 is under 250 ms and
 * the server's memory (RSS) in the last 20 s is within 10 % of the first 20 s after the warm-up.
 *
 * The warm-up (LOAD_WARMUP_SECONDS, 20) is the start of the same load, counted in every other
 * figure: V8 grows its heap from the idle size to the size this load keeps (about 50 MB live,
 * collected at 150–190 MB) in those seconds, and a window that includes it measures that growth,
 * not a leak. A longer run (LOAD_SECONDS=180) compares windows two minutes apart.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon, { type Request as AutocannonRequest, type Result } from 'autocannon';
import { Client, csrfOf, formFields, PROXY_HEADERS, Recorder, SIGNED_IN } from './client.ts';
import { Stack } from './stack.ts';

const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS || 200);
const SECONDS = Number(process.env.LOAD_SECONDS || 60);
const P99_LIMIT_MS = 250;

const WINDOW_S = 20;
/** the first seconds of the load, left out of the memory windows (heap growing to its working size) */
const WARMUP_S = Number(process.env.LOAD_WARMUP_SECONDS ?? 20);
/** a writing connection signs in again every this many rounds */
const SIGN_IN_EVERY = 5;

type Ctx = Record<string, unknown>;
type Req = AutocannonRequest;

const unexpected = new Map<string, number>();
function expect(what: string, ok: boolean, status: number): void {
  if (!ok) unexpected.set(`${what} ${status}`, (unexpected.get(`${what} ${status}`) ?? 0) + 1);
}

function cookiesOf(headers: Record<string, string | string[]>, previous: unknown): string {
  const jar = new Map<string, string>();
  for (const pair of String(previous ?? '').split('; ')) {
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'set-cookie');
  const set = key ? headers[key] : undefined;
  for (const line of Array.isArray(set) ? set : set ? [set] : []) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** CPU time a process has used so far, in seconds (user + system). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;

export async function runLoad(): Promise<number> {
  const writers = Math.max(1, Math.round(CONNECTIONS / 4));
  const readers = CONNECTIONS - writers;
  const stack = new Stack(writers + 10);
  const rows: Array<[string, boolean, string]> = [];
  try {
    const seeded = await stack.start();
    const base = stack.base;
    console.log(`private MariaDB :${stack.dbPort}, Redis :${stack.redisPort}, app :${stack.appPort}`);
    // Sessions the reading connections share, opened once as a browser and an integration would.
    const rec = new Recorder();
    const portal: string[] = [];
    for (const account of seeded.portal.slice(0, 4)) {
      const c = new Client(base, rec);
      if (!(await c.signIn('/login', account.login, account.password))) throw new Error('portal sign-in failed');
      portal.push(c.jar.header());
    }
    const admin = new Client(base, rec);
    if (!(await admin.signIn('/admin/login', seeded.admins[0]!.login, seeded.admins[0]!.password)))
      throw new Error('admin sign-in failed');
    const api: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await new Client(base, rec).send('api', 'session', '/api/v1/sessions', { json: seeded.api });
      api.push((JSON.parse(res.text) as { session_id: string }).session_id);
    }
    const customers = await stack.query<{ id: number; selfcare_login: string }>(
      'SELECT id, selfcare_login FROM customers WHERE selfcare_login IS NOT NULL ORDER BY id DESC LIMIT ?',
      [writers],
    );
    const password = seeded.portal[0]!.password;
    const adminLogins = seeded.admins;

    let next = 0;
    const page = (path: string, mark: string, pick: (ctx: Ctx) => Record<string, string>): Req => ({
      method: 'GET',
      path,
      setupRequest: (req, ctx) => {
        ctx.n ??= next++;
        return { ...req, headers: { ...PROXY_HEADERS, ...pick(ctx) } };
      },
      onResponse: (status, body) => expect(`GET ${path}`, status === 200 && body.includes(mark), status),
    });
    const portalCookie = (ctx: Ctx) => ({ cookie: portal[Number(ctx.n) % portal.length]! });
    const bearer = (ctx: Ctx) => ({ authorization: `Bearer ${api[Number(ctx.n) % api.length]!}` });
    const adminCookie = () => ({ cookie: admin.jar.header() });
    const readerRequests: Req[] = [
      page('/', SIGNED_IN, portalCookie),
      page('/xdrs', SIGNED_IN, portalCookie),
      page('/api/v1/invoices', '"items"', bearer),
      page('/invoices', SIGNED_IN, portalCookie),
      page('/api/v1/xdrs', '"items"', bearer),
      page(`/admin/customers/${seeded.contestedCustomerId}`, SIGNED_IN, adminCookie),
      page('/admin/customers', SIGNED_IN, adminCookie),
    ];

    // A writing connection: its own customer (login and admin panel), its own cookies.
    let nextWriter = 0;
    // Each writing connection signs in from its own client address, as real customers do (the
    // throttle counts sign-ins in flight per address); only a header, behind the trusted proxy.
    const clientOf = (ctx: Ctx) => ({ 'x-forwarded-for': `192.0.2.${(Number((ctx.w ??= nextWriter++)) % 250) + 1}` });
    const mine = (ctx: Ctx) => customers[Number((ctx.w ??= nextWriter++)) % customers.length]!;
    const writerRequests: Req[] = [
      {
        method: 'GET',
        path: '/login',
        setupRequest: (req, ctx) => {
          ctx.round = Number(ctx.round ?? 0) + 1;
          const signIn = !ctx.portal || Number(ctx.round) % SIGN_IN_EVERY === 1;
          ctx.signingIn = signIn ? 1 : 0;
          return signIn
            ? { ...req, path: '/login', headers: { ...PROXY_HEADERS, ...clientOf(ctx) } }
            : { ...req, path: '/', headers: { ...PROXY_HEADERS, cookie: String(ctx.portal) } };
        },
        onResponse: (status, body, ctx, headers) => {
          expect(ctx.signingIn ? 'GET /login' : 'GET / (writer)', status === 200, status);
          if (ctx.signingIn) {
            ctx.csrf = csrfOf(body);
            ctx.anon = cookiesOf(headers, '');
          }
        },
      },
      {
        method: 'POST',
        path: '/login',
        setupRequest: (req, ctx) =>
          ctx.signingIn
            ? {
                ...req,
                method: 'POST',
                path: '/login',
                headers: {
                  ...PROXY_HEADERS,
                  ...clientOf(ctx),
                  cookie: String(ctx.anon),
                  'content-type': 'application/x-www-form-urlencoded',
                },
                body: new URLSearchParams({
                  _csrf: String(ctx.csrf),
                  login: mine(ctx).selfcare_login,
                  password,
                }).toString(),
              }
            : {
                ...req,
                method: 'GET',
                path: '/xdrs',
                headers: { ...PROXY_HEADERS, cookie: String(ctx.portal) },
                body: undefined,
              },
        onResponse: (status, _body, ctx, headers) => {
          if (ctx.signingIn) {
            expect('POST /login', status === 303, status);
            ctx.portal = cookiesOf(headers, ctx.anon);
          } else expect('GET /xdrs (writer)', status === 200, status);
        },
      },
      {
        method: 'GET',
        path: '/admin/customers',
        setupRequest: (req, ctx) => {
          ctx.adminCookie ??= '';
          return {
            ...req,
            method: 'GET',
            path: `/admin/customers/${mine(ctx).id}`,
            headers: { ...PROXY_HEADERS, cookie: writerAdmins[Number(ctx.w) % writerAdmins.length]! },
          };
        },
        onResponse: (status, body, ctx) => {
          expect('GET admin panel', status === 200, status);
          const fields = formFields(body, `/admin/customers/${mine(ctx).id}`);
          fields.set('contact_name', `Load ${Date.now()}`);
          // no form, no save: the next step only checks the app is up
          ctx.form = status === 200 ? fields.toString() : '';
        },
      },
      {
        method: 'POST',
        path: '/admin/customers',
        setupRequest: (req, ctx) =>
          !ctx.form
            ? { ...req, method: 'GET', path: '/healthz', headers: { ...PROXY_HEADERS }, body: undefined }
            : {
                ...req,
                method: 'POST',
                path: `/admin/customers/${mine(ctx).id}`,
                headers: {
                  ...PROXY_HEADERS,
                  cookie: writerAdmins[Number(ctx.w) % writerAdmins.length]!,
                  'content-type': 'application/x-www-form-urlencoded',
                },
                body: String(ctx.form),
              },
        onResponse: (status, _body, ctx) =>
          expect('POST admin save', ctx.form ? status === 303 : status === 200, status),
      },
    ];
    // Each writing connection's admin session: the two admins, signed in a few times each.
    const writerAdmins: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = new Client(base, rec);
      const who = adminLogins[i % adminLogins.length]!;
      if (!(await c.signIn('/admin/login', who.login, who.password))) throw new Error('admin sign-in failed');
      writerAdmins.push(c.jar.header());
    }

    const pid = stack.app.child!.pid!;
    const rss: Array<{ t: number; bytes: number }> = [];
    const started = Date.now();
    const sampler = setInterval(() => rss.push({ t: (Date.now() - started) / 1000, bytes: rssOf(pid) }), 1000);
    const load0 = loadavg()[0]!;
    // who used the two cores: the app, its MariaDB and Redis, and this process (autocannon)
    const busy = {
      app: () => cpuSecondsOf(pid),
      MariaDB: () => cpuSecondsOf(stack.mariadb.child!.pid!),
      Redis: () => cpuSecondsOf(stack.redis.child!.pid!),
      'the load generator': () => process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    };
    const cpu0 = Object.fromEntries(Object.entries(busy).map(([who, read]) => [who, read()]));
    const run = (connections: number, requests: Req[]): Promise<Result> =>
      autocannon({
        url: base,
        connections,
        duration: SECONDS,
        timeout: 10,
        requests,
      });
    const [reads, writes] = await Promise.all([run(readers, readerRequests), run(writers, writerRequests)]);
    clearInterval(sampler);
    const cpuShare = Object.entries(busy)
      .map(([who, read]) => `${who} ${(((read() - cpu0[who]!) / SECONDS) * 100).toFixed(0)} %`)
      .join(', ');

    const bad5xx = (r: Result) =>
      Object.entries(r.statusCodeStats)
        .filter(([code]) => code.startsWith('5'))
        .reduce((n, [, { count }]) => n + count, 0);
    const total = reads.requests.total + writes.requests.total;
    const fivexx = bad5xx(reads) + bad5xx(writes);
    const errors = reads.errors + writes.errors + reads.timeouts + writes.timeouts;
    const unexpectedTotal = [...unexpected.values()].reduce((a, b) => a + b, 0);
    rows.push([
      `${CONNECTIONS} connections × ${SECONDS} s: zero 5xx, zero errors`,
      fivexx === 0 && errors === 0 && unexpectedTotal === 0,
      `${total} requests (${(total / SECONDS).toFixed(0)}/s), ${fivexx}× 5xx, ${errors} errors/timeouts, ${unexpectedTotal} unexpected answers${
        unexpected.size ? ` (${[...unexpected].map(([k, v]) => `${v}× ${k}`).join(', ')})` : ''
      }`,
    ]);
    rows.push([
      `page p99 under ${P99_LIMIT_MS} ms (${readers} reading connections)`,
      reads.latency.p99 < P99_LIMIT_MS,
      `p50 ${reads.latency.p50} ms, p90 ${reads.latency.p90} ms, p99 ${reads.latency.p99} ms, max ${reads.latency.max} ms; ${reads.requests.total} page and API reads`,
    ]);
    rows.push([
      `writes (${writers} connections: sign-in every ${SIGN_IN_EVERY} rounds, admin saves)`,
      true,
      `p50 ${writes.latency.p50} ms, p99 ${writes.latency.p99} ms, ${writes.requests.total} requests`,
    ]);
    const mean = (from: number, to: number) => {
      const xs = rss.filter((s) => s.t >= from && s.t < to).map((s) => s.bytes);
      return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    };
    const from = Math.max(0, Math.min(WARMUP_S, SECONDS - 2 * WINDOW_S));
    const first = mean(from, from + WINDOW_S);
    const last = mean(SECONDS - WINDOW_S, SECONDS + 5);
    const every10s = Array.from({ length: Math.ceil(SECONDS / 10) }, (_, i) => mb(mean(i * 10, i * 10 + 10)));
    rows.push([
      `memory flat: RSS of the last 20 s within 10 % of the first 20 s after a ${from} s warm-up`,
      last <= first * 1.1,
      `${from}–${from + WINDOW_S} s ${mb(first)}, last 20 s ${mb(last)} (${(((last - first) / first) * 100).toFixed(1)} %), peak ${mb(Math.max(...rss.map((s) => s.bytes)))}; by 10 s: ${every10s.join(' ')}`,
    ]);
    console.log(`\nCPU of one core used during the run: ${cpuShare}`);
    console.log(
      `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${load0.toFixed(2)} before the run, ${loadavg()[0]!.toFixed(2)} after`,
    );
  } catch (err) {
    rows.push(['the run itself', false, err instanceof Error ? (err.stack ?? err.message) : String(err)]);
  } finally {
    await stack.stop();
  }
  await sleep(0);
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nLoad run\n`);
  for (const [check, pass, figures] of rows)
    console.log(`${pass ? 'pass' : 'FAIL'}  ${check.padEnd(width)}  ${figures}`);
  const failed = rows.filter((r) => !r[1]).length;
  console.log(`\n${rows.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
