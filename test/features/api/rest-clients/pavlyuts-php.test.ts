// Replays pavlyuts/portabilling (Packagist `pavlyuts/portabilling`, PHP, rmccue/Requests 1.x) at
// tag 0.10, commit cde15a2d851c34c86a4ccb6cf9663254fd154a0e, file Portaone/Billing.php:
// - makeCall() (:158-189): Requests::post($config['api'] . $endpoint, array(), $request) with
//   `api` = 'https://<host>/rest/' (config.sample.php: "ends with /"), so /rest/Session/login with
//   no trailing slash. $request is a PHP array: Requests' cURL transport http_build_query()s it
//   (Requests/Transport/cURL.php) and curl sends application/x-www-form-urlencoded. A 2xx answer
//   must json_decode; HTTP 500 is json_decode()d for `faultcode`/`faultstring`; any other status
//   is "HTTP Error: <status>".
// - login() (:97-118): params = json_encode({login, password}) or {login, token}; no auth_info;
//   reads `session_id` only.
// - call() (:72-90): auth_info = json_encode({session_id}) then params = json_encode($data)
//   (omitted when $data is null); on `Server.Session.check_auth.auth_failed` it logs in again and
//   repeats the call once. call() is the library's public way to reach any method, so ping and
//   refresh go through it here.
// - logout() (:123-139): params = json_encode({session_id}), no auth_info; `success == 0` is a failure.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.ts';
import {
  phpHttpBuildQuery,
  phpJsonDecode,
  phpJsonEncode,
  raw,
  restContract,
  restCustomer,
  type RawAnswer,
  type RestCustomer,
} from './harness.ts';

class Billing {
  sessionId: string | null = null;
  status = false;
  response: Record<string, unknown> | null = null;
  errorCode: string | null = null;
  error: string | null = null;
  readonly sent: { path: string; contentType: string; body: string }[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly check: (name: string, a: RawAnswer) => void,
    private readonly config: { login: string; password?: string; token?: string },
  ) {}

  private failure(message: string, code: string | null = null): false {
    this.status = false;
    this.error = message;
    this.errorCode = code;
    return false;
  }

  private async makeCall(endpoint: string, request: Record<string, string>): Promise<boolean> {
    const body = phpHttpBuildQuery(request);
    const contentType = 'application/x-www-form-urlencoded';
    this.sent.push({ path: `/rest/${endpoint}`, contentType, body });
    const answer = await raw(this.t.app, `/rest/${endpoint}`, { headers: { 'Content-Type': contentType }, body });
    this.check(endpoint, answer);
    if (answer.status >= 200 && answer.status < 300) {
      const decoded = phpJsonDecode(answer.text);
      if (!decoded) return this.failure('Can not decode answer to JSON');
      this.response = decoded;
      this.status = true;
      this.errorCode = null;
      return true;
    }
    if (answer.status === 500) {
      const decoded = phpJsonDecode(answer.text);
      if (!decoded) return this.failure('Can not decode answer with status code 500 to JSON');
      return this.failure(String(decoded.faultstring), String(decoded.faultcode));
    }
    return this.failure(`HTTP Error: ${answer.status}`);
  }

  async login(): Promise<boolean> {
    const account: Record<string, string> = { login: this.config.login };
    if (this.config.password !== undefined) account.password = this.config.password;
    else if (this.config.token !== undefined) account.token = this.config.token;
    if (await this.makeCall('Session/login', { params: phpJsonEncode(account) })) {
      this.sessionId = String(this.response!.session_id);
      return true;
    }
    return false;
  }

  async call(endpoint: string, data: Record<string, unknown> | null = null): Promise<boolean> {
    const request: Record<string, string> = { auth_info: phpJsonEncode({ session_id: this.sessionId }) };
    if (data !== null) request.params = phpJsonEncode(data);
    if (!(await this.makeCall(endpoint, request))) {
      if (this.errorCode !== 'Server.Session.check_auth.auth_failed') return false;
      if (await this.login()) {
        request.auth_info = phpJsonEncode({ session_id: this.sessionId });
        return this.makeCall(endpoint, request);
      }
      return false;
    }
    return true;
  }

