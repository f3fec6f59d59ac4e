import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';
import { apiClient, issueToken } from '../api/api-client.ts';
import { formFields } from './form-fields.ts';

let t: TestApp;
let admin: ReturnType<typeof request.agent>;

beforeEach(async () => {
  t = await createTestApp();
  const a = await createAdmin(t.deps);
  ({ agent: admin } = await signInAdmin(t.app, a.login, a.password));
});
afterEach(async () => {
  await t.close();
});

const panelUrl = (id: number) => `/admin/customers/${id}/self-care`;

async function customer(fixture: Parameters<typeof createCustomer>[1] = {}) {
  const role = await createRole(t.deps, 'Everything', allAt('modify'), { isDefault: true });
  return createCustomer(t.deps, {
    roleId: role,
    login: 'acme-portal',
    timeZone: 'UTC',
    language: 'en',
    companyName: 'Acme',
    email: 'ops@acme.test',
    ...fixture,
  });
}

async function openSelfCarePanel(id: number): Promise<Record<string, string>> {
  const page = await admin.get(panelUrl(id));
  expect(page.status).toBe(200);
  return formFields(page.text, 'self-care-form');
}

async function openGeneralTab(id: number): Promise<Record<string, string>> {
  const page = await admin.get(`/admin/customers/${id}`);
  expect(page.status).toBe(200);
  return formFields(page.text, 'edit-title');
}

async function version(id: number): Promise<number> {
  return Number((await t.deps.db('customers').select('version').where({ id }).first()).version);
}

describe('POST /admin/customers/:id/self-care after the customer changed its own settings', () => {
  it('answers 409 when the customer changed its time zone in the portal, and names the change', async () => {
    const c = await customer();
    const stale = await openSelfCarePanel(c.id);
    const portal = await signInPortal(t.app, 'acme-portal', c.password);
    const settings = await portal.agent
      .post('/settings')
      .type('form')
      .send({
        _csrf: csrfFrom((await portal.agent.get('/settings')).text),
        time_zone: 'Europe/Kyiv',
        language: 'en',
        out_date_format: 'YYYY-MM-DD',
        out_time_format: 'HH24:MI:SS',
        in_date_format: 'YYYY-MM-DD',
        in_time_format: 'HH24:MI:SS',
      });
    expect(settings.status).toBe(303);

    const res = await admin
      .post(panelUrl(c.id))
      .type('form')
      .send({ ...stale, language: 'de' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Someone else changed this customer');
    expect(res.text).toMatch(/Time zone<\/th><td>UTC<\/td><td>Europe\/Kyiv<\/td>/);
    expect(await t.deps.db('customers').where({ id: c.id }).first()).toMatchObject({
      time_zone: 'Europe/Kyiv',
      language: 'en',
    });
    const reapply = formFields(res.text, 'self-care-form');
    expect(reapply).toMatchObject({ time_zone: 'Europe/Kyiv', language: 'de' });
    expect((await admin.post(panelUrl(c.id)).type('form').send(reapply)).status).toBe(303);
  });

  it('answers 409 when the customer changed its password in the portal', async () => {
    const c = await customer();
    const stale = await openSelfCarePanel(c.id);
    const portal = await signInPortal(t.app, 'acme-portal', c.password);
    const before = await version(c.id);
    const change = await portal.agent
      .post('/settings/password')
      .type('form')
      .send({
        _csrf: csrfFrom((await portal.agent.get('/settings/password')).text),
        current_password: c.password,
        new_password: 'quiet lantern 58 orchard',
        new_password_confirm: 'quiet lantern 58 orchard',
      });
    expect(change.status).toBe(303);
    expect(await version(c.id)).toBe(before + 1);

    const res = await admin
      .post(panelUrl(c.id))
      .type('form')
      .send({ ...stale, time_zone: 'Europe/Paris' });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(
      /Password<\/th><td>the one before \(not shown\)<\/td><td>a new one someone else set \(not shown\)<\/td>/,
    );
    expect((await t.deps.db('customers').where({ id: c.id }).first()).time_zone).toBe('UTC');
  });

  it('does not count a sign-in as a change: the form opened before it still saves', async () => {
    const c = await customer();
    const fields = await openSelfCarePanel(c.id);
    await signInPortal(t.app, 'acme-portal', c.password);
    expect(
      (
        await admin
          .post(panelUrl(c.id))
          .type('form')
          .send({ ...fields, time_zone: 'Europe/Paris' })
      ).status,
    ).toBe(303);
  });
});

describe('POST /admin/customers/:id after the customer changed its own profile', () => {
  it('answers 409 when the customer changed its company name in the portal', async () => {
    const c = await customer();
    const stale = await openGeneralTab(c.id);
    const portal = await signInPortal(t.app, 'acme-portal', c.password);
    const profile = await portal.agent
      .post('/profile')
      .type('form')
      .send({ _csrf: csrfFrom((await portal.agent.get('/profile')).text), company_name: 'Acme Holdings' });
    expect(profile.status).toBe(303);

    const res = await admin
      .post(`/admin/customers/${c.id}`)
      .type('form')
      .send({ ...stale, phone: '+1 555 0100' });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/Company name<\/th><td>Acme<\/td><td>Acme Holdings<\/td>/);
    expect(await t.deps.db('customers').where({ id: c.id }).first()).toMatchObject({
      company_name: 'Acme Holdings',
      phone: '',
    });
  });

  it('answers 409 when an integration changed the profile through PATCH /api/v1/customer', async () => {
    const c = await customer();
    const stale = await openGeneralTab(c.id);
    const api = apiClient(t.app, t.deps);
    const { token } = await issueToken(t.deps, c.id);
    const sid = await api.signIn('acme-portal', token);
    expect(
      (await api.patch('/api/v1/customer', { bearer: sid, body: { contacts: { email: 'billing@acme.test' } } })).status,
    ).toBe(200);

    const res = await admin
      .post(`/admin/customers/${c.id}`)
      .type('form')
      .send({ ...stale, name: 'Acme Renamed' });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/E-mail<\/th><td>ops@acme.test<\/td><td>billing@acme.test<\/td>/);
    expect(await t.deps.db('customers').where({ id: c.id }).first()).toMatchObject({
      email: 'billing@acme.test',
      email_lower: 'billing@acme.test',
    });
  });
});
