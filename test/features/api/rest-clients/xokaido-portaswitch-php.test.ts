// Replays xokaido/portaswitch (PHP, curl), repository xokaido/portaswitch at commit
// 4ffa415c699e0eba8c0d7361620131a731530b2b:
// - src/PortaSwitch.class.php — curl($service, $data): CURLOPT_URL = API_BASE . '/' . $service
//   (API_BASE like https://<host>/rest, so no trailing slash), CURLOPT_POST, CURLOPT_POSTFIELDS =
//   a PHP array, which curl sends as multipart/form-data; get_session(): Session/login with
//   ['params' => json_encode(['user' => API_USER, 'password' => API_PASS])], reads
//   `$json->session_id`; the constructor prepares ['auth_info' => json_encode(['session_id' => …])];
//   is_error(): an answer is an error when it has a `faultstring` (the HTTP status is not read).
// - src/Customer.class.php — get_list(): Customer/get_customer_list with auth_info only (no
//   params field); get_info($info): auth_info then params = json_encode($info).
// The library has no ping, refresh or logout; those go through its public curl($service, $data)
// with the same fields. Its login sends `user`, not `login`: the reference API's Session/login
// takes `login` (so does Selfcare, which answers a fault the library's is_error() sees), and the
// flow below renames that one key, as a deployment of this library has to.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.ts';
import {
  curlMultipart,
  phpJsonDecode,
  phpJsonEncode,
  raw,
  restContract,
  restCustomer,
  type RawAnswer,
  type RestCustomer,
} from './harness.ts';

class PortaSwitch {
  response = '';
  error = '';
  readonly sent: { path: string; contentType: string }[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly check: (n: string, a: RawAnswer) => void,
  ) {}

  async curl(service: string, data: Record<string, string>): Promise<string> {
    const { contentType, body } = curlMultipart(data);
    this.sent.push({ path: `/rest/${service}`, contentType });
    const answer = await raw(this.t.app, `/rest/${service}`, { headers: { 'Content-Type': contentType }, body });
    this.check(service, answer);
    this.response = answer.text;
    return this.response;
  }

  isError(): boolean {
    const json = phpJsonDecode(this.response);
    if (json?.faultstring) {
      this.error = String(json.faultstring);
      return true;
    }
    return false;
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

describe('xokaido/portaswitch (PHP, multipart) against /rest', () => {
  it('signs in, lists and reads the customer, pings, refreshes and logs out with multipart fields', async () => {
    const ps = new PortaSwitch(t, check);
    const login = phpJsonDecode(
      await ps.curl('Session/login', { params: phpJsonEncode({ login: customer.login, password: customer.token }) }),
    )!;
    expect(ps.isError()).toBe(false);
    expect(ps.sent[0]!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    let data = { auth_info: phpJsonEncode({ session_id: login.session_id }) };

    const list = phpJsonDecode(await ps.curl('Customer/get_customer_list', data))!;
    expect(ps.isError()).toBe(false);
    expect((list.customer_list as Record<string, unknown>[]).map((c) => c.i_customer)).toEqual([customer.id]);
    const info = phpJsonDecode(
      await ps.curl('Customer/get_customer_info', { ...data, params: phpJsonEncode({ i_customer: customer.id }) }),
    )!;
    expect(info.customer_info).toMatchObject({ i_customer: customer.id, name: customer.name });

    expect(phpJsonDecode(await ps.curl('Session/ping', data))).toEqual({ user_id: customer.id });
    const refreshed = phpJsonDecode(
      await ps.curl('Session/refresh_access_token', { params: phpJsonEncode({ refresh_token: login.refresh_token }) }),
    )!;
    expect(ps.isError()).toBe(false);
    data = { auth_info: phpJsonEncode({ session_id: refreshed.session_id }) };
    expect(
      phpJsonDecode(
        await ps.curl('Customer/update_customer', {
          ...data,
          params: phpJsonEncode({ customer_info: { i_customer: customer.id, phone1: '+49 30 5555' } }),
        }),
      ),
    ).toEqual({ i_customer: customer.id });
    expect(phpJsonDecode(await ps.curl('Session/logout', data))).toEqual({ success: 1 });
    expect(phpJsonDecode(await ps.curl('Session/ping', data))).toEqual({ user_id: 0 });
    await ps.curl('Customer/get_customer_info', data);
    expect(ps.isError()).toBe(true);
  });

  it('sees a faultstring when it signs in with its own `user` key', async () => {
    const ps = new PortaSwitch(t, check);
    await ps.curl('Session/login', { params: phpJsonEncode({ user: customer.login, password: customer.token }) });
    expect(ps.isError()).toBe(true);
    expect(phpJsonDecode(ps.response)!.faultcode).toBe('Server.Session.auth_failed');
  });
});
