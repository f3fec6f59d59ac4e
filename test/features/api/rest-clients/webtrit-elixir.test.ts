// Replays the WebTrit adapter's PortaBilling client (Elixir, Tesla + Finch), repository
// WebTrit/webtrit_adapter at commit 19cfca86dcdb1ce157d52ffcf07c715b249e31b2:
// - lib/portabilling/api.ex — client/1: Tesla.Middleware.FormUrlencoded and DecodeJson; request/5:
//   body %{"params" => params, "auth_info" => %{"session_id" => session_id}}, nil values dropped
//   (only a nil `params`: the auth_info map is never nil, so Session/login sends
//   auth_info={"session_id":null}), each value Jason-encoded, then URI.encode_query (keys in map
//   order: auth_info, params); Tesla.post(client, "/#{service}/#{method}/") — a trailing slash on
//   every method. A JSON answer gives {status, map}; any other content type {status, type, body}.
//   perform/5 for the account realm matches {500, %{"faultcode" => "Server.Session.check_auth.auth_failed"}}.
// - lib/portabilling/administrator_session_manager.ex — init/1: Session/login with
//   %{"login", "token"} and {200, %{"session_id" => id}} (:88-93); terminate/2: Session/logout with
//   params %{"session_id"} and {200, %{"success" => 1}} (:118-134).
// - lib/portabilling/api/administrator/customer.ex — get_customer_list/2 merges %{"limit" => 1000};
//   the contact controller reads customer_list[].bill_status.
// The adapter has no ping or refresh of its own (it logs in again on a timer); those two calls go
// through the same request/5 any Api.* wrapper uses, with the refresh_token of the login answer map.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../helpers/app.ts';
import { elixirEncodeQuery, raw, restContract, restCustomer, type RawAnswer, type RestCustomer } from './harness.ts';

type ElixirAnswer = [number, Record<string, unknown>] | [number, string, string];

/** Portabilling.Api.request/5 */
async function request(
  t: TestApp,
  check: (n: string, a: RawAnswer) => void,
  service: string,
  method: string,
  params: Record<string, unknown> | null,
  sessionId: string | null,
): Promise<ElixirAnswer> {
  const fields: [string, string][] = [['auth_info', JSON.stringify({ session_id: sessionId })]];
  if (params !== null) fields.push(['params', JSON.stringify(params)]);
  const answer = await raw(t.app, `/rest/${service}/${method}/`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: elixirEncodeQuery(fields),
  });
  check(`${service}/${method}`, answer);
  if (/^application\/json/.test(answer.contentType))
    return [answer.status, JSON.parse(answer.text) as Record<string, unknown>];
  return [answer.status, answer.contentType, answer.text];
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

describe('WebTrit adapter (Elixir) against /rest', () => {
  it('signs in with auth_info {"session_id":null}, lists and reads the customer, pings, refreshes and logs out — every path with a trailing slash', async () => {
    const [loginStatus, login] = (await request(
      t,
      check,
      'Session',
      'login',
      { login: customer.login, token: customer.token },
      null,
    )) as [number, Record<string, unknown>];
    expect(loginStatus).toBe(200);
    const sessionId = String(login.session_id);

    const [listStatus, list] = (await request(
      t,
      check,
      'Customer',
      'get_customer_list',
      { limit: 1000, name: customer.name },
      sessionId,
    )) as [number, Record<string, unknown>];
    expect(listStatus).toBe(200);
    expect((list.customer_list as Record<string, unknown>[]).map((c) => [c.i_customer, c.bill_status])).toEqual([
      [customer.id, 'O'],
    ]);

    const [infoStatus, info] = (await request(
      t,
      check,
      'Customer',
      'get_customer_info',
      { i_customer: customer.id },
      sessionId,
    )) as [number, Record<string, unknown>];
    expect(infoStatus).toBe(200);
    expect(info.customer_info).toMatchObject({ i_customer: customer.id, login: customer.login });

    expect(await request(t, check, 'Session', 'ping', {}, sessionId)).toEqual([200, { user_id: customer.id }]);

    const [refreshStatus, refreshed] = (await request(
      t,
      check,
      'Session',
      'refresh_access_token',
      { refresh_token: login.refresh_token },
      sessionId,
    )) as [number, Record<string, unknown>];
    expect(refreshStatus).toBe(200);
    const newSessionId = String(refreshed.session_id);
    expect(await request(t, check, 'Session', 'ping', {}, sessionId)).toEqual([200, { user_id: 0 }]);

    expect(await request(t, check, 'Session', 'logout', { session_id: newSessionId }, newSessionId)).toEqual([
      200,
      { success: 1 },
    ]);
    expect(await request(t, check, 'Session', 'ping', {}, newSessionId)).toEqual([200, { user_id: 0 }]);
  });

  it('gets {500, %{"faultcode" => "Server.Session.check_auth.auth_failed"}} once the session has ended, which perform/5 turns into :session_id_auth_failed', async () => {
    const [, login] = (await request(
      t,
      check,
      'Session',
      'login',
      { login: customer.login, token: customer.token },
      null,
    )) as [number, Record<string, unknown>];
    await request(t, check, 'Session', 'logout', { session_id: login.session_id }, String(login.session_id));
    const [status, fault] = (await request(
      t,
      check,
      'Customer',
      'get_customer_list',
      { limit: 1000 },
      String(login.session_id),
    )) as [number, Record<string, unknown>];
    expect(status).toBe(500);
    expect(fault.faultcode).toBe('Server.Session.check_auth.auth_failed');
  });

  it('gets a JSON fault, which stops the session manager with {:login_error, fault}, for a wrong token', async () => {
    const answer = await request(t, check, 'Session', 'login', { login: customer.login, token: 'wrong' }, null);
    expect(answer).toEqual([500, { faultcode: 'Server.Session.auth_failed', faultstring: expect.any(String) }]);
  });
});
