import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PERMISSIONS,
  isAdminPermission,
  type AdminPermissionName,
} from '../../../src/access/route-permissions.ts';
import { adminRouteTable } from '../../../src/doors/admin/routes.ts';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import { createAdminRole, type Agent } from '../../helpers/two-factor.ts';

// One "cannot" test per admin permission: an admin whose role holds every permission but that
// one is refused with a 403 page naming it, and the navigation, tabs and buttons leading there
// are gone. The same app serves all of them; each admin gets its own role.

let t: TestApp;
let customerId: number;
let individualId: number;
beforeAll(async () => {
  t = await createTestApp();
  const role = await createRole(t.deps, 'Everything', allAt('modify'), { isDefault: true });
  const customer = await createCustomer(t.deps, { roleId: role });
  customerId = customer.id;
  individualId = (await createIndividual(t.deps, customer.id, { roleId: role })).id;
});
afterAll(async () => {
  await t.close();
});

/** Signs in an admin whose role holds only `permission`. */
async function adminWith(permission: AdminPermissionName): Promise<{ agent: Agent; csrf: string }> {
  const roleId = await createAdminRole(t.deps, `Only ${permission}`, [permission]);
  const admin = await createAdmin(t.deps, `only-${permission.replace(/[^a-z]/g, '-')}`, undefined, { roleId });
  return signInAdmin(t.app, admin.login, admin.password);
}

/** Signs in an admin whose role holds every permission except `missing` (`tag` tells apart several). */
async function adminWithout(missing: AdminPermissionName, tag = 'without'): Promise<{ agent: Agent; csrf: string }> {
  const roleId = await createAdminRole(
    t.deps,
    `All but ${missing} (${tag})`,
    ADMIN_PERMISSIONS.filter((p) => p !== missing),
  );
  const admin = await createAdmin(t.deps, `${tag}-${missing.replace(/[^a-z]/g, '-')}`, undefined, { roleId });
  return signInAdmin(t.app, admin.login, admin.password);
}

function expectRefused(res: { status: number; text: string }, permission: AdminPermissionName): void {
  expect(res.status).toBe(403);
  expect(res.text).toContain('You are not allowed to do this');
  expect(res.text).toContain(`<code>${permission}</code>`);
}

