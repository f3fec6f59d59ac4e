// On a 390 px phone, with JavaScript on and off: on the administrator's own account, signing the
// other sessions out, turning two-factor sign-in off and generating new recovery codes each ask on
// a page of their own first (Cancel changes nothing; the last two ask for a current code there).
// axe-core on every page state.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { codeFor, enableTwoFactor, forgetLastStep } from '../helpers/two-factor.ts';
import {
  clickAndWaitForPage,
  expectFitsWindow,
  expectNoAxeViolations,
  newPhonePage,
  screenshot,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

const pathOf = (page: Page): string => new URL(page.url()).pathname;

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'js-on' : 'js-off';

  describe(`admin account confirmations with JavaScript ${javaScriptEnabled ? 'on' : 'off'} on a phone`, () => {
    it('asks before signing out the other sessions', async () => {
      const admin = await createAdmin(server.deps, `confirm-sessions-${js}`, 'a long admin passphrase');
      const [other, me] = [await newPhonePage({ javaScriptEnabled: true }), await newPhonePage({ javaScriptEnabled })];
      for (const page of [other, me]) await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);

      await me.goto(`${server.baseUrl}/admin/account`);
      await clickAndWaitForPage(me, 'a[href="/admin/account/sessions/sign-out-others"]');
      expect(await me.locator('h1').innerText()).toBe('Sign out your other sessions?');
      await expectFitsWindow(me);
      await expectNoAxeViolations(me);
      await screenshot(me, `admin-confirm-end-others-${js}`);
      // Cancel goes back and ends nothing
      await clickAndWaitForPage(me, 'main a:has-text("Cancel")');
      expect(pathOf(me)).toBe('/admin/account');
      await other.goto(`${server.baseUrl}/admin/account`);
      expect(pathOf(other)).toBe('/admin/account');

      await clickAndWaitForPage(me, 'a[href="/admin/account/sessions/sign-out-others"]');
      await clickAndWaitForPage(me, 'main form button.button--danger');
      expect(pathOf(me)).toBe('/admin/account');
      expect(await me.locator('.flash').innerText()).toContain('One other session was signed out.');
      expect(await me.locator('a[href="/admin/account/sessions/sign-out-others"]').count()).toBe(0);
      await expectNoAxeViolations(me);
      await other.goto(`${server.baseUrl}/admin/account`);
      expect(pathOf(other)).toBe('/admin/login');
    });

    it('asks for a current code on a page of its own before turning two-factor sign-in off', async () => {
      const admin = await createAdmin(server.deps, `confirm-off-${js}`, 'a long admin passphrase');
      const { secret } = await enableTwoFactor(server.deps, 'admin', admin.id);
      const page = await newPhonePage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      expect(pathOf(page)).toBe('/admin/login/two-factor');
      await page.fill('#code', codeFor(secret));
      await clickAndWaitForPage(page, 'form[action="/admin/login/two-factor"] button[type="submit"]');
      expect(pathOf(page)).toBe('/admin');

      await page.goto(`${server.baseUrl}/admin/account/two-factor`);
      expect(await page.locator('input[name="code"]').count()).toBe(0);
      await clickAndWaitForPage(page, 'a[href="/admin/account/two-factor/disable"]');
      expect(await page.locator('h1').innerText()).toBe('Turn off two-factor sign-in?');
      await expectFitsWindow(page);
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-confirm-two-factor-off-${js}`);

      await clickAndWaitForPage(page, 'main form button.button--danger');
      expect(pathOf(page)).toBe('/admin/account/two-factor/disable');
      expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');
      expect(await page.locator('.error-summary a').getAttribute('href')).toBe('#code');
      await expectNoAxeViolations(page);

      // the sign-in spent the codes of these time steps
      await forgetLastStep(server.deps, 'admin', admin.id);
      await page.fill('#code', codeFor(secret, 0));
      await clickAndWaitForPage(page, 'main form button.button--danger');
      expect(pathOf(page)).toBe('/admin/account');
      expect(await page.locator('.flash').innerText()).toContain('Two-factor sign-in is off.');
      expect((await server.deps.services.twoFactor.status({ type: 'admin', id: admin.id })).enabled).toBe(false);
    });

    it('asks for a current code on a page of its own before generating new recovery codes', async () => {
      const admin = await createAdmin(server.deps, `confirm-codes-${js}`, 'a long admin passphrase');
      const { secret, recoveryCodes } = await enableTwoFactor(server.deps, 'admin', admin.id);
      const page = await newPhonePage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      await page.fill('#code', codeFor(secret));
      await clickAndWaitForPage(page, 'form[action="/admin/login/two-factor"] button[type="submit"]');
      expect(pathOf(page)).toBe('/admin');

      await page.goto(`${server.baseUrl}/admin/account/two-factor`);
      await clickAndWaitForPage(page, 'a[href="/admin/account/two-factor/recovery-codes/new"]');
      expect(await page.locator('h1').innerText()).toBe('Generate new recovery codes?');
      await expectFitsWindow(page);
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-confirm-new-recovery-codes-${js}`);
      // Cancel goes back and replaces nothing
      await clickAndWaitForPage(page, 'main a:has-text("Cancel")');
      expect(pathOf(page)).toBe('/admin/account/two-factor');

      await clickAndWaitForPage(page, 'a[href="/admin/account/two-factor/recovery-codes/new"]');
      // the sign-in spent the codes of these time steps
      await forgetLastStep(server.deps, 'admin', admin.id);
      await page.fill('#code', codeFor(secret, 0));
      await clickAndWaitForPage(page, 'main form button.button--danger');
      expect(pathOf(page)).toBe('/admin/account/two-factor/recovery-codes');
      expect(await page.locator('main .notice').innerText()).toContain('the old ones no longer work');
      const codes = (await page.locator('#recovery-codes li').allInnerTexts()).map((c) => c.trim());
      expect(codes).toHaveLength(10);
      expect(codes).not.toContain(recoveryCodes[0]);
      await expectFitsWindow(page);
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, 'main a.button');
      expect(pathOf(page)).toBe('/admin/account/two-factor');
      expect(await page.locator('main').innerText()).toContain('10 unused recovery codes left');
    });
  });
}
