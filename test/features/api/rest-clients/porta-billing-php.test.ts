// Replays porta/billing (Packagist `porta/billing`, PHP, PSR-18), repository portabilling/billing
// at commit ae20d4df2eff2df0b4788f41ffd4aff3261944a0 (tag 0.1.1):
// - Porta/Billing/Components/SessionManager.php — prepareBillingRequest(): POST
//   https://<host>/rest<endpoint> (no trailing slash), `content-type: application/json`, body
//   Utils::makeApiJson() = json_encode(['params' => $params]) with [] sent as {}; addAuth() adds
//   `Authorization: Bearer <access_token>` to every request while a session is cached — login,
//   ping, refresh and logout included. processLogin() stores the answer only through
//   SessionData::setData(); isLoginFailed() matches HTTP 500 + `Server.Session.auth_failed`;
//   checkSession() pings with params {access_token} and calls the session alive when
//   `user_id > 0`; refreshToken() sends params {refresh_token} and merges the 200 answer over the
//   cached one (SessionData::updateData); logout() sends params {access_token} and accepts any answer.
// - Porta/Billing/Components/SessionData.php — setData() keeps the answer only when the access
//   token decodes (PortaTokenDecoder) and caches it until the token's `exp`.
// - Porta/Billing/Components/PortaTokenDecoder.php — json_decode(base64_decode(explode('.', $t)[1]))
//   (non-strict base64_decode: `-` and `_` are dropped), `exp` and `login` read from it.
// - Porta/Billing/Billing.php — call(): sendSafe() then processResponse(), which needs a
//   `application/<x>` content type; isAuthError() (HTTP 500 + one of four check_auth codes) → relogin.
// - Porta/Billing/Exceptions/PortaApiException.php — createFromResponse(): needs HTTP 500 with both
//   `faultcode` and `faultstring`, else a generic "Request returned error <status>".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiTokenService } from '../../../../src/features/api-tokens/service.ts';
import { createTestApp, type TestApp } from '../../../helpers/app.ts';
import {
  phpBase64Decode,
  phpJsonDecode,
  phpJsonEncode,
  raw,
  restContract,
  restCustomer,
  type RawAnswer,
  type RestCustomer,
} from './harness.ts';

class PortaException extends Error {}
class PortaAuthException extends PortaException {}
class PortaApiException extends PortaException {
  constructor(
    message: string,
    readonly portaCode: string,
  ) {
    super(message);
  }
}

const AUTH_ERRORS = [
  'Server.Session.check_auth.auth_failed',
  'Client.check_auth.envelope_missed',
  'Client.Session.check_auth.failed_to_process_jwt',
  'Client.Session.check_auth.failed_to_process_access_token',
];

/** PortaTokenDecoder::setToken() */
function decodeToken(token: unknown): Record<string, unknown> {
  const middle = typeof token === 'string' ? token.split('.')[1] : undefined;
  return phpJsonDecode(phpBase64Decode(middle ?? 'null')) ?? {};
}

function createFromResponse(answer: RawAnswer): PortaException {
  const err = phpJsonDecode(answer.text);
  if (answer.status === 500 && err && err.faultcode !== undefined && err.faultstring !== undefined)
    return new PortaApiException(String(err.faultstring), String(err.faultcode));
  return new PortaException(`Request returned error ${answer.status}`);
}

/** SessionManager + SessionData + Billing::call, as they drive HTTP. */
class PortaBillingClient {
  /** the cached SessionData (the library keeps it in a PSR-16 cache until the token's exp) */
  session: Record<string, unknown> | null = null;
  readonly sent: { path: string; headers: Record<string, string>; body: string }[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly account: Record<string, string>,
    private readonly check: (name: string, answer: RawAnswer) => void,
  ) {}

