import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import {
  allAt,
  createCustomer,
  createIndividual,
  createRole,
  FIXTURE_PASSWORD,
  setRolePermissions,
} from '../../helpers/fixtures.ts';
import { outboxMails } from '../../helpers/mail.ts';
import { postPortalLogin, withIp } from '../../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ TRUST_PROXY: 'loopback' });
});
afterEach(async () => {
  await t.close();
});

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** A browser signed in from one address with one user agent; every later request keeps both. */
async function browser(login: string, ip: string, userAgent: string, password = FIXTURE_PASSWORD) {
  const agent = request.agent(t.app);
  const as = <T extends request.Test>(test: T): T => withIp(test, ip).set('User-Agent', userAgent);
  const page = await as(agent.get('/login'));
  const res = await as(agent.post('/login').type('form')).send({ _csrf: csrfFrom(page.text), login, password });
  if (res.status !== 303) throw new Error(`sign-in refused with ${res.status}`);
  await t.deps.background.idle();
  return {
    agent,
    get: (path: string) => as(agent.get(path)),
    post: async (path: string, body: Record<string, string> = {}) => {
      const form = await as(agent.get('/settings/sessions'));
      return as(agent.post(path).type('form')).send({ _csrf: csrfFrom(form.text), ...body });
    },
  };
}

const rowOf = (html: string, text: string) =>
  [...html.matchAll(/<tr[^>]*>[\s\S]*?<\/tr>/g)].map((m) => m[0]).find((row) => row.includes(text)) ?? '';
const handlesIn = (html: string) => [...html.matchAll(/href="\/settings\/sessions\/([^/"]+)\/end"/g)].map((m) => m[1]!);

describe('GET /settings/sessions', () => {
  it('lists each signed-in browser with its browser, system and address, and marks this device', async () => {
    await createCustomer(t.deps, { login: 'many.places', timeZone: 'Europe/Berlin', outDateFormat: 'DD.MM.YYYY' });
    await browser('many.places', '192.0.2.10', FIREFOX_LINUX);
    await browser('many.places', '192.0.2.20', SAFARI_IPHONE);
    const me = await browser('many.places', '192.0.2.30', CHROME_WINDOWS);
    const res = await me.get('/settings/sessions');
    expect(res.status).toBe(200);
    const mine = rowOf(res.text, 'Chrome 124 on Windows 10');
    expect(mine).toContain('This device');
    expect(mine).toContain('192.0.2.30');
    expect(mine).not.toContain('/end"');
    expect(rowOf(res.text, 'Firefox 128 on Linux')).toContain('192.0.2.10');
    expect(rowOf(res.text, 'Mobile Safari 17 on iOS 17')).toContain('192.0.2.20');
    expect(handlesIn(res.text)).toHaveLength(2);
    // in the account's own zone and output format
    const today = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
    })
      .format(new Date())
      .replace(/\//g, '.');
    expect(mine).toContain(today);
  });

  it('shows the address and time a session was last seen from', async () => {
    await createCustomer(t.deps, { login: 'roaming.one' });
    const roaming = await browser('roaming.one', '192.0.2.40', FIREFOX_LINUX);
    await withIp(roaming.agent.get('/profile'), '192.0.2.41').set('User-Agent', FIREFOX_LINUX);
    const me = await browser('roaming.one', '192.0.2.50', CHROME_WINDOWS);
    const res = await me.get('/settings/sessions');
    expect(rowOf(res.text, 'Firefox 128')).toContain('192.0.2.41');
  });

  it('forgets a session that signed out, and hides the page from a role without Settings', async () => {
    const roleId = await createRole(t.deps, 'No settings', { ...allAt('modify'), settings: 'hidden' });
    await createCustomer(t.deps, { login: 'leaver.one', roleId: await createRole(t.deps, 'Full', allAt('modify')) });
    const other = await browser('leaver.one', '192.0.2.60', FIREFOX_LINUX);
    const me = await browser('leaver.one', '192.0.2.61', CHROME_WINDOWS);
    const page = await other.get('/settings/sessions');
    await withIp(other.agent.post('/logout').type('form'), '192.0.2.60').send({ _csrf: csrfFrom(page.text) });
    expect(handlesIn((await me.get('/settings/sessions')).text)).toHaveLength(0);

    await createCustomer(t.deps, { login: 'hidden.one', roleId });
    const hidden = await browser('hidden.one', '192.0.2.62', CHROME_WINDOWS);
    expect((await hidden.get('/settings/sessions')).status).toBe(403);
    expect((await hidden.get('/')).text).not.toContain('href="/settings/sessions"');
  });
});

