import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { totpCode } from '../../../src/access/totp.ts';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import { postPortalLogin, signInPortal } from '../../helpers/portal.ts';
import {
  codeFor,
  createAdminRole,
  enableTwoFactor,
  forgetLastStep,
  secretOnPage,
  type Agent,
} from '../../helpers/two-factor.ts';
import { apiClient, issueToken } from '../api/api-client.ts';
import { formFields } from '../customers/form-fields.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  await createRole(t.deps, 'Everything', allAt('modify'), { isDefault: true });
});
afterEach(async () => {
  await t.close();
});

async function requireTwoFactor(customerId: number): Promise<void> {
  await t.deps.db('customers').where({ id: customerId }).update({ two_factor_required: true });
}

async function postCode(agent: Agent, code: string): Promise<request.Response> {
  const page = await agent.get('/login/two-factor');
  return agent
    .post('/login/two-factor')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), code });
}

/** A portal session an administrator opened with "log in as customer". */
async function logInAs(customerId: number): Promise<Agent> {
  const admin = await createAdmin(t.deps);
  const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
  const ticket = await agent
    .post(`/admin/customers/${customerId}/impersonate`)
    .type('form')
    .send({ _csrf: csrf, mode: 'default' });
  const portal = request.agent(t.app);
  await portal.get(String(ticket.headers.location));
  return portal;
}

/** Sets two-factor sign-in up from /settings/two-factor as the user would; the recovery codes. */
async function setUp(agent: Agent): Promise<{ secret: string; codes: string[]; done: request.Response }> {
  const page = await agent.get('/settings/two-factor');
  expect(page.status).toBe(200);
  const secret = secretOnPage(page.text);
  const done = await agent
    .post('/settings/two-factor')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), code: totpCode(secret) });
  expect(done.status).toBe(303);
  expect(done.headers.location).toBe('/settings/two-factor/recovery-codes');
  const shown = await agent.get('/settings/two-factor/recovery-codes');
  const codes = [...shown.text.matchAll(/<li>([a-z2-9]{5}-[a-z2-9]{5})<\/li>/g)].map((m) => m[1]!);
  return { secret, codes, done };
}

