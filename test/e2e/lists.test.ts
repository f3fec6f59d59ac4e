// The lists in a real browser at desktop and phone widths, JavaScript on and off: the audit log read
// as sentences, the customer list sorted and paged, the portal's CSV downloads and the printable
// invoice. No page scrolls sideways, axe-core finds nothing, the console stays clean.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { allAt, createCustomer, createInvoice, createPayment, createRole, createXdr } from '../helpers/fixtures.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  newPage,
  screenshot,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer({ OPERATOR_NAME: 'Example Telecom Ltd' });

/** Nothing makes the page scroll sideways, and axe-core finds nothing. */
async function checkPage(page: Page, shot: string): Promise<void> {
  const [width, viewport] = (await page.evaluate(
    '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
  )) as [number, number];
  expect(width, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(viewport);
  await expectNoAxeViolations(page);
  await screenshot(page, shot);
}

let counter = 0;

for (const javaScriptEnabled of [true, false]) {
  for (const width of [1280, 390]) {
    const mode = `${javaScriptEnabled ? 'js-on' : 'js-off'}-${width}`;

    describe(`lists with JavaScript ${javaScriptEnabled ? 'on' : 'off'} at ${width} px`, () => {
      it('reads the audit log as sentences and sorts and pages the customers', async () => {
        const n = ++counter;
        const admin = await createAdmin(server.deps, `lists-admin-${n}`);
        for (let i = 1; i <= 30; i++)
          await createCustomer(server.deps, { name: `Lists ${n} customer ${String(i).padStart(2, '0')}`, balance: i });
        const acme = await createCustomer(server.deps, { name: `Lists ${n} Acme` });
        await server.deps.audit.record({
          actor: { type: 'admin', id: admin.id, label: admin.login },
          ip: '192.0.2.7',
          action: 'customer.self_care.update',
          entityType: 'customer',
          entityId: acme.id,
          customerId: acme.id,
          changes: { language: { old: 'fr', new: 'de' }, password: { old: 'changed', new: 'changed' } },
        });
        const page = await newPage({ javaScriptEnabled });
        await page.setViewportSize({ width, height: 900 });
        await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);

        await page.goto(`${server.baseUrl}/admin/customers/${acme.id}/audit`);
        const events = await page.locator('#audit-events').innerText();
        expect(events).toContain(
          `Admin ${admin.login} changed the Web self-care settings of the customer Lists ${n} Acme`,
        );
        expect(events).toMatch(/Web interface language: French → German/);
        expect(events).toMatch(/Password: changed/);
        expect(events).not.toContain('customer.self_care.update');
        await checkPage(page, `lists-audit-${mode}`);

        await page.goto(`${server.baseUrl}/admin/customers?q=${encodeURIComponent(`lists ${n} customer`)}`);
        expect(await page.locator('#customer-results [role="status"]').innerText()).toContain('Page 1 of 2');
        await clickAndWaitForPage(page, '#customer-results a.sort-link[href*="sort=balance"]');
        expect(await page.locator('th[aria-sort="descending"]').innerText()).toContain('Balance');
        expect(await page.locator('#customer-results tbody tr').first().innerText()).toContain('customer 30');
        await clickAndWaitForPage(page, '#customer-results nav.pagination a[rel="next"]');
        expect(await page.locator('#customer-results [role="status"]').innerText()).toContain('Page 2 of 2');
        expect(await page.locator('#customer-results tbody tr').count()).toBe(5);
        await checkPage(page, `lists-customers-${mode}`);
        await clickAndWaitForPage(page, '#customer-results nav.pagination a[rel="prev"]');
        expect(await page.locator('#customer-results tbody tr').first().innerText()).toContain('customer 30');
      });

      it('downloads CSV and prints an invoice without navigation', async () => {
        const n = ++counter;
        const roleId = await createRole(server.deps, `Lists role ${n}`, allAt('read'));
        const c = await createCustomer(server.deps, {
          roleId,
          language: 'de',
          companyName: 'Acme Ltd',
          addressLine1: '12 Harbour Street',
          postalCode: '79000',
          city: 'Lviv',
        });
        const invoiceId = await createInvoice(server.deps, c.id, { number: `INV-${n}`, amount: 10 });
        await createXdr(server.deps, c.id);
        await createPayment(server.deps, c.id);
        const page = await newPage({ javaScriptEnabled });
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${server.baseUrl}/login`);
        await page.fill('#login', c.login ?? '');
        await page.fill('#password', c.password);
        await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');

        for (const [path, file] of [
          ['/xdrs', /^call-history-\d{4}-\d{2}-\d{2}\.csv$/],
          ['/payments', /^payments-\d{4}-\d{2}-\d{2}\.csv$/],
          ['/invoices', /^invoices-\d{4}-\d{2}-\d{2}\.csv$/],
        ] as const) {
          await page.goto(`${server.baseUrl}${path}`);
          const download = page.waitForEvent('download');
          await page.getByRole('link', { name: 'Als CSV herunterladen' }).click();
          expect((await download).suggestedFilename(), path).toMatch(file);
          await checkPage(page, `lists-portal${path.replace('/', '-')}-${mode}`);
        }

        await page.goto(`${server.baseUrl}/invoices/${invoiceId}`);
        await clickAndWaitForPage(page, `a[href="/invoices/${invoiceId}/print"]`);
        expect(await page.locator('.invoice-sheet__operator').innerText()).toBe('Example Telecom Ltd');
        expect(await page.locator('address').innerText()).toContain('12 Harbour Street');
        expect(await page.locator('button[data-print]').isVisible()).toBe(javaScriptEnabled);
        await checkPage(page, `lists-invoice-print-${mode}`);
        await page.emulateMedia({ media: 'print' });
        expect(await page.locator('.topbar').isVisible()).toBe(false);
        expect(await page.locator('.print-controls').isVisible()).toBe(false);
        expect(await page.locator('.invoice-sheet__operator').isVisible()).toBe(true);
        expect(await page.locator('address').isVisible()).toBe(true);
        await screenshot(page, `lists-invoice-paper-${mode}`);
      });
    });
  }
}
