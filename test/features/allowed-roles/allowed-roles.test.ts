import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import { listAllowedRoles } from '../../../src/features/allowed-roles/service.ts';

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

describe('GET /admin/customers/:id/allowed-roles', () => {
  it('shows every customer self-care role with the allowed ones ticked', async () => {
    const main = await createRole(t.deps, 'Main', allAt('modify'), { isDefault: true });
    const staff = await createRole(t.deps, 'Staff', allAt('read'));
    const customer = await createCustomer(t.deps, { roleId: main });
    await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: staff });
    const res = await agent.get(`/admin/customers/${customer.id}/allowed-roles`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`id="role_ids-${staff}" name="role_ids" value="${staff}" checked`));
    expect(res.text).toMatch(new RegExp(`id="role_ids-${main}" name="role_ids" value="${main}"\\s*>`));
    expect(res.text).toContain('aria-current="page">Allowed roles');
  });

  it('answers 404 for an unknown customer', async () => {
    expect((await agent.get('/admin/customers/999999/allowed-roles')).status).toBe(404);
  });
});

describe('POST /admin/customers/:id/allowed-roles', () => {
  it('adds and removes roles and records the change', async () => {
    const main = await createRole(t.deps, 'Main', allAt('modify'), { isDefault: true });
    const staff = await createRole(t.deps, 'Staff', allAt('read'));
    const customer = await createCustomer(t.deps, { roleId: main });
    const res = await agent
      .post(`/admin/customers/${customer.id}/allowed-roles`)
      .type('form')
      .send(`_csrf=${csrf}&role_ids=${main}&role_ids=${staff}`);
    expect(res.status).toBe(303);
    expect((await listAllowedRoles(t.deps.db, customer.id)).map((r) => r.name)).toEqual(['Main', 'Staff']);
    const again = await agent
      .post(`/admin/customers/${customer.id}/allowed-roles`)
      .type('form')
      .send(`_csrf=${csrf}&role_ids=${staff}`);
    expect(again.status).toBe(303);
    expect((await listAllowedRoles(t.deps.db, customer.id)).map((r) => r.name)).toEqual(['Staff']);
    const events = await t.deps
      .db('audit_events')
      .where({ action: 'customer.allowed_roles', customer_id: customer.id })
      .orderBy('id');
    expect(events).toHaveLength(2);
    expect(JSON.parse(String(events[1].changes))).toEqual({
      allowed_roles: { old: ['Main', 'Staff'], new: ['Staff'] },
    });
  });

  it('refuses to remove a role an individual holds and names the individuals', async () => {
    const main = await createRole(t.deps, 'Main', allAt('modify'), { isDefault: true });
    const staff = await createRole(t.deps, 'Staff', allAt('read'));
    const customer = await createCustomer(t.deps, { roleId: main });
    await createIndividual(t.deps, customer.id, { login: 'jane.doe', name: 'Jane Doe', roleId: staff });
    await createIndividual(t.deps, customer.id, { login: 'bob.roe', roleId: staff });
    const res = await agent.post(`/admin/customers/${customer.id}/allowed-roles`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<title>Error:/);
    expect(res.text).toContain(`href="#role_ids-${staff}"`);
    expect(res.text).toContain('“Staff” cannot be removed: individuals bob.roe, jane.doe (Jane Doe) have it');
    expect((await listAllowedRoles(t.deps.db, customer.id)).map((r) => r.id)).toEqual([staff]);
  });

  it('refuses an id that is not a customer self-care role', async () => {
    const main = await createRole(t.deps, 'Main', allAt('modify'), { isDefault: true });
    const other = await createRole(t.deps, 'Operator', allAt('read'), { type: 'other_type' });
    const customer = await createCustomer(t.deps, { roleId: main });
    const res = await agent
      .post(`/admin/customers/${customer.id}/allowed-roles`)
      .type('form')
      .send(`_csrf=${csrf}&role_ids=${other}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('only customer self-care roles can be allowed');
    expect(await listAllowedRoles(t.deps.db, customer.id)).toEqual([]);
  });

  it('answers 404 for an unknown customer and never touches another one', async () => {
    const res = await agent.post('/admin/customers/999999/allowed-roles').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(404);
  });
});
