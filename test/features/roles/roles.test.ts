import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import { getDefaultRoleId, listSelfcareRoles, loadRolePermissions } from '../../../src/features/roles/service.ts';

let t: TestApp;
let agent: Awaited<ReturnType<typeof signInAdmin>>['agent'];
let csrf: string;

beforeEach(async () => {
  t = await createTestApp();
  const admin = await createAdmin(t.deps);
  ({ agent, csrf } = await signInAdmin(t.app, admin.login, admin.password));
});
afterEach(async () => {
  await t.close();
});

/** A complete role form: every top-level component at `level`, items inherit. */
function roleForm(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    _csrf: csrf,
    name,
    description: 'Staff',
    type: 'customer_selfcare',
    'perm[dashboard]': 'read',
    'perm[profile]': 'modify',
    'perm[profile.contacts]': '',
    'perm[profile.address]': 'read',
    'perm[invoices]': 'read',
    'perm[xdrs]': 'hidden',
    'perm[payments]': 'read',
    'perm[individuals]': 'hidden',
    'perm[api_access]': 'hidden',
    'perm[settings]': 'modify',
    'perm[settings.regional]': '',
    'perm[settings.password]': '',
    ...extra,
  };
}

async function auditRows(action: string) {
  return t.deps.db('audit_events').where({ action }).orderBy('id');
}

describe('GET /admin/roles/new', () => {
  it('offers no Type menu while customer self-care is the only role type, and still sends the type', async () => {
    const page = await agent.get('/admin/roles/new');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<select id="type"');
    expect(page.text).not.toContain('>Type</label>');
    expect(page.text).toContain('<input type="hidden" name="type" value="customer_selfcare">');
  });
});

