import type { Express } from 'express';
import request from 'supertest';
import { totpCode } from '../../src/access/totp.ts';
import type { AdminPermissionName } from '../../src/access/route-permissions.ts';
import type { Deps } from '../../src/deps.ts';
import type { AccountType } from '../../src/features/two-factor/service.ts';
import { csrfFrom } from './app.ts';

export type Agent = ReturnType<typeof request.agent>;

/** An admin role written through its service (audited as the system). */
export function createAdminRole(
  deps: Deps,
  name: string,
  permissions: AdminPermissionName[],
  opts: { requireTwoFactor?: boolean } = {},
): Promise<number> {
  return deps.services.adminRoles.create(
    { name, description: '', require_two_factor: opts.requireTwoFactor ?? false, permissions },
    { actor: { type: 'system', id: null, label: 'test' }, ip: '127.0.0.1' },
  );
}

/**
 * The code an authenticator app shows `steps` time steps from now. One step ahead is within the
 * drift the server accepts and later than the step the set-up used, so it is accepted once.
 */
export function codeFor(secret: string, steps = 1): string {
  return totpCode(secret, new Date(Date.now() + steps * 30_000));
}

/** Turns two-factor sign-in on for an account as its set-up page would; the seed and recovery codes. */
export async function enableTwoFactor(
  deps: Deps,
  type: AccountType,
  id: number,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const sealed = deps.services.twoFactor.newSetup();
  const view = await deps.services.twoFactor.setupView(sealed, 'someone');
  if (!view) throw new Error('the set-up seed did not open');
  const codes = await deps.services.twoFactor.confirmSetup({ type, id }, sealed, totpCode(view.secret), {
    actor: { type: 'system', id: null, label: 'test' },
    ip: '127.0.0.1',
  });
  if (!codes) throw new Error('the set-up code was refused');
  return { secret: view.secret, recoveryCodes: codes };
}

/** Forgets which time step was used last, so a test can sign in again within the same 30 seconds. */
export async function forgetLastStep(deps: Deps, type: AccountType, id: number): Promise<void> {
  await deps.db('two_factor_secrets').where({ account_type: type, account_id: id }).update({ last_step: null });
}

/** The base32 seed a set-up page shows in #totp-secret. */
export function secretOnPage(html: string): string {
  const match = /id="totp-secret"[^>]*>([A-Z2-7]+)</.exec(html);
  if (!match?.[1]) throw new Error('no #totp-secret on the page');
  return match[1];
}

/** Posts the admin sign-in form; the agent and the answer (303 to the second step for 2FA admins). */
export async function postAdminPassword(
  app: Express,
  login: string,
  password: string,
  agent: Agent = request.agent(app),
): Promise<{ agent: Agent; res: request.Response }> {
  const page = await agent.get('/admin/login');
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), login, password });
  return { agent, res };
}

/** Answers the admin's second step with a code; the answer. */
export async function postAdminCode(agent: Agent, code: string): Promise<request.Response> {
  const page = await agent.get('/admin/login/two-factor');
  return agent
    .post('/admin/login/two-factor')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), code });
}

/** Signs in an admin who has two-factor sign-in: password, then a fresh code. */
export async function signInAdminWithCode(
  app: Express,
  login: string,
  password: string,
  secret: string,
): Promise<{ agent: Agent; csrf: string }> {
  const { agent, res } = await postAdminPassword(app, login, password);
  if (res.headers.location !== '/admin/login/two-factor')
    throw new Error(`expected the second step, got ${res.status}`);
  const done = await postAdminCode(agent, codeFor(secret));
  if (done.status !== 303) throw new Error(`second step refused with ${done.status}`);
  const home = await agent.get('/admin');
  return { agent, csrf: csrfFrom(home.text) };
}

/**
 * Makes the session's last two-factor code look older than the step-up limit (ten minutes), as if
 * the admin had signed in a while ago.
 */
export function ageLastCode(deps: Deps, agent: Agent, minutes: number): Promise<void> {
  const cookie = agent.jar
    .getCookies({ path: '/', domain: '127.0.0.1', secure: false, script: false })
    .find((c) => c.name === 'sc_admin');
  return ageSessionCode(deps, cookie?.value ?? '', minutes);
}

/** `ageLastCode` for the session behind an `sc_admin` cookie value (as a browser holds it). */
export async function ageSessionCode(deps: Deps, cookieValue: string, minutes: number): Promise<void> {
  const raw = decodeURIComponent(cookieValue);
  const sid = raw.startsWith('s:') ? raw.slice(2, raw.lastIndexOf('.')) : '';
  const store = deps.sessionStores.admin;
  const session = await new Promise<Record<string, unknown> | null>((resolve, reject) =>
    store.get(sid, (err, sess) =>
      err ? reject(err as Error) : resolve((sess as unknown as Record<string, unknown>) ?? null),
    ),
  );
  const admin = session?.admin as { verifiedAt?: number } | undefined;
  if (!session || !admin) throw new Error('no admin session behind this cookie');
  admin.verifiedAt = Date.now() - minutes * 60_000;
  await new Promise<void>((resolve, reject) =>
    store.set(sid, session as never, (err) => (err ? reject(err as Error) : resolve())),
  );
}