describe('customer two-factor sign-in, optional', () => {
  it('lets a customer set it up at /settings/two-factor; the next sign-in asks for a code at /login/two-factor', async () => {
    const customer = await createCustomer(t.deps, { login: 'opt-in' });
    const { agent } = await signInPortal(t.app, customer.login!, customer.password);
    const { secret, codes } = await setUp(agent);
    expect(codes).toHaveLength(10);
    expect((await agent.get('/settings/two-factor')).text).toContain('Unused recovery codes: 10');

    const { agent: next, res } = await postPortalLogin(t.app, customer.login!, customer.password);
    expect(res.headers.location).toBe('/login/two-factor');
    const blocked = await next.get('/invoices');
    expect(blocked.status).toBe(303);
    expect(blocked.headers.location).toBe('/login/two-factor');
    const wrong = await postCode(next, 'abcde-fghjk');
    expect(wrong.status).toBe(401);
    const ok = await postCode(next, codeFor(secret));
    expect(ok.status).toBe(303);
    expect((await next.get('/')).status).toBe(200);
    const [login] = await t.deps
      .db('audit_events')
      .where({ action: 'portal.login', outcome: 'success' })
      .orderBy('id', 'desc');
    expect(JSON.parse(login.changes).second_factor.new).toBe('authenticator code');
  });

  it('signs an individual in with a recovery code, which is then spent', async () => {
    const customer = await createCustomer(t.deps);
    const individual = await createIndividual(t.deps, customer.id);
    const { recoveryCodes } = await enableTwoFactor(t.deps, 'individual', individual.id);
    const first = await postPortalLogin(t.app, individual.login, individual.password);
    expect(first.res.headers.location).toBe('/login/two-factor');
    expect((await postCode(first.agent, recoveryCodes[0]!)).status).toBe(303);
    const second = await postPortalLogin(t.app, individual.login, individual.password);
    expect((await postCode(second.agent, recoveryCodes[0]!)).status).toBe(401);
  });

  it('lists a sign-in finished with a code among the account’s sessions, where another session can end it', async () => {
    const customer = await createCustomer(t.deps);
    const { secret, recoveryCodes } = await enableTwoFactor(t.deps, 'customer', customer.id);
    const first = await postPortalLogin(t.app, customer.login!, customer.password);
    expect((await postCode(first.agent, codeFor(secret))).status).toBe(303);
    const second = await postPortalLogin(t.app, customer.login!, customer.password);
    expect((await postCode(second.agent, recoveryCodes[0]!)).status).toBe(303);

    const page = await second.agent.get('/settings/sessions');
    expect(page.status).toBe(200);
    const others = [...page.text.matchAll(/href="\/settings\/sessions\/([^/"]+)\/end"/g)].map((m) => m[1]!);
    expect(others).toHaveLength(1);
    const ended = await second.agent
      .post(`/settings/sessions/${others[0]}/end`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), confirm: 'yes' });
    expect(ended.status).toBe(303);
    expect((await first.agent.get('/')).headers.location).toBe('/login');
  });

  it('refuses a code replayed inside its window', async () => {
    const customer = await createCustomer(t.deps);
    const { secret } = await enableTwoFactor(t.deps, 'customer', customer.id);
    const code = codeFor(secret);
    const first = await postPortalLogin(t.app, customer.login!, customer.password);
    expect((await postCode(first.agent, code)).status).toBe(303);
    const second = await postPortalLogin(t.app, customer.login!, customer.password);
    expect((await postCode(second.agent, code)).status).toBe(401);
    expect((await second.agent.get('/')).headers.location).toBe('/login/two-factor');
  });

  it('throttles wrong codes', async () => {
    const customer = await createCustomer(t.deps);
    const { secret } = await enableTwoFactor(t.deps, 'customer', customer.id);
    const { agent } = await postPortalLogin(t.app, customer.login!, customer.password);
    const wrong = totpCode(secret, new Date(Date.now() + 10 * 60_000));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await postCode(agent, wrong)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const right = await postCode(agent, codeFor(secret));
    expect(right.status).toBe(429);
    expect(right.text).toContain('Too many failed attempts');
    // Entering the password again does not start the count afresh.
    const again = await postPortalLogin(t.app, customer.login!, customer.password);
    expect(again.res.headers.location).toBe('/login/two-factor');
    expect((await postCode(again.agent, codeFor(secret))).status).toBe(429);
  });

  it.each([
    ['en', 'Turn on two-factor sign-in', 'Your recovery codes', 'Two-factor code'],
    ['es', 'Activar la verificación en dos pasos', 'Sus códigos de recuperación', 'Código de verificación'],
    ['fr', 'Activer la connexion en deux étapes', 'Vos codes de secours', 'Code de vérification'],
    ['de', 'Zwei-Faktor-Anmeldung einschalten', 'Ihre Wiederherstellungscodes', 'Bestätigungscode'],
    ['pt-BR', 'Ativar a verificação em duas etapas', 'Seus códigos de recuperação', 'Código de verificação'],
    ['uk', 'Увімкнути двофакторний вхід', 'Ваші резервні коди', 'Код підтвердження'],
  ])('sets it up and asks for the code in %s', async (language, turnOn, codesTitle, codeLabel) => {
    const customer = await createCustomer(t.deps, { language });
    const { agent } = await signInPortal(t.app, customer.login!, customer.password);
    const page = await agent.get('/settings/two-factor');
    expect(page.text).toContain(`<html lang="${language}">`);
    expect(page.text).toContain(turnOn);
    expect(page.text).toMatch(/<svg[^>]*role="img"/);
    const done = await agent
      .post('/settings/two-factor')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: totpCode(secretOnPage(page.text)) });
    expect(done.status).toBe(303);
    const codes = await agent.get(String(done.headers.location));
    expect(codes.text).toContain(codesTitle);
    expect(codes.text.match(/<li>[a-z2-9]{5}-[a-z2-9]{5}<\/li>/g)).toHaveLength(10);
    const { agent: next, res } = await postPortalLogin(t.app, customer.login!, customer.password);
    expect(res.headers.location).toBe('/login/two-factor');
    const second = await next.get('/login/two-factor');
    expect(second.text).toContain(`<html lang="${language}">`);
    expect(second.text).toContain(codeLabel);
  });

  it('asks for the code in the account’s language, whatever the browser asked for, errors included', async () => {
    const customer = await createCustomer(t.deps, { language: 'de' });
    const individual = await createIndividual(t.deps, customer.id, { language: 'uk' });
    await enableTwoFactor(t.deps, 'customer', customer.id);
    await enableTwoFactor(t.deps, 'individual', individual.id);

    const { agent } = await postPortalLogin(t.app, customer.login!, customer.password);
    const page = await agent.get('/login/two-factor').set('Accept-Language', 'en-US,en;q=0.9');
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('Bestätigungscode');
    expect(page.text).not.toContain('Two-factor code');
    const wrong = await postCode(agent, '000000');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Der Code ist falsch oder wurde schon verwendet.');

    const { agent: staff } = await postPortalLogin(t.app, individual.login, individual.password);
    const own = await staff.get('/login/two-factor');
    expect(own.text).toContain('<html lang="uk">');
    expect(own.text).not.toContain('Bestätigungscode');

    // the same for a sign-in that must set two-factor sign-in up first
    const newcomer = await createCustomer(t.deps, { language: 'fr' });
    await requireTwoFactor(newcomer.id);
    const { agent: setup } = await postPortalLogin(t.app, newcomer.login!, newcomer.password);
    const setupPage = await setup.get('/settings/two-factor');
    expect(setupPage.text).toContain('<html lang="fr">');
    const refused = await setup
      .post('/settings/two-factor')
      .type('form')
      .send({ _csrf: csrfFrom(setupPage.text), code: '' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('<html lang="fr">');
  });

  it('asks on a page of its own, with a current code, before turning it off', async () => {
    const customer = await createCustomer(t.deps);
    const { secret } = await enableTwoFactor(t.deps, 'customer', customer.id);
    const { agent } = await postPortalLogin(t.app, customer.login!, customer.password);
    expect((await postCode(agent, codeFor(secret))).status).toBe(303);
    const isOn = async () => (await t.deps.services.twoFactor.status({ type: 'customer', id: customer.id })).enabled;

    const settings = await agent.get('/settings/two-factor');
    expect(settings.text).toContain('href="/settings/two-factor/disable"');
    expect(settings.text).not.toContain('name="code"');
    const ask = await agent.get('/settings/two-factor/disable');
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('<h1 id="confirm-title">Turn off two-factor sign-in?</h1>');
    expect(ask.text).toContain('your recovery codes will stop working');
    expect(ask.text).toContain('<form method="post" action="/settings/two-factor/disable"');
    expect(ask.text).toMatch(/<input id="code" name="code" type="text"/);
    expect(ask.text).toContain('href="/settings/two-factor"');
    const csrf = csrfFrom(ask.text);
    const post = (body: Record<string, string>) =>
      agent
        .post('/settings/two-factor/disable')
        .type('form')
        .send({ _csrf: csrf, ...body });

    // a code without the confirmation, an empty code and a wrong one turn nothing off
    const unconfirmed = await post({ code: codeFor(secret, 0) });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('Turn off two-factor sign-in?');
    const empty = await post({ confirm: 'yes', code: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('href="#code"');
    expect(empty.text).toContain('Enter the six-digit code from your authenticator app');
    const wrong = await post({ confirm: 'yes', code: '000000' === codeFor(secret, 0) ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('The code is wrong or was used already.');
    expect(wrong.text).toContain('Turn off two-factor sign-in?');
    expect(await isOn()).toBe(true);

    // the sign-in spent this time step's code
    await forgetLastStep(t.deps, 'customer', customer.id);
    const done = await post({ confirm: 'yes', code: codeFor(secret, 0) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/settings/two-factor');
    expect(await isOn()).toBe(false);
    // with nothing left to turn off, the page sends the browser back
    expect((await agent.get('/settings/two-factor/disable')).headers.location).toBe('/settings/two-factor');
  });

  it('is not offered inside an administrator’s "log in as" session', async () => {
    const customer = await createCustomer(t.deps);
    const portal = await logInAs(customer.id);
    expect((await portal.get('/settings/two-factor')).status).toBe(403);
  });
});

describe('customer two-factor sign-in, required by the Web self-care panel', () => {
  it('is set from the panel by an admin (audited)', async () => {
    const customer = await createCustomer(t.deps);
    const admin = await createAdmin(t.deps);
    const { agent } = await signInAdmin(t.app, admin.login, admin.password);
    const panel = await agent.get(`/admin/customers/${customer.id}/self-care`);
    expect(panel.text).toContain('name="two_factor_required"');
    const res = await agent
      .post(`/admin/customers/${customer.id}/self-care`)
      .type('form')
      .send({ ...formFields(panel.text, 'self-care-form'), two_factor_required: 'on' });
    expect(res.status).toBe(303);
    expect((await t.deps.db('customers').where({ id: customer.id }).first()).two_factor_required).toBeTruthy();
    const [event] = await t.deps.db('audit_events').where({ action: 'customer.self_care.update' });
    expect(JSON.parse(event.changes).two_factor_required).toEqual({ old: false, new: true });
  });

  it('sends the customer to the set-up after the password, allows nothing else, then signs it in', async () => {
    const customer = await createCustomer(t.deps);
    await requireTwoFactor(customer.id);
    const { agent, res } = await postPortalLogin(t.app, customer.login!, customer.password);
    expect(res.headers.location).toBe('/settings/two-factor');
    for (const path of ['/', '/invoices', '/settings', '/login/two-factor']) {
      const refused = await agent.get(path);
      expect(refused.status, path).toBe(303);
    }
    expect((await agent.get('/invoices')).headers.location).toBe('/settings/two-factor');
    const page = await agent.get('/settings/two-factor');
    expect(page.text).toContain('Two-factor sign-in is required for your account');
    const { codes } = await setUp(agent);
    expect(codes).toHaveLength(10);
    expect((await agent.get('/')).status).toBe(200);
    // and it cannot be turned off while required
    const settings = await agent.get('/settings/two-factor');
    expect(settings.text).not.toContain('/settings/two-factor/disable');
  });

  it('applies to the customer’s individuals too, and not to API sessions opened with a token', async () => {
    const customer = await createCustomer(t.deps);
    const individual = await createIndividual(t.deps, customer.id);
    await requireTwoFactor(customer.id);
    const { res } = await postPortalLogin(t.app, individual.login, individual.password);
    expect(res.headers.location).toBe('/settings/two-factor');
    const api = apiClient(t.app, t.deps);
    const { token } = await issueToken(t.deps, customer.id);
    const session = await api.signIn(customer.login!, token);
    expect((await api.get('/api/v1/me', { bearer: session })).status).toBe(200);
  });
});

describe('resetting a customer’s or an individual’s two-factor sign-in', () => {
  it('is done from the Web self-care panel and the individual’s page by an admin with selfcare.credentials (audited)', async () => {
    const customer = await createCustomer(t.deps);
    const individual = await createIndividual(t.deps, customer.id);
    await enableTwoFactor(t.deps, 'customer', customer.id);
    await enableTwoFactor(t.deps, 'individual', individual.id);
    const roleId = await createAdminRole(t.deps, 'Credentials desk', ['selfcare.credentials', 'individuals.manage']);
    const admin = await createAdmin(t.deps, 'credentials-desk', undefined, { roleId });
    const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
    const panel = await agent.get(`/admin/customers/${customer.id}/self-care`);
    expect(panel.text).toContain(`href="/admin/customers/${customer.id}/self-care/two-factor/reset"`);
    // the button asks on a page of its own first; a post without the confirmation resets nothing
    const ask = await agent.get(`/admin/customers/${customer.id}/self-care/two-factor/reset`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Reset the customer’s two-factor sign-in?');
    expect(
      (
        await agent
          .post(`/admin/customers/${customer.id}/self-care/two-factor/reset`)
          .type('form')
          .send({ _csrf: csrf })
      ).status,
    ).toBe(422);
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'customer', id: customer.id })).toBe(true);
    expect(
      (
        await agent
          .post(`/admin/customers/${customer.id}/self-care/two-factor/reset`)
          .type('form')
          .send({ _csrf: csrf, confirm: 'yes' })
      ).status,
    ).toBe(303);
    const page = await agent.get(`/admin/customers/${customer.id}/individuals/${individual.id}`);
    expect(page.text).toContain('/two-factor/reset');
    expect(
      (await agent.get(`/admin/customers/${customer.id}/individuals/${individual.id}/two-factor/reset`)).text,
    ).toContain(`Reset the two-factor sign-in of ${individual.login}?`);
    expect(
      (
        await agent
          .post(`/admin/customers/${customer.id}/individuals/${individual.id}/two-factor/reset`)
          .type('form')
          .send({ _csrf: csrf, confirm: 'yes' })
      ).status,
    ).toBe(303);
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'customer', id: customer.id })).toBe(false);
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'individual', id: individual.id })).toBe(false);
    const resets = await t.deps.db('audit_events').where({ action: 'two_factor.reset' });
    expect(resets.map((r: { customer_id: number }) => r.customer_id)).toEqual([customer.id, customer.id]);
    const { res } = await postPortalLogin(t.app, customer.login!, customer.password);
    expect(res.headers.location).toBe('/');
  });

  it('goes with the individual when the individual is deleted', async () => {
    const customer = await createCustomer(t.deps);
    const individual = await createIndividual(t.deps, customer.id);
    await enableTwoFactor(t.deps, 'individual', individual.id);
    const admin = await createAdmin(t.deps);
    const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
    const deleted = await agent
      .post(`/admin/customers/${customer.id}/individuals/${individual.id}/delete`)
      .type('form')
      .send({ _csrf: csrf });
    expect(deleted.status).toBe(303);
    expect(
      await t.deps.db('two_factor_secrets').where({ account_type: 'individual', account_id: individual.id }),
    ).toHaveLength(0);
    expect(
      await t.deps.db('two_factor_recovery_codes').where({ account_type: 'individual', account_id: individual.id }),
    ).toHaveLength(0);
  });
});