describe('GET and POST /settings/sessions/:handle/end and /settings/sessions/end-others', () => {
  it('asks before signing out one other session, which then has to sign in again; audited', async () => {
    const c = await createCustomer(t.deps, { login: 'end.one' });
    const phone = await browser('end.one', '192.0.2.70', SAFARI_IPHONE);
    const laptop = await browser('end.one', '192.0.2.71', FIREFOX_LINUX);
    const me = await browser('end.one', '192.0.2.72', CHROME_WINDOWS);
    const list = await me.get('/settings/sessions');
    const phoneHandle = handlesIn(rowOf(list.text, 'Mobile Safari'))[0]!;
    const end = `/settings/sessions/${phoneHandle}/end`;
    // the button leads to a page that asks, and a post without its confirmation ends nothing
    const ask = await me.get(end);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Sign out Mobile Safari 17 on iOS 17?');
    expect(ask.text).toContain('Signed in from 192.0.2.70');
    expect(ask.text).toContain(`<form method="post" action="${end}"`);
    expect(ask.text).toContain('name="confirm" value="yes"');
    expect(ask.text).toContain('href="/settings/sessions"');
    const unconfirmed = await me.post(end);
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('Sign out Mobile Safari 17 on iOS 17?');
    expect((await phone.get('/profile')).status).toBe(200);
    const res = await me.post(end, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect((await me.get('/settings/sessions')).text).toContain('That session was signed out.');
    const ended = await phone.get('/profile');
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/login');
    expect((await laptop.get('/profile')).status).toBe(200);
    const [event] = await t.deps.db('audit_events').where({ action: 'portal.session.end' });
    expect(event).toMatchObject({ entity_type: 'customer', entity_id: c.id, ip: '192.0.2.72' });
    expect(String(event.changes)).toContain('Mobile Safari');
  });

  it('asks before signing out every other session, then keeps this one', async () => {
    await createCustomer(t.deps, { login: 'end.others' });
    const a = await browser('end.others', '192.0.2.80', SAFARI_IPHONE);
    const b = await browser('end.others', '192.0.2.81', FIREFOX_LINUX);
    const me = await browser('end.others', '192.0.2.82', CHROME_WINDOWS);
    expect((await me.get('/settings/sessions')).text).toContain('href="/settings/sessions/end-others"');
    const ask = await me.get('/settings/sessions/end-others');
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Sign out all other sessions?');
    expect(ask.text).toContain('2 other browsers signed in to this account will have to sign in again.');
    expect(ask.text).toContain('<form method="post" action="/settings/sessions/end-others"');
    const unconfirmed = await me.post('/settings/sessions/end-others');
    expect(unconfirmed.status).toBe(422);
    for (const other of [a, b]) expect((await other.get('/profile')).status).toBe(200);
    const res = await me.post('/settings/sessions/end-others', { confirm: 'yes' });
    expect(res.status).toBe(303);
    const after = await me.get('/settings/sessions');
    expect(after.status).toBe(200);
    expect(after.text).toContain('2 other sessions were signed out.');
    expect(handlesIn(after.text)).toHaveLength(0);
    for (const other of [a, b]) expect((await other.get('/profile')).headers.location).toBe('/login');
    expect(await t.deps.db('audit_events').where({ action: 'portal.sessions.end_others' })).toHaveLength(1);
  });

  it('ends neither its own session nor another account’s through a forged handle', async () => {
    await createCustomer(t.deps, { login: 'victim.one' });
    await createCustomer(t.deps, { login: 'mallory.one' });
    const victim = await browser('victim.one', '192.0.2.90', FIREFOX_LINUX);
    await browser('victim.one', '192.0.2.91', SAFARI_IPHONE);
    const victimHandle = handlesIn((await victim.get('/settings/sessions')).text)[0]!;
    const mallory = await browser('mallory.one', '192.0.2.92', CHROME_WINDOWS);
    const ask = await mallory.get(`/settings/sessions/${victimHandle}/end`);
    expect(ask.status).toBe(303);
    expect(ask.text).not.toContain('Firefox');
    const res = await mallory.post(`/settings/sessions/${victimHandle}/end`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect((await mallory.get('/settings/sessions')).text).toContain('That session had already ended.');
    expect(handlesIn((await victim.get('/settings/sessions')).text)).toEqual([victimHandle]);
  });

  it('refuses a post without the CSRF token', async () => {
    await createCustomer(t.deps, { login: 'csrf.sessions' });
    const me = await browser('csrf.sessions', '192.0.2.93', CHROME_WINDOWS);
    const res = await withIp(me.agent.post('/settings/sessions/end-others'), '192.0.2.93')
      .type('form')
      .send({ confirm: 'yes' });
    expect(res.status).toBe(403);
  });
});

describe('recent sign-ins', () => {
  it('lists successes and refusals with address, time and the reason in plain words', async () => {
    await createCustomer(t.deps, { login: 'watched.one', ipRestriction: true, trustedIps: '10.0.0.0/8;' });
    await postPortalLogin(t.app, 'watched.one', 'not the password at all', { ip: '10.1.1.1' });
    await postPortalLogin(t.app, 'watched.one', FIXTURE_PASSWORD, { ip: '192.0.2.5' });
    const me = await browser('watched.one', '10.2.2.2', CHROME_WINDOWS);
    const res = await me.get('/settings/sessions');
    const history = res.text.slice(res.text.indexOf('id="history-title"'));
    expect(rowOf(history, 'Refused: wrong password')).toContain('10.1.1.1');
    expect(rowOf(history, 'Refused: not allowed from this address')).toContain('192.0.2.5');
    expect(rowOf(history, 'Signed in')).toContain('10.2.2.2');
    const order = ['Signed in', 'not allowed from this address', 'wrong password'].map((s) => history.indexOf(s));
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it('keeps the last 20 attempts of this account only', async () => {
    await createCustomer(t.deps, { login: 'busy.history' });
    await createCustomer(t.deps, { login: 'someone.else' });
    for (let i = 0; i < 22; i++)
      await postPortalLogin(t.app, 'busy.history', `wrong guess ${i}`, { ip: `10.9.${i}.1` });
    await postPortalLogin(t.app, 'someone.else', 'wrong guess', { ip: '10.8.8.8' });
    const me = await browser('busy.history', '10.3.3.3', CHROME_WINDOWS);
    const history = (await me.get('/settings/sessions')).text.split('id="history-title"')[1]!;
    expect([...history.matchAll(/<tr>\s*<td>/g)]).toHaveLength(20);
    expect(history).not.toContain('10.8.8.8');
  });

  it('shows an individual its own attempts, “not active yet” included', async () => {
    const c = await createCustomer(t.deps, { login: 'the.firm' });
    const i = await createIndividual(t.deps, c.id, { login: 'new.starter' });
    await t.deps
      .db('individuals')
      .where({ id: i.id })
      .update({ activation_at: new Date(Date.now() + 86_400_000) });
    await postPortalLogin(t.app, 'new.starter', FIXTURE_PASSWORD, { ip: '10.4.4.4' });
    await t.deps.db('individuals').where({ id: i.id }).update({ activation_at: null });
    const me = await browser('new.starter', '10.5.5.5', CHROME_WINDOWS);
    const history = (await me.get('/settings/sessions')).text.split('id="history-title"')[1]!;
    expect(rowOf(history, 'Refused: account not active yet')).toContain('10.4.4.4');
  });
});

describe('the e-mail on a sign-in from a new address', () => {
  it('is sent only when asked for, only for an address not used in 90 days, in the account’s language', async () => {
    await createCustomer(t.deps, { login: 'careful.one', email: 'careful@example.com', language: 'de' });
    const first = await browser('careful.one', '192.0.2.100', CHROME_WINDOWS);
    expect(outboxMails(t.config.dataDir)).toHaveLength(0);
    expect((await first.post('/settings/sessions/alerts', { sign_in_alerts: 'on' })).status).toBe(303);
    expect((await first.get('/settings/sessions')).text).toMatch(/id="sign_in_alerts"[^>]*checked/);

    await browser('careful.one', '192.0.2.100', CHROME_WINDOWS);
    expect(outboxMails(t.config.dataDir)).toHaveLength(0);
    await browser('careful.one', '198.51.100.7', SAFARI_IPHONE);
    const mails = outboxMails(t.config.dataDir);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe('careful@example.com');
    expect(mails[0]!.html).toContain('<html lang="de">');
    expect(mails[0]!.text).toContain('198.51.100.7');
    expect(mails[0]!.text).toContain('Mobile Safari 17');
    expect(mails[0]!.text).toContain(`${t.config.publicUrl}/settings/sessions`);

    // an address last used more than 90 days ago counts as new again
    await t.deps
      .db('audit_events')
      .where({ action: 'portal.login', ip: '192.0.2.100' })
      .update({ occurred_at: new Date(Date.now() - 91 * 86_400_000) });
    await browser('careful.one', '192.0.2.100', CHROME_WINDOWS);
    expect(outboxMails(t.config.dataDir)).toHaveLength(2);
    expect(await t.deps.db('audit_events').where({ action: 'portal.sign_in_alerts.update' })).toHaveLength(1);
  });

  it('can be turned off again, and needs Full access to Settings to change', async () => {
    const readOnly = await createRole(t.deps, 'Settings read', { ...allAt('modify'), settings: 'read' });
    await createCustomer(t.deps, { login: 'switcher.one', email: 'switch@example.com', roleId: readOnly });
    const me = await browser('switcher.one', '192.0.2.110', CHROME_WINDOWS);
    expect((await me.post('/settings/sessions/alerts', { sign_in_alerts: 'on' })).status).toBe(403);
    const row = await t.deps.db('customers').where({ selfcare_login: 'switcher.one' }).first();
    await setRolePermissions(t.deps, Number(row.role_id), allAt('modify'));
    expect((await me.post('/settings/sessions/alerts', { sign_in_alerts: 'on' })).status).toBe(303);
    expect((await me.post('/settings/sessions/alerts', {})).status).toBe(303);
    expect((await me.get('/settings/sessions')).text).not.toMatch(/id="sign_in_alerts"[^>]*checked/);
    await browser('switcher.one', '198.51.100.8', SAFARI_IPHONE);
    expect(outboxMails(t.config.dataDir)).toHaveLength(0);
  });
});

describe('the administrator’s view of sessions', () => {
  async function admin() {
    const a = await createAdmin(t.deps);
    return signInAdmin(t.app, a.login, a.password);
  }

  async function apiSession(customerId: number, login: string): Promise<string> {
    const { token } = await t.deps.services.apiTokens.create(
      customerId,
      { name: 'CRM', expiresAt: null },
      { actor: { type: 'system', id: null, label: 'test' }, ip: '127.0.0.1' },
    );
    const res = await request(t.app).post('/api/v1/sessions').send({ login, token });
    return `Bearer ${res.body.session_id as string}`;
  }

  it('counts the customer’s portal and API sessions and ends them all; audited', async () => {
    const c = await createCustomer(t.deps, { login: 'counted.one' });
    await createIndividual(t.deps, c.id, { login: 'counted.staff' });
    const a = await browser('counted.one', '192.0.2.120', CHROME_WINDOWS);
    const b = await browser('counted.one', '192.0.2.121', FIREFOX_LINUX);
    const staff = await browser('counted.staff', '192.0.2.122', FIREFOX_LINUX);
    const bearer = await apiSession(c.id, 'counted.one');
    const { agent, csrf } = await admin();
    const panel = await agent.get(`/admin/customers/${c.id}/self-care`);
    expect(panel.text).toContain('2 active portal sessions and 1 active API session');

    // "End all sessions…" asks on a page of its own; a post that does not confirm ends nothing
    const ask = await agent.get(`/admin/customers/${c.id}/self-care/end-sessions`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('End every session of the customer’s own login?');
    const unconfirmed = await agent
      .post(`/admin/customers/${c.id}/self-care/end-sessions`)
      .type('form')
      .send({ _csrf: csrf });
    expect(unconfirmed.status).toBe(422);
    expect((await agent.get(`/admin/customers/${c.id}/self-care`)).text).toContain(
      '2 active portal sessions and 1 active API session',
    );

    const res = await agent
      .post(`/admin/customers/${c.id}/self-care/end-sessions`)
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(303);
    const after = await agent.get(`/admin/customers/${c.id}/self-care`);
    expect(after.text).toContain('Ended 2 portal sessions and 1 API session of the customer.');
    expect(after.text).toContain('0 active portal sessions and 0 active API sessions');
    for (const x of [a, b]) expect((await x.get('/profile')).headers.location).toBe('/login');
    expect((await request(t.app).get('/api/v1/me').set('Authorization', bearer)).status).toBe(401);
    expect((await staff.get('/profile')).status).toBe(200);
    const [event] = await t.deps.db('audit_events').where({ action: 'customer.sessions.end' });
    expect(event).toMatchObject({ actor_type: 'admin', entity_id: c.id });
    expect(JSON.parse(String(event.changes))).toEqual({
      portal_sessions: { old: 2, new: 0 },
      api_sessions: { old: 1, new: 0 },
    });
  });

  it('counts and ends an individual’s portal sessions on its page', async () => {
    const c = await createCustomer(t.deps, { login: 'parent.co' });
    const ind = await createIndividual(t.deps, c.id, { login: 'child.one' });
    const x = await browser('child.one', '192.0.2.130', CHROME_WINDOWS);
    const { agent, csrf } = await admin();
    const page = await agent.get(`/admin/customers/${c.id}/individuals/${ind.id}`);
    expect(page.text).toContain('1 active portal session.');
    const res = await agent
      .post(`/admin/customers/${c.id}/individuals/${ind.id}/end-sessions`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect((await x.get('/profile')).headers.location).toBe('/login');
    expect(await t.deps.db('audit_events').where({ action: 'individual.sessions.end' })).toHaveLength(1);
    const other = await createCustomer(t.deps, { login: 'other.co' });
    const cross = await agent
      .post(`/admin/customers/${other.id}/individuals/${ind.id}/end-sessions`)
      .type('form')
      .send({ _csrf: csrf });
    expect(cross.status).toBe(404);
  });

  it('refuses without an admin session or without the CSRF token', async () => {
    const c = await createCustomer(t.deps, { login: 'guarded.co' });
    const anonymous = await request(t.app).post(`/admin/customers/${c.id}/self-care/end-sessions`);
    expect([303, 403]).toContain(anonymous.status);
    const { agent } = await admin();
    const noToken = await agent.post(`/admin/customers/${c.id}/self-care/end-sessions`).type('form').send({});
    expect(noToken.status).toBe(403);
    expect(await t.deps.db('audit_events').where({ action: 'customer.sessions.end' })).toHaveLength(0);
  });
});
