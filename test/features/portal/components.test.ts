import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComponentKey, Level, PermissionMap } from '../../../src/access/permissions.ts';
import { setTemplateCache } from '../../../src/http/render.ts';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import {
  allAt,
  createCustomer,
  createIndividual,
  createInvoice,
  createPayment,
  createRole,
  createXdr,
  setRolePermissions,
} from '../../helpers/fixtures.ts';
import { postPortalLogin, signInPortal, type Agent } from '../../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

interface Setup {
  agent: Agent;
  csrf: string;
  roleId: number;
  customerId: number;
  invoiceId: number;
  setLevel(component: ComponentKey, level: Level): Promise<void>;
}

/** A customer whose role reads everything; each test sets one component's level. */
async function setup(base: PermissionMap = allAt('read')): Promise<Setup> {
  const roleId = await createRole(t.deps, 'Under test', base);
  const c = await createCustomer(t.deps, {
    roleId,
    name: 'Acme Ltd',
    companyName: 'Acme Ltd',
    contactName: 'Ann Smith',
    city: 'Lyon',
    balance: 12.5,
    creditLimit: 100,
    currency: 'EUR',
  });
  const invoiceId = await createInvoice(t.deps, c.id, { number: 'INV-1', amount: 42, currency: 'EUR' });
  await createXdr(t.deps, c.id, { cld: '4930123456' });
  await createPayment(t.deps, c.id, { reference: 'PAY-XYZ', currency: 'EUR' });
  const { agent, csrf } = await signInPortal(t.app, c.login ?? '', c.password);
  return {
    agent,
    csrf,
    roleId,
    customerId: c.id,
    invoiceId,
    setLevel: (component, level) => setRolePermissions(t.deps, roleId, { ...base, [component]: level }),
  };
}

