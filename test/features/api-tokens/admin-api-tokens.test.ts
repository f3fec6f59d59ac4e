import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { digestToken } from '../../../src/access/api-tokens.ts';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, TEST_SECRET, type TestApp } from '../../helpers/app.ts';
import { createCustomer } from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';
import { apiClient } from '../api/api-client.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let adminId: number;
beforeEach(async () => {
  t = await createTestApp();
  const admin = await createAdmin(t.deps);
  adminId = admin.id;
  ({ agent } = await signInAdmin(t.app, admin.login, admin.password));
});
afterEach(async () => {
  await t.close();
});

const tokenIn = (html: string): string | undefined =>
  /<p id="new-api-token" class="secret">([^<]+)<\/p>/.exec(html)?.[1];
const requestIdIn = (html: string): string => /name="request_id" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Sends the generate form as a browser would: with the CSRF token and the form's one-time request id. */
async function generate(customerId: number, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const page = await agent.get(`/admin/customers/${customerId}/api-tokens`);
  return agent
    .post(`/admin/customers/${customerId}/api-tokens`)
    .set(headers)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), request_id: requestIdIn(page.text), ...fields });
}

describe('GET /admin/customers/:id/api-tokens', () => {
  it('lists the tokens with prefix, dates, last use and status under the API tokens tab', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api', name: 'Acme Ltd' });
    const created = await generate(customer.id, { name: 'CRM sync' });
    const token = tokenIn(created.text) ?? '';
    await generate(customer.id, { name: 'Old one', expires_on: '2999-01-01' });
    await t.deps
      .db('api_tokens')
      .where({ name: 'Old one' })
      .update({ expires_at: new Date(Date.now() - 1000) });
    await apiClient(t.app, t.deps).signIn('acme-api', token);
    const page = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<a href="\/admin\/customers\/\d+\/api-tokens" aria-current="page">API tokens<\/a>/);
    expect(page.text).toContain('CRM sync');
    expect(page.text).toContain(`sc_${token.slice(3, 11)}…`);
    expect(page.text).toMatch(/from (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)/);
    expect(page.text).toContain('>Active<');
    expect(page.text).toContain('>Expired<');
    expect(page.text).not.toContain(token);
    expect(page.text).not.toContain('id="new-api-token"');
  });

  it('answers an htmx request with the panel only and Vary: HX-Request', async () => {
    const customer = await createCustomer(t.deps);
    const res = await agent.get(`/admin/customers/${customer.id}/api-tokens`).set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.headers.vary).toMatch(/HX-Request/);
    expect(res.text.trimStart()).toMatch(/^(<%#[^>]*>)?\s*<div id="api-tokens-panel">/);
    expect(res.text).not.toContain('<html');
  });

  it('answers 404 for an unknown customer', async () => {
    expect((await agent.get('/admin/customers/999999/api-tokens')).status).toBe(404);
  });

  it('sends a visitor without an admin session to the sign-in page', async () => {
    const customer = await createCustomer(t.deps);
    const res = await request(t.app).get(`/admin/customers/${customer.id}/api-tokens`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/login/);
  });
});

