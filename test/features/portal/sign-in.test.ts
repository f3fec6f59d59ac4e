import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import { postPortalLogin, signInPortal, withIp } from '../../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ TRUST_PROXY: 'loopback' });
});
afterEach(async () => {
  await t.close();
});

async function auditRows(action: string) {
  return t.deps.db('audit_events').where({ action }).orderBy('id');
}

const summary = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';

describe('GET /login', () => {
  it('shows the form in the browser language with a switch naming each language in its own language', async () => {
    const res = await request(t.app).get('/login').set('Accept-Language', 'de-DE,de;q=0.9');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="de">');
    for (const [code, name] of [
      ['en', 'English'],
      ['es', 'Español'],
      ['fr', 'Français'],
      ['de', 'Deutsch'],
      ['pt-BR', 'Português (Brasil)'],
      ['uk', 'Українська'],
    ]) {
      expect(res.text).toContain(`href="/login?lang=${code}" lang="${code}"`);
      expect(res.text).toContain(name);
    }
  });

  it('remembers the language chosen with ?lang= for the next pages', async () => {
    const agent = request.agent(t.app);
    await agent.get('/login?lang=uk');
    const res = await agent.get('/login').set('Accept-Language', 'en');
    expect(res.text).toContain('<html lang="uk">');
  });
});