const navOf = (html: string) => /<nav aria-label="Self-care">[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';

const PAGES: ReadonlyArray<{ component: ComponentKey; path: string; nav?: string; shows: string }> = [
  { component: 'dashboard', path: '/', nav: '/', shows: 'Balance' },
  { component: 'profile', path: '/profile', nav: '/profile', shows: 'Company name' },
  { component: 'invoices', path: '/invoices', nav: '/invoices', shows: 'INV-1' },
  { component: 'xdrs', path: '/xdrs', nav: '/xdrs', shows: '4930123456' },
  { component: 'payments', path: '/payments', nav: '/payments', shows: 'PAY-XYZ' },
  { component: 'settings.regional', path: '/settings', shows: 'Time zone' },
  { component: 'settings.password', path: '/settings/password', shows: 'Change password' },
];

describe('the navigation, kept once rendered (as in production)', () => {
  it('shows a role change on the next request, and marks the page it is on', async () => {
    setTemplateCache(true);
    try {
      const s = await setup();
      expect(navOf((await s.agent.get('/')).text)).toContain('href="/invoices"');
      await s.setLevel('invoices', 'hidden');
      expect(navOf((await s.agent.get('/')).text)).not.toContain('href="/invoices"');
      await s.setLevel('invoices', 'read');
      const nav = navOf((await s.agent.get('/')).text);
      expect(nav).toContain('href="/invoices"');
      expect(nav).toContain('href="/" aria-current="page"');
      const onInvoices = navOf((await s.agent.get('/invoices')).text);
      expect(onInvoices).toContain('href="/invoices" aria-current="page"');
      expect(onInvoices).not.toContain('href="/" aria-current');
    } finally {
      setTemplateCache(false);
    }
  });
});

describe('a component the role hides', () => {
  for (const page of PAGES) {
    it(`answers 403 on ${page.path} and leaves ${page.component} out of the navigation`, async () => {
      const s = await setup();
      await s.setLevel(page.component, 'hidden');
      const res = await s.agent.get(page.path);
      expect(res.status).toBe(403);
      expect(res.text).toContain('Access denied');
      expect(res.text).not.toContain(page.shows === 'Balance' ? 'id="balance"' : page.shows);
      if (page.nav) {
        const other = await s.agent.get(page.path === '/' ? '/profile' : '/');
        expect(navOf(other.text)).not.toContain(`href="${page.nav}"`);
      }
      // the session stays: a 403 is not a sign-out
      expect((await s.agent.get(page.path === '/' ? '/profile' : '/')).status).toBe(200);
    });

    it(`shows ${page.path} at View only`, async () => {
      const s = await setup();
      const res = await s.agent.get(page.path);
      expect(res.status).toBe(200);
      expect(res.text).toContain(page.shows);
    });
  }

  it('answers 403 for an invoice detail when invoices are hidden', async () => {
    const s = await setup();
    await s.setLevel('invoices', 'hidden');
    expect((await s.agent.get(`/invoices/${s.invoiceId}`)).status).toBe(403);
  });

  it('answers 403, never 404, on every portal page of a component the role hides', async () => {
    const pagesOf: ReadonlyArray<[ComponentKey, string[]]> = [
      ['dashboard', ['/']],
      ['profile', ['/profile', '/profile/contacts', '/profile/address']],
      ['profile.contacts', ['/profile/contacts']],
      ['profile.address', ['/profile/address']],
      ['invoices', ['/invoices', '/invoices/1']],
      ['xdrs', ['/xdrs']],
      ['payments', ['/payments']],
      ['individuals', ['/individuals', '/individuals/1']],
      ['api_access', ['/api-tokens']],
      ['settings', ['/settings', '/settings/password']],
      ['settings.regional', ['/settings']],
      ['settings.password', ['/settings/password']],
    ];
    const s = await setup(allAt('modify'));
    for (const [component, paths] of pagesOf) {
      await setRolePermissions(t.deps, s.roleId, { ...allAt('modify'), [component]: 'hidden' });
      for (const path of paths) {
        const res = await s.agent.get(path);
        expect(`${component} ${path} ${res.status}`).toBe(`${component} ${path} 403`);
        expect(res.text).toContain('Access denied');
      }
    }
  });

  it('opens the profile at the section whose own address is asked for when the role shows it', async () => {
    const s = await setup();
    const res = await s.agent.get('/profile/address');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile#profile-address');
  });

  it('hides Settings from the navigation only when both of its items are hidden', async () => {
    const s = await setup();
    await setRolePermissions(t.deps, s.roleId, { ...allAt('read'), 'settings.regional': 'hidden' });
    expect(navOf((await s.agent.get('/')).text)).toContain('href="/settings/password"');
    await setRolePermissions(t.deps, s.roleId, { ...allAt('read'), settings: 'hidden' });
    expect(navOf((await s.agent.get('/')).text)).not.toContain('Settings');
  });

  it('sends a viewer without a dashboard to its first permitted page after sign-in', async () => {
    const roleId = await createRole(t.deps, 'Invoices only', { invoices: 'read' });
    const c = await createCustomer(t.deps, { roleId });
    const { agent, res } = await postPortalLogin(t.app, c.login ?? '', c.password);
    expect(res.headers.location).toBe('/invoices');
    const page = await agent.get('/invoices');
    expect(page.status).toBe(200);
    expect(navOf(page.text)).not.toContain('href="/"');
  });
});

const EDITS: ReadonlyArray<{
  component: ComponentKey;
  page: string;
  action: string;
  body: Record<string, string>;
  column: string;
  value: string;
}> = [
  {
    component: 'profile',
    page: '/profile',
    action: '/profile',
    body: { company_name: 'Acme Holdings' },
    column: 'company_name',
    value: 'Acme Holdings',
  },
  {
    component: 'profile.contacts',
    page: '/profile',
    action: '/profile/contacts',
    body: { contact_name: 'Bob Jones', email: 'bob@example.com', phone: '+49 30 1234' },
    column: 'contact_name',
    value: 'Bob Jones',
  },
  {
    component: 'profile.address',
    page: '/profile',
    action: '/profile/address',
    body: { address_line1: '1 Main St', address_line2: '', city: 'Paris', postal_code: '75001', country: 'fr' },
    column: 'city',
    value: 'Paris',
  },
  {
    component: 'settings.regional',
    page: '/settings',
    action: '/settings',
    body: {
      time_zone: 'Europe/Berlin',
      language: 'en',
      out_date_format: 'DD.MM.YYYY',
      out_time_format: 'HH24:MI',
      in_date_format: 'DD.MM.YYYY',
      in_time_format: 'HH24:MI',
    },
    column: 'time_zone',
    value: 'Europe/Berlin',
  },
];

describe('a component at View only', () => {
  for (const edit of EDITS) {
    it(`shows ${edit.component} without any edit control and refuses a post to ${edit.action} with 403`, async () => {
      const s = await setup();
      const page = await s.agent.get(edit.page);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(`action="${edit.action}"`);
      const res = await s.agent
        .post(edit.action)
        .type('form')
        .send({ _csrf: s.csrf, ...edit.body });
      expect(res.status).toBe(403);
      const row = await t.deps.db('customers').where({ id: s.customerId }).first();
      expect(row[edit.column]).not.toBe(edit.value);
    });
  }

  it('shows the password page without a form and refuses a change with 403', async () => {
    const s = await setup();
    const page = await s.agent.get('/settings/password');
    expect(page.text).not.toContain('action="/settings/password"');
    const res = await s.agent
      .post('/settings/password')
      .type('form')
      .send({ _csrf: s.csrf, current_password: 'x', new_password: 'y', new_password_confirm: 'y' });
    expect(res.status).toBe(403);
  });
});

describe('a component at Full', () => {
  for (const edit of EDITS) {
    it(`saves a change through ${edit.action} and audits it`, async () => {
      const s = await setup();
      await s.setLevel(edit.component, 'modify');
      const page = await s.agent.get(edit.page);
      expect(page.text).toContain(`action="${edit.action}"`);
      const res = await s.agent
        .post(edit.action)
        .type('form')
        .send({ _csrf: s.csrf, ...edit.body });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(edit.page);
      const row = await t.deps.db('customers').where({ id: s.customerId }).first();
      expect(row[edit.column]).toBe(edit.value);
      const audit = await t.deps
        .db('audit_events')
        .where({ customer_id: s.customerId })
        .whereNot({ action: 'portal.login' })
        .orderBy('id', 'desc')
        .first();
      expect(audit).toMatchObject({ actor_type: 'customer', actor_id: s.customerId, entity_type: 'customer' });
      expect(JSON.parse(audit.changes)[edit.column].new).toBe(edit.value);
      expect((await s.agent.get(edit.page)).text).toMatch(/(was|were) saved/);
    });
  }

  it('re-renders the profile with a summary and keeps the values when a field is wrong', async () => {
    const s = await setup();
    await s.setLevel('profile.contacts', 'modify');
    const res = await s.agent
      .post('/profile/contacts')
      .type('form')
      .send({ _csrf: s.csrf, contact_name: 'Bob', email: 'not-an-address', phone: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="not-an-address"');
    expect(res.text).toContain('href="#email"');
    expect(res.text).toContain('aria-describedby="email-error" aria-invalid="true"');
  });

  it('edits only the sections whose level is Full', async () => {
    const s = await setup();
    await setRolePermissions(t.deps, s.roleId, {
      ...allAt('read'),
      'profile.address': 'modify',
      'profile.contacts': 'hidden',
    });
    const page = await s.agent.get('/profile');
    expect(page.text).toContain('action="/profile/address"');
    expect(page.text).not.toContain('action="/profile"');
    expect(page.text).not.toContain('Contact person');
    expect(
      (
        await s.agent
          .post('/profile/contacts')
          .type('form')
          .send({ _csrf: s.csrf, contact_name: 'X', email: '', phone: '' })
      ).status,
    ).toBe(403);
  });

  it('changes the password, keeps this session and ends the others', async () => {
    const roleId = await createRole(t.deps, 'Full', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId });
    const first = await signInPortal(t.app, c.login ?? '', c.password);
    const second = await signInPortal(t.app, c.login ?? '', c.password);
    const wrong = await first.agent.post('/settings/password').type('form').send({
      _csrf: first.csrf,
      current_password: 'not it at all',
      new_password: 'amber forest violin 42',
      new_password_confirm: 'amber forest violin 42',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('The current password is incorrect');
    const res = await first.agent.post('/settings/password').type('form').send({
      _csrf: first.csrf,
      current_password: c.password,
      new_password: 'amber forest violin 42',
      new_password_confirm: 'amber forest violin 42',
    });
    expect(res.status).toBe(303);
    expect((await first.agent.get('/')).status).toBe(200);
    const ended = await second.agent.get('/');
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/login');
    const audit = await t.deps.db('audit_events').where({ action: 'portal.password.change' }).first();
    expect(JSON.parse(audit.changes)).toEqual({
      password: { old: 'changed', new: 'changed' },
      version: { old: 1, new: 2 },
    });
  });
});

describe('an individual', () => {
  it('never gets more than its customer', async () => {
    const customerRole = await createRole(t.deps, 'Customer', { ...allAt('read'), invoices: 'hidden' });
    const individualRole = await createRole(t.deps, 'Staff', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: customerRole });
    const i = await createIndividual(t.deps, c.id, { roleId: individualRole });
    const { agent, csrf } = await signInPortal(t.app, i.login, i.password);
    expect((await agent.get('/invoices')).status).toBe(403);
    expect((await agent.post('/profile').type('form').send({ _csrf: csrf, company_name: 'Taken over' })).status).toBe(
      403,
    );
    expect((await agent.get('/payments')).status).toBe(200);
  });

  it('overrides the regional settings for itself only, and blank inherits', async () => {
    const role = await createRole(t.deps, 'Full', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: role, timeZone: 'America/New_York' });
    const i = await createIndividual(t.deps, c.id, { roleId: role });
    const { agent, csrf } = await signInPortal(t.app, i.login, i.password);
    const page = await agent.get('/settings');
    expect(page.text).toContain('Leave it empty to use the company’s (America/New_York).');
    const res = await agent.post('/settings').type('form').send({
      _csrf: csrf,
      time_zone: 'Asia/Tokyo',
      language: '',
      out_date_format: '',
      out_time_format: '',
      in_date_format: '',
      in_time_format: '',
    });
    expect(res.status).toBe(303);
    const ind = await t.deps.db('individuals').where({ id: i.id }).first();
    expect(ind.time_zone).toBe('Asia/Tokyo');
    expect(ind.language).toBeNull();
    const cust = await t.deps.db('customers').where({ id: c.id }).first();
    expect(cust.time_zone).toBe('America/New_York');
  });

  it('switches the interface to the language it saves', async () => {
    const role = await createRole(t.deps, 'Full', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: role });
    const i = await createIndividual(t.deps, c.id, { roleId: role });
    const { agent, csrf } = await signInPortal(t.app, i.login, i.password);
    await agent.post('/settings').type('form').send({
      _csrf: csrf,
      time_zone: '',
      language: 'fr',
      out_date_format: '',
      out_time_format: '',
      in_date_format: '',
      in_time_format: '',
    });
    expect((await agent.get('/settings')).text).toContain('<html lang="fr">');
  });
});

describe('POST /settings', () => {
  it('refuses a wrong format and time zone with the summary in the viewer language', async () => {
    const role = await createRole(t.deps, 'Full', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: role });
    const { agent, csrf } = await signInPortal(t.app, c.login ?? '', c.password);
    const res = await agent.post('/settings').type('form').send({
      _csrf: csrf,
      time_zone: 'Mars/Base',
      language: 'en',
      out_date_format: 'DD/MM',
      out_time_format: 'HH24:MI',
      in_date_format: 'YYYY-MM-DD',
      in_time_format: 'HH24:MI',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('href="#time_zone"');
    expect(res.text).toContain('href="#out_date_format"');
    expect(res.text).toContain('value="DD/MM"');
    expect(res.text).toContain('Date format for display: enter a pattern with a day, a month and a year');
    expect(res.text).toContain('Time zone: no zone is called “Mars/Base”');
  });

  it('takes a city typed in any case as its zone, and lists the zones of an ambiguous entry', async () => {
    const role = await createRole(t.deps, 'Full', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: role });
    const { agent, csrf } = await signInPortal(t.app, c.login ?? '', c.password);
    const fields = {
      _csrf: csrf,
      language: 'en',
      out_date_format: 'YYYY-MM-DD',
      out_time_format: 'HH24:MI',
      in_date_format: 'YYYY-MM-DD',
      in_time_format: 'HH24:MI',
    };
    const saved = await agent
      .post('/settings')
      .type('form')
      .send({ ...fields, time_zone: 'tokyo' });
    expect(saved.status).toBe(303);
    expect((await t.deps.db('customers').where({ id: c.id }).first()).time_zone).toBe('Asia/Tokyo');
    const ambiguous = await agent
      .post('/settings')
      .type('form')
      .send({ ...fields, time_zone: 'america/new' });
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.text).toMatch(/Time zone: “america\/new” could be [^<]*America\/New_York/);
  });
});

