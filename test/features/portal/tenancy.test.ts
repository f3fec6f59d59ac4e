import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import {
  allAt,
  createCustomer,
  createIndividual,
  createInvoice,
  createPayment,
  createRole,
  createXdr,
} from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

async function twoCustomers() {
  const roleId = await createRole(t.deps, 'All', allAt('modify'));
  const a = await createCustomer(t.deps, { roleId, name: 'Alpha' });
  const b = await createCustomer(t.deps, { roleId, name: 'Beta', balance: 999.99 });
  const invoiceA = await createInvoice(t.deps, a.id, { number: 'INV-ALPHA' });
  const invoiceB = await createInvoice(t.deps, b.id, { number: 'INV-BETA' });
  await createXdr(t.deps, b.id, { cld: '4400000000' });
  await createPayment(t.deps, b.id, { reference: 'PAY-BETA' });
  return { roleId, a, b, invoiceA, invoiceB };
}

describe('tenant isolation', () => {
  it("answers 404 when customer A asks for customer B's invoice by id", async () => {
    const { a, invoiceA, invoiceB } = await twoCustomers();
    const { agent } = await signInPortal(t.app, a.login ?? '', a.password);
    expect((await agent.get(`/invoices/${invoiceA}`)).status).toBe(200);
    const res = await agent.get(`/invoices/${invoiceB}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('INV-BETA');
    expect((await agent.get('/invoices/not-a-number')).status).toBe(404);
  });

  it("lists only the viewer's own invoices, calls and payments", async () => {
    const { a } = await twoCustomers();
    const { agent } = await signInPortal(t.app, a.login ?? '', a.password);
    expect((await agent.get('/invoices')).text).not.toContain('INV-BETA');
    expect((await agent.get('/xdrs')).text).not.toContain('4400000000');
    expect((await agent.get('/payments')).text).not.toContain('PAY-BETA');
    expect((await agent.get('/')).text).not.toContain('999.99');
  });

  it("shows on the dashboard the viewer's newest invoice and five newest calls, newest first", async () => {
    const { a, b } = await twoCustomers();
    await createInvoice(t.deps, a.id, {
      number: 'INV-NEWEST',
      issuedAt: new Date('2026-04-01T00:00:00Z'),
      dueOn: '2026-04-15',
      amount: 321.5,
    });
    await createInvoice(t.deps, b.id, { number: 'INV-BETA-NEWER', issuedAt: new Date('2026-05-01T00:00:00Z') });
    for (let minute = 0; minute < 7; minute++)
      await createXdr(t.deps, a.id, {
        cld: `4910000000${minute}`,
        connectTime: new Date(Date.UTC(2026, 2, 2, 10, minute)),
        durationSeconds: 60 + minute,
      });
    await createXdr(t.deps, b.id, { cld: '4920000000', connectTime: new Date('2026-03-03T00:00:00Z') });
    const { agent } = await signInPortal(t.app, a.login ?? '', a.password);
    const page = (await agent.get('/')).text;
    expect(page).toContain('View invoice INV-NEWEST');
    expect(page).toContain('321.50');
    expect(page).not.toContain('INV-ALPHA');
    expect(page).not.toContain('INV-BETA');
    const calls = [...page.matchAll(/<td>(49[0-9]+)<\/td>/g)].map((m) => m[1]);
    expect(calls).toEqual(['49100000006', '49100000005', '49100000004', '49100000003', '49100000002']);
  });

  it("keeps an individual of B out of A's data", async () => {
    const { b, roleId, invoiceA } = await twoCustomers();
    const i = await createIndividual(t.deps, b.id, { roleId });
    const { agent } = await signInPortal(t.app, i.login, i.password);
    expect((await agent.get(`/invoices/${invoiceA}`)).status).toBe(404);
    expect((await agent.get('/invoices')).text).toContain('INV-BETA');
  });

  it("changes only the viewer's own profile", async () => {
    const { a, b } = await twoCustomers();
    const { agent, csrf } = await signInPortal(t.app, a.login ?? '', a.password);
    await agent
      .post('/profile')
      .type('form')
      .send({ _csrf: csrf, company_name: 'Alpha renamed', id: String(b.id), customer_id: String(b.id) });
    expect((await t.deps.db('customers').where({ id: b.id }).first()).company_name).toBe('Beta');
    expect((await t.deps.db('customers').where({ id: a.id }).first()).company_name).toBe('Alpha renamed');
  });
});