describe('new recovery codes at /settings/two-factor', () => {
  /** A customer signed in with a code from the app; its seed and recovery codes. */
  async function signedIn(language?: string) {
    const customer = await createCustomer(t.deps, language ? { language } : {});
    const { secret, recoveryCodes } = await enableTwoFactor(t.deps, 'customer', customer.id);
    const { agent } = await postPortalLogin(t.app, customer.login!, customer.password);
    const signInCode = codeFor(secret);
    expect((await postCode(agent, signInCode)).status).toBe(303);
    const csrf = csrfFrom((await agent.get('/settings/two-factor')).text);
    return { customer, agent, csrf, secret, recoveryCodes, signInCode };
  }
  const unusedCodes = (customerId: number) =>
    t.deps
      .db('two_factor_recovery_codes')
      .where({ account_type: 'customer', account_id: customerId })
      .whereNull('used_at');
  const renewals = () => t.deps.db('audit_events').where({ action: 'two_factor.recovery_codes.renew' });

  it('asks on a page of its own for a code from the app, then shows ten new codes once; the old ones stop working (audited)', async () => {
    const { customer, agent, secret, recoveryCodes } = await signedIn();
    const settings = await agent.get('/settings/two-factor');
    expect(settings.text).toContain('href="/settings/two-factor/recovery-codes/new"');
    const ask = await agent.get('/settings/two-factor/recovery-codes/new');
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('<h1 id="confirm-title">Generate new recovery codes?</h1>');
    expect(ask.text).toContain('<form method="post" action="/settings/two-factor/recovery-codes/new"');
    expect(ask.text).toMatch(/<input id="code" name="code" type="text"/);

    await forgetLastStep(t.deps, 'customer', customer.id);
    const done = await agent
      .post('/settings/two-factor/recovery-codes/new')
      .type('form')
      .send({ _csrf: csrfFrom(ask.text), confirm: 'yes', code: codeFor(secret, 0) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/settings/two-factor/recovery-codes');
    const shown = await agent.get('/settings/two-factor/recovery-codes');
    expect(shown.text).toContain('New recovery codes: the old ones no longer work.');
    const codes = [...shown.text.matchAll(/<li>([a-z2-9]{5}-[a-z2-9]{5})<\/li>/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(10);
    expect(codes.some((c) => recoveryCodes.includes(c))).toBe(false);
    expect((await agent.get('/settings/two-factor/recovery-codes')).headers.location).toBe('/settings/two-factor');
    expect(await unusedCodes(customer.id)).toHaveLength(10);
    const [audited] = await renewals();
    expect(audited.customer_id).toBe(customer.id);
    expect(audited.entity_type).toBe('customer');

    const next = await postPortalLogin(t.app, customer.login!, customer.password);
    expect((await postCode(next.agent, recoveryCodes[0]!)).status).toBe(401);
    expect((await postCode(next.agent, codes[0]!)).status).toBe(303);
    expect((await next.agent.get('/')).status).toBe(200);
  });

  it('refuses a wrong code, a replayed one and a recovery code with 422 in the account’s language, and keeps the old codes', async () => {
    const { customer, agent, csrf, secret, recoveryCodes, signInCode } = await signedIn('de');
    const post = (code: string) =>
      agent.post('/settings/two-factor/recovery-codes/new').type('form').send({ _csrf: csrf, confirm: 'yes', code });
    const wrong = await post(totpCode(secret, new Date(Date.now() + 10 * 60_000)));
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Der Code ist falsch oder wurde schon verwendet.');
    expect(wrong.text).toContain('Neue Wiederherstellungscodes erzeugen?');
    // the code the sign-in used a moment ago
    const replayed = await post(signInCode);
    expect(replayed.status).toBe(422);
    expect((await post(recoveryCodes[0]!)).status).toBe(422);
    expect(await renewals()).toHaveLength(0);
    expect(await unusedCodes(customer.id)).toHaveLength(10);
  });

  it('counts wrong codes with the sign-in’s second step', async () => {
    const { customer, agent, csrf, secret } = await signedIn();
    const wrong = totpCode(secret, new Date(Date.now() + 10 * 60_000));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push(
        (
          await agent
            .post('/settings/two-factor/recovery-codes/new')
            .type('form')
            .send({ _csrf: csrf, confirm: 'yes', code: wrong })
        ).status,
      );
    expect(statuses).toEqual([422, 422, 422, 422, 429]);
    const next = await postPortalLogin(t.app, customer.login!, customer.password);
    await forgetLastStep(t.deps, 'customer', customer.id);
    expect((await postCode(next.agent, codeFor(secret, 0))).status).toBe(429);
  });

  it('is refused without the CSRF token', async () => {
    const { customer, agent, secret } = await signedIn();
    await forgetLastStep(t.deps, 'customer', customer.id);
    const noCsrf = await agent
      .post('/settings/two-factor/recovery-codes/new')
      .type('form')
      .send({ confirm: 'yes', code: codeFor(secret, 0) });
    expect(noCsrf.status).toBe(403);
    expect(await renewals()).toHaveLength(0);
  });

  it('is refused inside an administrator’s "log in as" session', async () => {
    const customer = await createCustomer(t.deps);
    const { secret, recoveryCodes } = await enableTwoFactor(t.deps, 'customer', customer.id);
    const portal = await logInAs(customer.id);
    const home = await portal.get('/');
    expect(home.status).toBe(200);
    expect((await portal.get('/settings/two-factor/recovery-codes/new')).status).toBe(403);
    await forgetLastStep(t.deps, 'customer', customer.id);
    const refused = await portal
      .post('/settings/two-factor/recovery-codes/new')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), confirm: 'yes', code: codeFor(secret, 0) });
    expect(refused.status).toBe(403);
    expect(await renewals()).toHaveLength(0);
    const next = await postPortalLogin(t.app, customer.login!, customer.password);
    expect((await postCode(next.agent, recoveryCodes[0]!)).status).toBe(303);
  });
});
