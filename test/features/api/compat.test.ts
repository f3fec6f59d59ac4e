import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../../helpers/fixtures.ts';
import { apiClient, issueToken } from './api-client.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

async function customerWithToken(fixture: Parameters<typeof createCustomer>[1] = {}) {
  const customer = await createCustomer(t.deps, {
    login: 'acme-api',
    name: 'Acme Ltd',
    email: 'billing@acme.test',
    language: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
    outDateFormat: 'DD/MM/YYYY',
    balance: 42.5,
    ...fixture,
  });
  const { token, id } = await issueToken(t.deps, customer.id);
  return { customer, token, tokenId: id };
}

async function login(params: unknown, as: 'json' | 'form' = 'json') {
  const req = request(t.app).post('/rest/Session/login');
  return as === 'json' ? req.send({ params }) : req.type('form').send({ params: JSON.stringify(params) });
}

describe('POST /rest/Session/login', () => {
  it('opens a session from params in a JSON body', async () => {
    const { token } = await customerWithToken();
    const res = await login({ login: 'acme-api', token });
    expect(res.status).toBe(200);
    expect(res.body.session_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.expires_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(new Date(`${res.body.expires_at.replace(' ', 'T')}Z`).getTime()).toBeGreaterThan(Date.now());
    expect(res.body.access_token.split('.')).toHaveLength(3);
    expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.expires_in).toBeGreaterThan(0);
  });

  it('opens a session from params as a form field holding JSON', async () => {
    const { token } = await customerWithToken();
    const res = await login({ login: 'acme-api', token }, 'form');
    expect(res.status).toBe(200);
    const me = await apiClient(t.app, t.deps).get('/api/v1/me', { bearer: res.body.session_id });
    expect(me.status).toBe(200);
  });

  it('fails with HTTP 500 and Server.Session.auth_failed for a wrong token or missing params', async () => {
    await customerWithToken();
    for (const res of [
      await login({ login: 'acme-api', token: 'sc_' + 'x'.repeat(43) }),
      await request(t.app).post('/rest/Session/login').send({}),
      await request(t.app).post('/rest/Session/login').type('form').send({ params: '{not json' }),
    ]) {
      expect(res.status).toBe(500);
      expect(res.body.faultcode).toMatch(/^(Server\.Session\.auth_failed|Client\.InvalidRequest)$/);
      expect(typeof res.body.faultstring).toBe('string');
    }
    expect((await login({ login: 'acme-api', token: 'sc_' + 'x'.repeat(43) })).body.faultcode).toBe(
      'Server.Session.auth_failed',
    );
  });

  it('answers a broken JSON body with a fault, not HTML', async () => {
    const res = await request(t.app)
      .post('/rest/Session/login')
      .set('Content-Type', 'application/json')
      .send('{"params": ');
    expect(res.status).toBe(500);
    expect(res.body.faultcode).toBe('Client.InvalidRequest');
  });
});

describe('POST /rest/Session/ping and /rest/Session/logout', () => {
  it('answers the user id of a live session, 0 once it has ended', async () => {
    const { customer, token } = await customerWithToken();
    const sid = (await login({ login: 'acme-api', token })).body.session_id;
    const ping = await request(t.app)
      .post('/rest/Session/ping')
      .send({ auth_info: { session_id: sid } });
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ user_id: customer.id });
    const out = await request(t.app)
      .post('/rest/Session/logout')
      .type('form')
      .send({ auth_info: JSON.stringify({ session_id: sid }) });
    expect(out.status).toBe(200);
    const dead = await request(t.app).post('/rest/Session/ping').set('Authorization', `Bearer ${sid}`).send({});
    expect(dead.body).toEqual({ user_id: 0 });
  });

  it('refuses logout of a dead session with Server.Session.check_auth.auth_failed', async () => {
    const res = await request(t.app)
      .post('/rest/Session/logout')
      .send({ auth_info: { session_id: 'A'.repeat(43) } });
    expect(res.status).toBe(500);
    expect(res.body.faultcode).toBe('Server.Session.check_auth.auth_failed');
  });
});

describe('POST /rest/Customer/get_customer_info', () => {
  it('answers customer_info with login, language as i_lang, regional settings and balance', async () => {
    const { customer, token } = await customerWithToken();
    const sid = (await login({ login: 'acme-api', token })).body.session_id;
    const res = await request(t.app)
      .post('/rest/Customer/get_customer_info')
      .send({ auth_info: { session_id: sid }, params: {} });
    expect(res.status).toBe(200);
    expect(res.body.customer_info).toMatchObject({
      i_customer: customer.id,
      login: 'acme-api',
      name: 'Acme Ltd',
      email: 'billing@acme.test',
      i_lang: 'pt-br',
      time_zone: 'America/Sao_Paulo',
      out_date_format: 'DD/MM/YYYY',
      out_time_format: 'HH24:MI:SS',
      in_date_format: 'YYYY-MM-DD',
      in_time_format: 'HH24:MI:SS',
      balance: 42.5,
    });
  });

  it('accepts the session as a Bearer header', async () => {
    const { token } = await customerWithToken();
    const sid = (await login({ login: 'acme-api', token })).body.session_id;
    const res = await request(t.app)
      .post('/rest/Customer/get_customer_info')
      .set('Authorization', `Bearer ${sid}`)
      .send({});
    expect(res.status).toBe(200);
  });

  it('fails with Server.Session.check_auth.auth_failed without a live session or after revocation', async () => {
    const { customer, token, tokenId } = await customerWithToken();
    const none = await request(t.app).post('/rest/Customer/get_customer_info').send({});
    expect(none.status).toBe(500);
    expect(none.body.faultcode).toBe('Server.Session.check_auth.auth_failed');
    const sid = (await login({ login: 'acme-api', token })).body.session_id;
    const { ApiTokenService } = await import('../../../src/features/api-tokens/service.ts');
    await new ApiTokenService(t.deps).revoke(customer.id, tokenId, {
      actor: { type: 'system', id: null, label: 'test' },
      ip: '',
    });
    const revoked = await request(t.app)
      .post('/rest/Customer/get_customer_info')
      .send({ auth_info: { session_id: sid } });
    expect(revoked.body.faultcode).toBe('Server.Session.check_auth.auth_failed');
  });

  it('hides the e-mail from a role that hides contacts, and refuses a role that hides the profile', async () => {
    const role = await createRole(t.deps, 'No contacts', { ...allAt('read'), 'profile.contacts': 'hidden' });
    const { customer, token } = await customerWithToken({ roleId: role });
    const sid = (await login({ login: 'acme-api', token })).body.session_id;
    const res = await request(t.app)
      .post('/rest/Customer/get_customer_info')
      .send({ auth_info: { session_id: sid } });
    expect(res.body.customer_info.email).toBe('');
    const hidden = await createRole(t.deps, 'No profile', { ...allAt('read'), profile: 'hidden' });
    await t.deps.db('customers').where({ id: customer.id }).update({ role_id: hidden });
    const refused = await request(t.app)
      .post('/rest/Customer/get_customer_info')
      .send({ auth_info: { session_id: sid } });
    expect(refused.status).toBe(500);
    expect(refused.body.faultcode).toBe('Client.Forbidden');
  });
});
