import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole, defaultRoleId } from '../../helpers/fixtures.ts';
import { formFields } from './form-fields.ts';
import { createAdminRole } from '../../helpers/two-factor.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;

beforeEach(async () => {
  t = await createTestApp();
  const admin = await createAdmin(t.deps);
  ({ agent } = await signInAdmin(t.app, admin.login, admin.password));
});
afterEach(async () => {
  await t.close();
});

const namesIn = (html: string) =>
  [...html.matchAll(/<td><a href="\/admin\/customers\/\d+">([^<]+)<\/a><\/td>/g)].map((m) => m[1]);
const nextLink = (html: string) =>
  /<a href="(\/admin\/customers\?[^"]*after=\d+)" rel="next">/.exec(html)?.[1]?.replace(/&amp;/g, '&');

/** Every link of the pager, by its text. */
const pager = (html: string) =>
  Object.fromEntries(
    [
      ...(/<nav class="pagination" aria-label="Result pages">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '').matchAll(
        /<a href="([^"]+)"[^>]*>(\w+)<\/a>/g,
      ),
    ].map((m) => [m[2], m[1]!.replace(/&amp;/g, '&')]),
  ) as Record<string, string | undefined>;
const positionIn = (html: string) =>
  /<p role="status" class="muted">([^<]*)<\/p>/.exec(html)?.[1]?.replace(/&#34;|&quot;/g, '"');

describe('GET /admin/customers: sorting and paging', () => {
  /** 60 customers; balances in ties of three, so the id must break them. */
  async function sixty(): Promise<void> {
    for (let i = 1; i <= 60; i++)
      await createCustomer(t.deps, {
        name: `Sort ${String(i).padStart(2, '0')}`,
        login: i % 10 === 0 ? null : `login-${String(61 - i).padStart(2, '0')}`,
        balance: Math.floor(i / 3),
      });
  }

  async function walk(start: string, link: 'Next' | 'Previous'): Promise<string[][]> {
    const pages: string[][] = [];
    let url: string | undefined = start;
    while (url) {
      const res = await agent.get(url);
      expect(res.status).toBe(200);
      pages.push(namesIn(res.text) as string[]);
      url = pager(res.text)[link];
    }
    return pages;
  }

  it('sorts by name, login, creation and balance both ways with links that work without JavaScript', async () => {
    await sixty();
    const res = await agent.get('/admin/customers');
    expect(res.text).toContain('<th scope="col" aria-sort="ascending">');
    const byBalanceLink = /<a class="sort-link" href="([^"]*sort=balance[^"]*)"/
      .exec(res.text)?.[1]
      ?.replace(/&amp;/g, '&');
    expect(byBalanceLink).toBe('/admin/customers?sort=balance&dir=desc');
    const desc = await agent.get(byBalanceLink!);
    expect(desc.text).toContain('aria-sort="descending"');
    // ties (balance 20: Sort 60 only; 19: 57, 58, 59) are broken by id in the same direction
    expect(namesIn(desc.text).slice(0, 4)).toEqual(['Sort 60', 'Sort 59', 'Sort 58', 'Sort 57']);
    const asc = await agent.get('/admin/customers?sort=balance&dir=asc');
    expect(namesIn(asc.text).slice(0, 3)).toEqual(['Sort 01', 'Sort 02', 'Sort 03']);
    const byLogin = await agent.get('/admin/customers?sort=login&dir=asc');
    // customers without a login come first going up
    expect(namesIn(byLogin.text).slice(0, 7)).toEqual([
      'Sort 10',
      'Sort 20',
      'Sort 30',
      'Sort 40',
      'Sort 50',
      'Sort 60',
      'Sort 59',
    ]);
    const byName = await agent.get('/admin/customers?sort=name&dir=desc');
    expect(namesIn(byName.text)[0]).toBe('Sort 60');
    const byCreated = await agent.get('/admin/customers?sort=created&dir=asc');
    expect(namesIn(byCreated.text)[0]).toBe('Sort 01');
  });

  it('walks every sort forward with Next and back with Previous, seeing everyone exactly once', async () => {
    await sixty();
    for (const sort of ['name', 'login', 'created', 'balance'])
      for (const dir of ['asc', 'desc']) {
        const forward = await walk(`/admin/customers?sort=${sort}&dir=${dir}`, 'Next');
        expect(
          forward.map((p) => p.length),
          `${sort} ${dir}`,
        ).toEqual([25, 25, 10]);
        expect(new Set(forward.flat()).size).toBe(60);
        const last = await agent.get(`/admin/customers?sort=${sort}&dir=${dir}&page=last`);
        expect(namesIn(last.text)).toEqual(forward[2]);
        const backward = await walk(`/admin/customers?sort=${sort}&dir=${dir}&page=last`, 'Previous');
        expect(backward.reverse(), `${sort} ${dir}`).toEqual(forward);
      }
  });

  it('says which page of how many, and offers First, Previous, Next and Last', async () => {
    await sixty();
    const first = await agent.get('/admin/customers?sort=balance&dir=desc');
    expect(positionIn(first.text)).toBe('Page 1 of 3 (60 customers).');
    expect(Object.keys(pager(first.text))).toEqual(['Next', 'Last']);
    const second = await agent.get(pager(first.text).Next!);
    expect(positionIn(second.text)).toBe('Page 2 of 3 (60 customers).');
    expect(Object.keys(pager(second.text))).toEqual(['First', 'Previous', 'Next', 'Last']);
    expect(pager(second.text).First).toBe('/admin/customers?sort=balance&dir=desc');
    const last = await agent.get(pager(second.text).Last!);
    expect(positionIn(last.text)).toBe('Page 3 of 3 (60 customers).');
    expect(Object.keys(pager(last.text))).toEqual(['First', 'Previous']);
    const searched = await agent.get('/admin/customers?q=sort 1&sort=login&dir=desc');
    expect(positionIn(searched.text)).toBe('Page 1 of 1 (10 customers matching “sort 1”).');
  });

  it('starts a typed search in name order (cheap as the admin types) and keeps the search when a sort is clicked', async () => {
    await sixty();
    const sorted = await agent.get('/admin/customers?sort=created&dir=desc');
    expect(sorted.text).not.toContain('<input type="hidden" name="sort"');
    const res = await agent.get('/admin/customers?sort=created&dir=desc&q=sort 2');
    expect(res.text).toContain('href="/admin/customers?q=sort+2&amp;sort=created&amp;dir=asc"');
  });

  it('counts no further than 1,000 and says "more than" beyond', async () => {
    const roleId = await defaultRoleId(t.deps);
    const now = new Date();
    const rows = Array.from({ length: 1_001 }, (_, i) => ({
      name: `Bulk ${i}`,
      name_lower: `bulk ${i}`,
      role_id: roleId,
      trusted_ips: '',
      time_zone: 'UTC',
      language: 'en',
      out_date_format: 'YYYY-MM-DD',
      out_time_format: 'HH24:MI:SS',
      in_date_format: 'YYYY-MM-DD',
      in_time_format: 'HH24:MI:SS',
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 500) await t.deps.db('customers').insert(rows.slice(i, i + 500));
    await t.deps.services.customers.rebuildSearchKeys(); // what a bulk load does after writing the rows
    const first = await agent.get('/admin/customers');
    expect(positionIn(first.text)).toBe('Page 1 of more than 40 (more than 1,000 customers).');
    const searched = await agent.get('/admin/customers?q=b');
    expect(positionIn(searched.text)).toBe('Page 1 of more than 40 (more than 1,000 customers matching “b”).');
    const last = await agent.get('/admin/customers?page=last');
    expect(namesIn(last.text)).toHaveLength(25);
    // 1,001 rows: the last 25 start on row 977, within the counted ones
    expect(positionIn(last.text)).toBe('Page 40 of more than 40 (more than 1,000 customers).');
  });

  it('answers 403 to an admin without customers.read', async () => {
    const roleId = await createAdminRole(t.deps, 'Audit only', ['audit.read']);
    const auditor = await createAdmin(t.deps, 'auditor', 'correct horse battery', { roleId });
    const { agent: other } = await signInAdmin(t.app, auditor.login, auditor.password);
    expect((await other.get('/admin/customers?sort=balance&dir=desc')).status).toBe(403);
  });
});

describe('GET /admin/customers', () => {
  it('finds customers by the beginning of the name, e-mail or self-care login, ignoring case', async () => {
    await createCustomer(t.deps, { name: 'Northwind Traders', email: 'billing@northwind.example', login: 'nw-portal' });
    await createCustomer(t.deps, { name: 'Contoso', email: 'NORTHWIND-ops@contoso.example', login: 'contoso1' });
    await createCustomer(t.deps, { name: 'Fabrikam', email: 'a@fabrikam.example', login: 'North.Star' });
    await createCustomer(t.deps, { name: 'Old North Inn', email: 'inn@example.org', login: 'oldnorth' });
    const res = await agent.get('/admin/customers?q=NORTH');
    expect(res.status).toBe(200);
    expect(namesIn(res.text)).toEqual(['Contoso', 'Fabrikam', 'Northwind Traders']);
    expect(namesIn((await agent.get('/admin/customers?q=billing@')).text)).toEqual(['Northwind Traders']);
    expect(namesIn((await agent.get('/admin/customers?q=north.s')).text)).toEqual(['Fabrikam']);
  });

  it('treats % and _ in the search literally', async () => {
    await createCustomer(t.deps, { name: 'Percent 100% Ltd' });
    await createCustomer(t.deps, { name: 'Percent Other' });
    expect(namesIn((await agent.get(`/admin/customers?q=${encodeURIComponent('percent 100%')}`)).text)).toEqual([
      'Percent 100% Ltd',
    ]);
    expect(namesIn((await agent.get(`/admin/customers?q=${encodeURIComponent('percent_')}`)).text)).toEqual([]);
  });

  it('pages through the results 25 at a time without repeating or skipping anyone', async () => {
    for (let i = 1; i <= 30; i++)
      await createCustomer(t.deps, { name: `Zeta ${String(i).padStart(2, '0')}`, email: `z${i}@example.com` });
    await createCustomer(t.deps, { name: 'Alpha', email: 'zeta-fan@example.com' });
    const first = await agent.get('/admin/customers?q=ze');
    const page1 = namesIn(first.text);
    expect(page1).toHaveLength(25);
    expect(page1[0]).toBe('Alpha');
    const next = nextLink(first.text);
    expect(next).toBeDefined();
    const second = await agent.get(next!);
    const page2 = namesIn(second.text);
    expect(page2).toEqual(['Zeta 25', 'Zeta 26', 'Zeta 27', 'Zeta 28', 'Zeta 29', 'Zeta 30']);
    expect(nextLink(second.text)).toBeUndefined();
    expect(second.text).toMatch(/<a href="\/admin\/customers\?q=ze">First<\/a>/);
    expect(new Set([...page1, ...page2]).size).toBe(31);
  });

  it('pages through everyone when nothing is typed', async () => {
    for (let i = 1; i <= 26; i++) await createCustomer(t.deps, { name: `Cust ${String(i).padStart(2, '0')}` });
    const first = await agent.get('/admin/customers');
    expect(namesIn(first.text)).toHaveLength(25);
    expect(namesIn((await agent.get(nextLink(first.text)!)).text)).toEqual(['Cust 26']);
  });

  it('answers htmx with the results fragment only, and says Vary: HX-Request', async () => {
    await createCustomer(t.deps, { name: 'Globex' });
    const res = await agent.get('/admin/customers?q=glo').set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.headers.vary).toContain('HX-Request');
    expect(res.text.trimStart()).toMatch(/^(<%#[\s\S]*?%>)?\s*<div id="customer-results">/);
    expect(res.text).not.toContain('<html');
    expect(namesIn(res.text)).toEqual(['Globex']);
    const full = await agent.get('/admin/customers?q=glo');
    expect(full.headers.vary).toContain('HX-Request');
    expect(full.text).toContain('hx-trigger="input changed delay:300ms, search"');
  });

  it('says so when nobody matches', async () => {
    const res = await agent.get('/admin/customers?q=nobody-like-this');
    expect(res.text).toContain('No customer matches “nobody-like-this”');
  });
});

describe('POST /admin/customers', () => {
  it('creates a customer with the default role and default regional settings, then shows its page', async () => {
    const role = await defaultRoleId(t.deps);
    await createRole(t.deps, 'Other', allAt('read'));
    const page = await agent.get('/admin/customers/new');
    const res = await agent
      .post('/admin/customers')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        name: '  Initech  ',
        email: 'Ops@Initech.example',
        currency: 'EUR',
        credit_limit: '1250.50',
        company_name: 'Initech GmbH',
        country: 'de',
      });
    expect(res.status).toBe(303);
    const location = String(res.headers.location);
    const id = Number(/\/admin\/customers\/(\d+)$/.exec(location)?.[1]);
    const row = await t.deps.db('customers').where({ id }).first();
    expect(row).toMatchObject({
      name: 'Initech',
      name_lower: 'initech',
      email: 'Ops@Initech.example',
      email_lower: 'ops@initech.example',
      currency: 'EUR',
      role_id: role,
      time_zone: 'UTC',
      language: 'en',
      country: 'DE',
      selfcare_login: null,
      version: 1,
    });
    expect(Number(row.credit_limit)).toBe(1250.5);
    const shown = await agent.get(location);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Initech');
    expect(shown.text).toMatch(/EUR\s1,250\.50/);
    expect(shown.text).toContain('created with the default self-care role');
    const event = await t.deps.db('audit_events').where({ action: 'customer.create', entity_id: id }).first();
    expect(JSON.parse(String(event.changes)).name).toEqual({ old: null, new: 'Initech' });
  });

  it('refuses a missing name and a malformed e-mail, keeping what was typed', async () => {
    await defaultRoleId(t.deps);
    const page = await agent.get('/admin/customers/new');
    const res = await agent
      .post('/admin/customers')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: ' ', email: 'not-an-address', currency: 'EUR', credit_limit: '-5' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#name"');
    expect(res.text).toContain('Enter the customer’s name');
    expect(res.text).toContain('Enter an e-mail address like name@example.com');
    expect(res.text).toContain('href="#credit_limit"');
    expect(res.text).toContain('value="not-an-address"');
    expect(res.text).toMatch(/id="email"[^>]*aria-describedby="email-error"[^>]*aria-invalid="true"/);
    expect(await t.deps.db('customers').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('refuses to create a customer while no default role exists', async () => {
    const page = await agent.get('/admin/customers/new');
    const res = await agent
      .post('/admin/customers')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Nobody Inc', email: 'a@b.example', currency: 'USD' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('There is no default self-care role yet');
  });
});

describe('GET /admin/customers/:id', () => {
  it("writes amounts with group separators, as the admin pages' English writes them", async () => {
    const c = await createCustomer(t.deps, { name: 'Kyiv Telecom', balance: 5514.64, currency: 'UAH' });
    expect((await agent.get(`/admin/customers/${c.id}`)).text).toMatch(/UAH\s5,514\.64/);
    expect((await agent.get('/admin/customers').query({ q: 'Kyiv' })).text).toMatch(/UAH\s5,514\.64/);
  });

  it('shows the General tab with the balance and credit limit', async () => {
    const c = await createCustomer(t.deps, { name: 'Umbrella', balance: 42.5, creditLimit: 100, currency: 'GBP' });
    const res = await agent.get(`/admin/customers/${c.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/GBP\s42\.50/);
    expect(res.text).toMatch(/GBP\s100\.00/);
    expect(res.text).toMatch(/<a href="\/admin\/customers\/\d+" aria-current="page">General<\/a>/);
  });

  it('answers 404 for an unknown customer', async () => {
    expect((await agent.get('/admin/customers/424242')).status).toBe(404);
    expect((await agent.get('/admin/customers/0')).status).toBe(404);
  });
});

describe('POST /admin/customers/:id', () => {
  it('saves the edited basics and audits them', async () => {
    const c = await createCustomer(t.deps, { name: 'Hooli' });
    const page = await agent.get(`/admin/customers/${c.id}`);
    const fields = formFields(page.text, 'edit-title');
    const res = await agent
      .post(`/admin/customers/${c.id}`)
      .type('form')
      .send({ ...fields, name: 'Hooli XYZ', email: 'hello@hooli.example', phone: '+1 (555) 010-0199' });
    expect(res.status).toBe(303);
    expect(await t.deps.db('customers').where({ id: c.id }).first()).toMatchObject({
      name: 'Hooli XYZ',
      name_lower: 'hooli xyz',
      phone: '+1 (555) 010-0199',
      version: 2,
    });
    const event = await t.deps.db('audit_events').where({ action: 'customer.update', entity_id: c.id }).first();
    expect(JSON.parse(String(event.changes)).name).toEqual({ old: 'Hooli', new: 'Hooli XYZ' });
  });

  it('answers 409 when someone saved the customer meanwhile, and saves nothing', async () => {
    const c = await createCustomer(t.deps, { name: 'Vandelay', email: 'a@vandelay.example' });
    const page = await agent.get(`/admin/customers/${c.id}`);
    const fields = formFields(page.text, 'edit-title');
    expect(
      (
        await agent
          .post(`/admin/customers/${c.id}`)
          .type('form')
          .send({ ...fields, email: 'b@vandelay.example' })
      ).status,
    ).toBe(303);
    const stale = await agent
      .post(`/admin/customers/${c.id}`)
      .type('form')
      .send({ ...fields, name: 'Vandelay Industries' });
    expect(stale.status).toBe(409);
    expect(stale.text).toMatch(/E-mail<\/th><td>a@vandelay.example<\/td><td>b@vandelay.example<\/td>/);
    expect(formFields(stale.text, 'edit-title')).toMatchObject({
      name: 'Vandelay Industries',
      email: 'b@vandelay.example',
    });
    expect(await t.deps.db('customers').where({ id: c.id }).first()).toMatchObject({
      name: 'Vandelay',
      email: 'b@vandelay.example',
    });
  });
});

describe('who may open the admin customer pages', () => {
  it('sends a visitor without a session to sign in, and changes nothing on a post', async () => {
    const c = await createCustomer(t.deps);
    const anon = request.agent(t.app);
    for (const url of [
      '/admin/customers',
      '/admin/customers/new',
      `/admin/customers/${c.id}`,
      `/admin/customers/${c.id}/self-care`,
      '/admin/audit',
      `/admin/customers/${c.id}/audit`,
    ]) {
      const res = await anon.get(url);
      expect(res.status, url).toBe(303);
      expect(res.headers.location).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
    }
    const res = await anon
      .post(`/admin/customers/${c.id}/self-care`)
      .type('form')
      .send({ language: 'de', version: '1' });
    expect([303, 403]).toContain(res.status);
    expect((await t.deps.db('customers').where({ id: c.id }).first()).language).toBe('en');
  });

  it('does not let a signed-in self-care customer open the admin pages', async () => {
    const c = await createCustomer(t.deps, { login: 'portal-user' });
    const portal = request.agent(t.app);
    const signInPage = await portal.get('/login');
    const signIn = await portal
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(signInPage.text), login: 'portal-user', password: c.password });
    expect(signIn.status).toBe(303);
    expect((await portal.get(signIn.headers.location as string)).status).toBe(200);
    for (const url of ['/admin/customers', `/admin/customers/${c.id}/self-care`, '/admin/audit']) {
      const res = await portal.get(url);
      expect(res.status, url).toBe(303);
      expect(res.headers.location).toMatch(/^\/admin\/login/);
    }
    // the portal cookie presented under the admin cookie's name opens nothing either
    const portalCookie = ([] as string[])
      .concat(signIn.headers['set-cookie'] ?? [])
      .find((v) => v.startsWith('sc_portal='));
    const value = portalCookie?.split(';')[0]?.slice('sc_portal='.length);
    expect(value).toBeTruthy();
    const forged = await request(t.app).get(`/admin/customers/${c.id}/self-care`).set('Cookie', `sc_admin=${value}`);
    expect(forged.status).toBe(303);
    expect(forged.headers.location).toMatch(/^\/admin\/login/);
  });
});
