// Replays the n8n PortaOne node (TypeScript, the `request` library through n8n's helpers),
// repository digital-boss/n8n-nodes-portaone at commit 43d6da938a1984ccd610e5e8a1ad006312fda019:
// - nodes/PortaOne/GenericFunctions.ts — login(): POST `${baseUrl}/rest/Session/login/` (trailing
//   slash), `Content-Type: application/x-www-form-urlencoded`, form {params: JSON.stringify({login,
//   token})} (token credential) or {login, password} (basic credential), no auth_info; returns
//   JSON.parse(responseData).session_id. portaOneApiRequest(endpoint, body): form {auth_info:
//   JSON.stringify({session_id}), params: JSON.stringify(prepareBody(body))} to `${baseUrl}${endpoint}`
//   (no trailing slash); the answer is JSON.parse()d; any non-2xx rejects (request's
//   simple mode) and becomes NodeApiError, after firing an un-awaited re-login and retry.
// - nodes/PortaOne/PortaOne.node.ts — customer get: /rest/Customer/get_customer_info with
//   {i_customer, ...additionalFields}, reads `customer_info` (:172-179); getAll:
//   /rest/Customer/get_customer_list, reads `customer_list` (:183-189); update:
//   /rest/Customer/update_customer with {customer_info: {i_customer, ...}} (:164-168).
// The node has no ping, refresh or logout of its own; ping and logout go through
// portaOneApiRequest(), the node's generic call. It keeps only the session_id of the login answer,
// so it never refreshes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.ts';
import { raw, restContract, restCustomer, type RawAnswer, type RestCustomer } from './harness.ts';

class NodeApiError extends Error {
  constructor(
    readonly httpCode: number,
    readonly body: string,
  ) {
    super(`NodeApiError ${httpCode}`);
  }
}

/** The `request` library's form encoding: querystring + RFC 3986 escaping of !'()*. */
const formEncode = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([k, v]) =>
      `${encodeURIComponent(k)}=${encodeURIComponent(v)}`.replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('&');

class PortaOneNode {
  staticData: { session_id?: string } = {};

  constructor(
    private readonly t: TestApp,
    private readonly check: (n: string, a: RawAnswer) => void,
    private readonly credentials: { userName: string; token?: string; password?: string },
  ) {}

  private async request(uri: string, form: Record<string, string>, name: string): Promise<string> {
    const answer = await raw(this.t.app, uri, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formEncode(form),
    });
    this.check(name, answer);
    if (answer.status < 200 || answer.status >= 300) throw new NodeApiError(answer.status, answer.text);
    return answer.text;
  }

  async login(): Promise<string> {
    const params =
      this.credentials.token !== undefined
        ? { login: this.credentials.userName, token: this.credentials.token }
        : { login: this.credentials.userName, password: this.credentials.password };
    const responseData = await this.request(
      '/rest/Session/login/',
      { params: JSON.stringify(params) },
      'Session/login',
    );
    return (JSON.parse(responseData) as { session_id: string }).session_id;
  }

  async portaOneApiRequest(endpoint: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (!this.staticData.session_id) this.staticData.session_id = await this.login();
    const responseData = await this.request(
      endpoint,
      { auth_info: JSON.stringify({ session_id: this.staticData.session_id }), params: JSON.stringify(body) },
      endpoint.replace('/rest/', ''),
    );
    return JSON.parse(responseData) as Record<string, unknown>;
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

describe('n8n PortaOne node against /rest', () => {
  for (const credential of ['token', 'password'] as const) {
    it(`signs in (${credential} credential, trailing slash), gets, lists and updates the customer, pings and logs out`, async () => {
      const node = new PortaOneNode(t, check, { userName: customer.login, [credential]: customer.token });
      const got = await node.portaOneApiRequest('/rest/Customer/get_customer_info', { i_customer: customer.id });
      expect(got.customer_info).toMatchObject({ i_customer: customer.id, name: customer.name });
      const all = await node.portaOneApiRequest('/rest/Customer/get_customer_list', {});
      expect((all.customer_list as Record<string, unknown>[]).map((c) => c.i_customer)).toEqual([customer.id]);
      expect(
        await node.portaOneApiRequest('/rest/Customer/update_customer', {
          customer_info: { i_customer: customer.id, cont1: 'Maria Ortiz' },
        }),
      ).toEqual({ i_customer: customer.id });
      expect(
        (
          (await node.portaOneApiRequest('/rest/Customer/get_customer_info', { i_customer: customer.id }))
            .customer_info as Record<string, unknown>
        ).cont1,
      ).toBe('Maria Ortiz');
      expect(await node.portaOneApiRequest('/rest/Session/ping')).toEqual({ user_id: customer.id });
      expect(await node.portaOneApiRequest('/rest/Session/logout')).toEqual({ success: 1 });
      expect(await node.portaOneApiRequest('/rest/Session/ping')).toEqual({ user_id: 0 });
      const err = await node
        .portaOneApiRequest('/rest/Customer/get_customer_info', { i_customer: customer.id })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NodeApiError);
      expect(JSON.parse((err as NodeApiError).body).faultcode).toBe('Server.Session.check_auth.auth_failed');
    });
  }
});
