// A customer who forgot the password gets back in without the operator, in a real browser with
// JavaScript on and off, in English and in Ukrainian: "Forgot your password?" on the sign-in page,
// the e-mail (read from the outbox), the reset page (a refusal first, then the new password), the
// sign-in with it, and the sessions page where the other browser is signed out. axe-core runs on
// every page; the console must stay clean (checked after each test by useBrowser).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createCustomer } from '../helpers/fixtures.ts';
import { outboxMails, resetTokenIn } from '../helpers/mail.ts';
import { clickAndWaitForPage, expectNoAxeViolations, newPage, screenshot, useBrowser } from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

const pathOf = (page: Page): string => new URL(page.url()).pathname;

const LANGUAGES = [
  {
    code: 'en',
    forgot: 'Forgot your password?',
    sent: 'Check your e-mail',
    reset: 'Choose a new password',
    thisDevice: 'This device',
  },
  {
    code: 'uk',
    forgot: 'Забули пароль?',
    sent: 'Перевірте пошту',
    reset: 'Виберіть новий пароль',
    thisDevice: 'Цей пристрій',
  },
] as const;

let counter = 0;

async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'js-on' : 'js-off';
  for (const language of LANGUAGES) {
    describe(`password recovery in ${language.code} with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
      it('gets a customer back in through a link sent by e-mail, and signs the other browser out', async () => {
        const login = `forgetful.${language.code}.${js}.${counter++}`;
        const email = `${login}@example.com`;
        const c = await createCustomer(server.deps, { login, email, language: language.code, timeZone: 'Europe/Kyiv' });
        const other = await newPage({ javaScriptEnabled });
        await signIn(other, login, c.password);
        expect(pathOf(other)).toBe('/');

        const page = await newPage({ javaScriptEnabled });
        await page.goto(`${server.baseUrl}/login?lang=${language.code}`);
        await clickAndWaitForPage(page, 'a[href="/forgot-password"]');
        expect(pathOf(page)).toBe('/forgot-password');
        expect(await page.getAttribute('html', 'lang')).toBe(language.code);
        expect(await page.locator('h1').innerText()).toBe(language.forgot);
        await expectNoAxeViolations(page);
        await screenshot(page, `forgot-${language.code}-${js}`);

        await page.fill('#login', email.toUpperCase());
        await clickAndWaitForPage(page, 'form[action="/forgot-password"] button[type="submit"]');
        expect(pathOf(page)).toBe('/forgot-password/sent');
        expect(await page.locator('h1').innerText()).toBe(language.sent);
        await expectNoAxeViolations(page);

        await server.deps.background.idle();
        const mail = outboxMails(server.deps.config.dataDir).find((m) => m.to === email);
        expect(mail?.html).toContain(`<html lang="${language.code}">`);
        const token = resetTokenIn(mail!);
        expect(token).not.toBeNull();

        const reset = await newPage({ javaScriptEnabled });
        await reset.goto(`${server.baseUrl}/reset-password/${token}`);
        expect(await reset.getAttribute('html', 'lang')).toBe(language.code);
        expect(await reset.locator('h1').innerText()).toBe(language.reset);
        await expectNoAxeViolations(reset);
        await screenshot(reset, `reset-${language.code}-${js}`);

        await reset.fill('#new_password', 'lantern copper meadow 42');
        await reset.fill('#new_password_confirm', 'lantern copper meadow 43');
        await clickAndWaitForPage(reset, 'main form button[type="submit"]');
        expect(await reset.locator('.error-summary a').getAttribute('href')).toBe('#new_password_confirm');
        expect(await reset.getAttribute('#new_password_confirm', 'aria-invalid')).toBe('true');
        await expectNoAxeViolations(reset);

        await reset.fill('#new_password', 'lantern copper meadow 42');
        await reset.fill('#new_password_confirm', 'lantern copper meadow 42');
        await clickAndWaitForPage(reset, 'main form button[type="submit"]');
        expect(pathOf(reset)).toBe('/login');
        expect(await reset.getAttribute('html', 'lang')).toBe(language.code);
        expect(await reset.locator('.flash').count()).toBe(1);
        await expectNoAxeViolations(reset);

        await reset.goto(`${server.baseUrl}/reset-password/${token}`);
        expect(await reset.locator('a[href="/forgot-password"]').count()).toBeGreaterThan(0);
        await expectNoAxeViolations(reset);

        // the old browser was signed out by the reset; sign in again there and in a new one
        await other.goto(`${server.baseUrl}/profile`);
        expect(pathOf(other)).toBe('/login');
        await signIn(other, login, 'lantern copper meadow 42');
        await signIn(reset, login, 'lantern copper meadow 42');
        expect(pathOf(reset)).toBe('/');

        await reset.goto(`${server.baseUrl}/settings/sessions`);
        expect(await reset.locator('tr.current-session').innerText()).toContain(language.thisDevice);
        const signOutLinks = reset.locator('a[href^="/settings/sessions/"][href$="/end"]');
        expect(await signOutLinks.count()).toBe(1);
        await expectNoAxeViolations(reset);
        await screenshot(reset, `sessions-${language.code}-${js}`);
        await clickAndWaitForPage(reset, 'a[href="/settings/sessions/end-others"]');
        expect(pathOf(reset)).toBe('/settings/sessions/end-others');
        await clickAndWaitForPage(reset, 'form[action="/settings/sessions/end-others"] button');
        expect(pathOf(reset)).toBe('/settings/sessions');
        expect(await reset.locator('.flash').count()).toBe(1);
        expect(await signOutLinks.count()).toBe(0);
        await expectNoAxeViolations(reset);

        await other.goto(`${server.baseUrl}/profile`);
        expect(pathOf(other)).toBe('/login');
      });
    });
  }
}