  private async send(endpoint: string, params: Record<string, unknown>): Promise<RawAnswer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = this.session?.access_token;
    if (typeof token === 'string') headers.Authorization = `Bearer ${token}`;
    const body = phpJsonEncode({ params: Object.keys(params).length === 0 ? {} : params });
    this.sent.push({ path: `/rest${endpoint}`, headers, body });
    const answer = await raw(this.t.app, `/rest${endpoint}`, { headers, body });
    this.check(endpoint.slice(1), answer);
    return answer;
  }

  /** SessionData::setData(): stored only when the access token decodes and has an exp in the future. */
  private setData(data: Record<string, unknown>): void {
    const decoded = decodeToken(data.access_token);
    if (Object.keys(decoded).length === 0) return;
    const exp = decoded.exp;
    if (typeof exp !== 'number' || exp * 1000 <= Date.now()) return;
    this.session = data;
  }

  get decodedToken(): Record<string, unknown> {
    return decodeToken(this.session?.access_token);
  }

  async login(): Promise<void> {
    const answer = await this.send('/Session/login', this.account);
    if (answer.status === 200) {
      this.setData(phpJsonDecode(answer.text) ?? {});
      return;
    }
    this.session = null;
    if (answer.status === 500 && phpJsonDecode(answer.text)?.faultcode === 'Server.Session.auth_failed')
      throw new PortaAuthException('Login failed');
    throw createFromResponse(answer);
  }

  /** checkSession(): true when the ping said the session lives; else it logs in again. */
  async checkSession(): Promise<boolean> {
    if (this.session) {
      const answer = await this.send('/Session/ping', { access_token: this.session.access_token });
      if (answer.status !== 200) throw createFromResponse(answer);
      if (Number(phpJsonDecode(answer.text)?.user_id ?? 0) > 0) return true;
    }
    await this.login();
    return false;
  }

  async refreshToken(): Promise<boolean> {
    const answer = await this.send('/Session/refresh_access_token', { refresh_token: this.session?.refresh_token });
    if (answer.status === 200) {
      this.setData({ ...this.session, ...(phpJsonDecode(answer.text) ?? {}) });
      return true;
    }
    this.session = null;
    return false;
  }

  async logout(): Promise<void> {
    if (!this.session) return;
    await this.send('/Session/logout', { access_token: this.session.access_token });
    this.session = null;
  }

  /** Billing::call(): sendSafe() then processResponse(). */
  async call(endpoint: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    let answer = await this.send(endpoint, params);
    if (answer.status !== 200) {
      const code = answer.status === 500 ? phpJsonDecode(answer.text)?.faultcode : undefined;
      if (!AUTH_ERRORS.includes(String(code))) throw createFromResponse(answer);
      await this.login();
      answer = await this.send(endpoint, params);
      if (answer.status !== 200) throw createFromResponse(answer);
    }
    const type = /(application\/[a-zA-Z]+)/.exec(answer.contentType)?.[1];
    if (type !== 'application/json')
      throw new PortaException(`Missed or unknown content-type '${type ?? 'unknown'}'in the billing answer`);
    return phpJsonDecode(answer.text) ?? {};
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

describe('porta/billing 0.1.1 (PHP) against /rest', () => {
  it('signs in with {login, password} carrying the API token, decodes the JWT with base64_decode, reads the customer, pings, refreshes and logs out', async () => {
    const client = new PortaBillingClient(t, { login: customer.login, password: customer.token }, check);
    await client.login();
    expect(client.session, 'setData() kept the session: the access token decoded').not.toBeNull();
    expect(client.decodedToken).toMatchObject({
      login: customer.login,
      i_customer: customer.id,
      jti: client.session!.session_id,
    });
    expect(Number(client.decodedToken.exp) * 1000).toBeGreaterThan(Date.now());
    expect(client.sent[0]).toMatchObject({
      path: '/rest/Session/login',
      headers: { 'content-type': 'application/json' },
    });
    expect(client.sent[0]!.headers.Authorization).toBeUndefined();

    const info = await client.call('/Customer/get_customer_info', { i_customer: customer.id });
    expect(info.customer_info).toMatchObject({
      i_customer: customer.id,
      login: customer.login,
      name: customer.name,
      iso_4217: 'EUR',
      balance: 12.5,
      credit_limit: 100,
      i_lang: 'de',
      time_zone_name: 'Europe/Berlin',
    });
    expect(client.sent.at(-1)!.headers.Authorization).toBe(`Bearer ${String(client.session!.access_token)}`);
    const list = await client.call('/Customer/get_customer_list', { limit: 10 });
    expect(list.customer_list).toEqual([expect.objectContaining({ i_customer: customer.id, name: customer.name })]);

    expect(await client.checkSession()).toBe(true);

    const before = { ...client.session! };
    expect(await client.refreshToken()).toBe(true);
    expect(client.session!.access_token).not.toBe(before.access_token);
    expect(client.session!.refresh_token).not.toBe(before.refresh_token);
    expect(await client.checkSession()).toBe(true);
    expect((await client.call('/Customer/get_customer_info')).customer_info).toMatchObject({ i_customer: customer.id });

    const spent = new PortaBillingClient(t, { login: customer.login, password: customer.token }, check);
    spent.session = before;
    expect(await spent.refreshToken(), 'the old refresh token was spent').toBe(false);

    const after = { ...client.session! };
    await client.logout();
    const stale = new PortaBillingClient(t, { login: customer.login, password: customer.token }, check);
    stale.session = after;
    const ping = await raw(t.app, '/rest/Session/ping', {
      headers: { 'content-type': 'application/json', Authorization: `Bearer ${String(after.access_token)}` },
      body: phpJsonEncode({ params: { access_token: after.access_token } }),
    });
    check('Session/ping', ping);
    expect(phpJsonDecode(ping.text)).toEqual({ user_id: 0 });
    expect(await stale.checkSession(), 'a dead session pings 0 and the client logs in again').toBe(false);
    expect(stale.session).not.toBeNull();
  });

  it('signs in with {login, token} while a stale session is still cached and sends its Bearer', async () => {
    const client = new PortaBillingClient(t, { login: customer.login, token: customer.token }, check);
    await client.login();
    const old = client.session!;
    await client.logout();
    client.session = old;
    await client.login();
    expect(client.sent.at(-1)!.headers.Authorization).toBe(`Bearer ${String(old.access_token)}`);
    expect(client.session!.session_id).not.toBe(old.session_id);
  });

  it('gets PortaAuthException for a wrong token, and a PortaApiException with code and text for another customer', async () => {
    const wrong = new PortaBillingClient(
      t,
      { login: customer.login, password: 'the self-care password is not accepted' },
      check,
    );
    await expect(wrong.login()).rejects.toBeInstanceOf(PortaAuthException);
    const client = new PortaBillingClient(t, { login: customer.login, token: customer.token }, check);
    await client.login();
    const err = await client
      .call('/Customer/get_customer_info', { i_customer: customer.id + 1000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortaApiException);
    expect((err as PortaApiException).portaCode).toBe('Server.Customer.not_found');
  });

  it('logs in again on a check_auth fault after the token is revoked, and then fails to log in', async () => {
    const client = new PortaBillingClient(t, { login: customer.login, token: customer.token }, check);
    await client.login();
    await new ApiTokenService(t.deps).revoke(customer.id, customer.tokenId, {
      actor: { type: 'system', id: null, label: 'test' },
      ip: '',
    });
    await expect(client.call('/Customer/get_customer_info')).rejects.toBeInstanceOf(PortaAuthException);
    expect(client.sent.map((r) => r.path).slice(-2)).toEqual([
      '/rest/Customer/get_customer_info',
      '/rest/Session/login',
    ]);
  });
});
