import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';
import { apiClient, issueToken } from '../api/api-client.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const tokenIn = (html: string): string | undefined =>
  /<p id="new-api-token" class="secret">([^<]+)<\/p>/.exec(html)?.[1];

async function customerWith(level: 'hidden' | 'read' | 'modify') {
  const role = await createRole(t.deps, `API ${level}`, { ...allAt('read'), api_access: level });
  const customer = await createCustomer(t.deps, { login: `acme-${level}`, roleId: role });
  const { agent } = await signInPortal(t.app, customer.login ?? '', customer.password);
  return { customer, agent };
}

describe('GET /api-tokens', () => {
  it('lists the customer’s tokens with their status for View only, without any edit control', async () => {
    const { customer, agent } = await customerWith('read');
    await issueToken(t.deps, customer.id, { name: 'CRM sync' });
    const res = await agent.get('/api-tokens');
    expect(res.status).toBe(200);
    expect(res.text).toContain('CRM sync');
    expect(res.text).toContain('Active');
    expect(res.text).toContain('You can see the tokens but not generate or revoke them.');
    expect(res.text).not.toContain('/revoke"');
    expect(res.text).not.toContain('name="expires_on"');
  });

  it('answers 403 when the role hides API access', async () => {
    const { agent } = await customerWith('hidden');
    expect((await agent.get('/api-tokens')).status).toBe(403);
  });

  it('answers an htmx request with the panel only', async () => {
    const { agent } = await customerWith('modify');
    const res = await agent.get('/api-tokens').set('HX-Request', 'true');
    expect(res.headers.vary).toMatch(/HX-Request/);
    expect(res.text).toContain('id="api-tokens-panel"');
    expect(res.text).not.toContain('<html');
  });
});