describe('POST /login', () => {
  it('signs a customer in, regenerates the session and opens the dashboard', async () => {
    const c = await createCustomer(t.deps, { name: 'Acme Ltd' });
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    const before = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((x) => x.startsWith('sc_portal='));
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: c.login, password: c.password });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const after = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((x) => x.startsWith('sc_portal='));
    expect(after).toBeDefined();
    expect(after?.split(';')[0]).not.toBe(before?.split(';')[0]);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Acme Ltd');
    const rows = await auditRows('portal.login');
    expect(rows.at(-1)).toMatchObject({
      actor_type: 'customer',
      actor_id: c.id,
      outcome: 'success',
      customer_id: c.id,
    });
  });

  it('signs an individual in with the same form, in any letter case', async () => {
    const c = await createCustomer(t.deps);
    const i = await createIndividual(t.deps, c.id, { login: 'Jane.Doe', name: 'Jane Doe' });
    const { agent } = await signInPortal(t.app, 'JANE.DOE', i.password);
    const home = await agent.get('/');
    expect(home.text).toContain('Jane Doe');
  });

  it('gives one generic message for a wrong password, an unknown login and a customer without credentials, each audited', async () => {
    const c = await createCustomer(t.deps);
    await createCustomer(t.deps, { login: null });
    const wrong = (await postPortalLogin(t.app, c.login ?? '', 'not the password at all')).res;
    const unknown = (await postPortalLogin(t.app, 'nobody-here', 'not the password at all')).res;
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(summary(wrong.text)).toContain('The login or password is incorrect');
    expect(summary(wrong.text)).toBe(summary(unknown.text));
    const rows = await auditRows('portal.login');
    expect(rows.map((r) => [r.outcome, JSON.parse(r.changes).reason.new])).toEqual([
      ['failure', 'wrong_password'],
      ['failure', 'unknown_login'],
    ]);
  });

  it('treats a customer whose login has no password as a generic failure', async () => {
    const c = await createCustomer(t.deps);
    await t.deps.db('customers').where({ id: c.id }).update({ password_hash: null });
    const { res } = await postPortalLogin(t.app, c.login ?? '', c.password);
    expect(res.status).toBe(401);
    expect(summary(res.text)).toContain('The login or password is incorrect');
    const rows = await auditRows('portal.login');
    expect(JSON.parse(rows.at(-1)?.changes).reason.new).toBe('no_credentials');
  });

  it('re-renders the form with a summary when a field is empty and keeps the login', async () => {
    const { res } = await postPortalLogin(t.app, 'someone', '');
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="someone"');
    expect(res.text).toContain('href="#password"');
    expect(res.text).toContain('aria-describedby="password-error" aria-invalid="true"');
    expect(res.text).toMatch(/<title>Error:/);
  });

  it('says when to retry after too many failures, with 429 and Retry-After, and audits it', async () => {
    const c = await createCustomer(t.deps);
    const agent = request.agent(t.app);
    let last: request.Response | undefined;
    for (let n = 0; n < 6; n++)
      last = (await postPortalLogin(t.app, c.login ?? '', 'wrong password again', { agent })).res;
    expect(last?.status).toBe(429);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(summary(last?.text ?? '')).toMatch(/Try again in \d+ minutes?\./);
    const right = (await postPortalLogin(t.app, c.login ?? '', c.password, { agent })).res;
    expect(right.status).toBe(429);
    const rows = await auditRows('portal.login');
    expect(rows.some((r) => r.outcome === 'refused' && JSON.parse(r.changes).reason.new === 'rate_limited')).toBe(true);
  });

  it('refuses an address outside the trusted networks without revealing the list, audited with the address', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    const { res } = await postPortalLogin(t.app, c.login ?? '', c.password, { ip: '198.51.100.9' });
    expect(res.status).toBe(403);
    expect(summary(res.text)).toContain('Access from this address is not allowed.');
    expect(res.text).not.toContain('203.0.113');
    const rows = await auditRows('portal.login');
    expect(rows.at(-1)).toMatchObject({ outcome: 'refused', ip: '198.51.100.9', customer_id: c.id });
    expect(JSON.parse(rows.at(-1)?.changes).reason.new).toBe('ip_not_allowed');
    const inside = await postPortalLogin(t.app, c.login ?? '', c.password, { ip: '203.0.113.9' });
    expect(inside.res.status).toBe(303);
  });

  it('counts refused addresses toward the brute-force limit', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    const statuses: number[] = [];
    for (let n = 0; n < 6; n++)
      statuses.push((await postPortalLogin(t.app, c.login ?? '', c.password, { ip: '198.51.100.9' })).res.status);
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses[5]).toBe(429);
  });

  it('needs both the customer list and the individual list for an individual', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    const i = await createIndividual(t.deps, c.id, { ipRestriction: true, trustedIps: '203.0.113.128/25;' });
    expect((await postPortalLogin(t.app, i.login, i.password, { ip: '203.0.113.5' })).res.status).toBe(403);
    expect((await postPortalLogin(t.app, i.login, i.password, { ip: '192.0.2.200' })).res.status).toBe(403);
    expect((await postPortalLogin(t.app, i.login, i.password, { ip: '203.0.113.200' })).res.status).toBe(303);
  });

  it('refuses an individual that is not active yet or has expired, each audited', async () => {
    const c = await createCustomer(t.deps);
    const early = await createIndividual(t.deps, c.id, { activationAt: new Date(Date.now() + 86_400_000) });
    const late = await createIndividual(t.deps, c.id, { expirationAt: new Date(Date.now() - 1000) });
    const a = (await postPortalLogin(t.app, early.login, early.password)).res;
    const b = (await postPortalLogin(t.app, late.login, late.password)).res;
    expect(a.status).toBe(403);
    expect(summary(a.text)).toContain('This account is not active yet.');
    expect(b.status).toBe(403);
    expect(summary(b.text)).toContain('This account has expired.');
    const reasons = (await auditRows('portal.login')).map((r) => JSON.parse(r.changes).reason.new);
    expect(reasons).toEqual(['not_active', 'expired']);
  });

  it('answers in the language chosen on the page', async () => {
    const agent = request.agent(t.app);
    await agent.get('/login?lang=de');
    const { res } = await postPortalLogin(t.app, 'nobody-here', 'wrong password here', { agent });
    expect(res.text).toContain('<html lang="de">');
  });

  it('never opens the admin door with customer credentials', async () => {
    const c = await createCustomer(t.deps);
    const { agent } = await signInPortal(t.app, c.login ?? '', c.password);
    const admin = await agent.get('/admin');
    expect(admin.status).toBe(303);
    expect(admin.headers.location).toContain('/admin/login');
  });
});

