// Every portal form tells, for each field it refuses, which field it is and what it accepts, all
// in one answer: the error summary lists every refused field, none with a bare “Enter a value” or
// “This value is not valid”, in the viewer’s language.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../../helpers/fixtures.ts';
import { outboxMails, resetTokenIn } from '../../helpers/mail.ts';
import { enableTwoFactor } from '../../helpers/two-factor.ts';
import { FORCED_PASSWORD_PATH } from '../../../src/access/portal-navigation.ts';
import { postPortalLogin, signInPortal, type Agent } from '../../helpers/portal.ts';

let t: TestApp;
let roleId: number;
beforeAll(async () => {
  t = await createTestApp();
  roleId = await createRole(t.deps, 'Everything', allAt('modify'));
});
afterAll(async () => {
  await t.close();
});

/** The error summary's problems: where each link leads, and what it says. */
function summaryOf(html: string): Array<{ field: string; message: string }> {
  const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => ({ field: m[1]!, message: m[2]! }));
}

const GENERAL = /Enter a value|This value is not valid|Geben Sie einen Wert ein|Dieser Wert ist ungültig/;

/** Posts a form of the page at `path` (the CSRF token read from it) and returns the refusal's summary. */
async function refused(agent: Agent, path: string, action: string, body: Record<string, string>) {
  const page = await agent.get(path);
  const res = await agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...body });
  expect(res.status, `${action} ${JSON.stringify(body)}`).toBe(422);
  const problems = summaryOf(res.text);
  for (const { message } of problems) expect(message).not.toMatch(GENERAL);
  return problems;
}

async function customer(language = 'en') {
  const c = await createCustomer(t.deps, { roleId, language });
  await t.deps.db('customer_allowed_roles').insert({ customer_id: c.id, role_id: roleId });
  return { ...c, ...(await signInPortal(t.app, c.login!, c.password)) };
}

