// Every date field of the portal says what to type with an example written in the viewer's own
// input format and language, never with format codes; the example, typed back, is accepted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole, type CustomerFixture } from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const US = {
  language: 'en',
  timeZone: 'America/New_York',
  inDateFormat: 'MM/DD/YYYY',
  inTimeFormat: 'HH12:MI AM',
} as const satisfies CustomerFixture;
const UKRAINIAN = {
  language: 'uk',
  timeZone: 'Europe/Kyiv',
  inDateFormat: 'DD MON YYYY',
  inTimeFormat: 'HH12:MI:SS AM',
} as const satisfies CustomerFixture;

/** The example of a hint: what stands between “For example” and the sentence after it. */
const EXAMPLE_IN = {
  en: /For example ([^<]+?)\. (?:The|Leave)/,
  uk: /Наприклад, ([^<]+?)\. (?:Час|Токен)/,
} as const;

/** Tokens of the format grammar, which a hint must not show (AM and PM may stand in an example). */
const FORMAT_CODES = /\b(YYYY|YY|MM|DD|MON|MONTH|HH12|HH24|HH|MI|SS)\b/;

function hintOf(html: string, id: string): string {
  const hint = new RegExp(`<p class="hint" id="${id}">([^<]*)</p>`).exec(html)?.[1];
  if (hint === undefined) throw new Error(`no hint #${id} on the page`);
  return hint;
}

function exampleIn(hint: string, language: keyof typeof EXAMPLE_IN): string {
  const example = EXAMPLE_IN[language].exec(hint)?.[1];
  if (example === undefined) throw new Error(`no example in “${hint}”`);
  return example;
}

async function signedIn(regional: typeof US | typeof UKRAINIAN) {
  const roleId = await createRole(t.deps, `Everything ${regional.language}`, allAt('modify'));
  const customer = await createCustomer(t.deps, { roleId, ...regional });
  await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: roleId });
  return { customer, roleId, ...(await signInPortal(t.app, customer.login!, customer.password)) };
}

describe.each([
  ['US English, 12-hour clock', US],
  ['Ukrainian, month names and seconds', UKRAINIAN],
] as const)('date hints in %s', (_name, regional) => {
  const language = regional.language;

  it('the call-history filter shows an example in the viewer’s format, which the filter accepts', async () => {
    const { agent } = await signedIn(regional);
    const page = await agent.get('/xdrs');
    const hint = hintOf(page.text, 'range-hint');
    expect(hint).not.toMatch(FORMAT_CODES);
    expect(hint).toContain(regional.timeZone);
    expect(page.text).not.toContain('placeholder=');
    const example = exampleIn(hint, language);
    const filtered = await agent.get('/xdrs').query({ from: example, to: '' });
    expect(filtered.status).toBe(200);
    expect(filtered.text).not.toContain('class="error-summary"');

    const wrong = await agent.get('/xdrs').query({ from: 'yesterday', to: 'today' });
    expect(wrong.status).toBe(422);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(wrong.text)?.[0] ?? '';
    expect(summary).toContain('href="#from"');
    expect(summary).toContain('href="#to"');
    expect(summary).toContain(example);
    expect(summary).not.toMatch(FORMAT_CODES);
  });

  it('the API token expiry shows a date in the viewer’s format, which generating a token accepts', async () => {
    const { agent, customer } = await signedIn(regional);
    const page = await agent.get('/api-tokens');
    const hint = hintOf(page.text, 'expires_on-hint');
    expect(hint).not.toMatch(FORMAT_CODES);
    const example = exampleIn(hint, language);
    const wrong = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Later', expires_on: 'next month' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain(example);
    const res = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Example', expires_on: example });
    expect(res.status).toBe(200);
    const row = await t.deps.db('api_tokens').where({ customer_id: customer.id }).first();
    expect(row.expires_at).not.toBeNull();
  });

  it('an individual’s activation date shows an example, which adding the individual accepts', async () => {
    const { agent, roleId } = await signedIn(regional);
    const page = await agent.get('/individuals');
    const hint = hintOf(page.text, 'dates-hint');
    expect(hint).not.toMatch(FORMAT_CODES);
    const example = exampleIn(hint, language);
    const person = {
      _csrf: csrfFrom(page.text),
      login: 'example.person',
      password: 'amber window copper field',
      name: 'Example Person',
      email: '',
      role_id: String(roleId),
    };
    const wrong = await agent
      .post('/individuals')
      .type('form')
      .send({ ...person, activation_at: 'soon' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain(example);
    const res = await agent
      .post('/individuals')
      .type('form')
      .send({ ...person, activation_at: example });
    expect(res.status).toBe(303);
    const row = await t.deps.db('individuals').where({ login: 'example.person' }).first();
    expect(row.activation_at).not.toBeNull();
  });
});
