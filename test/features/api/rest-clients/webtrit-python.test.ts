// Replays the PortaSwitch module of the WebTrit BSS adapter (Python, `requests`), repository
// WebTrit/webtrit_bss_adapter_python at commit c4fd55ec930e038dcc01955813d085d4a3e1a4a6:
// - app/bss/http_api.py — send_rest_request() (:105-176): POST <host> + path with `json=`, default
//   headers {'Content-Type': 'application/json'} plus X-B3-TraceId/X-B3-SpanId (:100-101);
//   response.raise_for_status() (:138), so any status >= 400 becomes WebTritErrorException carrying
//   the JSON body; add_auth_info() (:55-82) puts `Authorization: Bearer <access_token>` on every
//   admin request while a session is stored — the re-login after an auth fault too (:250-285);
//   extract_access_token() (:315-332) reads access_token, expires_in, refresh_token.
// - app/bss/adapters/portaswitch/api/admin.py — AdminAPI: login() params {login, token} (:47-69);
//   refresh() logs in again (:71-75); _send_request() (:295-336) path /rest/<module>/<method>
//   (no trailing slash), body {"params": …}, one retry after refresh() on
//   `Server.Session.check_auth.auth_failed` or `Client.Session.check_auth.failed_to_process_access_token`;
//   get_customer_info({"i_customer": N}) (:107-121).
// - app/bss/adapters/portaswitch/api/account.py — AccountAPI: __send_request() (:28-56) Bearer only
//   when an access token is passed; login() {login, password and/or token} (:116-136); logout()
//   and ping() {"access_token": …} without a header (:138-190); refresh() {"refresh_token": …}
//   (:156-172); decode_response() demands "application/json" in Content-Type (:78-104);
//   decode_and_verify_access_token_expiration() (:455-467): python-jose, signature not checked, exp checked.
// - app/bss/adapters/portaswitch/utils.py — extract_fault_code(): the body's `faultcode`.
// - app/bss/adapters/portaswitch/adapter.py — authenticate() (:144-196) and refresh_session()
//   (:318-358) read session_data["access_token"], ["refresh_token"], ["expires_in"] (KeyError when
//   missing); close_session() (:360-375) wants `success == 1`. validate_session() (:298-316) then
//   reads the `i_account` claim, which Selfcare does not issue: it has customers, no accounts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiTokenService } from '../../../../src/features/api-tokens/service.ts';
import { createTestApp, type TestApp } from '../../../helpers/app.ts';
import {
  pythonJoseDecodeVerifyingExp,
  pythonJsonDumps,
  raw,
  restContract,
  restCustomer,
  type RawAnswer,
  type RestCustomer,
} from './harness.ts';

class WebTritErrorException extends Error {
  constructor(readonly responseContent: Record<string, unknown>) {
    super('Request execution error on the BSS/VoIP system side');
  }
}

/** utils.extract_fault_code(): the faultcode, or the original error re-raised. */
function extractFaultCode(error: unknown): string {
  if (!(error instanceof WebTritErrorException)) throw error;
  const code = error.responseContent.faultcode;
  if (typeof code !== 'string' || code === '') throw error;
  return code;
}

type Json = Record<string, unknown>;

/** HTTPAPIConnector.send_rest_request + decode_response. */
async function sendRestRequest(
  t: TestApp,
  check: (name: string, a: RawAnswer) => void,
  path: string,
  json: Json,
  headers: Record<string, string> | null,
): Promise<Json> {
  const sent = {
    'Content-Type': 'application/json',
    ...(headers ?? {}),
    'X-B3-TraceId': 'a1b2c3d4e5f60718',
    'X-B3-SpanId': '0f1e2d3c4b5a6978',
  };
  const answer = await raw(t.app, path, { headers: sent, body: pythonJsonDumps(json) });
  check(path.replace('/rest/', ''), answer);
  if (answer.status >= 400) {
    let content: Json = {};
    try {
      content = JSON.parse(answer.text) as Json;
    } catch {
      // ValueError: the content stays {}
    }
    throw new WebTritErrorException(content);
  }
  if (!answer.contentType.includes('application/json')) throw new Error('ValueError: Not expected response');
  return JSON.parse(answer.text) as Json;
}

