// On a 390 px phone, with JavaScript on and off: signing another session out, signing all other
// sessions out and turning two-factor sign-in off each ask on a page of their own first (Cancel
// changes nothing); the second sign-in step speaks the account's language, not the browser's.
// axe-core on every page state; the console stays clean (checked after each test by useBrowser).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { allAt, createCustomer, createRole } from '../helpers/fixtures.ts';
import { codeFor, enableTwoFactor, forgetLastStep } from '../helpers/two-factor.ts';
import {
  clickAndWaitForPage,
  expectFitsWindow,
  expectNoAxeViolations,
  newPhonePage,
  screenshot,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

const pathOf = (page: Page): string => new URL(page.url()).pathname;
let counter = 0;

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'js-on' : 'js-off';

  describe(`portal confirmations with JavaScript ${javaScriptEnabled ? 'on' : 'off'} on a phone`, () => {
    it('asks before signing out another session and before signing out all the others', async () => {
      const roleId = await createRole(server.deps, `Sessions ${counter++}`, allAt('modify'));
      const c = await createCustomer(server.deps, { roleId, login: `sessions-${js}` });
      const [first, second, me] = [
        await newPhonePage({ javaScriptEnabled: true }),
        await newPhonePage({ javaScriptEnabled: true }),
        await newPhonePage({ javaScriptEnabled }),
      ];
      for (const page of [first, second, me]) await signIn(page, c.login!, c.password);

      await me.goto(`${server.baseUrl}/settings/sessions`);
      const signOutOne = me.locator('a[href^="/settings/sessions/"][href$="/end"]');
      expect(await signOutOne.count()).toBe(2);
      await clickAndWaitForPage(me, 'a[href^="/settings/sessions/"][href$="/end"] >> nth=0');
      expect(await me.locator('h1').innerText()).toMatch(/^Sign out .+\?$/);
      await expectFitsWindow(me);
      await expectNoAxeViolations(me);
      await screenshot(me, `portal-confirm-session-${js}`);
      // Cancel goes back and ends nothing
      await clickAndWaitForPage(me, 'main a:has-text("Cancel")');
      expect(pathOf(me)).toBe('/settings/sessions');
      expect(await signOutOne.count()).toBe(2);

      await clickAndWaitForPage(me, 'a[href^="/settings/sessions/"][href$="/end"] >> nth=0');
      await clickAndWaitForPage(me, 'main form button.button--danger');
      expect(pathOf(me)).toBe('/settings/sessions');
      expect(await me.locator('.flash').innerText()).toContain('That session was signed out.');
      expect(await signOutOne.count()).toBe(1);
      await expectNoAxeViolations(me);

      await clickAndWaitForPage(me, 'a[href="/settings/sessions/end-others"]');
      expect(await me.locator('h1').innerText()).toBe('Sign out all other sessions?');
      expect(await me.locator('main').innerText()).toContain('1 other browser signed in to this account');
      await expectFitsWindow(me);
      await expectNoAxeViolations(me);
      await screenshot(me, `portal-confirm-end-others-${js}`);
      await clickAndWaitForPage(me, 'main form button.button--danger');
      expect(await me.locator('.flash').innerText()).toContain('1 other session was signed out.');
      expect(await signOutOne.count()).toBe(0);

      for (const page of [first, second]) {
        await page.goto(`${server.baseUrl}/profile`);
        expect(pathOf(page)).toBe('/login');
      }
      await me.goto(`${server.baseUrl}/profile`);
      expect(pathOf(me)).toBe('/profile');
    });

    it('asks for a current code on a page of its own before turning two-factor sign-in off', async () => {
      const roleId = await createRole(server.deps, `Two-factor off ${counter++}`, allAt('modify'));
      const c = await createCustomer(server.deps, { roleId, login: `off-${js}`, language: 'uk' });
      const { secret } = await enableTwoFactor(server.deps, 'customer', c.id);
      const page = await newPhonePage({ javaScriptEnabled });

      // the browser asks for English, the account speaks Ukrainian: so does the second step
      await signIn(page, c.login!, c.password);
      expect(pathOf(page)).toBe('/login/two-factor');
      expect(await page.getAttribute('html', 'lang')).toBe('uk');
      await page.fill('#code', '12345');
      await clickAndWaitForPage(page, 'form[action="/login/two-factor"] button[type="submit"]');
      expect(await page.locator('.error-summary').innerText()).toContain('Код неправильний');
      await expectFitsWindow(page);
      await expectNoAxeViolations(page);
      await screenshot(page, `portal-second-step-uk-${js}`);
      await page.fill('#code', codeFor(secret));
      await clickAndWaitForPage(page, 'form[action="/login/two-factor"] button[type="submit"]');
      expect(pathOf(page)).toBe('/');

      await page.goto(`${server.baseUrl}/settings/two-factor`);
      expect(await page.locator('input[name="code"]').count()).toBe(0);
      await clickAndWaitForPage(page, 'a[href="/settings/two-factor/disable"]');
      expect(await page.locator('h1').innerText()).toBe('Вимкнути двофакторний вхід?');
      await expectFitsWindow(page);
      await expectNoAxeViolations(page);
      await screenshot(page, `portal-confirm-two-factor-off-${js}`);

      await clickAndWaitForPage(page, 'main form button.button--danger');
      expect(pathOf(page)).toBe('/settings/two-factor/disable');
      expect(await page.title()).toMatch(/^Помилка:/);
      expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');
      expect(await page.locator('.error-summary a').getAttribute('href')).toBe('#code');
      await expectNoAxeViolations(page);

      // the sign-in spent the codes of these time steps
      await forgetLastStep(server.deps, 'customer', c.id);
      await page.fill('#code', codeFor(secret, 0));
      await clickAndWaitForPage(page, 'main form button.button--danger');
      expect(pathOf(page)).toBe('/settings/two-factor');
      expect(await page.locator('.flash').innerText()).toBe('Двофакторний вхід вимкнено.');
      expect((await server.deps.services.twoFactor.status({ type: 'customer', id: c.id })).enabled).toBe(false);
    });
  });
}