describe('POST /admin/roles', () => {
  it('saves the permission tree and reads it back on the edit page', async () => {
    const res = await agent.post('/admin/roles').type('form').send(roleForm('Accountant'));
    expect(res.status).toBe(303);
    const id = Number(/\/admin\/roles\/(\d+)$/.exec(res.headers.location as string)?.[1]);
    expect(await loadRolePermissions(t.deps.db, id)).toEqual({
      dashboard: 'read',
      profile: 'modify',
      'profile.address': 'read',
      invoices: 'read',
      xdrs: 'hidden',
      payments: 'read',
      individuals: 'hidden',
      api_access: 'hidden',
      settings: 'modify',
    });
    const page = await agent.get(`/admin/roles/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Role “Accountant” created.');
    expect(page.text).toMatch(/<select id="perm\[profile.address\]"[\s\S]*?<option value="read" selected>View only/);
    expect(page.text).toMatch(
      /<select id="perm\[profile.contacts\]"[\s\S]*?<option value="" selected>Inherit from Profile/,
    );
  });

  it('shows the effective level of an inherited item next to it', async () => {
    const res = await agent.post('/admin/roles').type('form').send(roleForm('Accountant'));
    const page = await agent.get(res.headers.location as string);
    const cell = (key: string) =>
      new RegExp(`<td id="effective-${key.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</td>`).exec(page.text)?.[1] ?? '';
    expect(cell('profile.contacts')).toContain('Full');
    expect(cell('profile.contacts')).toContain('inherited from Profile');
    expect(cell('profile.address')).toContain('View only');
    expect(cell('profile.address')).not.toContain('inherited');
    expect(cell('settings.password')).toContain('Full');
  });

  it('refuses a missing top-level level and an unknown level, names the fields and keeps the values', async () => {
    const res = await agent
      .post('/admin/roles')
      .type('form')
      .send(roleForm('Partial', { 'perm[dashboard]': '', 'perm[xdrs]': 'admin' }));
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<title>Error:/);
    expect(res.text).toContain('href="#perm[dashboard]"');
    expect(res.text).toContain('href="#perm[xdrs]"');
    expect(res.text).toContain('aria-describedby="perm[dashboard]-error" aria-invalid="true"');
    expect(res.text).toContain('value="Partial"');
    expect(await t.deps.db('roles').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('refuses a name already used by a role of the same type, whatever the letter case', async () => {
    await createRole(t.deps, 'Accountant', allAt('read'));
    const res = await agent.post('/admin/roles').type('form').send(roleForm('ACCOUNTANT'));
    expect(res.status).toBe(422);
    expect(res.text).toContain('A role of this type with this name already exists');
    expect(res.text).toContain('aria-describedby="name-hint name-error" aria-invalid="true"');
  });

  it('makes the first role of a type its default, and moves the flag when another is made default', async () => {
    const first = await agent.post('/admin/roles').type('form').send(roleForm('First'));
    const firstId = Number(/(\d+)$/.exec(first.headers.location as string)?.[1]);
    expect(await getDefaultRoleId(t.deps.db)).toBe(firstId);
    const second = await agent
      .post('/admin/roles')
      .type('form')
      .send(roleForm('Second', { is_default: 'on' }));
    const secondId = Number(/(\d+)$/.exec(second.headers.location as string)?.[1]);
    expect(await getDefaultRoleId(t.deps.db)).toBe(secondId);
    const roles = await listSelfcareRoles(t.deps.db);
    expect(roles.filter((r) => r.isDefault).map((r) => r.id)).toEqual([secondId]);
    const list = await agent.get('/admin/roles');
    expect(list.text).toMatch(/Second<\/a><\/td>[\s\S]*?Default/);
  });

  it('records the creation in the audit log with every component level', async () => {
    await agent.post('/admin/roles').type('form').send(roleForm('Accountant'));
    const [event] = await auditRows('role.create');
    expect(event).toMatchObject({ entity_type: 'role', actor_type: 'admin', actor_label: 'operator' });
    const changes = JSON.parse(String(event.changes));
    expect(changes.name).toEqual({ old: null, new: 'Accountant' });
    expect(changes['perm.dashboard']).toEqual({ old: null, new: 'read' });
  });

  it('refuses a post without a CSRF token', async () => {
    const res = await agent
      .post('/admin/roles')
      .type('form')
      .send({ ...roleForm('NoToken'), _csrf: '' });
    expect(res.status).toBe(403);
  });
});

describe('POST /admin/roles/permission-tree', () => {
  it('answers htmx with the tree fragment showing the effective levels of the chosen parents', async () => {
    const res = await agent
      .post('/admin/roles/permission-tree')
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', csrf)
      .type('form')
      .send(roleForm('x', { 'perm[profile]': 'hidden' }));
    expect(res.status).toBe(200);
    expect(res.headers.vary).toMatch(/HX-Request/);
    expect(res.text).not.toContain('<html');
    expect(res.text).toMatch(/^\s*(<%#)?[\s\S]*<div id="permission-tree"/);
    expect(/<td id="effective-profile\.contacts"[^>]*>([\s\S]*?)<\/td>/.exec(res.text)?.[1]).toContain('Forbidden');
  });
});

describe('GET /admin/roles', () => {
  it('lists roles with type, description, default marker and where they are used', async () => {
    const roleId = await createRole(t.deps, 'Staff', allAt('read'), { isDefault: true });
    const customer = await createCustomer(t.deps, { roleId });
    await createCustomer(t.deps, { roleId });
    await createIndividual(t.deps, customer.id, { roleId });
    const res = await agent.get('/admin/roles');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Customer self-care');
    expect(res.text).toContain('in use by 2 customers / 1 individual');
  });

  it('sends a signed-out visitor to the sign-in page', async () => {
    const { default: request } = await import('supertest');
    const res = await request(t.app).get('/admin/roles');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/login/);
  });
});

describe('POST /admin/roles/:id', () => {
  it('saves a permission change and audits the difference per component only', async () => {
    const id = await createRole(t.deps, 'Staff', allAt('read'));
    const res = await agent
      .post(`/admin/roles/${id}`)
      .type('form')
      .send(
        roleForm('Staff', {
          'perm[dashboard]': 'modify',
          'perm[profile]': 'read',
          'perm[profile.address]': '',
          'perm[xdrs]': 'read',
          'perm[individuals]': 'read',
          'perm[api_access]': 'read',
          'perm[settings]': 'read',
          description: '',
        }),
      );
    expect(res.status).toBe(303);
    expect((await loadRolePermissions(t.deps.db, id)).dashboard).toBe('modify');
    const [event] = await auditRows('role.update');
    const changes = JSON.parse(String(event.changes));
    expect(Object.keys(changes)).toEqual(['perm.dashboard']);
    expect(changes['perm.dashboard']).toEqual({ old: 'read', new: 'modify' });
  });

  it('answers 404 for an unknown or malformed role id', async () => {
    expect((await agent.get('/admin/roles/999999')).status).toBe(404);
    expect((await agent.get('/admin/roles/abc')).status).toBe(404);
    expect((await agent.post('/admin/roles/999999').type('form').send(roleForm('X'))).status).toBe(404);
  });

  it('keeps the default flag on the default role when the box is absent', async () => {
    const id = await createRole(t.deps, 'Main', allAt('read'), { isDefault: true });
    await agent.post(`/admin/roles/${id}`).type('form').send(roleForm('Main'));
    expect(await getDefaultRoleId(t.deps.db)).toBe(id);
  });
});

describe('POST /admin/roles/:id/delete', () => {
  it('asks on a page of its own first, which deletes nothing; a post without the confirmation asks again', async () => {
    const id = await createRole(t.deps, 'Spare', allAt('read'));
    expect((await agent.get(`/admin/roles/${id}`)).text).toContain(`href="/admin/roles/${id}/delete"`);
    const ask = await agent.get(`/admin/roles/${id}/delete`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Delete the role “Spare”?');
    expect(ask.text).toContain(`<a class="button button--secondary" href="/admin/roles/${id}">Cancel</a>`);
    const unconfirmed = await agent.post(`/admin/roles/${id}/delete`).type('form').send({ _csrf: csrf });
    expect(unconfirmed.status).toBe(422);
    expect(await t.deps.db('roles').where({ id }).first()).toBeDefined();
    const res = await agent.post(`/admin/roles/${id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(await t.deps.db('roles').where({ id }).first()).toBeUndefined();
  });

  it('refuses to delete the default role and says why', async () => {
    const id = await createRole(t.deps, 'Main', allAt('read'), { isDefault: true });
    const res = await agent.post(`/admin/roles/${id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('This role cannot be deleted');
    expect(res.text).toContain('It is the default role of its type');
    expect(await t.deps.db('roles').where({ id }).first()).toBeDefined();
  });

  it('refuses to delete a role in use and lists the customers and individuals using it', async () => {
    await createRole(t.deps, 'Main', allAt('read'), { isDefault: true });
    const id = await createRole(t.deps, 'Staff', allAt('read'));
    const owner = await createCustomer(t.deps, { name: 'Acme Holding', roleId: id });
    const employer = await createCustomer(t.deps, { name: 'Beta Traders' });
    await createIndividual(t.deps, employer.id, { login: 'beta.jane', roleId: id });
    const res = await agent.post(`/admin/roles/${id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('It is in use');
    expect(res.text).toContain(`href="/admin/customers/${owner.id}/self-care">Acme Holding`);
    expect(res.text).toContain(`href="/admin/customers/${employer.id}/allowed-roles">Beta Traders`);
    expect(res.text).toContain('beta.jane');
    expect(await t.deps.db('roles').where({ id }).first()).toBeDefined();
  });

  it('deletes an unused role, its permissions, and records it', async () => {
    await createRole(t.deps, 'Main', allAt('read'), { isDefault: true });
    const id = await createRole(t.deps, 'Spare', allAt('read'));
    const res = await agent.post(`/admin/roles/${id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/roles');
    expect(await t.deps.db('roles').where({ id }).first()).toBeUndefined();
    expect(await t.deps.db('role_permissions').where({ role_id: id })).toHaveLength(0);
    const [event] = await auditRows('role.delete');
    expect(JSON.parse(String(event.changes)).name).toEqual({ old: 'Spare', new: null });
  });
});
