/**
 * Production keeps no state in one process: two app processes (`src/server.ts`, each with its own
 * pools, caches and memory) on the same MySQL/MariaDB and Redis, as behind a load balancer.
 * Whatever one starts, the other continues; whatever one changes, the other applies on its next
 * request. The test itself only seeds rows and reads them, as an operator's script would.
 */
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, resetDatabase, type TestApp } from '../helpers/app.ts';
import { startAppProcess, type AppProcess } from '../helpers/app-process.ts';
import { allAt, createCustomer, createRole, FIXTURE_PASSWORD } from '../helpers/fixtures.ts';
import { codeFor, enableTwoFactor } from '../helpers/two-factor.ts';
import { formFields } from '../features/customers/form-fields.ts';

const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const reason =
  'needs DATABASE_URL and REDIS_URL: on the embedded default (SQLite file + in-process stores) two instances share nothing by design';

/** A browser: one cookie jar, whichever process the load balancer sends each request to. */
class Browser {
  private readonly cookies = new Map<string, string>();

  private take(res: request.Response): request.Response {
    const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    for (const line of lines) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res;
  }

  private cookie(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(app: string, path: string): Promise<request.Response> {
    return this.take(await request(app).get(path).set('Cookie', this.cookie()));
  }

  async post(app: string, path: string, form: Record<string, string>): Promise<request.Response> {
    return this.take(await request(app).post(path).set('Cookie', this.cookie()).type('form').send(form));
  }

  /** GETs the form page from `formFrom`, then posts it with its CSRF token to `postTo`. */
  async submit(
    formFrom: string,
    postTo: string,
    path: string,
    fields: Record<string, string>,
    formPath = path,
  ): Promise<request.Response> {
    const page = await this.get(formFrom, formPath);
    return this.post(postTo, path, { _csrf: csrfFrom(page.text), ...fields });
  }
}

describe.skipIf(!shared)(`two app processes on one MySQL + Redis (${shared ? 'shared stores' : reason})`, () => {
  /** the test's own connections: seeding and reading rows, never serving a request */
  let t: TestApp;
  let processes: AppProcess[] = [];
  /** the two processes' addresses */
  let one: string;
  let other: string;

  beforeAll(async () => {
    t = await createTestApp();
    const started = await Promise.allSettled([startAppProcess(t.config), startAppProcess(t.config)]);
    // whichever started is stopped in afterAll, also when the other did not
    processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const refused = started.find((s) => s.status === 'rejected');
    if (refused) throw refused.reason;
    [one, other] = processes.map((p) => p.baseUrl) as [string, string];
  }, 60_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await t?.close();
  });
  beforeEach(async () => {
    await resetDatabase(t.deps.db);
    await t.deps.redis?.flushDb();
  });

  it('runs as two processes, neither of them the test', () => {
    const pids = processes.map((p) => p.pid);
    expect(new Set([...pids, process.pid]).size).toBe(3);
  });

  async function signedInAdmin(via: string): Promise<Browser> {
    const admin = await createAdmin(t.deps);
    const browser = new Browser();
    const res = await browser.submit(via, via, '/admin/login', { login: admin.login, password: admin.password });
    expect(res.status).toBe(303);
    return browser;
  }

  it('a web session signed in through one is signed in through the other, CSRF token and all', async () => {
    const c = await createCustomer(t.deps, { name: 'Scaled Ltd' });
    const browser = new Browser();
    const signIn = await browser.submit(one, other, '/login', { login: c.login ?? '', password: c.password });
    expect(signIn.status).toBe(303);
    const home = await browser.get(one, '/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Scaled Ltd');
    expect((await browser.get(other, '/')).status).toBe(200);
    const out = await browser.submit(other, one, '/logout', {}, '/');
    expect(out.status).toBe(303);
    expect((await browser.get(other, '/')).headers.location).toBe('/login');
  });

  it('an API session opened through one answers through the other, and ends there for both', async () => {
    const c = await createCustomer(t.deps);
    const { token } = await t.deps.services.apiTokens.create(
      c.id,
      { name: 'scale', expiresAt: new Date(Date.now() + 3_600_000) },
      { actor: { type: 'system', id: null, label: 'test' }, ip: '127.0.0.1' },
    );
    const opened = await request(one).post('/api/v1/sessions').send({ login: c.login, token });
    expect(opened.status).toBe(201);
    const bearer = `Bearer ${(opened.body as { session_id: string }).session_id}`;
    const customer = await request(other).get('/api/v1/customer').set('Authorization', bearer);
    expect(customer.status).toBe(200);
    expect((customer.body as { id: number }).id).toBe(c.id);
    expect((await request(other).delete('/api/v1/sessions/current').set('Authorization', bearer)).status).toBeLessThan(
      300,
    );
    expect((await request(one).get('/api/v1/customer').set('Authorization', bearer)).status).toBe(401);
  });

  it('failed sign-ins through both count toward one brute-force limit', async () => {
    const c = await createCustomer(t.deps);
    const browser = new Browser();
    const statuses: number[] = [];
    for (let n = 0; n < 5; n++) {
      const [formFrom, postTo] = n % 2 === 0 ? [one, other] : [other, one];
      statuses.push(
        (await browser.submit(formFrom, postTo, '/login', { login: c.login ?? '', password: 'wrong' })).status,
      );
    }
    // five failures block, whichever instance counted them
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const right = await browser.submit(one, other, '/login', { login: c.login ?? '', password: c.password });
    expect(right.status).toBe(429);
  });

  it('a log-in-as ticket made through one opens the portal through the other, once', async () => {
    const admin = await createAdmin(t.deps);
    const role = await createRole(t.deps, 'Assigned', allAt('read'));
    const c = await createCustomer(t.deps, { roleId: role, name: 'Ticketed Ltd' });
    const adminBrowser = new Browser();
    expect(
      (await adminBrowser.submit(one, other, '/admin/login', { login: admin.login, password: admin.password })).status,
    ).toBe(303);
    const made = await adminBrowser.submit(
      other,
      one,
      `/admin/customers/${c.id}/impersonate`,
      { mode: 'assigned' },
      `/admin/customers/${c.id}/self-care`,
    );
    expect(made.status).toBe(303);
    const ticket = String(made.headers.location);
    const portal = new Browser();
    expect((await portal.get(other, ticket)).status).toBe(303);
    const home = await portal.get(one, '/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('id="impersonation-banner"');
    expect((await new Browser().get(one, ticket)).status).toBe(410);
  });

  it('the second sign-in step asked for by one is answered through the other', async () => {
    const c = await createCustomer(t.deps);
    const { secret } = await enableTwoFactor(t.deps, 'customer', c.id);
    const browser = new Browser();
    const first = await browser.submit(one, one, '/login', { login: c.login ?? '', password: c.password });
    expect(first.headers.location).toBe('/login/two-factor');
    const second = await browser.submit(one, other, '/login/two-factor', { code: codeFor(secret) });
    expect(second.status).toBe(303);
    expect((await browser.get(one, '/')).status).toBe(200);
  });

  /** Hides invoices from `role` on the admin's role form served by `via`. */
  async function hideInvoices(via: string, role: number, name: string): Promise<void> {
    const admin = await signedInAdmin(via);
    const form: Record<string, string> = { name, description: '', type: 'customer_selfcare', is_default: '1' };
    for (const [component, level] of Object.entries(allAt('read'))) form[`perm[${component}]`] = level;
    form['perm[invoices]'] = 'hidden';
    expect((await admin.submit(via, via, `/admin/roles/${role}`, form)).status).toBe(303);
  }

  it('a role change made through one applies on the next request through the other', async () => {
    const role = await createRole(t.deps, 'Staff', allAt('read'), { isDefault: true });
    const c = await createCustomer(t.deps, { roleId: role });
    const customer = new Browser();
    await customer.submit(other, other, '/login', { login: c.login ?? '', password: FIXTURE_PASSWORD });
    expect((await customer.get(other, '/invoices')).status).toBe(200);
    await hideInvoices(one, role, 'Staff');
    expect((await customer.get(other, '/invoices')).status).toBe(403);
  });

  it('a role change made through one applies to the next API call through the other', async () => {
    const role = await createRole(t.deps, 'Integrations', allAt('read'), { isDefault: true });
    const c = await createCustomer(t.deps, { roleId: role });
    const { token } = await t.deps.services.apiTokens.create(
      c.id,
      { name: 'scale', expiresAt: new Date(Date.now() + 3_600_000) },
      { actor: { type: 'system', id: null, label: 'test' }, ip: '127.0.0.1' },
    );
    const opened = await request(other).post('/api/v1/sessions').send({ login: c.login, token });
    const bearer = `Bearer ${(opened.body as { session_id: string }).session_id}`;
    expect((await request(other).get('/api/v1/invoices').set('Authorization', bearer)).status).toBe(200);
    await hideInvoices(one, role, 'Integrations');
    expect((await request(other).get('/api/v1/invoices').set('Authorization', bearer)).status).toBe(403);
  });

  it('a trusted-network change made through one ends the session on the next request through the other', async () => {
    const c = await createCustomer(t.deps);
    const browser = new Browser();
    await browser.submit(other, other, '/login', { login: c.login ?? '', password: c.password });
    expect((await browser.get(other, '/')).status).toBe(200);
    const admin = await signedInAdmin(one);
    const panel = `/admin/customers/${c.id}/self-care`;
    const fields = formFields((await admin.get(one, panel)).text, 'self-care-form');
    const saved = await admin.post(one, panel, { ...fields, ip_restriction: 'on', trusted_ips: '203.0.113.0/24' });
    expect(saved.status).toBe(303);
    const next = await browser.get(other, '/');
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe('/login');
  });
});