describe('the regional settings form', () => {
  const typed = {
    time_zone: 'tokyo',
    language: 'en',
    out_date_format: 'custom',
    out_date_format_custom: 'YYYY/MM/DD',
    out_time_format: 'HH24:MI',
    in_date_format: 'YYYY-MM-DD',
    in_time_format: 'HH24:MI',
  };

  it('offers the format menus, a searchable zone list and a preview of the saved settings', async () => {
    const role = await createRole(t.deps, 'Full', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: role, timeZone: 'Europe/Paris' });
    const { agent } = await signInPortal(t.app, c.login ?? '', c.password);
    const page = (await agent.get('/settings')).text;
    expect(page).toMatch(/<select[^>]*name="out_date_format"/);
    expect(page).toContain('<option value="DD/MM/YYYY"');
    expect(page).toContain('Custom pattern (below)');
    expect(page).toMatch(/<input[^>]*name="time_zone"[^>]*list="time-zone-options"/);
    const zones = [...page.matchAll(/<option value="([^"]+)" label="\(UTC([+-]\d\d):(\d\d)\)/g)];
    const offsets = zones.map((z) => Number(z[2]) * 60 + Math.sign(Number(`${z[2]}1`)) * Number(z[3]));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(page).toContain('Preview (now)');
    expect(page).toContain('(UTC+01:00) Europe/Paris');
  });

  it('previews a custom pattern and a zone typed as "tokyo", without JavaScript and with htmx, and saves them', async () => {
    const role = await createRole(t.deps, 'Full', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: role });
    const { agent, csrf } = await signInPortal(t.app, c.login ?? '', c.password);
    const page = await agent
      .post('/settings/preview')
      .type('form')
      .send({ _csrf: csrf, ...typed, regional_action: 'preview' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post" action="/settings"');
    expect(page.text).toContain('value="Asia/Tokyo"');
    expect(page.text).toContain('value="YYYY/MM/DD"');
    expect(page.text).toMatch(/<option value="custom" selected/);
    expect(page.text).toContain('(UTC+09:00) Asia/Tokyo');
    expect(page.text).toMatch(/<dd>\d{4}\/\d\d\/\d\d \d\d:\d\d<\/dd>/);
    expect((await t.deps.db('customers').where({ id: c.id }).first()).time_zone).not.toBe('Asia/Tokyo');

    const fragment = await agent
      .post('/settings/preview')
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrf, ...typed, out_date_format_custom: 'DD/MM' });
    expect(fragment.text.trim()).toMatch(/^<div id="regional-preview"/);
    expect(fragment.text).toContain('No preview until these are fixed');
    expect(fragment.text).toContain('Date format for display: enter a pattern with a day, a month and a year');

    expect((await agent.get('/settings/preview').redirects(0)).headers.location).toBe('/settings');

    const saved = await agent
      .post('/settings')
      .type('form')
      .send({ _csrf: csrf, ...typed });
    expect(saved.status).toBe(303);
    const stored = await t.deps.db('customers').where({ id: c.id }).first();
    expect([stored.time_zone, stored.out_date_format]).toEqual(['Asia/Tokyo', 'YYYY/MM/DD']);
  });

  it('refuses the preview without the right to change the settings, and without the CSRF token', async () => {
    const role = await createRole(t.deps, 'Reader', { ...allAt('modify'), 'settings.regional': 'read' });
    const c = await createCustomer(t.deps, { roleId: role });
    const { agent, csrf } = await signInPortal(t.app, c.login ?? '', c.password);
    expect(
      (
        await agent
          .post('/settings/preview')
          .type('form')
          .send({ _csrf: csrf, ...typed })
      ).status,
    ).toBe(403);
    const full = await createRole(t.deps, 'Full', allAt('modify'));
    const d = await createCustomer(t.deps, { roleId: full });
    const other = await signInPortal(t.app, d.login ?? '', d.password);
    expect((await other.agent.post('/settings/preview').type('form').send(typed)).status).toBe(403);
  });
});

describe('htmx', () => {
  it('answers a list request with the table fragment only and Vary: HX-Request', async () => {
    const s = await setup();
    for (const [path, id] of [
      ['/invoices', 'invoices-table'],
      ['/payments', 'payments-table'],
      ['/xdrs', 'xdrs-panel'],
    ] as const) {
      const full = await s.agent.get(path);
      const fragment = await s.agent.get(path).set('HX-Request', 'true');
      expect(full.text).toContain('<html');
      expect(fragment.text).not.toContain('<html');
      expect(fragment.text.trim().startsWith(`<div id="${id}">`) || fragment.text.includes(`<div id="${id}">`)).toBe(
        true,
      );
      expect(String(fragment.headers.vary)).toMatch(/HX-Request/i);
      expect(String(full.headers.vary)).toMatch(/HX-Request/i);
    }
  });
});
