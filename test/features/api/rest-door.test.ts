import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessTokenKey, signAccessToken, type AccessTokenClaims } from '../../../src/access/jwt.ts';
import { ApiTokenService } from '../../../src/features/api-tokens/service.ts';
import { ApiAuth } from '../../../src/doors/api/auth.ts';
import { FAULTS } from '../../../src/doors/api/rest-faults.ts';
import { restMethods } from '../../../src/doors/api/rest.ts';
import { StoreUnavailableError } from '../../../src/stores/kv.ts';
import { createTestApp, TEST_SECRET, type TestApp } from '../../helpers/app.ts';
import { allAt, createRole, FIXTURE_PASSWORD } from '../../helpers/fixtures.ts';
import { enableTwoFactor } from '../../helpers/two-factor.ts';
import { apiClient } from './api-client.ts';
import {
  curlMultipart,
  raw,
  restContract,
  restCustomer,
  type RawAnswer,
  type RestCustomer,
} from './rest-clients/harness.ts';

let t: TestApp;
let customer: RestCustomer;
let check: ReturnType<typeof restContract>;
beforeEach(async () => {
  t = await createTestApp();
  customer = await restCustomer(t);
  check = restContract(t.deps);
});
afterEach(async () => {
  await t.close();
});

type Body = Record<string, unknown>;

