import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import { apiClient, issueToken } from './api-client.ts';

let t: TestApp;
let api: ReturnType<typeof apiClient>;
beforeEach(async () => {
  t = await createTestApp();
  api = apiClient(t.app, t.deps);
});
afterEach(async () => {
  await t.close();
});

describe('POST /api/v1/sessions', () => {
  it('opens a session with the login and a token and answers 201 with its id and expiry', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const { token } = await issueToken(t.deps, customer.id);
    const res = await api.post('/api/v1/sessions', { body: { login: 'ACME-API', token } });
    expect(res.status).toBe(201);
    expect(res.body.session_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expires = new Date(res.body.expires_at).getTime();
    expect(expires - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const me = await api.get('/api/v1/me', { bearer: res.body.session_id });
    expect(me.status).toBe(200);
    expect(me.body.login).toBe('acme-api');
  });

  it('refuses a wrong, an expired and a revoked token with the same 401', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const valid = await issueToken(t.deps, customer.id);
    const expired = await issueToken(t.deps, customer.id, { expiresAt: new Date(Date.now() - 1000) });
    const revoked = await issueToken(t.deps, customer.id);
    await t.deps.db('api_tokens').where({ id: revoked.id }).update({ revoked_at: new Date() });
    const answers = [];
    for (const token of [
      valid.token.slice(0, -1) + (valid.token.endsWith('A') ? 'B' : 'A'),
      expired.token,
      revoked.token,
      'not-a-token',
    ]) {
      answers.push(await api.post('/api/v1/sessions', { body: { login: 'acme-api', token } }));
    }
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(answers[0]?.body);
      expect(res.body.error.code).toBe('invalid_credentials');
    }
  });

  it('refuses an unknown login exactly like a wrong token', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const { token } = await issueToken(t.deps, customer.id);
    const unknown = await api.post('/api/v1/sessions', { body: { login: 'nobody-here', token } });
    const wrong = await api.post('/api/v1/sessions', {
      body: {
        login: 'acme-api',
        token: token.replace(/.$/, '_') === token ? token.replace(/.$/, '-') : token.replace(/.$/, '_'),
      },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it("refuses an individual's login even with the customer's token: tokens belong to customers", async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const individual = await createIndividual(t.deps, customer.id, { login: 'acme-clerk' });
    const { token } = await issueToken(t.deps, customer.id);
    const res = await api.post('/api/v1/sessions', { body: { login: individual.login, token } });
    expect(res.status).toBe(401);
  });

  it("refuses another customer's token for this login", async () => {
    const a = await createCustomer(t.deps, { login: 'acme-api' });
    const b = await createCustomer(t.deps, { login: 'globex-api' });
    await issueToken(t.deps, a.id);
    const other = await issueToken(t.deps, b.id);
    const res = await api.post('/api/v1/sessions', { body: { login: 'acme-api', token: other.token } });
    expect(res.status).toBe(401);
  });

  it('refuses an address outside the trusted networks with 403 ip_not_allowed, only after valid credentials', async () => {
    const customer = await createCustomer(t.deps, {
      login: 'acme-api',
      ipRestriction: true,
      trustedIps: '10.0.0.0/8;',
    });
    const { token } = await issueToken(t.deps, customer.id);
    const res = await api.post('/api/v1/sessions', { body: { login: 'acme-api', token } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ip_not_allowed');
    const wrong = await api.post('/api/v1/sessions', { body: { login: 'acme-api', token: 'sc_' + 'x'.repeat(43) } });
    expect(wrong.status).toBe(401);
  });

  it('lets a trusted address in', async () => {
    const customer = await createCustomer(t.deps, {
      login: 'acme-api',
      ipRestriction: true,
      trustedIps: '127.0.0.1;\n::1;',
    });
    const { token } = await issueToken(t.deps, customer.id);
    await api.signIn('acme-api', token);
  });

  it('engages the brute-force limit with 429 rate_limited and Retry-After, even for the right token', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const { token } = await issueToken(t.deps, customer.id);
    let last;
    for (let i = 0; i < 5; i++)
      last = await api.post('/api/v1/sessions', { body: { login: 'acme-api', token: 'sc_' + 'y'.repeat(43) } });
    expect(last?.status).toBe(429);
    expect(last?.body.error.code).toBe('rate_limited');
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    const right = await api.post('/api/v1/sessions', { body: { login: 'acme-api', token } });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('records the last use (time and address) of the token at session creation', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const { token, id } = await issueToken(t.deps, customer.id);
    await api.signIn('acme-api', token);
    const row = await t.deps.db('api_tokens').where({ id }).first();
    expect(row.last_used_ip).toMatch(/127\.0\.0\.1|::1/);
    expect(row.last_used_at).not.toBeNull();
  });

  it('audits successful and failed session creation', async () => {
    const customer = await createCustomer(t.deps, { login: 'acme-api' });
    const { token, id } = await issueToken(t.deps, customer.id);
    await api.signIn('acme-api', token);
    await api.post('/api/v1/sessions', { body: { login: 'acme-api', token: 'sc_' + 'z'.repeat(43) } });
    const rows = await t.deps.db('audit_events').where({ action: 'api.session.create' }).orderBy('id');
    expect(rows.map((r) => [r.outcome, r.customer_id === null ? null : Number(r.customer_id)])).toEqual([
      ['success', customer.id],
      ['failure', customer.id],
    ]);
    expect(Number(rows[0].entity_id)).toBe(id);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('answers 400 invalid_input for a body that is not JSON', async () => {
    const res = await api.post('/api/v1/sessions', { raw: '{"login": "a", ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
  });

  it('answers 422 naming the field for wrong types', async () => {
    const res = await api.post('/api/v1/sessions', { body: { login: 42, token: ['x'] } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toContain('login');
    expect(res.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['login', 'token']);
  });

  it('answers 422 for a JSON array or a missing body', async () => {
    expect((await api.post('/api/v1/sessions', { raw: '[1,2]' })).status).toBe(422);
    expect((await api.post('/api/v1/sessions')).status).toBe(422);
  });

  it('answers 413 for an oversized body', async () => {
    const res = await api.post('/api/v1/sessions', { body: { login: 'a', token: 'x'.repeat(20_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('invalid_input');
  });
});

describe('Authorization: Bearer on later requests', () => {
  async function openSession(opts: Parameters<typeof createCustomer>[1] = {}) {
    const customer = await createCustomer(t.deps, { login: 'acme-api', ...opts });
    const issued = await issueToken(t.deps, customer.id);
    const sid = await api.signIn('acme-api', issued.token);
    return { customer, issued, sid };
  }

  it('refuses a request without a session, with a wrong one, and with the id in the URL', async () => {
    const { sid } = await openSession();
    expect((await api.get('/api/v1/me')).status).toBe(401);
    expect((await api.get('/api/v1/me', { bearer: 'A'.repeat(43) })).status).toBe(401);
    const inUrl = await api.get(`/api/v1/me?session_id=${sid}`);
    expect(inUrl.status).toBe(401);
    expect(inUrl.headers['www-authenticate']).toBe('Bearer');
  });

  it('ends the session with DELETE /api/v1/sessions/current', async () => {
    const { sid } = await openSession();
    const res = await api.delete('/api/v1/sessions/current', { bearer: sid });
    expect(res.status).toBe(204);
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(401);
  });

  it('refuses at once when the token is revoked mid-session', async () => {
    const { customer, issued, sid } = await openSession();
    const { ApiTokenService } = await import('../../../src/features/api-tokens/service.ts');
    await new ApiTokenService(t.deps).revoke(customer.id, issued.id, {
      actor: { type: 'system', id: null, label: 'test' },
      ip: '',
    });
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(401);
    expect(await t.deps.kv.get(`api-session:${sid}`)).toBeNull();
  });

  it('refuses when the token row is revoked even if the session survived in the store', async () => {
    const { issued, sid } = await openSession();
    await t.deps.db('api_tokens').where({ id: issued.id }).update({ revoked_at: new Date() });
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(401);
  });

  it('refuses when the token expires mid-session', async () => {
    const { issued, sid } = await openSession();
    await t.deps
      .db('api_tokens')
      .where({ id: issued.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(401);
  });

  it("refuses when the customer's credentials changed since the session opened", async () => {
    const { customer, sid } = await openSession();
    await t.deps.db('customers').where({ id: customer.id }).increment('session_epoch', 1);
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(401);
  });

  it('refuses with 403 ip_not_allowed when the trusted networks stop fitting the address', async () => {
    const { customer, sid } = await openSession();
    await t.deps
      .db('customers')
      .where({ id: customer.id })
      .update({ ip_restriction: true, trusted_ips: '10.0.0.0/8;' });
    const res = await api.get('/api/v1/me', { bearer: sid });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ip_not_allowed');
  });

  it('ends a session after its absolute expiry even while it is used', async () => {
    const { sid } = await openSession();
    const stored = JSON.parse((await t.deps.kv.get(`api-session:${sid}`)) ?? '{}');
    await t.deps.kv.set(`api-session:${sid}`, JSON.stringify({ ...stored, absoluteExpiresAt: Date.now() - 1 }), 60);
    expect((await api.get('/api/v1/me', { bearer: sid })).status).toBe(401);
  });

  it('applies a role change on the next request', async () => {
    const role = await createRole(t.deps, 'Viewer', allAt('read'));
    const { customer, sid } = await openSession({ roleId: role });
    expect((await api.get('/api/v1/invoices', { bearer: sid })).status).toBe(200);
    const hidden = await createRole(t.deps, 'Nothing', allAt('hidden'));
    await t.deps.db('customers').where({ id: customer.id }).update({ role_id: hidden });
    const res = await api.get('/api/v1/invoices', { bearer: sid });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('address change mid-session behind a trusted proxy', () => {
  it('re-checks the trusted networks for the forwarded address on every request', async () => {
    await t.close();
    t = await createTestApp({ TRUST_PROXY: 'loopback' });
    api = apiClient(t.app, t.deps);
    const customer = await createCustomer(t.deps, {
      login: 'acme-api',
      ipRestriction: true,
      trustedIps: '203.0.113.0/24;',
    });
    const { token } = await issueToken(t.deps, customer.id);
    const sid = await api.signIn('acme-api', token, { 'X-Forwarded-For': '203.0.113.7' });
    expect((await api.get('/api/v1/me', { bearer: sid, headers: { 'X-Forwarded-For': '203.0.113.8' } })).status).toBe(
      200,
    );
    const moved = await api.get('/api/v1/me', { bearer: sid, headers: { 'X-Forwarded-For': '198.51.100.9' } });
    expect(moved.status).toBe(403);
    expect(moved.body.error.code).toBe('ip_not_allowed');
    const refused = await api.post('/api/v1/sessions', {
      body: { login: 'acme-api', token },
      headers: { 'X-Forwarded-For': '198.51.100.9' },
    });
    expect(refused.status).toBe(403);
  });
});

describe('unknown API paths', () => {
  it('answers JSON 404 not_found, never HTML', async () => {
    const res = await api.get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    const other = await api.get('/api/v2/anything');
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(/json/);
  });
});