  async logout(): Promise<boolean> {
    if (!this.status) return false;
    if (!(await this.makeCall('Session/logout', { params: phpJsonEncode({ session_id: this.sessionId }) })))
      return false;
    if (this.response!.success === 0) return false;
    this.sessionId = null;
    return true;
  }
}

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

describe('pavlyuts/portabilling 0.10 (PHP) against /rest', () => {
  it('signs in with form fields, reads the customer, pings, refreshes and logs out with params.session_id', async () => {
    const billing = new Billing(t, check, { login: customer.login, password: customer.token });
    expect(await billing.login()).toBe(true);
    expect(billing.sent[0]).toMatchObject({
      path: '/rest/Session/login',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect([...new URLSearchParams(billing.sent[0]!.body).keys()]).toEqual(['params']);
    expect(JSON.parse(new URLSearchParams(billing.sent[0]!.body).get('params')!)).toEqual({
      login: customer.login,
      password: customer.token,
    });
    const refreshToken = String(billing.response!.refresh_token);

    expect(await billing.call('Customer/get_customer_info', { i_customer: customer.id })).toBe(true);
    expect(billing.response!.customer_info).toMatchObject({
      i_customer: customer.id,
      login: customer.login,
      name: customer.name,
    });
    expect(billing.sent.at(-1)!.body).toMatch(/^auth_info=.+&params=.+$/);

    expect(await billing.call('Session/ping')).toBe(true);
    expect(billing.response).toEqual({ user_id: customer.id });

    const oldSession = billing.sessionId;
    expect(await billing.call('Session/refresh_access_token', { refresh_token: refreshToken })).toBe(true);
    billing.sessionId = String(billing.response!.session_id);
    expect(billing.sessionId).not.toBe(oldSession);
    expect(await billing.call('Customer/get_customer_list')).toBe(true);
    expect((billing.response!.customer_list as Record<string, unknown>[]).map((c) => c.i_customer)).toEqual([
      customer.id,
    ]);

    const loggedOut = billing.sessionId;
    expect(await billing.logout()).toBe(true);
    expect(billing.sent.at(-1)!.body, 'logout sends no auth_info').toMatch(/^params=[^&]+$/);
    billing.sessionId = loggedOut;
    expect(await billing.call('Session/ping')).toBe(true);
    expect(billing.response).toEqual({ user_id: 0 });
  });

  it('logs in again and repeats the call when the session has ended', async () => {
    const billing = new Billing(t, check, { login: customer.login, token: customer.token });
    await billing.login();
    const first = billing.sessionId;
    await billing.logout();
    billing.sessionId = first;
    expect(await billing.call('Customer/get_customer_info')).toBe(true);
    expect(billing.sessionId).not.toBe(first);
    expect(billing.sent.slice(-3).map((r) => r.path)).toEqual([
      '/rest/Customer/get_customer_info',
      '/rest/Session/login',
      '/rest/Customer/get_customer_info',
    ]);
  });

  it('reads faultcode and faultstring of a failed login and of a call about another customer', async () => {
    const wrong = new Billing(t, check, { login: customer.login, password: 'not the token' });
    expect(await wrong.login()).toBe(false);
    expect(wrong.errorCode).toBe('Server.Session.auth_failed');
    expect(wrong.error).toBeTruthy();
    const billing = new Billing(t, check, { login: customer.login, token: customer.token });
    await billing.login();
    expect(await billing.call('Customer/get_customer_info', { i_customer: customer.id + 1 })).toBe(false);
    expect(billing.errorCode).toBe('Server.Customer.not_found');
    expect(await billing.call('Customer/terminate_customer', { i_customer: customer.id })).toBe(false);
    expect(billing.errorCode).toBe('Server.Service.unknown_method');
  });
});