describe('POST /admin/customers/:id/api-tokens', () => {
  it('shows the new token once inside #new-api-token with a copy button and a warning', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const res = await generate(customer.id, { name: 'CRM sync' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const token = tokenIn(res.text);
    expect(token).toMatch(/^sc_[A-Za-z0-9_-]{43}$/);
    expect(res.text).toContain('data-copy-target="new-api-token"');
    expect(res.text).toContain('you will not see it again');
    const again = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    expect(again.text).not.toContain(token);
  });

  it('stores only the keyed digest and the prefix, never the token', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const token = tokenIn((await generate(customer.id, { name: 'CRM sync' })).text) ?? '';
    const rows = await t.deps.db('api_tokens').where({ customer_id: customer.id });
    expect(rows).toHaveLength(1);
    expect(rows[0].digest).toBe(digestToken(token, TEST_SECRET));
    expect(rows[0].prefix).toBe(token.slice(3, 11));
    expect(Number(rows[0].created_by_admin_id)).toBe(adminId);
    for (const table of ['api_tokens', 'audit_events']) {
      const dump = JSON.stringify(await t.deps.db(table).select());
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(token.slice(3));
    }
  });

  it('sets the expiry to the end of the chosen day in the customer’s time zone, the day the customer then sees', async () => {
    const customer = await createCustomer(t.deps, {
      login: 'tokyo-api',
      timeZone: 'Asia/Tokyo',
      language: 'fr',
      outDateFormat: 'DD/MM/YYYY',
      outTimeFormat: 'HH12:MI AM',
    });
    const form = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    expect(form.text).toContain('The token works until the end of that day, Asia/Tokyo time.');
    expect(form.text).not.toContain('type="date"');
    await generate(customer.id, { name: 'Until mid-year', expires_on: '2999-06-30' });
    const row = await t.deps.db('api_tokens').where({ customer_id: customer.id }).first();
    const expires = row.expires_at instanceof Date ? row.expires_at : new Date(Number(row.expires_at));
    expect(expires.toISOString()).toBe('2999-06-30T14:59:59.999Z');
    expect((await agent.get(`/admin/customers/${customer.id}/api-tokens`)).text).toContain('<td>2999-06-30</td>');
    const { agent: portal } = await signInPortal(t.app, 'tokyo-api', customer.password);
    const seen = await portal.get('/api-tokens');
    expect(seen.text).toContain('<td>30/06/2999</td>');
    expect(seen.text).not.toContain('01/07/2999');
  });

  it('refuses an empty name, keeps the values and names the field in a summary', async () => {
    const customer = await createCustomer(t.deps);
    const res = await generate(customer.id, { name: '  ', expires_on: '2999-01-01' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<title>Error:/);
    expect(res.text).toContain('href="#name"');
    expect(res.text).toContain('aria-describedby="name-hint name-error"');
    expect(res.text).toContain('value="2999-01-01"');
    expect(await t.deps.db('api_tokens').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('refuses a malformed, an impossible and a past expiry date', async () => {
    const customer = await createCustomer(t.deps);
    for (const [value, message] of [
      ['31/12/2999', 'Expires on: enter a date such as 20'],
      ['2999-02-30', 'Expires on: enter a date such as 20'],
      ['2020-01-01', 'Expires on: the date must be today or later'],
    ] as const) {
      const res = await generate(customer.id, { name: 'X', expires_on: value });
      expect(res.status, value).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toContain('href="#expires_on"');
    }
  });

  it('refuses a name longer than 80 characters', async () => {
    const customer = await createCustomer(t.deps);
    const res = await generate(customer.id, { name: 'n'.repeat(81) });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Too long: at most 80 characters');
  });

  it('answers an htmx post with the panel holding the token', async () => {
    const customer = await createCustomer(t.deps);
    const res = await generate(customer.id, { name: 'CRM' }, { 'HX-Request': 'true' });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<html');
    expect(tokenIn(res.text)).toBeDefined();
  });

  it('creates no second token when the answer is reloaded, and says the token was shown once without showing it', async () => {
    const customer = await createCustomer(t.deps);
    const page = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    const form = { _csrf: csrfFrom(page.text), request_id: requestIdIn(page.text), name: 'CRM sync' };
    expect(form.request_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const first = await agent.post(`/admin/customers/${customer.id}/api-tokens`).type('form').send(form);
    expect(first.status).toBe(200);
    const token = tokenIn(first.text) ?? '';
    expect(token).toMatch(/^sc_/);
    // What a browser does on reload of a POST answer: the very same form again.
    const replay = await agent.post(`/admin/customers/${customer.id}/api-tokens`).type('form').send(form);
    expect(replay.status).toBe(409);
    expect(replay.headers['cache-control']).toBe('no-store');
    expect(replay.text).toContain('This token was already created; it was shown once.');
    expect(replay.text).not.toContain(token);
    expect(replay.text).not.toContain('id="new-api-token"');
    expect(await t.deps.db('api_tokens').where({ customer_id: customer.id }).count({ n: '*' }).first()).toMatchObject({
      n: 1,
    });
    expect(
      await t.deps.db('audit_events').where({ action: 'api_token.create' }).count({ n: '*' }).first(),
    ).toMatchObject({ n: 1 });
  });

  it('gives each rendered form its own request id, so generating again from the answer makes a new token', async () => {
    const customer = await createCustomer(t.deps);
    const a = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    const b = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    expect(requestIdIn(a.text)).not.toBe(requestIdIn(b.text));
    const first = await agent
      .post(`/admin/customers/${customer.id}/api-tokens`)
      .type('form')
      .send({ _csrf: csrfFrom(a.text), request_id: requestIdIn(a.text), name: 'One' });
    const second = await agent
      .post(`/admin/customers/${customer.id}/api-tokens`)
      .type('form')
      .send({ _csrf: csrfFrom(first.text), request_id: requestIdIn(first.text), name: 'Two' });
    expect(second.status).toBe(200);
    expect(tokenIn(second.text)).toMatch(/^sc_/);
    expect(await t.deps.db('api_tokens').where({ customer_id: customer.id }).count({ n: '*' }).first()).toMatchObject({
      n: 2,
    });
  });

  it('lets a refused form be corrected and sent with the same request id', async () => {
    const customer = await createCustomer(t.deps);
    const page = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    const form = { _csrf: csrfFrom(page.text), request_id: requestIdIn(page.text) };
    expect(
      (
        await agent
          .post(`/admin/customers/${customer.id}/api-tokens`)
          .type('form')
          .send({ ...form, name: '' })
      ).status,
    ).toBe(422);
    const fixed = await agent
      .post(`/admin/customers/${customer.id}/api-tokens`)
      .type('form')
      .send({ ...form, name: 'CRM sync' });
    expect(fixed.status).toBe(200);
    expect(tokenIn(fixed.text)).toMatch(/^sc_/);
  });

  it('audits the creation with the admin as actor and without the secret', async () => {
    const customer = await createCustomer(t.deps);
    await generate(customer.id, { name: 'CRM sync' });
    const row = await t.deps.db('audit_events').where({ action: 'api_token.create' }).first();
    expect(row.actor_type).toBe('admin');
    expect(Number(row.actor_id)).toBe(adminId);
    expect(Number(row.customer_id)).toBe(customer.id);
    expect(JSON.parse(row.changes).name.new).toBe('CRM sync');
  });

  it('refuses a post without a CSRF token', async () => {
    const customer = await createCustomer(t.deps);
    const res = await agent.post(`/admin/customers/${customer.id}/api-tokens`).type('form').send({ name: 'x' });
    expect(res.status).toBe(403);
  });
});

describe('POST /admin/customers/:id/api-tokens/:tokenId/revoke', () => {
  async function withSession() {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const token = tokenIn((await generate(customer.id, { name: 'CRM sync' })).text) ?? '';
    const row = await t.deps.db('api_tokens').where({ customer_id: customer.id }).first();
    const api = apiClient(t.app, t.deps);
    const sid = await api.signIn('acme-api', token);
    return { customer, tokenId: Number(row.id), sid, api };
  }

  it('revokes the token after confirmation, ends its API sessions and redirects back', async () => {
    const { customer, tokenId, sid, api } = await withSession();
    const list = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    expect(list.text).toContain(`href="/admin/customers/${customer.id}/api-tokens/${tokenId}/revoke"`);
    // the row's Revoke leads to a page that asks, changes nothing, and posts the revoke with its CSRF token
    const page = await agent.get(`/admin/customers/${customer.id}/api-tokens/${tokenId}/revoke`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Revoke the token “CRM sync”?');
    expect(page.text).toContain(`action="/admin/customers/${customer.id}/api-tokens/${tokenId}/revoke"`);
    expect(page.text).toContain(
      `<a class="button button--secondary" href="/admin/customers/${customer.id}/api-tokens">Cancel</a>`,
    );
    expect((await t.deps.db('api_tokens').where({ id: tokenId }).first()).revoked_at).toBeNull();
    const res = await agent
      .post(`/admin/customers/${customer.id}/api-tokens/${tokenId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/customers/${customer.id}/api-tokens`);
    const after = await agent.get(String(res.headers.location));
    expect(after.text).toContain('>Revoked<');
    expect(after.text).toContain('was revoked');
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(401);
    const audit = await t.deps.db('audit_events').where({ action: 'api_token.revoke' }).first();
    expect(audit.actor_type).toBe('admin');
    expect(Number(audit.entity_id)).toBe(tokenId);
  });

  it('asks again, changing nothing, when the post lacks the confirmation', async () => {
    const { customer, tokenId, sid, api } = await withSession();
    const page = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    const res = await agent
      .post(`/admin/customers/${customer.id}/api-tokens/${tokenId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Revoke the token “CRM sync”?');
    expect(res.text).toContain('name="confirm" value="yes"');
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(200);
  });

  it("answers 404 for another customer's token id and leaves it alone", async () => {
    const { tokenId, sid, api } = await withSession();
    const other = await createCustomer(t.deps);
    const page = await agent.get(`/admin/customers/${other.id}/api-tokens`);
    const res = await agent
      .post(`/admin/customers/${other.id}/api-tokens/${tokenId}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), confirm: 'yes' });
    expect(res.status).toBe(404);
    expect((await t.deps.db('api_tokens').where({ id: tokenId }).first()).revoked_at).toBeNull();
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(200);
  });

  it("answers 404 for the confirmation page of another customer's token", async () => {
    const { tokenId } = await withSession();
    const other = await createCustomer(t.deps);
    expect((await agent.get(`/admin/customers/${other.id}/api-tokens/${tokenId}/revoke`)).status).toBe(404);
  });

  it('answers 404 for a malformed token id', async () => {
    const customer = await createCustomer(t.deps);
    const page = await agent.get(`/admin/customers/${customer.id}/api-tokens`);
    const res = await agent
      .post(`/admin/customers/${customer.id}/api-tokens/abc/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), confirm: 'yes' });
    expect(res.status).toBe(404);
  });
});
