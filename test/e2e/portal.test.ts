// The self-care portal in a real browser, with JavaScript on and off and in two languages: sign-in
// (and a refused one), the dashboard, the call-history filter (htmx swap with JavaScript on, a
// plain GET without) and the regional settings. axe-core runs on every page state; the console
// must stay free of CSP violations and errors (checked after each test by useBrowser).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { allAt, createCustomer, createRole, createXdr } from '../helpers/fixtures.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  isFocused,
  newPage,
  screenshot,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

const pathOf = (page: Page): string => new URL(page.url()).pathname;
const SAVE_SETTINGS = 'form[action="/settings"] .button-row button[type="submit"]';

const LANGUAGES = [
  {
    code: 'en',
    dateFormat: 'DD/MM/YYYY',
    timeFormat: 'HH24:MI',
    typed: '01/03/2026',
    call: '01/03/2026 12:00',
    earlier: '28/02/2026 09:15',
    wrong: '2026-03-01',
  },
  {
    code: 'fr',
    dateFormat: 'DD MON YYYY',
    timeFormat: 'HH24:MI',
    typed: '01 mars 2026',
    call: '01 mars 2026 12:00',
    earlier: '28 févr. 2026 09:15',
    wrong: '03/01/2026',
  },
] as const;

let counter = 0;

async function customerIn(language: (typeof LANGUAGES)[number]) {
  const roleId = await createRole(server.deps, `Browser ${counter++}`, allAt('modify'));
  const c = await createCustomer(server.deps, {
    roleId,
    name: 'Browser Ltd',
    language: language.code,
    timeZone: 'Europe/Paris',
    currency: 'EUR',
    balance: 12.5,
    outDateFormat: language.dateFormat,
    outTimeFormat: language.timeFormat,
    inDateFormat: language.dateFormat,
    inTimeFormat: language.timeFormat,
  });
  await createXdr(server.deps, c.id, { connectTime: new Date('2026-03-01T11:00:00Z'), cld: '33100000001' });
  await createXdr(server.deps, c.id, { connectTime: new Date('2026-02-28T08:15:00Z'), cld: '33100000002' });
  return c;
}

