import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { formFields } from './form-fields.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;

beforeEach(async () => {
  t = await createTestApp({}, { freshInstall: true });
  const admin = await createAdmin(t.deps);
  ({ agent } = await signInAdmin(t.app, admin.login, admin.password));
});
afterEach(async () => {
  await t.close();
});

describe('a fresh install after migrate (no demo data)', () => {
  it('has a default “Full access” role that the admin may change', async () => {
    const roles = await agent.get('/admin/roles');
    expect(roles.status).toBe(200);
    expect(roles.text).toContain('Full access');
    const role = await t.deps.db('roles').where({ type: 'customer_selfcare' }).first();
    expect(role).toMatchObject({ name: 'Full access' });
    expect(Boolean(role.is_default)).toBe(true);
    const levels = await t.deps.db('role_permissions').where({ role_id: role.id }).select('component', 'level');
    expect(levels.map((l: { level: string }) => l.level)).toEqual(Array(levels.length).fill('modify'));
    expect(levels.map((l: { component: string }) => l.component)).toEqual(
      expect.arrayContaining(['dashboard', 'invoices', 'individuals', 'api_access', 'settings']),
    );

    const form = await agent.get(`/admin/roles/${role.id}`);
    const fields = formFields(form.text, 'role-form');
    const saved = await agent
      .post(`/admin/roles/${role.id}`)
      .type('form')
      .send({ ...fields, name: 'Everything', 'perm[api_access]': 'hidden' });
    expect(saved.status).toBe(303);
    expect(await t.deps.db('roles').where({ id: role.id }).first()).toMatchObject({ name: 'Everything' });
  });

  it('lets the admin create a customer and turn its self-care on without creating a role first', async () => {
    const page = await agent.get('/admin/customers/new');
    const created = await agent
      .post('/admin/customers')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'First Customer', email: 'ops@first.example', currency: 'USD' });
    expect(created.status).toBe(303);
    const id = Number(/\/admin\/customers\/(\d+)$/.exec(String(created.headers.location))?.[1]);
    expect((await agent.get(String(created.headers.location))).text).toContain(
      'created with the default self-care role',
    );

    const panel = await agent.get(`/admin/customers/${id}/self-care`);
    const saved = await agent
      .post(`/admin/customers/${id}/self-care`)
      .type('form')
      .send({
        ...formFields(panel.text, 'self-care-form'),
        login: 'first-portal',
        password: 'amber lantern quiet river',
      });
    expect(saved.status).toBe(303);
    const portal = request.agent(t.app);
    const login = await portal.get('/login');
    const signedIn = await portal
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), login: 'first-portal', password: 'amber lantern quiet river' });
    expect(signedIn.status).toBe(303);
    expect((await portal.get('/')).status).toBe(200);
  });
});