const navOf = (html: string): string => /<nav aria-label="Main">[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
const tabsOf = (html: string): string => /<nav aria-label="Customer sections">[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';

describe('admin permissions: what an admin without one permission cannot do', () => {
  it('customers.read: cannot list or open customers, and Customers is not in the navigation', async () => {
    const { agent } = await adminWithout('customers.read');
    expectRefused(await agent.get('/admin/customers'), 'customers.read');
    expectRefused(await agent.get(`/admin/customers/${customerId}`), 'customers.read');
    const home = await agent.get('/admin');
    expect(navOf(home.text)).not.toContain('/admin/customers');
    expect(navOf(home.text)).toContain('/admin/roles');
  });

  it('customers.modify: cannot create or edit a customer, and sees no edit form or "New customer"', async () => {
    const { agent, csrf } = await adminWithout('customers.modify');
    expectRefused(await agent.get('/admin/customers/new'), 'customers.modify');
    expectRefused(
      await agent.post('/admin/customers').type('form').send({ _csrf: csrf, name: 'Nope', email: 'n@example.com' }),
      'customers.modify',
    );
    expectRefused(
      await agent.post(`/admin/customers/${customerId}`).type('form').send({ _csrf: csrf, name: 'Renamed' }),
      'customers.modify',
    );
    const list = await agent.get('/admin/customers');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('New customer');
    const general = await agent.get(`/admin/customers/${customerId}`);
    expect(general.status).toBe(200);
    expect(general.text).not.toContain('Save details');
  });

  it('selfcare.credentials: cannot open or save the Web self-care panel or reset two-factor sign-in', async () => {
    const { agent, csrf } = await adminWithout('selfcare.credentials');
    expectRefused(await agent.get(`/admin/customers/${customerId}/self-care`), 'selfcare.credentials');
    expectRefused(
      await agent.post(`/admin/customers/${customerId}/self-care`).type('form').send({ _csrf: csrf, login: 'x' }),
      'selfcare.credentials',
    );
    expectRefused(
      await agent.post(`/admin/customers/${customerId}/self-care/two-factor/reset`).type('form').send({ _csrf: csrf }),
      'selfcare.credentials',
    );
    expectRefused(await agent.get(`/admin/customers/${customerId}/self-care/two-factor/reset`), 'selfcare.credentials');
    expectRefused(
      await agent.get(`/admin/customers/${customerId}/individuals/${individualId}/two-factor/reset`),
      'selfcare.credentials',
    );
    expectRefused(
      await agent
        .post(`/admin/customers/${customerId}/individuals/${individualId}/two-factor/reset`)
        .type('form')
        .send({ _csrf: csrf }),
      'selfcare.credentials',
    );
    const general = await agent.get(`/admin/customers/${customerId}`);
    expect(tabsOf(general.text)).not.toContain('/self-care');
    expect(tabsOf(general.text)).toContain('/individuals');
  });

  it('selfcare.impersonate: cannot log in as the customer or an individual, and sees no such button', async () => {
    const { agent, csrf } = await adminWithout('selfcare.impersonate');
    expectRefused(
      await agent
        .post(`/admin/customers/${customerId}/impersonate`)
        .type('form')
        .send({ _csrf: csrf, mode: 'default' }),
      'selfcare.impersonate',
    );
    expectRefused(
      await agent
        .post(`/admin/customers/${customerId}/individuals/${individualId}/impersonate`)
        .type('form')
        .send({ _csrf: csrf }),
      'selfcare.impersonate',
    );
    for (const page of ['', '/self-care', '/individuals']) {
      const res = await agent.get(`/admin/customers/${customerId}${page}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('/impersonate"');
    }
  });

  it('api_tokens.manage: cannot list, generate or revoke API tokens, and the tab is gone', async () => {
    const { agent, csrf } = await adminWithout('api_tokens.manage');
    expectRefused(await agent.get(`/admin/customers/${customerId}/api-tokens`), 'api_tokens.manage');
    expectRefused(await agent.get(`/admin/customers/${customerId}/api-tokens/1/revoke`), 'api_tokens.manage');
    expectRefused(
      await agent.post(`/admin/customers/${customerId}/api-tokens`).type('form').send({ _csrf: csrf, name: 'x' }),
      'api_tokens.manage',
    );
    const panel = await agent.get(`/admin/customers/${customerId}/self-care`);
    expect(tabsOf(panel.text)).not.toContain('/api-tokens');
    expect(panel.text).not.toContain('Manage API tokens');
  });

  it('roles.manage: cannot open self-care roles or a customer’s allowed roles', async () => {
    const { agent, csrf } = await adminWithout('roles.manage');
    expectRefused(await agent.get('/admin/roles'), 'roles.manage');
    expectRefused(await agent.post('/admin/roles').type('form').send({ _csrf: csrf, name: 'x' }), 'roles.manage');
    expectRefused(await agent.get(`/admin/customers/${customerId}/allowed-roles`), 'roles.manage');
    const roleId = Number((await t.deps.db('roles').first()).id);
    expectRefused(await agent.get(`/admin/roles/${roleId}/delete`), 'roles.manage');
    const home = await agent.get('/admin');
    expect(navOf(home.text)).not.toContain('/admin/roles');
    expect(tabsOf((await agent.get(`/admin/customers/${customerId}`)).text)).not.toContain('/allowed-roles');
  });

  it('individuals.manage: cannot list, create, edit or delete individuals', async () => {
    const { agent, csrf } = await adminWithout('individuals.manage');
    expectRefused(await agent.get(`/admin/customers/${customerId}/individuals`), 'individuals.manage');
    expectRefused(await agent.get(`/admin/customers/${customerId}/individuals/${individualId}`), 'individuals.manage');
    expectRefused(
      await agent
        .post(`/admin/customers/${customerId}/individuals/${individualId}/delete`)
        .type('form')
        .send({ _csrf: csrf }),
      'individuals.manage',
    );
    expect(tabsOf((await agent.get(`/admin/customers/${customerId}`)).text)).not.toContain('/individuals');
  });

  it('audit.read: cannot read the audit log or a customer’s audit tab', async () => {
    const { agent } = await adminWithout('audit.read');
    expectRefused(await agent.get('/admin/audit'), 'audit.read');
    expectRefused(await agent.get(`/admin/customers/${customerId}/audit`), 'audit.read');
    expect(navOf((await agent.get('/admin')).text)).not.toContain('/admin/audit');
  });

  it('admins.manage: cannot see or change administrators and admin roles', async () => {
    const { agent, csrf } = await adminWithout('admins.manage');
    expectRefused(await agent.get('/admin/admins'), 'admins.manage');
    expectRefused(await agent.get('/admin/admins/new'), 'admins.manage');
    const someAdminId = Number((await t.deps.db('admins').first()).id);
    expectRefused(await agent.get(`/admin/admins/${someAdminId}/two-factor/reset`), 'admins.manage');
    expectRefused(await agent.get('/admin/admin-roles'), 'admins.manage');
    const adminRoleId = Number((await t.deps.db('admin_roles').first()).id);
    expectRefused(await agent.get(`/admin/admin-roles/${adminRoleId}/delete`), 'admins.manage');
    expectRefused(
      await agent
        .post('/admin/admin-roles')
        .type('form')
        .send({ _csrf: csrf, name: 'Sneaky', 'perm[admins.manage]': 'on' }),
      'admins.manage',
    );
    expect(navOf((await agent.get('/admin')).text)).not.toContain('/admin/admins');
    // its own account stays open to it
    expect((await agent.get('/admin/account')).status).toBe(200);
  });
});

describe('every admin route that declares a permission', () => {
  it('answers an admin whose role lacks it with 403 naming it, whatever the method', async () => {
    const ctx = { actor: { type: 'system' as const, id: null, label: 'test' }, ip: '127.0.0.1' };
    const token = await t.deps.services.apiTokens.create(customerId, { name: 'CRM', expiresAt: null }, ctx);
    const ids: Record<string, number> = {
      '/customers/': customerId,
      '/roles/': Number((await t.deps.db('roles').first()).id),
      '/admins/': Number((await t.deps.db('admins').first()).id),
      '/admin-roles/': Number((await t.deps.db('admin_roles').first()).id),
    };
    const fill = (path: string): string =>
      path.replace(/:(\w+)/g, (_, name: string) => {
        if (name === 'individualId') return String(individualId);
        if (name === 'tokenId') return String(token.id);
        const prefix = Object.keys(ids).find((p) => path.startsWith(p));
        if (name === 'id' && prefix) return String(ids[prefix]);
        throw new Error(`no value for :${name} in ${path}`);
      });
    const guarded = adminRouteTable(t.deps).filter(
      (route): route is typeof route & { permission: AdminPermissionName } => isAdminPermission(route.permission),
    );
    expect(new Set(guarded.map((r) => r.permission))).toEqual(new Set(ADMIN_PERMISSIONS));
    const signedIn = new Map<AdminPermissionName, { agent: Agent; csrf: string }>();
    for (const route of guarded) {
      if (!signedIn.has(route.permission))
        signedIn.set(route.permission, await adminWithout(route.permission, 'route'));
      const { agent, csrf } = signedIn.get(route.permission)!;
      const address = `/admin${fill(route.path)}`;
      const res =
        route.method === 'get'
          ? await agent.get(address)
          : await agent[route.method](address).type('form').send({ _csrf: csrf, confirm: 'yes' });
      expect(res.status, `${route.method.toUpperCase()} ${address}`).toBe(403);
      expect(res.text, `${route.method.toUpperCase()} ${address}`).toContain(`<code>${route.permission}</code>`);
    }
  });
});

describe('admin permissions: what an admin with only one permission can do', () => {
  const grants: Array<[AdminPermissionName, (c: number) => string[], string | null]> = [
    ['customers.read', (c) => ['/admin/customers', `/admin/customers/${c}`], '/admin/customers'],
    ['customers.modify', () => ['/admin/customers/new'], null],
    ['selfcare.credentials', (c) => [`/admin/customers/${c}/self-care`], null],
    ['api_tokens.manage', (c) => [`/admin/customers/${c}/api-tokens`], null],
    ['roles.manage', (c) => ['/admin/roles', `/admin/customers/${c}/allowed-roles`], '/admin/roles'],
    ['individuals.manage', (c) => [`/admin/customers/${c}/individuals`], null],
    ['audit.read', (c) => ['/admin/audit', `/admin/customers/${c}/audit`], '/admin/audit'],
    ['admins.manage', () => ['/admin/admins', '/admin/admin-roles'], '/admin/admins'],
  ];

  it.each(grants)(
    '%s: opens its pages, and the navigation offers only what it holds',
    async (permission, pages, nav) => {
      const { agent } = await adminWith(permission);
      for (const path of pages(customerId)) expect((await agent.get(path)).status, path).toBe(200);
      const links = [...navOf((await agent.get('/admin')).text).matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
      expect(links).toEqual(nav ? [nav] : []);
    },
  );

  it('selfcare.impersonate: logs in as the customer and as an individual', async () => {
    const { agent, csrf } = await adminWith('selfcare.impersonate');
    const asCustomer = await agent
      .post(`/admin/customers/${customerId}/impersonate`)
      .type('form')
      .send({ _csrf: csrf, mode: 'default' });
    expect(asCustomer.status).toBe(303);
    expect(asCustomer.headers.location).toMatch(/^\/impersonate\//);
    const asIndividual = await agent
      .post(`/admin/customers/${customerId}/individuals/${individualId}/impersonate`)
      .type('form')
      .send({ _csrf: csrf });
    expect(asIndividual.status).toBe(303);
    expect(asIndividual.headers.location).toMatch(/^\/impersonate\//);
  });
});

describe('admin roles as an operator sets them up', () => {
  it('names on the home page the parts of a customer the role opens', async () => {
    const full = await createAdmin(t.deps, 'home-full');
    const { agent } = await signInAdmin(t.app, full.login, full.password);
    expect((await agent.get('/admin')).text).toContain(
      'Find a customer and open its Web self-care panel, allowed roles, individuals and API tokens.',
    );
    const roleId = await createAdminRole(t.deps, 'Token desk', ['customers.read', 'api_tokens.manage']);
    const desk = await createAdmin(t.deps, 'home-tokens', undefined, { roleId });
    const signedIn = await signInAdmin(t.app, desk.login, desk.password);
    expect((await signedIn.agent.get('/admin')).text).toContain('Find a customer and open its API tokens.');
  });

  it('lets the billing team read customers and nothing else', async () => {
    const roleId = await createAdminRole(t.deps, 'Billing team', ['customers.read']);
    const admin = await createAdmin(t.deps, 'billing-clerk', undefined, { roleId });
    const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
    expect((await agent.get('/admin/customers')).status).toBe(200);
    // The home page promises only what the role opens.
    expect((await agent.get('/admin')).text).toContain('Find a customer and see its details.');
    const general = await agent.get(`/admin/customers/${customerId}`);
    expect(general.status).toBe(200);
    expect(tabsOf(general.text).match(/<a /g)?.length).toBe(1);
    expect(navOf(general.text).match(/<a /g)?.length).toBe(1);
    expect(general.text).not.toContain('Log in using the default role');
    for (const path of ['/self-care', '/individuals', '/api-tokens', '/allowed-roles', '/audit'])
      expect((await agent.get(`/admin/customers/${customerId}${path}`)).status).toBe(403);
    for (const path of ['/admin/roles', '/admin/audit', '/admin/admins', '/admin/admin-roles'])
      expect((await agent.get(path)).status).toBe(403);
    expect(
      (
        await agent
          .post(`/admin/customers/${customerId}/impersonate`)
          .type('form')
          .send({ _csrf: csrf, mode: 'default' })
      ).status,
    ).toBe(403);
  });

  it('lets the support desk read customers and log in as them from the General tab', async () => {
    const roleId = await createAdminRole(t.deps, 'Support desk', ['customers.read', 'selfcare.impersonate']);
    const admin = await createAdmin(t.deps, 'support-agent', undefined, { roleId });
    const { agent } = await signInAdmin(t.app, admin.login, admin.password);
    const general = await agent.get(`/admin/customers/${customerId}`);
    expect(general.text).toContain('Log in using the default role');
    const res = await agent
      .post(`/admin/customers/${customerId}/impersonate`)
      .type('form')
      .send({ _csrf: csrfFrom(general.text), mode: 'default' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/impersonate\//);
    expect((await agent.get(`/admin/customers/${customerId}/self-care`)).status).toBe(403);
  });

  it('applies a change of the role’s permissions on the next request', async () => {
    const roleId = await createAdminRole(t.deps, 'Shrinking', ['customers.read', 'audit.read']);
    const admin = await createAdmin(t.deps, 'shrinking-admin', undefined, { roleId });
    const { agent } = await signInAdmin(t.app, admin.login, admin.password);
    expect((await agent.get('/admin/audit')).status).toBe(200);
    await t.deps.db('admin_role_permissions').where({ admin_role_id: roleId, permission: 'audit.read' }).del();
    expectRefused(await agent.get('/admin/audit'), 'audit.read');
  });
});
