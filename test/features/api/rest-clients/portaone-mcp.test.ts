// Replays PortaOne's MCP server auth provider (TypeScript, fetch), repository
// portaone/mcp-portabilling at commit c3ba2b953670f88a9f3ee62851bcd0c008c52ff8, file
// examples/auth-provider-example/src/auth-provider.ts:
// - login(): POST `${base}/Session/login` (base like https://<host>:8444/rest, no trailing slash),
//   `Content-Type: application/json`, body {"params": {login, password}}; response.json() is read
//   before the status is looked at (the body must be JSON even on errors); fails on !response.ok
//   or data.error; keeps access_token, refresh_token (or null), expiry = now + (expires_in || 3600) s.
// - getAuthHeaders(): `Authorization: Bearer <access_token>`, `Content-Type: application/json`;
//   refreshes first when the expiry is less than 60 s away.
// - refreshAccessToken(): POST `${base}/Session/refresh_access_token` {"params": {refresh_token}};
//   keeps the old refresh token when the answer has none.
// - handleAuthError(): on HTTP 500 tries the refresh, then a full login.
// The tool calls go out through @ivotoby/openapi-mcp-server's axios client with those headers and
// the operation's arguments as the JSON body ({"params": …} for PortaBilling's own spec).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.ts';
import { raw, restContract, restCustomer, type RawAnswer, type RestCustomer } from './harness.ts';

class PortaBillingAuthProvider {
  accessToken: string | null = null;
  refreshToken: string | null = null;
  tokenExpiry: Date | null = null;

  constructor(
    private readonly t: TestApp,
    private readonly check: (n: string, a: RawAnswer) => void,
    private readonly loginId: string,
    private readonly password: string,
  ) {}

  private async fetchJson(
    path: string,
    body: unknown,
  ): Promise<{ ok: boolean; status: number; data: Record<string, unknown> }> {
    const answer = await raw(this.t.app, `/rest${path}`, {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    this.check(path.slice(1), answer);
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      data: JSON.parse(answer.text) as Record<string, unknown>,
    };
  }

  async login(): Promise<void> {
    const { ok, status, data } = await this.fetchJson('/Session/login', {
      params: { login: this.loginId, password: this.password },
    });
    if (!ok || data.error) throw new Error(`PortaBilling login failed: ${status}`);
    this.accessToken = String(data.access_token);
    this.refreshToken = (data.refresh_token as string | undefined) || null;
    this.tokenExpiry = new Date(Date.now() + (Number(data.expires_in) || 3600) * 1000);
  }

  isTokenExpired(): boolean {
    return !this.tokenExpiry || this.tokenExpiry <= new Date(Date.now() + 60000);
  }

  async getAuthHeaders(): Promise<Record<string, string>> {
    if (!this.accessToken || this.isTokenExpired()) {
      if (this.refreshToken) await this.refreshAccessToken();
      else await this.login();
    }
    return { Authorization: `Bearer ${this.accessToken}`, 'Content-Type': 'application/json' };
  }

  async refreshAccessToken(): Promise<void> {
    const { ok, status, data } = await this.fetchJson('/Session/refresh_access_token', {
      params: { refresh_token: this.refreshToken },
    });
    if (!ok || data.error) throw new Error(`PortaBilling token refresh failed: ${status}`);
    this.accessToken = String(data.access_token);
    this.refreshToken = (data.refresh_token as string | undefined) || this.refreshToken;
    this.tokenExpiry = new Date(Date.now() + (Number(data.expires_in) || 3600) * 1000);
  }

  async handleAuthError(status: number): Promise<boolean> {
    if (status !== 500) return false;
    if (this.refreshToken) {
      try {
        await this.refreshAccessToken();
        return true;
      } catch {
        // then a full login
      }
    }
    await this.login();
    return true;
  }

  /** A tool call through the openapi-mcp-server client: the headers above, the arguments as the body. */
  async tool(path: string, args: unknown): Promise<{ status: number; data: Record<string, unknown> }> {
    const answer = await raw(this.t.app, `/rest${path}`, {
      headers: await this.getAuthHeaders(),
      body: JSON.stringify(args),
    });
    this.check(path.slice(1), answer);
    return { status: answer.status, data: JSON.parse(answer.text) as Record<string, unknown> };
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

describe('PortaOne MCP auth provider against /rest', () => {
  it('signs in with the token in password, calls with the Bearer, refreshes before expiry and recovers from a 500', async () => {
    const provider = new PortaBillingAuthProvider(t, check, customer.login, customer.token);
    await provider.login();
    expect(provider.isTokenExpired()).toBe(false);
    const first = await provider.tool('/Customer/get_customer_info', { params: { i_customer: customer.id } });
    expect(first.data.customer_info).toMatchObject({ i_customer: customer.id });

    const before = provider.accessToken;
    provider.tokenExpiry = new Date(Date.now() + 30_000);
    const second = await provider.tool('/Customer/get_customer_list', { params: {} });
    expect(provider.accessToken, 'refreshed because the expiry was under 60 s away').not.toBe(before);
    expect((second.data.customer_list as Record<string, unknown>[]).map((c) => c.i_customer)).toEqual([customer.id]);

    await raw(t.app, '/rest/Session/logout', {
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${provider.accessToken}` },
      body: '{"params":{}}',
    });
    const failed = await provider.tool('/Customer/get_customer_info', { params: {} });
    expect(failed.status).toBe(500);
    expect(await provider.handleAuthError(failed.status)).toBe(true);
    expect((await provider.tool('/Customer/get_customer_info', { params: {} })).status).toBe(200);
  });

  it('reads a login failure as JSON before looking at the status', async () => {
    const provider = new PortaBillingAuthProvider(t, check, customer.login, 'not-the-token');
    await expect(provider.login()).rejects.toThrow('PortaBilling login failed: 500');
  });
});
