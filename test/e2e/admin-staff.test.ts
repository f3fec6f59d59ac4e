// Administrators, admin roles and two-factor sign-in in a real browser, with JavaScript on and
// off: the administrators list and its search, an admin role form (refused, then saved), setting
// two-factor sign-in up (secret, QR code, recovery codes) and the second sign-in step. Every page
// is checked with axe-core; the console must stay clean (checked after each test by useBrowser).
// The support desk and billing team an operator sets up are in operator-staff.test.ts.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/access/totp.ts';
import { createAdmin } from '../helpers/app.ts';
import { codeFor, createAdminRole } from '../helpers/two-factor.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  isFocused,
  newPage,
  screenshot,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

const pathOf = (page: Page): string => new URL(page.url()).pathname;

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js-on' : 'js-off';

  describe(`administrators and two-factor sign-in with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('lists administrators and finds one by the start of its login', async () => {
      const admin = await createAdmin(server.deps, `list-boss-${mode}`);
      const roleId = await createAdminRole(server.deps, `Billing team ${mode}`, ['customers.read']);
      await createAdmin(server.deps, `billing-${mode}`, undefined, { roleId });
      const page = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      await clickAndWaitForPage(page, 'nav[aria-label="Main"] a:has-text("Administrators")');
      expect(pathOf(page)).toBe('/admin/admins');
      expect(await page.locator('h1').innerText()).toBe('Administrators');
      const headers = await page.locator('#admins-table thead th').allInnerTexts();
      expect(headers).toEqual(['Login', 'Name', 'Admin role', 'Two-factor', 'Status', 'Last sign-in (UTC)']);
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-admins-${mode}`);

      await page.getByLabel('Search by login or name').fill(`billing-${mode}`);
      if (javaScriptEnabled) {
        await expect.poll(() => page.locator('#admin-results tbody tr').count()).toBe(1);
      } else {
        await clickAndWaitForPage(page, 'form[role="search"] button[type=submit]');
      }
      const rows = page.locator('#admin-results tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().innerText()).toContain(`Billing team ${mode}`);
      await expectNoAxeViolations(page);
    });

    it('refuses an admin role without a name, then saves it with its permissions', async () => {
      const admin = await createAdmin(server.deps, `roles-boss-${mode}`);
      const page = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      await page.goto(`${server.baseUrl}/admin/admin-roles/new`);
      expect(await page.locator('h1').innerText()).toBe('New admin role');
      await expectNoAxeViolations(page);
      await page.getByLabel('Read customers').check();
      await page.getByLabel('Log in as customer').check();
      await clickAndWaitForPage(page, 'button:has-text("Create admin role")');
      expect(await page.title()).toMatch(/^Error:/);
      expect(await page.locator('.error-summary a[href="#name"]').count()).toBe(1);
      expect(await page.getByLabel('Read customers').isChecked()).toBe(true);
      if (javaScriptEnabled) expect(await isFocused(page, '.error-summary')).toBe(true);
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-role-refused-${mode}`);

      await page.getByLabel('Name', { exact: true }).fill(`Support desk ${mode}`);
      await page.getByLabel('Require two-factor sign-in').check();
      await clickAndWaitForPage(page, 'button:has-text("Create admin role")');
      expect(pathOf(page)).toMatch(/^\/admin\/admin-roles\/\d+$/);
      expect(await page.locator('.flash').innerText()).toContain('created');
      expect(await page.getByLabel('Log in as customer').isChecked()).toBe(true);
      expect(await page.getByLabel('Audit log').isChecked()).toBe(false);
      await expectNoAxeViolations(page);
    });

    it('sets two-factor sign-in up, then signs in with the second step', async () => {
      const admin = await createAdmin(server.deps, `tfa-${mode}`);
      const page = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      await clickAndWaitForPage(page, `a.topbar__who`);
      expect(pathOf(page)).toBe('/admin/account');
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, 'a:has-text("Set up two-factor sign-in")');
      expect(pathOf(page)).toBe('/admin/account/two-factor');
      const secret = (await page.locator('#totp-secret').innerText()).trim();
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await page.locator('.qr svg[role="img"]').isVisible()).toBe(true);
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-two-factor-setup-${mode}`);

      await page.getByLabel('Code from the app').fill('000000' === totpCode(secret) ? '111111' : '000000');
      await clickAndWaitForPage(page, 'button:has-text("Turn on two-factor sign-in")');
      expect(await page.locator('.error-summary').innerText()).toContain('The code is not the current one');
      expect((await page.locator('#totp-secret').innerText()).trim()).toBe(secret);
      await expectNoAxeViolations(page);

      await page.getByLabel('Code from the app').fill(totpCode(secret));
      await clickAndWaitForPage(page, 'button:has-text("Turn on two-factor sign-in")');
      expect(pathOf(page)).toBe('/admin/account/two-factor/recovery-codes');
      expect(await page.locator('#recovery-codes li').count()).toBe(10);
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, 'a:has-text("I have saved them, continue")');
      expect(pathOf(page)).toBe('/admin/account');

      await clickAndWaitForPage(page, 'button:has-text("Sign out")');
      await page.goto(`${server.baseUrl}/admin/login`);
      await page.fill('#login', admin.login);
      await page.fill('#password', admin.password);
      await clickAndWaitForPage(page, 'form[action="/admin/login"] button[type=submit]');
      expect(pathOf(page)).toBe('/admin/login/two-factor');
      expect(await page.locator('h1').innerText()).toBe('Two-factor sign-in');
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-second-step-${mode}`);

      await page.getByLabel('Two-factor code').fill('abcde-fghjk');
      await clickAndWaitForPage(page, 'button:has-text("Sign in")');
      expect(await page.locator('.error-summary').innerText()).toContain('The code is wrong or was used already');
      expect(await page.getByLabel('Two-factor code').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);

      await page.getByLabel('Two-factor code').fill(codeFor(secret));
      await clickAndWaitForPage(page, 'button:has-text("Sign in")');
      expect(pathOf(page)).toBe('/admin');
      expect(await page.locator('.topbar__who').innerText()).toBe(admin.login);
    });
  });
}