describe('must change the password at next login', () => {
  it('sends the user to the forced change first and lets nothing else open until it is done', async () => {
    const c = await createCustomer(t.deps, { passwordChangeRequired: true });
    const { agent, res } = await postPortalLogin(t.app, c.login ?? '', c.password);
    expect(res.headers.location).toBe('/change-password');
    for (const path of ['/', '/invoices', '/settings', '/settings/password']) {
      const blocked = await agent.get(path);
      expect(blocked.status).toBe(303);
      expect(blocked.headers.location).toBe('/change-password');
    }
    const page = await agent.get('/change-password');
    expect(page.status).toBe(200);
    // no menu whose links would only bounce back here; signing out stays possible
    expect(page.text).not.toContain('<nav');
    expect(page.text).not.toContain('href="/invoices"');
    expect(page.text).toContain('action="/logout"');
    const mismatch = await agent
      .post('/change-password')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        new_password: 'amber forest violin 42',
        new_password_confirm: 'something else entirely',
      });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('The two new passwords do not match');
    const weak = await agent
      .post('/change-password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), new_password: 'password1234', new_password_confirm: 'password1234' });
    expect(weak.status).toBe(422);
    expect(weak.text).toContain('This password is too common');
    const done = await agent
      .post('/change-password')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        new_password: 'amber forest violin 42',
        new_password_confirm: 'amber forest violin 42',
      });
    expect(done.status).toBe(303);
    expect((await agent.get('/')).status).toBe(200);
    const row = await t.deps.db('customers').where({ id: c.id }).first();
    expect(Boolean(row.password_change_required)).toBe(false);
    expect((await postPortalLogin(t.app, c.login ?? '', 'amber forest violin 42')).res.status).toBe(303);
  });

  it('still lets the user sign out', async () => {
    const c = await createCustomer(t.deps, { passwordChangeRequired: true });
    const { agent } = await postPortalLogin(t.app, c.login ?? '', c.password);
    const page = await agent.get('/change-password');
    const out = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login?signed_out=1');
    // The sign-in page says so, in the visitor's language.
    expect((await agent.get('/login?signed_out=1')).text).toContain('You have signed out.');
    expect((await request(t.app).get('/login?signed_out=1&lang=de').set('Accept-Language', 'de')).text).toContain(
      'Sie haben sich abgemeldet.',
    );
  });
});

describe('POST /logout', () => {
  it('ends the session so the next request goes to sign-in, audited', async () => {
    const c = await createCustomer(t.deps);
    const { agent, csrf } = await signInPortal(t.app, c.login ?? '', c.password);
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    const again = await agent.get('/');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe('/login');
    expect((await auditRows('portal.logout')).length).toBe(1);
  });
});

describe('an open session and the trusted networks', () => {
  it('is ended on the next request when the list changes, with the message on the sign-in page', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    const { agent } = await signInPortal(t.app, c.login ?? '', c.password, { ip: '203.0.113.9' });
    expect((await withIp(agent.get('/'), '203.0.113.9')).status).toBe(200);
    await t.deps.db('customers').where({ id: c.id }).update({ trusted_ips: '192.0.2.0/24;' });
    const refused = await withIp(agent.get('/invoices'), '203.0.113.9');
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe('/login');
    const login = await withIp(agent.get('/login'), '203.0.113.9');
    expect(login.text).toContain('Access from this address is not allowed.');
    expect((await withIp(agent.get('/'), '192.0.2.1')).status).toBe(303);
  });

  it("says so in the viewer's own language", async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;', language: 'de' });
    const { agent } = await signInPortal(t.app, c.login ?? '', c.password, { ip: '203.0.113.9' });
    await t.deps.db('customers').where({ id: c.id }).update({ trusted_ips: '192.0.2.0/24;' });
    expect((await withIp(agent.get('/'), '203.0.113.9').set('Accept-Language', 'en')).status).toBe(303);
    const login = await withIp(agent.get('/login'), '203.0.113.9').set('Accept-Language', 'en');
    expect(login.text).toContain('<html lang="de">');
    expect(login.text).toContain('Der Zugriff von dieser Adresse ist nicht erlaubt.');
  });

  it('is ended when the same session comes from an address outside the list', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    const { agent } = await signInPortal(t.app, c.login ?? '', c.password, { ip: '203.0.113.9' });
    expect((await withIp(agent.get('/'), '198.51.100.1')).status).toBe(303);
  });
});

describe('sessions end when the account changes', () => {
  it('ends the session of an individual whose expiration passes', async () => {
    const c = await createCustomer(t.deps);
    const i = await createIndividual(t.deps, c.id);
    const { agent } = await signInPortal(t.app, i.login, i.password);
    await t.deps
      .db('individuals')
      .where({ id: i.id })
      .update({ expiration_at: new Date(Date.now() - 1000) });
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect((await agent.get('/login')).text).toContain('This account has expired.');
  });

  it('ends the session of a deleted individual', async () => {
    const c = await createCustomer(t.deps);
    const i = await createIndividual(t.deps, c.id);
    const { agent } = await signInPortal(t.app, i.login, i.password);
    await t.deps.db('selfcare_logins').where({ individual_id: i.id }).del();
    await t.deps.db('individuals').where({ id: i.id }).del();
    expect((await agent.get('/')).status).toBe(303);
  });

  it('applies a role change on the next request', async () => {
    const role = await createRole(t.deps, 'Everything', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: role });
    const { agent } = await signInPortal(t.app, c.login ?? '', c.password);
    expect((await agent.get('/invoices')).status).toBe(200);
    await t.deps.db('role_permissions').where({ role_id: role, component: 'invoices' }).update({ level: 'hidden' });
    expect((await agent.get('/invoices')).status).toBe(403);
  });
});
