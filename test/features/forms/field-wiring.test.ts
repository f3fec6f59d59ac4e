// Every form field is drawn by views/partials/_field.ejs. Whatever the form, a problem listed in the
// error summary must lead to its field: the link's target is a labelled control that is marked
// invalid and names its error message (and its hint, when it has one) in aria-describedby.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole, defaultRoleId } from '../../helpers/fixtures.ts';
import { signInPortal, type Agent } from '../../helpers/portal.ts';

let t: TestApp;
let admin: { agent: Agent; csrf: string };
let portal: { agent: Agent; csrf: string };
let customerId: number;
let individualId: number;
let staffRole: number;

beforeAll(async () => {
  t = await createTestApp();
  const a = await createAdmin(t.deps);
  admin = await signInAdmin(t.app, a.login, a.password);
  staffRole = await createRole(t.deps, 'Staff', allAt('modify'));
  const c = await createCustomer(t.deps, { login: 'acme', roleId: await defaultRoleId(t.deps) });
  customerId = c.id;
  individualId = (await createIndividual(t.deps, c.id, { login: 'acme-ann', roleId: staffRole })).id;
  portal = await signInPortal(t.app, 'acme', c.password);
});
afterAll(async () => {
  await t.close();
});

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tagWithId = (html: string, id: string) =>
  new RegExp(`<(input|select|textarea|fieldset)\\b[^>]*\\sid="${escapeRe(id)}"[^>]*>`).exec(html);
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** Problems of the summary whose target is not wired to its field, as readable sentences. */
function miswired(html: string): string[] {
  const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
  const targets = [...new Set([...summary.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]!))];
  if (targets.length === 0) return ['no problem listed in an error summary'];
  return targets.flatMap((id) => {
    const found = tagWithId(html, id);
    if (!found) return [`#${id}: no control with that id`];
    const [tag, element] = [found[0], found[1]];
    const describedBy = (attr(tag, 'aria-describedby') ?? '').split(' ');
    const problems: string[] = [];
    if (!describedBy.includes(`${id}-error`)) problems.push(`#${id}: aria-describedby leaves out ${id}-error`);
    if (!html.includes(`id="${id}-error"`)) problems.push(`#${id}: no ${id}-error message`);
    for (const other of describedBy.filter((d) => d !== `${id}-error`))
      if (!html.includes(`id="${other}"`)) problems.push(`#${id}: describedby names a missing #${other}`);
    if (element === 'fieldset') return problems; // a group (e.g. allowed roles) has a legend, not a label
    if (attr(tag, 'aria-invalid') !== 'true') problems.push(`#${id}: not aria-invalid`);
    if (!html.includes(`<label for="${id}"`)) problems.push(`#${id}: no label`);
    return problems;
  });
}

