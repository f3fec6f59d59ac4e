// What every page shares: its head (an icon, so no browser asks for /favicon.ico) and a layout that
// fits a phone.
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../helpers/fixtures.ts';
import {
  consoleProblems,
  expectNoAxeViolations,
  newPage,
  screenshot,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

for (const javaScriptEnabled of [true, false]) {
  describe(`page head with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('makes no request for /favicon.ico on a first page view', async () => {
      const page = await newPage({ javaScriptEnabled });
      for (const path of ['/admin/login', '/login']) {
        await page.goto(`${server.baseUrl}${path}`);
        expect(await page.locator('link[rel="icon"][href="data:,"]').count()).toBe(1);
      }
      // Chromium asks for the icon after the load event; give it the time to do so.
      await page.waitForTimeout(1000);
      expect(consoleProblems(page).filter((p) => p.includes('favicon'))).toEqual([]);
    });
  });
}

describe('admin pages on a 390 px wide phone', () => {
  it('keep wide tables scrolling inside themselves, so the page never scrolls sideways', async () => {
    const admin = await createAdmin(server.deps, 'narrow-screen');
    const role = await createRole(server.deps, 'Accounting staff with a long role name', allAt('read'));
    const customer = await createCustomer(server.deps, {
      name: 'Acme Telecommunications International Ltd',
      email: 'billing.department@acme-telecommunications.example',
    });
    await createIndividual(server.deps, customer.id, {
      login: 'jane.doe.accounting',
      email: 'jane.doe@acme-telecommunications.example',
      roleId: role,
    });
    const page = await newPage({ javaScriptEnabled: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
    const pages = [
      { path: '/admin/customers', shot: 'admin-customers-390' },
      { path: '/admin/audit', shot: 'admin-audit-390' },
      { path: `/admin/customers/${customer.id}/individuals`, shot: 'admin-individuals-390' },
      { path: '/admin/roles', shot: 'admin-roles-390' },
      { path: `/admin/roles/${role}`, shot: 'admin-role-form-390' },
    ];
    for (const { path, shot } of pages) {
      await page.goto(`${server.baseUrl}${path}`);
      const [pageWidth, viewport] = (await page.evaluate(
        '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
      )) as [number, number];
      expect(pageWidth, `${path} scrolls sideways`).toBeLessThanOrEqual(viewport);
      const tables = page.locator('.table-scroll');
      expect(await tables.count(), path).toBeGreaterThan(0);
      // The table is wider than the phone: it scrolls inside its region, which the keyboard can reach.
      const inner = await tables
        .first()
        .evaluate((el: { scrollWidth: number; clientWidth: number }) => [el.scrollWidth, el.clientWidth] as const);
      expect(inner[0], path).toBeGreaterThan(inner[1]);
      await expectNoAxeViolations(page);
      await screenshot(page, shot);
    }
  });
});

describe('text areas', () => {
  it('write the trusted networks in a monospace font and a role description in the page font', async () => {
    const admin = await createAdmin(server.deps, 'fonts');
    const customer = await createCustomer(server.deps);
    const page = await newPage({ javaScriptEnabled: false });
    await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
    // No DOM types in this project: the browser's window is globalThis inside evaluate.
    type Styled = { getComputedStyle(el: unknown): { fontFamily: string } };
    const fontOf = (selector: string) =>
      page.locator(selector).evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).fontFamily);
    await page.goto(`${server.baseUrl}/admin/roles/new`);
    const description = await fontOf('#description');
    expect(description).not.toMatch(/monospace/);
    expect(description).toBe(await fontOf('#name'));
    await page.goto(`${server.baseUrl}/admin/customers/${customer.id}/self-care`);
    expect(await fontOf('#trusted_ips')).toMatch(/monospace/);
  });
});
