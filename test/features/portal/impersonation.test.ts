import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import type { Agent } from '../../helpers/portal.ts';
import { hashPassword } from '../../../src/access/passwords.ts';
import { AdminRepo } from '../../../src/features/admins/repo.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ TRUST_PROXY: 'loopback' });
});
afterEach(async () => {
  await t.close();
});

interface World {
  admin: { id: number; login: string };
  agent: Agent;
  csrf: string;
  defaultRole: number;
  assignedRole: number;
}

/** An admin signed in; the default role reads invoices, the customer's own role hides them. */
async function world(): Promise<World> {
  const admin = await createAdmin(t.deps);
  const defaultRole = await createRole(t.deps, 'Default', allAt('read'), { isDefault: true });
  const assignedRole = await createRole(t.deps, 'Assigned', { ...allAt('modify'), invoices: 'hidden' });
  const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
  return { admin, agent, csrf, defaultRole, assignedRole };
}

async function impersonate(w: World, customerId: number, mode: string, ip?: string) {
  const res = await w.agent
    .post(`/admin/customers/${customerId}/impersonate`)
    .type('form')
    .send({ _csrf: w.csrf, mode });
  if (res.status !== 303) return { res, portal: null };
  const portal = request.agent(t.app);
  const open = await (ip
    ? portal.get(String(res.headers.location)).set('X-Forwarded-For', ip)
    : portal.get(String(res.headers.location)));
  return { res, open, portal };
}

const audit = (action: string) => t.deps.db('audit_events').where({ action }).orderBy('id');

describe('POST /admin/customers/:id/impersonate', () => {
  it('opens the portal with the assigned role, a banner naming the admin and the mode, and audits the start', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole, name: 'Acme Ltd' });
    const { res, open, portal } = await impersonate(w, c.id, 'assigned');
    expect(res.headers.location).toMatch(/^\/impersonate\/[A-Za-z0-9_-]+$/);
    expect(open?.status).toBe(303);
    const home = await portal!.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('id="impersonation-banner"');
    expect(home.text).toContain(`Administrator ${w.admin.login} is signed in as Acme Ltd (using the assigned role)`);
    expect(home.text).toContain('action="/impersonation/end"');
    expect((await portal!.get('/invoices')).status).toBe(403);
    const [start] = await audit('portal.impersonation.start');
    expect(start).toMatchObject({
      actor_type: 'admin',
      actor_id: w.admin.id,
      impersonator_admin_id: w.admin.id,
      entity_type: 'customer',
      entity_id: c.id,
      customer_id: c.id,
    });
    expect(JSON.parse(start.changes).mode.new).toBe('assigned');
  });

  it('speaks to the admin in the banner in the administration’s language, whatever the customer’s', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole, name: 'Nordwind GmbH', language: 'de' });
    const { portal } = await impersonate(w, c.id, 'assigned');
    const home = await portal!.get('/');
    expect(home.text).toContain('<html lang="de"');
    expect(home.text).toContain('lang="en" aria-label="Administrator session" id="impersonation-banner"');
    expect(home.text).toContain(
      `Administrator ${w.admin.login} is signed in as Nordwind GmbH (using the assigned role)`,
    );
    expect(home.text).toMatch(/<button type="submit" class="button">Exit<\/button>/);
  });

  it('uses the default role instead of the customer role in default mode', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    const { portal } = await impersonate(w, c.id, 'default');
    const invoices = await portal!.get('/invoices');
    expect(invoices.status).toBe(200);
    expect(invoices.text).toContain('using the default role');
    const csrf = csrfFrom((await portal!.get('/profile')).text);
    expect((await portal!.post('/profile').type('form').send({ _csrf: csrf, company_name: 'X' })).status).toBe(403);
  });

  it('refuses the assigned mode when the customer has the default role', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.defaultRole });
    const { res } = await impersonate(w, c.id, 'assigned');
    expect(res.status).toBe(409);
    expect(res.text).toContain('default role');
    expect((await impersonate(w, c.id, 'default')).res.status).toBe(303);
  });

  it('refuses a customer without self-care credentials and an unknown mode', async () => {
    const w = await world();
    const none = await createCustomer(t.deps, { login: null, roleId: w.assignedRole });
    expect((await impersonate(w, none.id, 'default')).res.status).toBe(409);
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    expect((await impersonate(w, c.id, 'superuser')).res.status).toBe(422);
    expect((await impersonate(w, 999999, 'default')).res.status).toBe(404);
  });

  it('needs a signed-in administrator', async () => {
    const c = await createCustomer(t.deps);
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const res = await agent
      .post(`/admin/customers/${c.id}/impersonate`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), mode: 'default' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/admin/login');
    expect(await t.deps.db('audit_events').where({ action: 'portal.impersonation.start' })).toHaveLength(0);
  });

  it('is not subject to the customer trusted networks, but the customer is', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, {
      roleId: w.assignedRole,
      ipRestriction: true,
      trustedIps: '203.0.113.0/24;',
    });
    const { portal } = await impersonate(w, c.id, 'assigned', '198.51.100.1');
    const home = await portal!.get('/').set('X-Forwarded-For', '198.51.100.1');
    expect(home.status).toBe(200);
    expect(home.text).toContain('id="impersonation-banner"');
  });
});

