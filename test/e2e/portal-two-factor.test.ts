// A customer's two-factor sign-in in a real browser, with JavaScript on and off, in German: the
// Web self-care panel requires it, so the set-up comes right after the password (secret, QR code,
// recovery codes); the next sign-in asks for a code at /login/two-factor. New recovery codes are
// asked for on a confirmation page with a code from the app. axe-core on every page.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/access/totp.ts';
import { allAt, createCustomer, createRole } from '../helpers/fixtures.ts';
import { codeFor, enableTwoFactor, forgetLastStep } from '../helpers/two-factor.ts';
import { clickAndWaitForPage, expectNoAxeViolations, newPage, screenshot, useBrowser } from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

const pathOf = (page: Page): string => new URL(page.url()).pathname;

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${server.baseUrl}/login?lang=de`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await clickAndWaitForPage(page, 'form[action="/login"] button[type=submit]');
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js-on' : 'js-off';

  describe(`portal two-factor sign-in with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('sets it up after the password when required, then asks for a code at the next sign-in', async () => {
      const roleId = await createRole(server.deps, `Two-factor ${mode}`, allAt('modify'));
      const customer = await createCustomer(server.deps, { roleId, language: 'de', login: `zwei-${mode}` });
      await server.deps.db('customers').where({ id: customer.id }).update({ two_factor_required: true });
      const page = await newPage({ javaScriptEnabled });
      await signIn(page, customer.login!, customer.password);
      expect(pathOf(page)).toBe('/settings/two-factor');
      expect(await page.locator('h1').innerText()).toBe('Zwei-Faktor-Anmeldung');
      const secret = (await page.locator('#totp-secret').innerText()).trim();
      expect(await page.locator('.qr svg[role="img"]').isVisible()).toBe(true);
      await expectNoAxeViolations(page);
      await screenshot(page, `portal-two-factor-setup-${mode}`);
      await page.getByLabel('Code aus der App').fill(totpCode(secret));
      await clickAndWaitForPage(page, 'button:has-text("Zwei-Faktor-Anmeldung einschalten")');
      expect(pathOf(page)).toBe('/settings/two-factor/recovery-codes');
      expect(await page.locator('#recovery-codes li').count()).toBe(10);
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, '#main a.button');
      expect(pathOf(page)).toBe('/');

      const next = await newPage({ javaScriptEnabled });
      await signIn(next, customer.login!, customer.password);
      expect(pathOf(next)).toBe('/login/two-factor');
      await expectNoAxeViolations(next);
      await screenshot(next, `portal-second-step-${mode}`);
      await next.getByLabel('Bestätigungscode').fill('000000' === codeFor(secret) ? '111111' : '000000');
      await clickAndWaitForPage(next, 'form[action="/login/two-factor"] button[type=submit]');
      expect(await next.locator('.error-summary').innerText()).toContain('Der Code ist falsch');
      await expectNoAxeViolations(next);
      await next.getByLabel('Bestätigungscode').fill(codeFor(secret));
      await clickAndWaitForPage(next, 'form[action="/login/two-factor"] button[type=submit]');
      expect(pathOf(next)).toBe('/');
    });

    it('generates new recovery codes after a code from the app on a confirmation page; the old ones stop working', async () => {
      const roleId = await createRole(server.deps, `New codes ${mode}`, allAt('modify'));
      const customer = await createCustomer(server.deps, { roleId, language: 'de', login: `neu-${mode}` });
      const { secret, recoveryCodes } = await enableTwoFactor(server.deps, 'customer', customer.id);
      const page = await newPage({ javaScriptEnabled });
      await signIn(page, customer.login!, customer.password);
      expect(pathOf(page)).toBe('/login/two-factor');
      const signInCode = codeFor(secret);
      await page.getByLabel('Bestätigungscode').fill(signInCode);
      await clickAndWaitForPage(page, 'form[action="/login/two-factor"] button[type=submit]');
      await page.goto(`${server.baseUrl}/settings/two-factor`);
      await clickAndWaitForPage(page, 'a:has-text("Neue Wiederherstellungscodes erzeugen")');
      expect(pathOf(page)).toBe('/settings/two-factor/recovery-codes/new');
      expect(await page.locator('h1').innerText()).toBe('Neue Wiederherstellungscodes erzeugen?');
      await expectNoAxeViolations(page);
      await screenshot(page, `portal-new-recovery-codes-${mode}`);

      // the code the sign-in just used is refused, and nothing is replaced
      await page.getByLabel('Aktueller Code').fill(signInCode);
      await clickAndWaitForPage(page, 'form[action="/settings/two-factor/recovery-codes/new"] button[type=submit]');
      expect(await page.locator('.error-summary').innerText()).toContain('Der Code ist falsch');
      await expectNoAxeViolations(page);

      await forgetLastStep(server.deps, 'customer', customer.id);
      await page.getByLabel('Aktueller Code').fill(codeFor(secret, 0));
      await clickAndWaitForPage(page, 'form[action="/settings/two-factor/recovery-codes/new"] button[type=submit]');
      expect(pathOf(page)).toBe('/settings/two-factor/recovery-codes');
      expect(await page.locator('#main .notice').innerText()).toContain('Die alten gelten nicht mehr');
      const codes = (await page.locator('#recovery-codes li').allInnerTexts()).map((c) => c.trim());
      expect(codes).toHaveLength(10);
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, '#main a.button');
      expect(pathOf(page)).toBe('/settings/two-factor');

      const next = await newPage({ javaScriptEnabled });
      await signIn(next, customer.login!, customer.password);
      await next.getByLabel('Bestätigungscode').fill(recoveryCodes[0]!);
      await clickAndWaitForPage(next, 'form[action="/login/two-factor"] button[type=submit]');
      expect(await next.locator('.error-summary').innerText()).toContain('Der Code ist falsch');
      await next.getByLabel('Bestätigungscode').fill(codes[0]!);
      await clickAndWaitForPage(next, 'form[action="/login/two-factor"] button[type=submit]');
      expect(pathOf(next)).toBe('/');
    });
  });
}