describe('portal field messages', () => {
  it('say what the profile accepts: an e-mail address, a phone number, a country code, a company name', async () => {
    const { agent } = await customer();
    expect(
      await refused(agent, '/profile', '/profile/contacts', { contact_name: '', email: 'nope', phone: 'abc' }),
    ).toEqual([
      { field: 'email', message: 'Enter an e-mail address such as name@example.com' },
      { field: 'phone', message: 'Enter a phone number with digits, spaces and + ( ) - . / only' },
    ]);
    expect(
      await refused(agent, '/profile', '/profile/address', { country: 'Germany', postal_code: '9'.repeat(21) }),
    ).toEqual([
      { field: 'postal_code', message: 'Postal code: Too long: at most 20 characters' },
      { field: 'country', message: 'Enter a two-letter country code such as DE' },
    ]);
    expect(await refused(agent, '/profile', '/profile', { company_name: ' ' })).toEqual([
      { field: 'company_name', message: 'Enter the company name' },
    ]);
  });

  it('say it in the viewer’s language', async () => {
    const { agent } = await customer('de');
    expect(await refused(agent, '/profile', '/profile/contacts', { email: 'nope', phone: '' })).toEqual([
      { field: 'email', message: 'Geben Sie eine E-Mail-Adresse wie name@beispiel.de ein' },
    ]);
    expect(await refused(agent, '/api-tokens', '/api-tokens', { name: '', expires_on: '' })).toEqual([
      {
        field: 'name',
        message: 'Geben Sie einen Namen ein, der sagt, wofür das Token dient, etwa „CRM-Synchronisierung“',
      },
    ]);
  });

  it('name each of the three password fields and all their problems in one answer', async () => {
    const { agent } = await customer();
    expect(await refused(agent, '/settings/password', '/settings/password', {})).toEqual([
      { field: 'current_password', message: 'Enter your current password' },
      { field: 'new_password', message: 'Enter a new password of at least 12 characters' },
      { field: 'new_password_confirm', message: 'Enter the new password a second time' },
    ]);
    expect(
      await refused(agent, '/settings/password', '/settings/password', {
        current_password: 'not my password',
        new_password: 'short',
        new_password_confirm: 'different',
      }),
    ).toEqual([
      { field: 'current_password', message: 'The current password is incorrect' },
      { field: 'new_password', message: 'The password must be at least 12 characters long' },
      { field: 'new_password_confirm', message: 'The two new passwords do not match' },
    ]);
  });

  it('do the same on the forced password change and the reset link', async () => {
    const forced = await createCustomer(t.deps, { roleId, passwordChangeRequired: true });
    const { agent } = await signInPortal(t.app, forced.login!, forced.password);
    const twoAtOnce = { new_password: 'short', new_password_confirm: 'other' };
    const expected = [
      { field: 'new_password', message: 'The password must be at least 12 characters long' },
      { field: 'new_password_confirm', message: 'The two new passwords do not match' },
    ];
    expect(await refused(agent, FORCED_PASSWORD_PATH, FORCED_PASSWORD_PATH, twoAtOnce)).toEqual(expected);

    const forgetful = await createCustomer(t.deps, { roleId, email: 'forgetful@example.com' });
    const visitor = request.agent(t.app);
    const ask = await visitor.get('/forgot-password');
    await visitor
      .post('/forgot-password')
      .type('form')
      .send({ _csrf: csrfFrom(ask.text), login: forgetful.login });
    await t.deps.background.idle();
    const mail = outboxMails(t.config.dataDir).find((m) => m.to.includes('forgetful@example.com'));
    const link = `/reset-password/${mail ? resetTokenIn(mail) : 'none'}`;
    expect(await refused(visitor, link, link, twoAtOnce)).toEqual(expected);
  });

  it('name the API token’s name and expiry together', async () => {
    const { agent } = await customer();
    const problems = await refused(agent, '/api-tokens', '/api-tokens', { name: '', expires_on: 'soon' });
    expect(problems.map((p) => p.field)).toEqual(['name', 'expires_on']);
    expect(problems[0]!.message).toBe('Enter a name that says what the token is for, such as “CRM sync”');
    expect(problems[1]!.message).toMatch(/^Expires on: enter a date such as /);
  });

  it('name each field of a new individual', async () => {
    const { agent } = await customer();
    const problems = await refused(agent, '/individuals', '/individuals', {
      login: '',
      password: '',
      name: 'n'.repeat(161),
      email: 'nope',
      role_id: '',
      activation_at: '',
      expiration_at: '',
    });
    expect(problems).toEqual([
      { field: 'login', message: 'Enter a login of 3 to 64 characters: letters, digits, “.”, “_”, “@” or “-”' },
      { field: 'password', message: 'Enter a password of at least 12 characters' },
      { field: 'name', message: 'Name: at most 160 characters' },
      { field: 'email', message: 'Enter an e-mail address like name@example.com' },
      { field: 'role_id', message: 'Choose a role from the list' },
    ]);
  });

  it('name which of the four format fields is wrong', async () => {
    const { agent } = await customer();
    const problems = await refused(agent, '/settings', '/settings', {
      time_zone: 'UTC',
      language: 'en',
      out_date_format: 'custom',
      out_date_format_custom: 'DD',
      out_time_format: 'HH24:MI',
      in_date_format: 'custom',
      in_date_format_custom: 'XX',
      in_time_format: 'HH24:MI',
    });
    expect(problems).toEqual([
      {
        field: 'out_date_format',
        message: 'Date format for display: enter a pattern with a day, a month and a year, such as DD/MM/YYYY',
      },
      {
        field: 'in_date_format',
        message: 'Date format for input: enter a pattern with a day, a month and a year, such as DD/MM/YYYY',
      },
    ]);
  });

  it('say what to type on the sign-in, two-factor and forgotten-password pages', async () => {
    const agent = request.agent(t.app);
    expect(await refused(agent, '/login', '/login', { login: '', password: '' })).toEqual([
      { field: 'login', message: 'Enter your login' },
      { field: 'password', message: 'Enter your password' },
    ]);
    expect(await refused(request.agent(t.app), '/forgot-password', '/forgot-password', { login: ' ' })).toEqual([
      { field: 'login', message: 'Enter your login or the e-mail address of your account' },
    ]);
    const c = await createCustomer(t.deps, { roleId });
    await enableTwoFactor(t.deps, 'customer', c.id);
    const { agent: waiting } = await postPortalLogin(t.app, c.login!, c.password);
    expect(await refused(waiting, '/login/two-factor', '/login/two-factor', { code: '' })).toEqual([
      {
        field: 'code',
        message: 'Enter the six-digit code from your authenticator app, or a recovery code such as k7m3p-q9xw2',
      },
    ]);
  });
});
