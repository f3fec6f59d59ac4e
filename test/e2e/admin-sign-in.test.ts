// The admin door in a real browser, with JavaScript on and off: sign-in page, a refused sign-in,
// the administration home with its navigation, sign-out. Every page is checked with axe-core and
// the console must stay free of CSP violations and errors (checked after each test by useBrowser).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
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

  describe(`admin sign-in with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('shows the sign-in form with htmx on the page', async () => {
      const page = await newPage({ javaScriptEnabled });
      const response = await page.goto(`${server.baseUrl}/admin/login`);
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe('Sign in – Selfcare');
      expect(await page.locator('h1').innerText()).toBe('Sign in to administration');
      expect(await page.getByLabel('Login').isVisible()).toBe(true);
      expect(await page.getByLabel('Password').getAttribute('type')).toBe('password');
      const htmxSrc = await page.locator('script[src*="htmx"]').getAttribute('src');
      expect(htmxSrc).toBe('/static/vendor/htmx/htmx.min.js');
      if (javaScriptEnabled) {
        expect(await page.evaluate('typeof window.htmx')).toBe('object');
      } else {
        // the script is on the page and served from our origin; the browser just does not run it
        const asset = await page.request.get(`${server.baseUrl}${htmxSrc}`);
        expect(asset.status()).toBe(200);
        expect(asset.headers()['content-type']).toContain('javascript');
      }
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-login-${mode}`);
    });

    it('refuses a wrong password with an error summary, keeping the login typed', async () => {
      const admin = await createAdmin(server.deps, `refused-${mode}`);
      const page = await newPage({ javaScriptEnabled });
      await page.goto(`${server.baseUrl}/admin/login`);
      await page.getByLabel('Login').fill(admin.login);
      await page.getByLabel('Password').fill('not the password at all');
      const answer = page.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url() === `${server.baseUrl}/admin/login`,
      );
      await clickAndWaitForPage(page, 'button:has-text("Sign in")');
      expect((await answer).status()).toBe(401);
      expect(pathOf(page)).toBe('/admin/login');
      expect(await page.title()).toBe('Error: Sign in – Selfcare');
      const summary = page.locator('.error-summary');
      expect(await summary.getAttribute('role')).toBe('alert');
      expect(await summary.innerText()).toContain('The login or password is incorrect');
      expect(await summary.locator('a').getAttribute('href')).toBe('#login');
      expect(await page.getByLabel('Login').inputValue()).toBe(admin.login);
      expect(await page.getByLabel('Login').getAttribute('aria-describedby')).toBe('login-error');
      expect(await page.getByLabel('Password').inputValue()).toBe('');
      if (javaScriptEnabled) expect(await isFocused(page, '.error-summary')).toBe(true);
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-login-error-${mode}`);
    });

    it('asks for both fields when the form is sent empty', async () => {
      const page = await newPage({ javaScriptEnabled });
      await page.goto(`${server.baseUrl}/admin/login`);
      await clickAndWaitForPage(page, 'button:has-text("Sign in")');
      const summaryLinks = await Promise.all(
        (await page.locator('.error-summary a').all()).map((a) => a.getAttribute('href')),
      );
      expect(summaryLinks).toEqual(['#login', '#password']);
      expect(await page.locator('#password-error').innerText()).not.toBe('');
      expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);
    });

    it('signs in to the administration with its navigation, and signs out', async () => {
      const admin = await createAdmin(server.deps, `operator-${mode}`);
      const page = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      expect(pathOf(page)).toBe('/admin');
      expect(await page.title()).toBe('Administration – Selfcare');
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link').allInnerTexts()).toEqual([
        'Customers',
        'Roles',
        'Audit log',
        'Administrators',
      ]);
      expect(await page.locator('.topbar__who').innerText()).toBe(admin.login);
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-home-${mode}`);

      await clickAndWaitForPage(page, 'button:has-text("Sign out")');
      expect(pathOf(page)).toBe('/admin/login');
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);

      // the session is gone: the administration sends us back to sign in
      await page.goto(`${server.baseUrl}/admin`);
      expect(pathOf(page)).toBe('/admin/login');
      expect(new URL(page.url()).searchParams.get('next')).toBe('/admin');
    });

    it('returns to the page asked for before signing in', async () => {
      const admin = await createAdmin(server.deps, `returning-${mode}`);
      const page = await newPage({ javaScriptEnabled });
      await page.goto(`${server.baseUrl}/admin/customers`);
      expect(pathOf(page)).toBe('/admin/login');
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      expect(pathOf(page)).toBe('/admin/customers');
    });
  });
}