const FORMS: ReadonlyArray<{ name: string; send: () => Promise<request.Response> }> = [
  {
    name: 'admin sign-in',
    send: async () => {
      const agent = request.agent(t.app);
      const page = await agent.get('/admin/login');
      return agent
        .post('/admin/login')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), login: '', password: '' });
    },
  },
  {
    name: 'new customer',
    send: () =>
      admin.agent
        .post('/admin/customers')
        .type('form')
        .send({ _csrf: admin.csrf, name: '', email: 'bad', currency: 'XXX', credit_limit: 'abc', country: 'Germany' }),
  },
  {
    name: 'Web self-care panel',
    send: async () => {
      const page = await admin.agent.get(`/admin/customers/${customerId}/self-care`);
      const version = /name="version" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
      return admin.agent.post(`/admin/customers/${customerId}/self-care`).type('form').send({
        _csrf: admin.csrf,
        version,
        login: 'x',
        password: 'short',
        ip_restriction: 'on',
        trusted_ips: '10.1\n300.1.1.1',
        time_zone: 'Mars/Base',
        language: 'xx',
        out_date_format: 'custom',
        out_date_format_custom: 'QQ',
        out_time_format: 'HH24:MI:SS',
        in_date_format: 'YYYY-MM-DD',
        in_time_format: 'HH24:MI:SS',
      });
    },
  },
  {
    name: 'new individual (admin)',
    send: () =>
      admin.agent.post(`/admin/customers/${customerId}/individuals`).type('form').send({
        _csrf: admin.csrf,
        login: 'x',
        password: 'short',
        email: 'bad',
        role_id: '',
        activation_at: 'never',
        expiration_at: 'soon',
      }),
  },
  {
    name: 'new administrator',
    send: () =>
      admin.agent.post('/admin/admins').type('form').send({
        _csrf: admin.csrf,
        login: 'x',
        name: '',
        email: 'bad',
        password: 'short',
        admin_role_id: '',
        status: 'active',
      }),
  },
  {
    name: 'new role',
    send: () =>
      admin.agent
        .post('/admin/roles')
        .type('form')
        .send({
          _csrf: admin.csrf,
          name: '',
          type: 'customer_selfcare',
          description: 'x'.repeat(600),
          'perm[dashboard]': 'bogus',
        }),
  },
  {
    name: 'API token (admin)',
    send: () =>
      admin.agent
        .post(`/admin/customers/${customerId}/api-tokens`)
        .type('form')
        .send({ _csrf: admin.csrf, request_id: 'field-wiring-1', name: '', expires_on: '2001-01-01' }),
  },
  { name: 'audit filters', send: () => admin.agent.get('/admin/audit?ip=not-an-ip&from=x') },
  {
    name: 'allowed roles',
    send: () =>
      admin.agent
        .post(`/admin/customers/${customerId}/allowed-roles`)
        .type('form')
        .send({ _csrf: admin.csrf, role_ids: [] }),
  },
  {
    name: 'portal sign-in',
    send: async () => {
      const agent = request.agent(t.app);
      const page = await agent.get('/login');
      return agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), login: '', password: '' });
    },
  },
  {
    name: 'portal contacts',
    send: () => portal.agent.post('/profile/contacts').type('form').send({ _csrf: portal.csrf, email: 'bad' }),
  },
  {
    name: 'portal regional settings',
    send: () =>
      portal.agent.post('/settings').type('form').send({
        _csrf: portal.csrf,
        time_zone: 'Mars/Base',
        language: 'xx',
        out_date_format: 'QQ',
        out_time_format: 'HH24:MI:SS',
        in_date_format: 'YYYY-MM-DD',
        in_time_format: 'ZZ',
      }),
  },
  {
    name: 'portal password',
    send: () =>
      portal.agent
        .post('/settings/password')
        .type('form')
        .send({ _csrf: portal.csrf, current_password: 'wrong', new_password: 'short', new_password_confirm: 'other' }),
  },
  {
    name: 'new individual (portal)',
    send: () =>
      portal.agent
        .post('/individuals')
        .type('form')
        .send({ _csrf: portal.csrf, login: 'x', password: 'short', email: 'bad', role_id: '', activation_at: 'x' }),
  },
  {
    name: 'individual (portal)',
    send: async () => {
      const page = await portal.agent.get(`/individuals/${individualId}`);
      const version = /name="version" value="([^"]*)"/.exec(page.text)?.[1] ?? '';
      return portal.agent
        .post(`/individuals/${individualId}`)
        .type('form')
        .send({
          _csrf: portal.csrf,
          form: 'edit',
          version,
          name: 'Ann',
          email: 'bad',
          role_id: String(staffRole),
          activation_at: 'x',
        });
    },
  },
  {
    name: 'API token (portal)',
    send: () =>
      portal.agent
        .post('/api-tokens')
        .type('form')
        .send({ _csrf: portal.csrf, request_id: 'field-wiring-2', name: '', expires_on: 'bad' }),
  },
  { name: 'call history filter', send: () => portal.agent.get('/xdrs?from=bad&to=worse') },
];

describe('a form answered with its problems', () => {
  it.each(FORMS)(
    'links every problem of the $name summary to a labelled, invalid control that names its message',
    async ({ send }) => {
      const res = await send();
      expect(res.status).toBe(422);
      expect(miswired(res.text)).toEqual([]);
    },
  );

  it('lists every error of one field under it, each line of the trusted list on its own', async () => {
    const res = await FORMS.find((f) => f.name === 'Web self-care panel')!.send();
    const list =
      /<ul id="trusted_ips-error" class="field-error field-error--list">([\s\S]*?)<\/ul>/.exec(res.text)?.[1] ?? '';
    expect(list.match(/<li>/g)).toHaveLength(2);
    expect(list).toContain('line 1');
    expect(list).toContain('line 2');
  });
});