async function signIn(page: Page, language: string, login: string, password: string): Promise<void> {
  await page.goto(`${server.baseUrl}/login?lang=${language}`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'js-on' : 'js-off';
  for (const language of LANGUAGES) {
    describe(`the portal in ${language.code} with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
      it('signs in from the language the page offers and shows the dashboard', async () => {
        const c = await customerIn(language);
        const page = await newPage({ javaScriptEnabled });
        const login = await page.goto(`${server.baseUrl}/login?lang=${language.code}`);
        expect(login?.status()).toBe(200);
        expect(await page.getAttribute('html', 'lang')).toBe(language.code);
        expect(await page.locator(`a[hreflang="${language.code}"]`).getAttribute('aria-current')).toBe('true');
        await expectNoAxeViolations(page);
        await screenshot(page, `portal-login-${language.code}-${js}`);

        await page.fill('#login', c.login ?? '');
        await page.fill('#password', 'not the password at all');
        await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
        expect(pathOf(page)).toBe('/login');
        expect(await page.title()).toMatch(/^(Error|Erreur)\s?:/);
        expect(await page.locator('.error-summary a').getAttribute('href')).toBe('#login');
        if (javaScriptEnabled) expect(await isFocused(page, '.error-summary')).toBe(true);
        await expectNoAxeViolations(page);

        await page.fill('#password', c.password);
        await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
        expect(pathOf(page)).toBe('/');
        expect(await page.getAttribute('html', 'lang')).toBe(language.code);
        expect(await page.locator('#balance').innerText()).toMatch(/12[.,]50/);
        expect(await page.locator('main').innerText()).toContain(language.call);
        expect(await page.locator('nav[aria-label] a[href="/xdrs"]').count()).toBe(1);
        await expectNoAxeViolations(page);
        await screenshot(page, `portal-dashboard-${language.code}-${js}`);

        await clickAndWaitForPage(page, 'form[action="/logout"] button');
        expect(pathOf(page)).toBe('/login');
      });

      it('filters the call history with dates typed in the input format', async () => {
        const c = await customerIn(language);
        const page = await newPage({ javaScriptEnabled });
        await signIn(page, language.code, c.login ?? '', c.password);
        await page.goto(`${server.baseUrl}/xdrs`);
        expect(await page.locator('tbody tr').count()).toBe(2);
        await expectNoAxeViolations(page);
        if (javaScriptEnabled) await page.evaluate('window.__noReload = true');

        await page.fill('#from', language.typed);
        if (javaScriptEnabled) {
          await page.click('#xdrs-panel button[type="submit"]');
          await expect.poll(() => page.locator('#xdrs-panel tbody tr').count()).toBe(1);
          expect(await page.evaluate('window.__noReload')).toBe(true);
        } else {
          await clickAndWaitForPage(page, '#xdrs-panel button[type="submit"]');
        }
        expect(new URL(page.url()).searchParams.get('from')).toBe(language.typed);
        expect(await page.locator('#xdrs-panel tbody').innerText()).toContain(language.call);
        expect(await page.locator('#xdrs-panel tbody').innerText()).not.toContain(language.earlier);
        await expectNoAxeViolations(page);

        await page.fill('#from', language.wrong);
        if (javaScriptEnabled) {
          await page.click('#xdrs-panel button[type="submit"]');
          await page.locator('.error-summary').waitFor();
        } else {
          await clickAndWaitForPage(page, '#xdrs-panel button[type="submit"]');
        }
        // the message shows what to type, the way the hint does, and no format codes
        const hint = await page.locator('#range-hint').innerText();
        const example = /(\d[^(]*?\d)(?=\.\s|\s\()/u.exec(hint)?.[1] ?? '';
        expect(example).not.toBe('');
        const summary = await page.locator('.error-summary').innerText();
        expect(summary).toContain(example);
        expect(summary).not.toContain(language.dateFormat);
        expect(await page.getAttribute('#from', 'aria-invalid')).toBe('true');
        expect(await page.inputValue('#from')).toBe(language.wrong);
        await expectNoAxeViolations(page);
        await screenshot(page, `portal-xdrs-error-${language.code}-${js}`);

        // and the example itself is taken (on a fresh page: the full-page screenshot leaves empty style
        // attributes on the inputs, which htmx would carry into the swap and the CSP refuse)
        await page.goto(`${server.baseUrl}/xdrs`);
        await page.fill('#from', example);
        if (javaScriptEnabled) {
          await page.click('#xdrs-panel button[type="submit"]');
          await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe(example);
        } else {
          await clickAndWaitForPage(page, '#xdrs-panel button[type="submit"]');
        }
        expect(await page.locator('#xdrs-panel').innerText()).not.toContain(language.dateFormat);
        expect(await page.locator('.error-summary').count()).toBe(0);
      });

      it('saves the regional settings and shows times in the new zone', async () => {
        const c = await customerIn(language);
        const page = await newPage({ javaScriptEnabled });
        await signIn(page, language.code, c.login ?? '', c.password);
        await page.goto(`${server.baseUrl}/settings`);
        expect(await page.inputValue('#time_zone')).toBe('Europe/Paris');
        await expectNoAxeViolations(page);

        await page.selectOption('#out_date_format', 'custom');
        await page.fill('#out_date_format_custom', 'DD/MM');
        await clickAndWaitForPage(page, SAVE_SETTINGS);
        expect(await page.title()).toMatch(/^(Error|Erreur)\s?:/);
        expect(await page.getAttribute('#out_date_format', 'aria-invalid')).toBe('true');
        await expectNoAxeViolations(page);

        await page.fill('#time_zone', 'Asia/Tokyo');
        await page.selectOption('#out_date_format', 'YYYY-MM-DD');
        await clickAndWaitForPage(page, SAVE_SETTINGS);
        expect(pathOf(page)).toBe('/settings');
        expect(await page.locator('.flash').count()).toBe(1);
        expect(await page.inputValue('#time_zone')).toBe('Asia/Tokyo');
        await expectNoAxeViolations(page);
        await screenshot(page, `portal-settings-${language.code}-${js}`);

        await page.goto(`${server.baseUrl}/xdrs`);
        expect(await page.locator('#xdrs-panel tbody').innerText()).toContain('2026-03-01 20:00');
      });
    });
  }
}
