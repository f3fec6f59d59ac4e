// A form that re-renders its page at the address it posted to (generate a password, check the
// trusted list, update the preview) leaves the browser there: reloading or bookmarking that
// address must lead back to the page, never to "Page not found".
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { createCustomer, defaultRoleId } from '../../helpers/fixtures.ts';
import { signInPortal, type Agent } from '../../helpers/portal.ts';
import { createAdminRole } from '../../helpers/two-factor.ts';

let t: TestApp;
let admin: Agent;
let portal: Agent;
let customerId: number;

beforeAll(async () => {
  t = await createTestApp();
  const a = await createAdmin(t.deps);
  admin = (await signInAdmin(t.app, a.login, a.password)).agent;
  const c = await createCustomer(t.deps, { login: 'acme', roleId: await defaultRoleId(t.deps) });
  customerId = c.id;
  portal = (await signInPortal(t.app, 'acme', c.password)).agent;
});
afterAll(async () => {
  await t.close();
});

describe('GET on a form-only address', () => {
  it('sends the admin to the page of the form (303)', async () => {
    const panel = `/admin/customers/${customerId}/self-care`;
    for (const suffix of ['/password', '/trusted-ips/check', '/preview', '/reset-link']) {
      const res = await admin.get(`${panel}${suffix}`);
      expect(res.status, suffix).toBe(303);
      expect(res.headers.location, suffix).toBe(panel);
    }
    // the revoke address answers GET with its confirmation page, for a token of this customer only
    const revoke = await admin.get(`/admin/customers/${customerId}/api-tokens/7/revoke`);
    expect(revoke.status).toBe(404);
    const followed = await admin.get(panel);
    expect(followed.status).toBe(200);
  });

  it('sends the customer to the page of the form (303)', async () => {
    for (const [address, page] of [
      ['/profile/contacts', '/profile#profile-contacts'],
      ['/profile/address', '/profile#profile-address'],
    ] as const) {
      const res = await portal.get(address);
      expect(res.status, address).toBe(303);
      expect(res.headers.location, address).toBe(page);
    }
    expect((await portal.get('/api-tokens/3/revoke')).status).toBe(404);
  });

  it('keeps the page’s own permission and customer check', async () => {
    expect((await admin.get('/admin/customers/999999/self-care/password')).status).toBe(404);
    const readOnlyRole = await createAdminRole(t.deps, 'Readers', ['customers.read']);
    const reader = await createAdmin(t.deps, 'reader', 'correct horse battery', { roleId: readOnlyRole });
    const readerAgent = (await signInAdmin(t.app, reader.login, reader.password)).agent;
    expect((await readerAgent.get(`/admin/customers/${customerId}/self-care/password`)).status).toBe(403);
    const stranger = request.agent(t.app);
    const signedOut = await stranger.get(`/admin/customers/${customerId}/self-care/preview`);
    expect(signedOut.status).toBe(303);
    expect(String(signedOut.headers.location)).toContain('/admin/login');
  });

  it('leaves unknown addresses answering “Page not found”', async () => {
    expect((await admin.get(`/admin/customers/${customerId}/self-care/nothing-here`)).status).toBe(404);
  });
});
