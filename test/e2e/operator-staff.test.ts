// What an operator does on its first day, in a real browser with JavaScript on and off: its
// administrator creates a "Support desk" role (read customers, log in as customer, two-factor
// sign-in required) and a "Billing team" role (read customers), one member of each, all through
// the admin pages. Each member then sees only what its role allows and is refused the rest with a
// page naming the missing permission; the support desk member sets two-factor sign-in up at its
// first sign-in and, its code grown old, answers a fresh one before logging in as a customer.
// Every page is checked with axe-core; the console must stay clean (checked by useBrowser).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/access/totp.ts';
import type { AdminPermissionName } from '../../src/access/route-permissions.ts';
import { createAdmin } from '../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../helpers/fixtures.ts';
import { ageSessionCode, codeFor } from '../helpers/two-factor.ts';
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
const server = useServer();

const pathOf = (page: Page): string => new URL(page.url()).pathname;
const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
const customerTabs = (page: Page) =>
  page.getByRole('navigation', { name: 'Customer sections' }).getByRole('link').allInnerTexts();

/** Admin roles → New admin role → name, permissions (by their labels) → Create. */
async function createAdminRoleInBrowser(
  page: Page,
  name: string,
  permissionLabels: string[],
  requireTwoFactor: boolean,
): Promise<void> {
  await clickAndWaitForPage(page, 'nav[aria-label="Main"] a:has-text("Administrators")');
  await clickAndWaitForPage(page, 'main a[href="/admin/admin-roles"]');
  await clickAndWaitForPage(page, 'a:has-text("New admin role")');
  await page.getByLabel('Name', { exact: true }).fill(name);
  for (const label of permissionLabels) await page.getByLabel(label).check();
  if (requireTwoFactor) await page.getByLabel('Require two-factor sign-in').check();
  await expectNoAxeViolations(page);
  await clickAndWaitForPage(page, 'button:has-text("Create admin role")');
  expect(await page.locator('.flash').innerText()).toContain(`Admin role “${name}” created.`);
}

/** Administrators → New administrator → typed password, the role by its name → Create. */
async function createAdminInBrowser(page: Page, login: string, password: string, roleName: string): Promise<void> {
  await clickAndWaitForPage(page, 'nav[aria-label="Main"] a:has-text("Administrators")');
  await clickAndWaitForPage(page, 'a:has-text("New administrator")');
  await page.fill('#login', login);
  await page.fill('#name', `${login} (staff)`);
  await page.fill('#password', password);
  await page.getByLabel('Must change the password at next login').uncheck();
  const option = (await page.locator('#admin_role_id option').allInnerTexts()).find((text) =>
    text.startsWith(roleName),
  );
  await page.selectOption('#admin_role_id', { label: option ?? roleName });
  await expectNoAxeViolations(page);
  await clickAndWaitForPage(page, 'button:has-text("Create administrator")');
  expect(await page.locator('.flash').innerText()).toContain(`Administrator ${login} created.`);
}

/** Each address answers 403 with a page that names the permission missing. */
async function expectRefusals(page: Page, refusals: Array<[string, AdminPermissionName]>): Promise<void> {
  for (const [path, permission] of refusals) {
    const res = await page.goto(`${server.baseUrl}${path}`);
    expect(res?.status(), path).toBe(403);
    expect(await page.locator('h1').innerText()).toBe('You are not allowed to do this');
    expect(await page.locator('main code').innerText(), path).toBe(permission);
  }
  await expectNoAxeViolations(page);
}

/** What neither team may open: everything but reading customers (and, for the desk, logging in as them). */
function refusedToBoth(customerId: number): Array<[string, AdminPermissionName]> {
  return [
    ['/admin/customers/new', 'customers.modify'],
    [`/admin/customers/${customerId}/self-care`, 'selfcare.credentials'],
    [`/admin/customers/${customerId}/api-tokens`, 'api_tokens.manage'],
    ['/admin/roles', 'roles.manage'],
    [`/admin/customers/${customerId}/allowed-roles`, 'roles.manage'],
    [`/admin/customers/${customerId}/individuals`, 'individuals.manage'],
    ['/admin/audit', 'audit.read'],
    [`/admin/customers/${customerId}/audit`, 'audit.read'],
    ['/admin/admins', 'admins.manage'],
    ['/admin/admin-roles', 'admins.manage'],
  ];
}