/** POST /rest/<name> with a JSON body, checked against the door's contract. */
async function call(
  name: string,
  body: Body = {},
  headers: Record<string, string> = {},
): Promise<RawAnswer & { json: Body }> {
  const answer = await raw(t.app, `/rest/${name}`, {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  check(name.replace(/\/$/, ''), answer);
  return { ...answer, json: JSON.parse(answer.text) as Body };
}

async function login(params: Body = { login: customer.login, token: customer.token }): Promise<Body> {
  const res = await call('Session/login', { params });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

function expectFault(res: RawAnswer & { json: Body }, code: string, status = 500): void {
  expect(res.status, res.text).toBe(status);
  expect(res.json.faultcode).toBe(code);
  expect(typeof res.json.faultstring).toBe('string');
}

const info = (session: Body) => ({ auth_info: { session_id: session.session_id } });

describe('POST /rest/Session/login', () => {
  it('answers session_id, a JWT access_token whose jti is the session and whose exp is expires_at, a refresh_token and expires_in', async () => {
    const session = await login();
    const [header, payload] = String(session.access_token).split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Body;
    expect(claims).toMatchObject({
      sub: String(customer.id),
      i_customer: customer.id,
      login: customer.login,
      realm: 'customer',
      jti: session.session_id,
    });
    expect(new Date(Number(claims.exp) * 1000).toISOString().slice(0, 19).replace('T', ' ')).toBe(session.expires_at);
    expect(Math.abs(Number(session.expires_in) - (Number(claims.exp) - Date.now() / 1000))).toBeLessThan(3);
    expect(Number(session.expires_in)).toBeGreaterThan(23 * 3600);
    expect(Number(claims.iat)).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    expect(session.refresh_token).not.toBe(session.session_id);
  });

  it('reads the API token from password, and never accepts the self-care password', async () => {
    expect((await login({ login: customer.login.toUpperCase(), password: customer.token })).session_id).toBeTruthy();
    expectFault(
      await call('Session/login', { params: { login: customer.login, password: 'violet kettle harbour lamp' } }),
      'Server.Session.auth_failed',
    );
  });

  it('is no way round two-factor sign-in: an account that requires it signs in with its API token, never its password', async () => {
    const guarded = await restCustomer(t, { login: 'guarded-rest' });
    await t.deps.db('customers').where({ id: guarded.id }).update({ two_factor_required: true });
    await enableTwoFactor(t.deps, 'customer', guarded.id);
    for (const params of [
      { login: guarded.login, password: FIXTURE_PASSWORD },
      { login: guarded.login, token: FIXTURE_PASSWORD },
    ])
      expectFault(await call('Session/login', { params }), 'Server.Session.auth_failed');
    expect((await login({ login: guarded.login, password: guarded.token })).session_id).toBeTruthy();
  });

  it('ignores a null session in auth_info and a stale Bearer sent along', async () => {
    const old = await login();
    await call('Session/logout', info(old));
    const res = await call(
      'Session/login',
      { params: { login: customer.login, token: customer.token }, auth_info: { session_id: null } },
      { Authorization: `Bearer ${String(old.access_token)}` },
    );
    expect(res.status).toBe(200);
    expect(res.json.session_id).not.toBe(old.session_id);
  });

  it('answers missing or malformed params with Server.Session.auth_failed', async () => {
    expectFault(await call('Session/login', {}), 'Server.Session.auth_failed');
    expectFault(await call('Session/login', { params: { login: customer.login } }), 'Server.Session.auth_failed');
    expectFault(
      await call('Session/login', { params: [customer.login, customer.token] }),
      'Server.Session.auth_failed',
    );
  });

  it('throttles repeated failures with Server.Session.cannot_login_brute_force_activity and Retry-After', async () => {
    let last: RawAnswer & { json: Body } = await call('Session/login', {
      params: { login: customer.login, token: 'wrong' },
    });
    for (let i = 0; i < 6 && last.json.faultcode === 'Server.Session.auth_failed'; i++)
      last = await call('Session/login', { params: { login: customer.login, token: 'wrong' } });
    expectFault(last, 'Server.Session.cannot_login_brute_force_activity');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expectFault(
      await call('Session/login', { params: { login: customer.login, token: customer.token } }),
      'Server.Session.cannot_login_brute_force_activity',
    );
  });

  it('refuses an address outside the trusted networks with Server.Session.ip_not_allowed', async () => {
    const guarded = await restCustomer(t, {
      login: 'guarded-co',
      name: 'Guarded',
      ipRestriction: true,
      trustedIps: '10.0.0.0/8;',
    });
    expectFault(
      await call('Session/login', { params: { login: guarded.login, token: guarded.token } }),
      'Server.Session.ip_not_allowed',
    );
  });
});

describe('where the session comes from', () => {
  it('reads it from auth_info.session_id, auth_info.access_token, or a Bearer session id or access token', async () => {
    const session = await login();
    const ways: [Body, Record<string, string>][] = [
      [{ auth_info: { session_id: session.session_id } }, {}],
      [{ auth_info: { access_token: session.access_token } }, {}],
      [{}, { Authorization: `Bearer ${String(session.session_id)}` }],
      [{}, { Authorization: `Bearer ${String(session.access_token)}` }],
    ];
    for (const [body, headers] of ways) {
      const res = await call('Customer/get_customer_info', body, headers);
      expect(res.status, JSON.stringify(body) + JSON.stringify(headers)).toBe(200);
      expect((res.json.customer_info as Body).i_customer).toBe(customer.id);
    }
  });

  it('takes the session from params for logout and ping, without auth_info or Bearer', async () => {
    const bySessionId = await login();
    expect((await call('Session/ping', { params: { session_id: bySessionId.session_id } })).json).toEqual({
      user_id: customer.id,
    });
    expect((await call('Session/logout', { params: { session_id: bySessionId.session_id } })).json).toEqual({
      success: 1,
    });
    expect((await call('Session/ping', { params: { session_id: bySessionId.session_id } })).json).toEqual({
      user_id: 0,
    });
    const byToken = await login();
    expect((await call('Session/ping', { params: { access_token: byToken.access_token } })).json).toEqual({
      user_id: customer.id,
    });
    expect((await call('Session/logout', { params: { access_token: byToken.access_token } })).json).toEqual({
      success: 1,
    });
    expect((await call('Session/ping', { params: { access_token: byToken.access_token } })).json).toEqual({
      user_id: 0,
    });
  });

  it('does not read the session from params for other methods', async () => {
    const session = await login();
    expectFault(
      await call('Customer/get_customer_info', { params: { session_id: session.session_id } }),
      'Server.Session.check_auth.auth_failed',
    );
  });

  it('ends the session everywhere at logout: session id, access token, refresh token and the /api/v1 Bearer', async () => {
    const session = await login();
    const api = apiClient(t.app, t.deps);
    expect((await api.get('/api/v1/me', { bearer: String(session.access_token) })).status).toBe(200);
    expect(
      (await call('Session/logout', {}, { Authorization: `Bearer ${String(session.access_token)}` })).json,
    ).toEqual({ success: 1 });
    expectFault(await call('Customer/get_customer_info', info(session)), 'Server.Session.check_auth.auth_failed');
    expectFault(
      await call('Customer/get_customer_info', { auth_info: { access_token: session.access_token } }),
      'Server.Session.check_auth.auth_failed',
    );
    expect((await api.get('/api/v1/me', { bearer: String(session.session_id) })).status).toBe(401);
    expect((await api.get('/api/v1/me', { bearer: String(session.access_token) })).status).toBe(401);
    expectFault(
      await call('Session/refresh_access_token', { params: { refresh_token: session.refresh_token } }),
      'Server.Session.refresh_access_token.refresh_failed',
    );
    expectFault(await call('Session/logout', info(session)), 'Server.Session.check_auth.auth_failed');
  });

  it('answers a call without any session with Server.Session.check_auth.auth_failed, and ping with 0', async () => {
    expectFault(await call('Customer/get_customer_info'), 'Server.Session.check_auth.auth_failed');
    expectFault(await call('Session/logout'), 'Server.Session.check_auth.auth_failed');
    expect((await call('Session/ping')).json).toEqual({ user_id: 0 });
  });

  it('refuses a live session from an address outside the trusted networks with Server.Session.check_auth.ip_not_allowed', async () => {
    const session = await login();
    await t.deps
      .db('customers')
      .where({ id: customer.id })
      .update({ ip_restriction: true, trusted_ips: '10.0.0.0/8;' });
    expectFault(await call('Customer/get_customer_info', info(session)), 'Server.Session.check_auth.ip_not_allowed');
    expect((await call('Session/ping', info(session))).json).toEqual({ user_id: 0 });
    expectFault(
      await call('Session/refresh_access_token', { params: { refresh_token: session.refresh_token } }),
      'Server.Session.ip_not_allowed',
    );
  });
});

describe('access tokens', () => {
  const key = accessTokenKey(TEST_SECRET);
  const claimsOf = (session: Body): AccessTokenClaims =>
    JSON.parse(Buffer.from(String(session.access_token).split('.')[1]!, 'base64url').toString()) as AccessTokenClaims;

  it('refuses a token with a bad signature and one past its exp, though their session lives', async () => {
    const session = await login();
    const [header, payload, signature] = String(session.access_token).split('.');
    const badSignature = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherKey = await signAccessToken(
      claimsOf(session),
      accessTokenKey('some-other-secret-0123456789abcdef0123456789'),
    );
    const expired = await signAccessToken({ ...claimsOf(session), exp: Math.floor(Date.now() / 1000) - 5 }, key);
    const api = apiClient(t.app, t.deps);
    for (const token of [badSignature, otherKey, expired]) {
      expectFault(
        await call('Customer/get_customer_info', { auth_info: { access_token: token } }),
        'Client.Session.check_auth.failed_to_process_access_token',
      );
      expectFault(
        await call('Customer/get_customer_info', {}, { Authorization: `Bearer ${token}` }),
        'Client.Session.check_auth.failed_to_process_access_token',
      );
      expectFault(
        await call('Session/logout', { params: { access_token: token } }),
        'Client.Session.logout.failed_to_process_access_token',
      );
      expect((await call('Session/ping', { params: { access_token: token } })).json).toEqual({ user_id: 0 });
      expect((await api.get('/api/v1/me', { bearer: token })).status).toBe(401);
    }
    expect((await call('Session/ping', info(session))).json, 'the session itself is untouched').toEqual({
      user_id: customer.id,
    });
  });

  it("refuses a well-signed token whose customer is not its session's", async () => {
    const session = await login();
    const other = await restCustomer(t, { login: 'other-co', name: 'Other' });
    const forged = await signAccessToken({ ...claimsOf(session), sub: String(other.id), i_customer: other.id }, key);
    expectFault(
      await call('Customer/get_customer_info', {}, { Authorization: `Bearer ${forged}` }),
      'Server.Session.check_auth.auth_failed',
    );
  });

  it('works as a Bearer on /api/v1 with the same permission, address and revocation checks', async () => {
    const role = await createRole(t.deps, 'No invoices', { ...allAt('read'), invoices: 'hidden' });
    await t.deps.db('customers').where({ id: customer.id }).update({ role_id: role });
    const session = await login();
    const bearer = String(session.access_token);
    const api = apiClient(t.app, t.deps);
    expect((await api.get('/api/v1/customer', { bearer })).body.id).toBe(customer.id);
    expect((await api.get('/api/v1/invoices', { bearer })).status).toBe(403);
    await t.deps
      .db('customers')
      .where({ id: customer.id })
      .update({ ip_restriction: true, trusted_ips: '10.0.0.0/8;' });
    expect((await api.get('/api/v1/me', { bearer })).body.error.code).toBe('ip_not_allowed');
    await t.deps.db('customers').where({ id: customer.id }).update({ ip_restriction: false });
    expect((await api.get('/api/v1/me', { bearer })).status).toBe(200);
    await new ApiTokenService(t.deps).revoke(customer.id, customer.tokenId, {
      actor: { type: 'system', id: null, label: 'test' },
      ip: '',
    });
    expect((await api.get('/api/v1/me', { bearer })).status).toBe(401);
    expectFault(
      await call('Customer/get_customer_info', { auth_info: { access_token: bearer } }),
      'Server.Session.check_auth.auth_failed',
    );
    expectFault(
      await call('Session/refresh_access_token', { params: { refresh_token: session.refresh_token } }),
      'Server.Session.refresh_access_token.refresh_failed',
    );
  });
});

describe('POST /rest/Session/refresh_access_token', () => {
  it('answers a new pair for a successor session, ends the old one and spends the refresh token', async () => {
    const first = await login();
    const res = await call(
      'Session/refresh_access_token',
      { params: { refresh_token: first.refresh_token } },
      { Authorization: `Bearer ${String(first.access_token)}` },
    );
    expect(res.status).toBe(200);
    const second = res.json;
    expect(second.session_id).not.toBe(first.session_id);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await call('Session/ping', info(second))).json).toEqual({ user_id: customer.id });
    expect((await call('Session/ping', info(first))).json).toEqual({ user_id: 0 });
    expectFault(
      await call('Customer/get_customer_info', { auth_info: { access_token: first.access_token } }),
      'Server.Session.check_auth.auth_failed',
    );
    expectFault(
      await call('Session/refresh_access_token', { params: { refresh_token: first.refresh_token } }),
      'Server.Session.refresh_access_token.refresh_failed',
    );
    const third = await call('Session/refresh_access_token', { params: { refresh_token: second.refresh_token } });
    expect(third.status).toBe(200);
  });

  it("revives a session that idled out, until the refresh token's own end", async () => {
    const session = await login();
    await t.deps.kv.del(`api-session:${String(session.session_id)}`);
    expect((await call('Session/ping', info(session))).json).toEqual({ user_id: 0 });
    const res = await call('Session/refresh_access_token', { params: { refresh_token: session.refresh_token } });
    expect(res.status).toBe(200);
    expect((await call('Session/ping', info(res.json))).json).toEqual({ user_id: customer.id });
  });

  it('refuses a missing, unknown or malformed refresh token with Server.Session.refresh_access_token.refresh_failed', async () => {
    await login();
    for (const params of [{}, { refresh_token: 'A'.repeat(43) }, { refresh_token: 'short' }, { refresh_token: 42 }]) {
      expectFault(
        await call('Session/refresh_access_token', { params }),
        'Server.Session.refresh_access_token.refresh_failed',
      );
    }
  });

  it("refuses after the customer's credentials change", async () => {
    const session = await login();
    await t.deps.db('customers').where({ id: customer.id }).increment('session_epoch', 1);
    expectFault(
      await call('Session/refresh_access_token', { params: { refresh_token: session.refresh_token } }),
      'Server.Session.refresh_access_token.refresh_failed',
    );
  });
});

describe('Customer methods', () => {
  it("get_customer_info answers the fields clients read, for the caller's own i_customer or login", async () => {
    const session = await login();
    for (const params of [
      {},
      { i_customer: customer.id },
      { i_customer: String(customer.id) },
      { login: customer.login.toUpperCase() },
    ]) {
      const res = await call('Customer/get_customer_info', { ...info(session), params });
      expect(res.status, JSON.stringify(params)).toBe(200);
      expect(res.json.customer_info).toMatchObject({
        i_customer: customer.id,
        login: customer.login,
        name: customer.name,
        companyname: customer.name,
        email: 'billing@acme.test',
        balance: 12.5,
        credit_limit: 100,
        iso_4217: 'EUR',
        bill_status: 'O',
        i_lang: 'de',
        time_zone_name: 'Europe/Berlin',
        out_date_format: 'YYYY-MM-DD',
        out_time_format: 'HH24:MI:SS',
        out_date_time_format: 'YYYY-MM-DD HH24:MI:SS',
        in_date_format: 'YYYY-MM-DD',
        in_time_format: 'HH24:MI:SS',
      });
    }
  });

  it('get_customer_info answers Server.Customer.not_found for another customer, existing or not, by id or login', async () => {
    const other = await restCustomer(t, { login: 'other-co', name: 'Other' });
    const session = await login();
    for (const params of [
      { i_customer: other.id },
      { i_customer: String(other.id) },
      { i_customer: 999999 },
      { login: other.login },
      { i_customer: customer.id, login: other.login },
    ]) {
      expectFault(await call('Customer/get_customer_info', { ...info(session), params }), 'Server.Customer.not_found');
    }
    expectFault(
      await call('Customer/get_customer_info', { ...info(session), params: { i_customer: 'abc' } }),
      'Client.InvalidParams',
    );
  });

  it("get_customer_list answers only the caller's customer, filtered by i_customer, login and name", async () => {
    await restCustomer(t, { login: 'other-co', name: 'Other' });
    const session = await login();
    const list = async (params: Body) =>
      ((await call('Customer/get_customer_list', { ...info(session), params })).json.customer_list as Body[]).map(
        (c) => c.i_customer,
      );
    expect(await list({ limit: 1000 })).toEqual([customer.id]);
    expect(await list({ name: '%trading%' })).toEqual([customer.id]);
    expect(await list({ name: 'Other' })).toEqual([]);
    expect(await list({ i_customer: customer.id + 1 })).toEqual([]);
    expect(await list({ offset: 1 })).toEqual([]);
    expect((await call('Customer/get_customer_list', { ...info(session), params: { get_total: 1 } })).json.total).toBe(
      1,
    );
  });

  it('update_customer_info changes what the role may change and takes back an unchanged get_customer_info', async () => {
    const session = await login();
    const res = await call('Customer/update_customer_info', {
      ...info(session),
      params: {
        customer_info: {
          i_customer: customer.id,
          email: 'ops@acme.test',
          phone1: '+49 30 1234',
          companyname: 'Acme Trading GmbH',
          zip: '10115',
        },
      },
    });
    expect(res.json).toEqual({ i_customer: customer.id });
    const read = (await call('Customer/get_customer_info', info(session))).json.customer_info as Body;
    expect(read).toMatchObject({
      email: 'ops@acme.test',
      phone1: '+49 30 1234',
      companyname: 'Acme Trading GmbH',
      zip: '10115',
    });
    const roundTrip = await call('Customer/update_customer', {
      ...info(session),
      params: { customer_info: { ...read, city: 'Berlin' } },
    });
    expect(roundTrip.status, roundTrip.text).toBe(200);
    expect(((await call('Customer/get_customer_info', info(session))).json.customer_info as Body).city).toBe('Berlin');
    const audit = await t.deps
      .db('audit_events')
      .where({ action: 'customer.profile.update', customer_id: customer.id });
    expect(audit.length).toBe(2);
  });

  it('update_customer_info refuses a field it cannot change, an unknown field, a bad value and another customer', async () => {
    const session = await login();
    const update = (customer_info: Body) =>
      call('Customer/update_customer_info', { ...info(session), params: { customer_info } });
    expectFault(await update({ name: 'Renamed' }), 'Client.InvalidParams');
    expectFault(await update({ balance: 1e6 }), 'Client.InvalidParams');
    expectFault(await update({ favourite_colour: 'blue' }), 'Client.InvalidParams');
    const bad = await update({ email: 'not an address' });
    expectFault(bad, 'Client.InvalidParams');
    expect(bad.json.faultstring).toMatch(/^email: /);
    expectFault(await update({ i_customer: customer.id + 1, email: 'x@y.test' }), 'Server.Customer.not_found');
    expect(((await call('Customer/get_customer_info', info(session))).json.customer_info as Body).email).toBe(
      'billing@acme.test',
    );
  });

  it('refuses what the role does not allow with Client.Forbidden', async () => {
    const readOnly = await createRole(t.deps, 'Read only', allAt('read'));
    await t.deps.db('customers').where({ id: customer.id }).update({ role_id: readOnly });
    const session = await login();
    expectFault(
      await call('Customer/update_customer_info', {
        ...info(session),
        params: { customer_info: { email: 'x@y.test' } },
      }),
      'Client.Forbidden',
    );
    const hidden = await createRole(t.deps, 'No profile', { ...allAt('read'), profile: 'hidden' });
    await t.deps.db('customers').where({ id: customer.id }).update({ role_id: hidden });
    expectFault(await call('Customer/get_customer_info', info(session)), 'Client.Forbidden');
    expectFault(await call('Customer/get_customer_list', info(session)), 'Client.Forbidden');
  });
});

describe('bodies, paths and verbs', () => {
  it('accepts a trailing slash on the method path', async () => {
    const res = await call('Session/login/', { params: { login: customer.login, token: customer.token } });
    expect(res.status).toBe(200);
    expect((await call('Customer/get_customer_info/', info(res.json))).status).toBe(200);
  });

  it('reads params and auth_info from form fields and from multipart fields', async () => {
    const form = await raw(t.app, '/rest/Session/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        params: JSON.stringify({ login: customer.login, token: customer.token }),
      }).toString(),
    });
    check('Session/login', form);
    const session = JSON.parse(form.text) as Body;
    const multipart = curlMultipart({
      auth_info: JSON.stringify({ session_id: session.session_id }),
      params: JSON.stringify({ i_customer: customer.id }),
    });
    const res = await raw(t.app, '/rest/Customer/get_customer_info', {
      headers: { 'content-type': multipart.contentType },
      body: multipart.body,
    });
    check('Customer/get_customer_info', res);
    expect(res.status).toBe(200);
  });

  it('refuses a file in a multipart body, and bodies over 16 kB in every encoding, with Client.InvalidRequest', async () => {
    const boundary = 'xyz123';
    const withFile = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="params"; filename="p.json"\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}--\r\n`,
    );
    const big = 'x'.repeat(17 * 1024);
    const bigMultipart = curlMultipart({ params: JSON.stringify({ login: big }) });
    const answers = [
      await raw(t.app, '/rest/Session/login', {
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: withFile,
      }),
      await raw(t.app, '/rest/Session/login', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ params: { login: big } }),
      }),
      await raw(t.app, '/rest/Session/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `params=${big}`,
      }),
      await raw(t.app, '/rest/Session/login', {
        headers: { 'content-type': bigMultipart.contentType },
        body: bigMultipart.body,
      }),
      await raw(t.app, '/rest/Session/login', {
        headers: { 'content-type': 'multipart/form-data' },
        body: 'no boundary',
      }),
    ];
    for (const answer of answers) {
      check('Session/login', answer);
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.text).faultcode, answer.text).toBe('Client.InvalidRequest');
    }
  });

  it('answers broken JSON in the body, in params and in auth_info with Client.InvalidRequest', async () => {
    const session = await login();
    const answers = [
      await raw(t.app, '/rest/Session/login', { headers: { 'content-type': 'application/json' }, body: '{"params": ' }),
      await raw(t.app, '/rest/Session/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'params=%7Bnot+json',
      }),
      await raw(t.app, '/rest/Customer/get_customer_info', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `auth_info=${encodeURIComponent(`{"session_id":"${String(session.session_id)}"`)}`,
      }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.text).faultcode).toBe('Client.InvalidRequest');
    }
  });

  it("answers an unknown method, a path that is not <Service>/<method>, and /rest itself with Server.Service.unknown_method — never the portal's CSRF refusal or HTML", async () => {
    for (const path of [
      '/rest/Customer/delete_customer',
      '/rest/Nope/nope/',
      '/rest/Session',
      '/rest/Session/login/extra',
      '/rest',
      '/rest/',
      '/rest/%2e%2e/admin',
    ]) {
      const answer = await raw(t.app, path, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'params=%7B%7D',
      });
      expect(answer.status, path).toBe(500);
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(answer.text).faultcode, path).toBe('Server.Service.unknown_method');
    }
  });

  it('answers every verb but POST with HTTP 405, Allow: POST and a fault', async () => {
    for (const verb of ['get', 'put', 'delete', 'patch'] as const) {
      const res = await request(t.app)[verb]('/rest/Customer/get_customer_info');
      expect(res.status, verb).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.body).toEqual({ faultcode: 'Client.MethodNotAllowed', faultstring: expect.any(String) });
    }
    expect((await request(t.app).get('/rest/Unknown/thing')).status).toBe(405);
  });

  it('answers a store that does not answer with Server.Service.unavailable and Retry-After', async () => {
    const session = await login();
    t.deps.kv.get = () => Promise.reject(new StoreUnavailableError());
    const res = await call('Customer/get_customer_info', info(session));
    expectFault(res, 'Server.Service.unavailable');
    expect(res.headers['retry-after']).toBe('5');
  });
});

describe('GET /rest/openapi.json', () => {
  it("is a valid OpenAPI 3.1 document of every method, with each method's faults", async () => {
    const res = await request(t.app).get('/rest/openapi.json');
    expect(res.status).toBe(200);
    const result = await new Validator().validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    const tokens = new ApiTokenService(t.deps);
    const names = restMethods(t.deps, tokens, new ApiAuth(t.deps, tokens)).map((m) => `/rest/${m.name}`);
    expect(Object.keys(res.body.paths).sort()).toEqual([...names, '/rest/openapi.json'].sort());
    const loginFaults =
      res.body.paths['/rest/Session/login'].post.responses['500'].content['application/json'].schema.properties
        .faultcode.enum;
    expect(loginFaults).toEqual(
      expect.arrayContaining(['Server.Session.auth_failed', 'Server.Session.cannot_login_brute_force_activity']),
    );
  });

  it('and the README name every fault code', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const { code } of Object.values(FAULTS))
      expect(readme.includes(`\`${code}\``), `${code} is missing from the README`).toBe(true);
  });
});
