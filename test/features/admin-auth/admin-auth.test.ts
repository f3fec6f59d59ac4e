import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

function cookieOf(res: request.Response, name: string): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith(`${name}=`));
}

describe('POST /admin/login', () => {
  it('signs an administrator in and opens the admin shell', async () => {
    const admin = await createAdmin(t.deps);
    const { agent } = await signInAdmin(t.app, admin.login, admin.password);
    const home = await agent.get('/admin');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Customers');
    expect(home.text).toContain(admin.login);
  });

  it('accepts the login in any letter case', async () => {
    const admin = await createAdmin(t.deps, 'Operator');
    const { agent } = await signInAdmin(t.app, 'OPERATOR', admin.password);
    expect((await agent.get('/admin')).status).toBe(200);
  });

  it('gives the same answer for a wrong password and an unknown login', async () => {
    const admin = await createAdmin(t.deps);
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const wrong = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: admin.login, password: 'not the password at all' });
    const unknown = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: 'nobody-here', password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0];
    expect(message(wrong.text)).toBeDefined();
    expect(message(wrong.text)).toBe(message(unknown.text));
    expect(wrong.text).toContain('The login or password is incorrect');
  });

  it('keeps the typed login and re-renders the form with a summary when fields are empty', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: 'someone', password: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="someone"');
    expect(res.text).toContain('href="#password"');
    expect(res.text).toMatch(/<title>Error:/);
  });

  it('refuses a post without a CSRF token', async () => {
    const admin = await createAdmin(t.deps);
    const agent = request.agent(t.app);
    await agent.get('/admin/login');
    const res = await agent.post('/admin/login').type('form').send({ login: admin.login, password: admin.password });
    expect(res.status).toBe(403);
  });

  it('refuses a post with a wrong CSRF token', async () => {
    const admin = await createAdmin(t.deps);
    const agent = request.agent(t.app);
    await agent.get('/admin/login');
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: 'forged-token', login: admin.login, password: admin.password });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('Administration</span>');
  });

  it('accepts the CSRF token from the X-CSRF-Token header as htmx sends it', async () => {
    const admin = await createAdmin(t.deps);
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const res = await agent
      .post('/admin/login')
      .set('X-CSRF-Token', csrfFrom(page.text))
      .type('form')
      .send({ login: admin.login, password: admin.password });
    expect(res.status).toBe(303);
  });

  it('issues a new session cookie at sign-in', async () => {
    const admin = await createAdmin(t.deps);
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const before = cookieOf(page, 'sc_admin')?.split(';')[0];
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: admin.login, password: admin.password });
    const after = cookieOf(res, 'sc_admin')?.split(';')[0];
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('sets HttpOnly and SameSite=Lax on the session cookie', async () => {
    const page = await request(t.app).get('/admin/login');
    const cookie = cookieOf(page, 'sc_admin') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('engages the brute-force limit and says when to retry', async () => {
    const admin = await createAdmin(t.deps);
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const csrf = csrfFrom(page.text);
    let last: request.Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await agent
        .post('/admin/login')
        .type('form')
        .send({ _csrf: csrf, login: admin.login, password: 'wrong password guess' });
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(last?.text).toMatch(/Try again in \d+ minutes/);
    const right = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrf, login: admin.login, password: admin.password });
    expect(right.status).toBe(429);
  });

  it('counts parallel guesses before checking them, so a burst tests no more than the limit', async () => {
    const admin = await createAdmin(t.deps);
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const csrf = csrfFrom(page.text);
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        agent
          .post('/admin/login')
          .type('form')
          .send({ _csrf: csrf, login: admin.login, password: i === 10 ? admin.password : `wrong guess number ${i}` }),
      ),
    );
    const tested = burst.filter((r) => r.status !== 429).length;
    expect(tested).toBeLessThanOrEqual(5);
    expect(burst[10]?.status === 303 ? tested : 0).toBeLessThanOrEqual(5);
  });

  it('records a successful and a failed sign-in in the audit log', async () => {
    const admin = await createAdmin(t.deps);
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: admin.login, password: 'wrong password guess' });
    await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: admin.login, password: admin.password });
    const events = await t.deps.db('audit_events').where({ action: 'admin.login' }).orderBy('id');
    expect(events.map((e: { outcome: string }) => e.outcome)).toEqual(['failure', 'success']);
    expect(events[1].actor_id).toBe(admin.id);
    expect(events[0].ip).not.toBe('');
  });
});

describe('POST /admin/logout', () => {
  it('ends the session so the old cookie no longer opens /admin', async () => {
    const admin = await createAdmin(t.deps);
    const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
    const home = await agent.get('/admin');
    const cookie = (([] as string[]).concat(home.request.cookies ?? []) as string[]).join('');
    const out = await agent.post('/admin/logout').type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    // The sign-in page it leads to says so.
    expect(out.headers.location).toBe('/admin/login?signed_out=1');
    expect((await request(t.app).get('/admin/login?signed_out=1')).text).toContain('You have signed out.');
    expect((await request(t.app).get('/admin/login')).text).not.toContain('You have signed out.');
    const event = await t.deps.db('audit_events').where({ action: 'admin.logout' }).first();
    expect(event.actor_label).toBe(admin.login);
    const replay = await request(t.app).get('/admin').set('Cookie', cookie);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toMatch(/^\/admin\/login/);
  });
});

describe('GET /admin', () => {
  it('sends a visitor without a session to sign-in', async () => {
    const res = await request(t.app).get('/admin');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/login?next=%2Fadmin');
  });
});