/** Customers → the customer's General tab, where a reader lands. */
async function openCustomer(page: Page, name: string): Promise<void> {
  await clickAndWaitForPage(page, 'nav[aria-label="Main"] a:has-text("Customers")');
  await clickAndWaitForPage(page, `main a:has-text("${name}")`);
  expect(await page.locator('h1').innerText()).toContain(name);
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js-on' : 'js-off';

  describe(`an operator's support desk and billing team with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('sets both roles and a member of each up in the browser; each member may do what its role holds and nothing else', async () => {
      const portalRole = await createRole(server.deps, `Portal ${mode}`, allAt('modify'), { isDefault: true });
      const customerName = `Harbour Freight ${mode}`;
      const customer = await createCustomer(server.deps, { roleId: portalRole, name: customerName });
      const operator = await createAdmin(server.deps, `operator-${mode}`);
      const desk = { login: `desk-${mode}`, password: 'tidal lantern orchard 47', role: `Support desk ${mode}` };
      const clerk = { login: `clerk-${mode}`, password: 'copper meadow violin 83', role: `Billing team ${mode}` };

      // The operator's administrator sets the two roles and their members up.
      const boss = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(boss, server.baseUrl, operator.login, operator.password);
      await createAdminRoleInBrowser(boss, desk.role, ['Read customers', 'Log in as customer'], true);
      await createAdminRoleInBrowser(boss, clerk.role, ['Read customers'], false);
      await clickAndWaitForPage(boss, 'main a[href="/admin/admin-roles"]');
      const roleRows = boss.locator('main table tbody tr');
      expect(await roleRows.filter({ hasText: desk.role }).innerText()).toContain('Read customers, Log in as customer');
      await createAdminInBrowser(boss, desk.login, desk.password, desk.role);
      await createAdminInBrowser(boss, clerk.login, clerk.password, clerk.role);

      // The billing team member: customers to read, nothing else.
      const billing = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(billing, server.baseUrl, clerk.login, clerk.password);
      expect(pathOf(billing)).toBe('/admin');
      expect(await mainNav(billing)).toEqual(['Customers']);
      await openCustomer(billing, customerName);
      expect(await customerTabs(billing)).toEqual(['General']);
      expect(await billing.getByRole('button', { name: /^Log in using/ }).count()).toBe(0);
      expect(await billing.getByRole('button', { name: 'Save details' }).count()).toBe(0);
      await expectNoAxeViolations(billing);
      await screenshot(billing, `operator-billing-customer-${mode}`);
      await expectRefusals(billing, refusedToBoth(customer.id));
      // Not even by posting the form the button would have sent, with the page's own CSRF token.
      const csrf = await billing.locator('input[name="_csrf"]').first().inputValue();
      const impersonation = await billing.request.post(`${server.baseUrl}/admin/customers/${customer.id}/impersonate`, {
        form: { _csrf: csrf, mode: 'default' },
        maxRedirects: 0,
      });
      expect(impersonation.status()).toBe(403);
      expect(await impersonation.text()).toContain('<code>selfcare.impersonate</code>');

      // The support desk member: two-factor sign-in set up right after its first password.
      const support = await newPage({ javaScriptEnabled });
      await support.goto(`${server.baseUrl}/admin/login`);
      await support.fill('#login', desk.login);
      await support.fill('#password', desk.password);
      await clickAndWaitForPage(support, 'form[action="/admin/login"] button[type=submit]');
      expect(pathOf(support)).toBe('/admin/account/two-factor');
      expect(await support.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      await expectNoAxeViolations(support);
      const secret = (await support.locator('#totp-secret').innerText()).trim();
      await support.getByLabel('Code from the app').fill(totpCode(secret));
      await clickAndWaitForPage(support, 'button:has-text("Turn on two-factor sign-in")');
      expect(await support.locator('#recovery-codes li').count()).toBe(10);
      await clickAndWaitForPage(support, 'a:has-text("I have saved them, continue")');
      expect(pathOf(support)).toBe('/admin');
      expect(await mainNav(support)).toEqual(['Customers']);
      await openCustomer(support, customerName);
      expect(await customerTabs(support)).toEqual(['General']);
      expect(await support.getByRole('button', { name: 'Save details' }).count()).toBe(0);
      await expectRefusals(support, refusedToBoth(customer.id));

      // Eleven minutes later its code is too old: "Log in as customer" asks for a fresh one first.
      const cookie = (await support.context().cookies()).find((c) => c.name === 'sc_admin');
      await ageSessionCode(server.deps, cookie?.value ?? '', 11);
      await openCustomer(support, customerName);
      const opened = support.context().waitForEvent('page');
      await support.getByRole('button', { name: 'Log in using the default role' }).click();
      const portal = await opened;
      await portal.waitForLoadState('load');
      expect(await portal.locator('h1').innerText()).toBe('Confirm it is you');
      await expectNoAxeViolations(portal);
      await screenshot(portal, `operator-step-up-${mode}`);
      await portal.getByLabel('Two-factor code').fill(codeFor(secret));
      await clickAndWaitForPage(portal, 'button:has-text("Confirm and continue")');
      expect(new URL(portal.url()).pathname).not.toMatch(/^\/admin/);
      expect(await portal.locator('#impersonation-banner').innerText()).toContain(
        `Administrator ${desk.login} is signed in as ${customerName}`,
      );
      await expectNoAxeViolations(portal);
      await portal.close();

      // The list shows both members with their role, two-factor sign-in and last sign-in.
      await clickAndWaitForPage(boss, 'nav[aria-label="Main"] a:has-text("Administrators")');
      const rowOf = (login: string) => boss.locator('#admins-table tbody tr', { hasText: login });
      const deskCells = await rowOf(desk.login).locator('td').allInnerTexts();
      expect(deskCells.slice(2, 5)).toEqual([desk.role, 'on', 'active']);
      expect(deskCells[5]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
      const clerkCells = await rowOf(clerk.login).locator('td').allInnerTexts();
      expect(clerkCells.slice(2, 5)).toEqual([clerk.role, 'off', 'active']);
      expect(clerkCells[5]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    });
  });
}