/** AdminAPI: token login, Bearer on every call, refresh = log in again, one retry on auth faults. */
class AdminAPI {
  accessToken: string | null = null;
  readonly bearers: (string | undefined)[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly check: (name: string, a: RawAnswer) => void,
    private readonly user: { login: string; token: string },
  ) {}

  private async send(module: string, method: string, params: Json): Promise<Json> {
    const headers: Record<string, string> = this.accessToken ? { Authorization: `Bearer ${this.accessToken}` } : {};
    this.bearers.push(headers.Authorization);
    return sendRestRequest(this.t, this.check, `/rest/${module}/${method}`, { params }, headers);
  }

  async login(): Promise<void> {
    const response = await this.send('Session', 'login', { login: this.user.login, token: this.user.token });
    const accessToken = response.access_token;
    if (typeof accessToken !== 'string') throw new Error('ValueError: Could not find an access token in the response');
    this.accessToken = accessToken;
  }

  async sendRequest(module: string, method: string, params: Json): Promise<Json> {
    try {
      return await this.send(module, method, params);
    } catch (error) {
      const code = extractFaultCode(error);
      if (
        code !== 'Server.Session.check_auth.auth_failed' &&
        code !== 'Client.Session.check_auth.failed_to_process_access_token'
      )
        throw error;
      await this.login();
      return this.send(module, method, params);
    }
  }
}

/** AccountAPI + the adapter methods that drive it. */
class AccountAPI {
  constructor(
    private readonly t: TestApp,
    private readonly check: (name: string, a: RawAnswer) => void,
  ) {}

  private send(module: string, method: string, params: Json, accessToken?: string): Promise<Json> {
    return sendRestRequest(
      this.t,
      this.check,
      `/rest/${module}/${method}`,
      { params },
      accessToken ? { Authorization: `Bearer ${accessToken}` } : null,
    );
  }

