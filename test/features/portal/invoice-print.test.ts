import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createInvoice, createRole } from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';
import type { PermissionMap } from '../../../src/access/permissions.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ OPERATOR_NAME: 'Example Telecom Ltd' });
});
afterEach(async () => {
  await t.close();
});

let counter = 0;
async function customerWithInvoice(perms: PermissionMap = allAt('read'), language = 'en') {
  const roleId = await createRole(t.deps, `Print role ${++counter}`, perms);
  const c = await createCustomer(t.deps, {
    roleId,
    language,
    companyName: 'Acme Ltd',
    addressLine1: '12 Harbour Street',
    postalCode: '79000',
    city: 'Lviv',
    country: 'UA',
  });
  const invoiceId = await createInvoice(t.deps, c.id, { number: 'INV-42', amount: 99.5, currency: 'EUR' });
  return { c, invoiceId, ...(await signInPortal(t.app, c.login ?? '', c.password)) };
}

describe('GET /invoices/:id/print', () => {
  it('is linked from the invoice page and prints the operator, the customer’s address and the invoice', async () => {
    const { agent, invoiceId } = await customerWithInvoice();
    const show = await agent.get(`/invoices/${invoiceId}`);
    expect(show.text).toContain(`<a href="/invoices/${invoiceId}/print">Print</a>`);
    const res = await agent.get(`/invoices/${invoiceId}/print`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<link rel="stylesheet" href="/static/css/print.css" media="print">');
    expect(res.text).toContain('<strong class="invoice-sheet__operator">Example Telecom Ltd</strong>');
    expect(res.text).toMatch(
      /<address>\s*<strong>Acme Ltd<\/strong>\s*<br>12 Harbour Street<br>79000 Lviv<br>UA\s*<\/address>/,
    );
    expect(res.text).toContain('Invoice INV-42');
    expect(res.text).toContain('EUR\u00a099.50');
    // the print button needs JavaScript, so it starts hidden; the hint names the browser's command
    expect(res.text).toMatch(/<button type="button" class="button" data-print hidden>/);
    expect(res.text).toContain('Use your browser’s Print command');
  });

  it('speaks the viewer’s language', async () => {
    const { agent, invoiceId } = await customerWithInvoice(allAt('read'), 'fr');
    const res = await agent.get(`/invoices/${invoiceId}/print`);
    expect(res.text).toContain('Facturé à');
    expect(res.text).toContain('Facture INV-42');
  });

  it('leaves the address out for a role that hides it', async () => {
    const { agent, invoiceId } = await customerWithInvoice({ ...allAt('read'), 'profile.address': 'hidden' });
    const res = await agent.get(`/invoices/${invoiceId}/print`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<strong>Acme Ltd</strong>');
    expect(res.text).not.toContain('Harbour Street');
  });

  it('answers 403 to a role without invoices and 404 for another customer’s invoice', async () => {
    const hidden = await customerWithInvoice({ ...allAt('read'), invoices: 'hidden' });
    expect((await hidden.agent.get(`/invoices/${hidden.invoiceId}/print`)).status).toBe(403);
    const other = await customerWithInvoice();
    const mine = await customerWithInvoice();
    expect((await mine.agent.get(`/invoices/${other.invoiceId}/print`)).status).toBe(404);
    expect((await mine.agent.get('/invoices/abc/print')).status).toBe(404);
  });

  it('names the product when no operator name is configured', async () => {
    await t.close();
    t = await createTestApp();
    const { agent, invoiceId } = await customerWithInvoice();
    const res = await agent.get(`/invoices/${invoiceId}/print`);
    expect(res.text).toContain('<strong class="invoice-sheet__operator">Selfcare</strong>');
  });

  it('serves the print stylesheet', async () => {
    const css = await request(t.app).get('/static/css/print.css');
    expect(css.status).toBe(200);
    expect(css.text).toContain('.topbar');
    expect(css.text).toContain('@page');
  });
});