describe('POST /api-tokens', () => {
  it('generates a token shown once that opens an API session', async () => {
    const { customer, agent } = await customerWith('modify');
    const page = await agent.get('/api-tokens');
    const res = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Switchboard' });
    expect(res.status).toBe(200);
    const token = tokenIn(res.text) ?? '';
    expect(token).toMatch(/^sc_/);
    expect(res.text).toContain('you will not see it again');
    expect((await agent.get('/api-tokens')).text).not.toContain(token);
    await apiClient(t.app, t.deps).signIn(customer.login ?? '', token);
    const audit = await t.deps.db('audit_events').where({ action: 'api_token.create' }).first();
    expect(audit.actor_type).toBe('customer');
  });

  it('reads the expiry in the viewer’s input format and zone, and shows it in its output format', async () => {
    const role = await createRole(t.deps, 'API dates', { ...allAt('read'), api_access: 'modify' });
    const customer = await createCustomer(t.deps, {
      login: 'acme-dates',
      roleId: role,
      timeZone: 'Asia/Tokyo',
      inDateFormat: 'DD/MM/YYYY',
      outDateFormat: 'DD MON YYYY',
    });
    const { agent } = await signInPortal(t.app, 'acme-dates', customer.password);
    const page = await agent.get('/api-tokens');
    expect(page.text).toMatch(/For example \d\d\/\d\d\/\d{4}\. The token works/);
    expect(page.text).toContain('Asia/Tokyo time');
    expect(page.text).not.toContain('type="date"');
    const csrf = csrfFrom(page.text);
    const wrong = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrf, name: '', expires_on: '2999-06-30' });
    expect(wrong.status).toBe(422);
    // both problems at once, each naming its field and what it accepts
    expect(wrong.text).toContain('href="#name"');
    expect(wrong.text).toMatch(/Expires on: enter a date such as \d\d\/\d\d\/\d{4}, or leave it empty/);
    const res = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrf, name: 'Mid-year', expires_on: '30/06/2999' });
    expect(res.status).toBe(200);
    const row = await t.deps.db('api_tokens').where({ customer_id: customer.id }).first();
    const expires = row.expires_at instanceof Date ? row.expires_at : new Date(Number(row.expires_at));
    expect(expires.toISOString()).toBe('2999-06-30T14:59:59.999Z');
    expect((await agent.get('/api-tokens')).text).toContain('<td>30 Jun 2999</td>');
  });

  it('creates no second token when the answer is reloaded, and says so in the viewer’s language', async () => {
    const { customer, agent } = await customerWith('modify');
    await t.deps.db('customers').where({ id: customer.id }).update({ language: 'fr' });
    const page = await agent.get('/api-tokens');
    const form = {
      _csrf: csrfFrom(page.text),
      request_id: /name="request_id" value="([^"]+)"/.exec(page.text)?.[1] ?? '',
      name: 'Switchboard',
    };
    const first = await agent.post('/api-tokens').type('form').send(form);
    expect(first.status).toBe(200);
    const token = tokenIn(first.text) ?? '';
    expect(token).toMatch(/^sc_/);
    const replay = await agent.post('/api-tokens').type('form').send(form);
    expect(replay.status).toBe(409);
    expect(replay.headers['cache-control']).toBe('no-store');
    expect(replay.text).toContain('Ce jeton a déjà été créé\u00a0; il a été affiché une seule fois.');
    expect(replay.text).not.toContain(token);
    expect(await t.deps.db('api_tokens').where({ customer_id: customer.id }).count({ n: '*' }).first()).toMatchObject({
      n: 1,
    });
  });

  it('refuses with 403 for View only', async () => {
    const { agent } = await customerWith('read');
    const page = await agent.get('/api-tokens');
    const res = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Switchboard' });
    expect(res.status).toBe(403);
    expect(await t.deps.db('api_tokens').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('re-renders with a translated error summary for an empty name', async () => {
    const { agent } = await customerWith('modify');
    const page = await agent.get('/api-tokens');
    const res = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#name"');
  });

  it('never lets an individual manage the tokens that open sessions with its customer’s rights', async () => {
    const role = await createRole(t.deps, 'Full', allAt('modify'));
    const customer = await createCustomer(t.deps, { login: 'acme-main', roleId: role });
    const individual = await createIndividual(t.deps, customer.id, { roleId: role });
    const { agent } = await signInPortal(t.app, individual.login, individual.password);
    const page = await agent.get('/api-tokens');
    expect(page.status).toBe(403);
    const home = await agent.get('/');
    expect(home.text).not.toContain('href="/api-tokens"');
    const res = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), name: 'By clerk' });
    expect(res.status).toBe(403);
    expect(await t.deps.db('api_tokens').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });
});

describe('revoking from the portal', () => {
  it('asks on a page of its own in the viewer’s language, then revokes on the confirming post', async () => {
    const { customer, agent } = await customerWith('modify');
    await t.deps.db('customers').where({ id: customer.id }).update({ language: 'fr' });
    const { id } = await issueToken(t.deps, customer.id, { name: 'CRM' });
    const list = await agent.get('/api-tokens');
    expect(list.text).toContain(`href="/api-tokens/${id}/revoke"`);
    const ask = await agent.get(`/api-tokens/${id}/revoke`);
    expect(ask.status).toBe(200);
    expect(ask.text).toMatch(/<h1 id="confirm-title">Révoquer le jeton «\s*CRM\s*»\s*\?/);
    expect(ask.text).toContain('>Annuler</a>');
    expect((await t.deps.db('api_tokens').where({ id }).first()).revoked_at).toBeNull();
    const res = await agent
      .post(`/api-tokens/${id}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(ask.text), confirm: 'yes' });
    expect(res.status).toBe(303);
    expect((await t.deps.db('api_tokens').where({ id }).first()).revoked_at).not.toBeNull();
  });

  it('refuses the confirmation page with 403 for View only', async () => {
    const { customer, agent } = await customerWith('read');
    const { id } = await issueToken(t.deps, customer.id, { name: 'CRM' });
    expect((await agent.get(`/api-tokens/${id}/revoke`)).status).toBe(403);
  });
});
