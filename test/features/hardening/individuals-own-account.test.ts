import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole, FIXTURE_PASSWORD } from '../../helpers/fixtures.ts';
import { postPortalLogin, signInPortal } from '../../helpers/portal.ts';

let t: TestApp;
let managerRole: number;

beforeEach(async () => {
  t = await createTestApp();
  const fullRole = await createRole(t.deps, 'Full', allAt('modify'), { isDefault: true });
  // Full on individuals, Forbidden on settings: the password page is closed to this role.
  managerRole = await createRole(t.deps, 'Manager', { ...allAt('modify'), settings: 'hidden' });
  const customer = await createCustomer(t.deps, { roleId: fullRole, name: 'Acme' });
  await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: managerRole });
  customerId = customer.id;
});
afterEach(async () => {
  await t.close();
});
let customerId: number;

function editForm(csrf: string, version: number, extra: Record<string, string>) {
  return {
    _csrf: csrf,
    form: 'edit',
    version: String(version),
    name: 'Me',
    email: '',
    password: '',
    role_id: String(managerRole),
    activation_at: '',
    expiration_at: '',
    ...extra,
  };
}

describe('an individual editing its own row on the individuals page', () => {
  it('cannot set its own password there, and the old password keeps working', async () => {
    const me = await createIndividual(t.deps, customerId, { login: 'me.manager', roleId: managerRole });
    const { agent, csrf } = await signInPortal(t.app, me.login, me.password);
    expect((await agent.get('/settings/password')).status).toBe(403);
    const row = await t.deps.db('individuals').where({ id: me.id }).first();
    const res = await agent
      .post(`/individuals/${me.id}`)
      .type('form')
      .send(editForm(csrf, Number(row.version), { password: 'stolen session new secret' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Change your own password on the Settings page');
    expect((await postPortalLogin(t.app, me.login, 'stolen session new secret')).res.status).toBe(401);
    expect((await postPortalLogin(t.app, me.login, me.password)).res.status).toBe(303);
  });

  it('still lets the individual change another individual’s password', async () => {
    const me = await createIndividual(t.deps, customerId, { login: 'me.manager', roleId: managerRole });
    const other = await createIndividual(t.deps, customerId, { login: 'other.person', roleId: managerRole });
    const { agent, csrf } = await signInPortal(t.app, me.login, me.password);
    const row = await t.deps.db('individuals').where({ id: other.id }).first();
    const res = await agent
      .post(`/individuals/${other.id}`)
      .type('form')
      .send(editForm(csrf, Number(row.version), { password: 'a brand new secret phrase' }));
    expect(res.status).toBe(303);
    expect((await postPortalLogin(t.app, other.login, 'a brand new secret phrase')).res.status).toBe(303);
  });
});

describe('trying logins that belong to other customers', () => {
  it('answers "already in use", audits each hit and stops answering after 20 tries in 15 minutes', async () => {
    const other = await createCustomer(t.deps, { roleId: managerRole, name: 'Other', login: 'someone.else' });
    void other;
    const me = await createIndividual(t.deps, customerId, {
      login: 'me.manager',
      roleId: managerRole,
      password: FIXTURE_PASSWORD,
    });
    const { agent } = await signInPortal(t.app, me.login, me.password);
    const page = await agent.get('/individuals');
    const csrf = csrfFrom(page.text);
    const attempt = (login: string) =>
      agent
        .post('/individuals')
        .type('form')
        .send({
          _csrf: csrf,
          login,
          password: 'amber window copper field',
          name: 'Probe',
          email: '',
          role_id: String(managerRole),
        });
    const first = await attempt('someone.else');
    expect(first.status).toBe(422);
    expect(first.text).toContain('This login is already in use');
    const audited = await t.deps.db('audit_events').where({ action: 'individual.login_taken', actor_id: me.id });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'refused', customer_id: customerId });
    for (let i = 1; i < 20; i++) await attempt(`someone.else`);
    const throttled = await attempt('someone.else');
    expect(throttled.status).toBe(422);
    expect(throttled.text).toContain('Too many logins tried in a short time');
    expect(throttled.text).not.toContain('This login is already in use');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });
});