  /** adapter.authenticate(): the three keys it indexes. */
  async authenticate(
    login: string,
    password?: string,
    token?: string,
  ): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
    const params: Json = { login };
    if (password) params.password = password;
    if (token) params.token = token;
    try {
      const data = await this.send('Session', 'login', params);
      for (const key of ['access_token', 'refresh_token', 'expires_in'])
        if (!(key in data)) throw new Error(`KeyError: '${key}'`);
      return {
        accessToken: String(data.access_token),
        refreshToken: String(data.refresh_token),
        expiresIn: Number(data.expires_in),
      };
    } catch (error) {
      const code = extractFaultCode(error);
      if (
        [
          'Server.Session.auth_failed',
          'Server.Session.cannot_login_brute_force_activity',
          'Client.Session.check_auth.failed_to_process_access_token',
        ].includes(code)
      )
        throw new Error('user_authentication_error');
      throw error;
    }
  }

  async refreshSession(
    refreshToken: string,
  ): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
    try {
      const data = await this.send('Session', 'refresh_access_token', { refresh_token: refreshToken });
      return {
        accessToken: String(data.access_token),
        refreshToken: String(data.refresh_token),
        expiresIn: Number(data.expires_in),
      };
    } catch (error) {
      const code = extractFaultCode(error);
      if (
        code === 'Server.Session.refresh_access_token.refresh_failed' ||
        code === 'Client.Session.check_auth.failed_to_process_access_token'
      )
        throw new Error('refresh_token_invalid_error');
      throw error;
    }
  }

  ping(accessToken: string): Promise<Json> {
    return this.send('Session', 'ping', { access_token: accessToken });
  }

  async closeSession(accessToken: string): Promise<boolean> {
    try {
      return (await this.send('Session', 'logout', { access_token: accessToken })).success === 1;
    } catch (error) {
      if (extractFaultCode(error) === 'Client.Session.logout.failed_to_process_access_token')
        throw new Error('session_close_error');
      throw error;
    }
  }

  call(module: string, method: string, params: Json, accessToken: string): Promise<Json> {
    return this.send(module, method, params, accessToken);
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

describe('WebTrit BSS adapter (Python) against /rest', () => {
  it('account flow: signs in with the token in password, checks exp in the JWT, reads the customer, pings, refreshes and logs out', async () => {
    const account = new AccountAPI(t, check);
    const session = await account.authenticate(customer.login, customer.token);
    expect(session.expiresIn).toBeGreaterThan(3600);
    const claims = pythonJoseDecodeVerifyingExp(session.accessToken);
    expect(claims).toMatchObject({ i_customer: customer.id, login: customer.login });
    expect(claims).not.toHaveProperty('i_account');

    const info = await account.call('Customer', 'get_customer_info', { i_customer: customer.id }, session.accessToken);
    expect(info.customer_info).toMatchObject({ i_customer: customer.id, i_office_type: 1 });
    expect(await account.ping(session.accessToken)).toEqual({ user_id: customer.id });

    const refreshed = await account.refreshSession(session.refreshToken);
    expect(refreshed.accessToken).not.toBe(session.accessToken);
    pythonJoseDecodeVerifyingExp(refreshed.accessToken);
    expect(await account.ping(refreshed.accessToken)).toEqual({ user_id: customer.id });
    expect(await account.ping(session.accessToken)).toEqual({ user_id: 0 });
    await expect(account.refreshSession(session.refreshToken)).rejects.toThrow('refresh_token_invalid_error');

    expect(await account.closeSession(refreshed.accessToken)).toBe(true);
    expect(await account.ping(refreshed.accessToken)).toEqual({ user_id: 0 });
    await expect(account.refreshSession(refreshed.refreshToken)).rejects.toThrow('refresh_token_invalid_error');
  });

  it('account flow: a wrong token and a throttled login are user_authentication_error', async () => {
    const account = new AccountAPI(t, check);
    await expect(account.authenticate(customer.login, 'wrong', 'wrong')).rejects.toThrow('user_authentication_error');
    for (let i = 0; i < 6; i++) await account.authenticate(customer.login, 'wrong').catch(() => undefined);
    await expect(account.authenticate(customer.login, customer.token)).rejects.toThrow('user_authentication_error');
  });

  it('account flow: closing a session with a forged access token is session_close_error', async () => {
    const account = new AccountAPI(t, check);
    const session = await account.authenticate(customer.login, undefined, customer.token);
    const [header, payload] = session.accessToken.split('.');
    await expect(account.closeSession(`${header}.${payload}.forged-signature`)).rejects.toThrow('session_close_error');
    expect(await account.ping(session.accessToken)).toEqual({ user_id: customer.id });
  });

  it('admin flow: token login, Bearer calls, and a re-login with the stale Bearer after the session ends', async () => {
    const admin = new AdminAPI(t, check, { login: customer.login, token: customer.token });
    await admin.login();
    const first = admin.accessToken!;
    expect(admin.bearers[0]).toBeUndefined();
    const info = await admin.sendRequest('Customer', 'get_customer_info', { i_customer: customer.id });
    expect(info.customer_info).toMatchObject({ i_customer: customer.id, i_office_type: 1 });
    const list = await admin.sendRequest('Customer', 'get_customer_list', {
      skip_exported: 1,
      check_usage: 0,
      with_credit_limit_warnings: 0,
      with_commission_plan: 0,
      with_bp_charge_cc: 0,
      i_main_customer: customer.id,
      i_office_type: 2,
    });
    expect((list.customer_list as Json[]).map((c) => c.i_customer)).toEqual([customer.id]);

    await raw(t.app, '/rest/Session/logout', {
      headers: { 'Content-Type': 'application/json' },
      body: pythonJsonDumps({ params: { access_token: first } }),
    });
    const again = await admin.sendRequest('Customer', 'get_customer_info', { i_customer: customer.id });
    expect(again.customer_info).toMatchObject({ i_customer: customer.id });
    expect(admin.bearers.slice(-3), 'the failed call, the re-login (stale Bearer) and the retry').toEqual([
      `Bearer ${first}`,
      `Bearer ${first}`,
      `Bearer ${admin.accessToken}`,
    ]);
    expect(admin.accessToken).not.toBe(first);
  });

  it("admin flow: after the token is revoked the retry's login fails with Server.Session.auth_failed", async () => {
    const admin = new AdminAPI(t, check, { login: customer.login, token: customer.token });
    await admin.login();
    await new ApiTokenService(t.deps).revoke(customer.id, customer.tokenId, {
      actor: { type: 'system', id: null, label: 'test' },
      ip: '',
    });
    const error = await admin
      .sendRequest('Customer', 'get_customer_info', { i_customer: customer.id })
      .catch((e: unknown) => e);
    expect(extractFaultCode(error)).toBe('Server.Session.auth_failed');
  });
});