describe('GET /impersonate/:ticket', () => {
  it('opens one session only: the ticket cannot be used twice', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    const res = await w.agent
      .post(`/admin/customers/${c.id}/impersonate`)
      .type('form')
      .send({ _csrf: w.csrf, mode: 'assigned' });
    const url = String(res.headers.location);
    expect((await request(t.app).get(url)).status).toBe(303);
    const again = await request(t.app).get(url);
    expect(again.status).toBe(410);
    expect(again.text).toContain('expired or was already used');
  });

  it('lives at most 60 seconds and is refused once expired', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    const set = vi.spyOn(t.deps.kv, 'set');
    const res = await w.agent
      .post(`/admin/customers/${c.id}/impersonate`)
      .type('form')
      .send({ _csrf: w.csrf, mode: 'assigned' });
    expect(set).toHaveBeenCalledWith(expect.stringMatching(/^ticket:/), expect.any(String), 60);
    const key = String(set.mock.calls[0]?.[0]);
    const value = String(set.mock.calls[0]?.[1]);
    set.mockRestore();
    await t.deps.kv.set(key, value, 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await request(t.app).get(String(res.headers.location))).status).toBe(410);
  });

  it('refuses a forged ticket', async () => {
    expect((await request(t.app).get('/impersonate/not-a-real-ticket-id-at-all')).status).toBe(410);
  });
});

describe('during an impersonated session', () => {
  it('audits every change with the admin identity', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    const { portal } = await impersonate(w, c.id, 'assigned');
    const csrf = csrfFrom((await portal!.get('/profile')).text);
    expect(
      (await portal!.post('/profile').type('form').send({ _csrf: csrf, company_name: 'Changed by admin' })).status,
    ).toBe(303);
    const [row] = await audit('customer.profile.update');
    expect(row).toMatchObject({ actor_type: 'customer', actor_id: c.id, impersonator_admin_id: w.admin.id });
    expect(row.actor_label).toContain(w.admin.login);
  });

  it('skips the forced password change that binds the customer', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole, passwordChangeRequired: true });
    const { portal } = await impersonate(w, c.id, 'assigned');
    expect((await portal!.get('/')).status).toBe(200);
  });

  it('ends on Exit: audited, the portal session is gone and the admin returns to the self-care panel', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    const { portal } = await impersonate(w, c.id, 'assigned');
    const csrf = csrfFrom((await portal!.get('/')).text);
    const exit = await portal!.post('/impersonation/end').type('form').send({ _csrf: csrf });
    expect(exit.status).toBe(303);
    expect(exit.headers.location).toBe(`/admin/customers/${c.id}`);
    expect((await portal!.get('/')).status).toBe(303);
    const [end] = await audit('portal.impersonation.end');
    expect(end).toMatchObject({
      actor_type: 'admin',
      actor_id: w.admin.id,
      impersonator_admin_id: w.admin.id,
      customer_id: c.id,
    });
  });
});

describe("when the admin's own sign-in ends", () => {
  it('ends the impersonated session when the admin signs out, audited with the reason', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    const { portal } = await impersonate(w, c.id, 'assigned');
    expect((await portal!.get('/')).status).toBe(200);
    const signOut = await w.agent.post('/admin/logout').type('form').send({ _csrf: w.csrf });
    expect(signOut.status).toBe(303);
    const after = await portal!.get('/');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
    const [end] = await audit('portal.impersonation.end');
    expect(end).toMatchObject({ actor_type: 'admin', actor_id: w.admin.id, customer_id: c.id });
    expect(JSON.parse(end.changes).reason.new).toBe('admin_signed_out');
  });

  it("leaves the customer's own session alone when the admin signs out", async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    await impersonate(w, c.id, 'assigned');
    const own = request.agent(t.app);
    const login = await own.get('/login');
    expect(
      (
        await own
          .post('/login')
          .type('form')
          .send({ _csrf: csrfFrom(login.text), login: c.login, password: c.password })
      ).status,
    ).toBe(303);
    await w.agent.post('/admin/logout').type('form').send({ _csrf: w.csrf });
    const home = await own.get('/');
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('id="impersonation-banner"');
  });

  it("ends the impersonated session when the admin's password changes (a new admin epoch)", async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    const { portal } = await impersonate(w, c.id, 'assigned');
    expect((await portal!.get('/')).status).toBe(200);
    await new AdminRepo(t.deps.db).setOwnPassword(w.admin.id, await hashPassword('a brand new admin secret', 4));
    const after = await portal!.get('/');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
    expect((await portal!.get('/')).status).toBe(303);
    const [end] = await audit('portal.impersonation.end');
    expect(JSON.parse(end.changes).reason.new).toBe('admin_session_ended');
  });

  it('ends the impersonated session when the admin is deleted', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.assignedRole });
    const { portal } = await impersonate(w, c.id, 'default');
    await t.deps.db('admins').where({ id: w.admin.id }).del();
    const after = await portal!.get('/invoices');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
  });
});

describe('POST /admin/customers/:id/individuals/:individualId/impersonate', () => {
  it('opens the portal as the individual with its own levels', async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.defaultRole });
    const staff = await createRole(t.deps, 'Staff', { dashboard: 'read', payments: 'read' });
    const i = await createIndividual(t.deps, c.id, { roleId: staff, name: 'Jane Doe' });
    const res = await w.agent
      .post(`/admin/customers/${c.id}/individuals/${i.id}/impersonate`)
      .type('form')
      .send({ _csrf: w.csrf });
    expect(res.status).toBe(303);
    const portal = request.agent(t.app);
    await portal.get(String(res.headers.location));
    const home = await portal.get('/');
    expect(home.text).toContain('signed in as Jane Doe (as this individual)');
    expect((await portal.get('/invoices')).status).toBe(403);
    const [start] = await audit('portal.impersonation.start');
    expect(start).toMatchObject({ entity_type: 'individual', entity_id: i.id, customer_id: c.id });
  });

  it("is offered on each row of the admin's individuals list", async () => {
    const w = await world();
    const c = await createCustomer(t.deps, { roleId: w.defaultRole });
    const i = await createIndividual(t.deps, c.id, { roleId: w.defaultRole });
    const list = await w.agent.get(`/admin/customers/${c.id}/individuals`);
    expect(list.text).toContain(`action="/admin/customers/${c.id}/individuals/${i.id}/impersonate"`);
  });

  it('answers 404 for an individual of another customer', async () => {
    const w = await world();
    const a = await createCustomer(t.deps, { roleId: w.defaultRole });
    const b = await createCustomer(t.deps, { roleId: w.defaultRole });
    const ofB = await createIndividual(t.deps, b.id, { roleId: w.defaultRole });
    const res = await w.agent
      .post(`/admin/customers/${a.id}/individuals/${ofB.id}/impersonate`)
      .type('form')
      .send({ _csrf: w.csrf });
    expect(res.status).toBe(404);
  });
});
