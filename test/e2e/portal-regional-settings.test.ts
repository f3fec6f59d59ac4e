// The portal's Regional settings in a real browser, with JavaScript on (htmx updates the preview on
// every change) and off (the "Update the preview" button re-renders the form, every typed value
// kept), on a wide and a phone-sized screen: format menus with a custom pattern, the time zone found
// by typing "tokyo", then saved. axe-core runs on each state; the console must stay clean
// (checked after each test by useBrowser).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { allAt, createCustomer, createRole } from '../helpers/fixtures.ts';
import { clickAndWaitForPage, expectNoAxeViolations, newPage, screenshot, useBrowser } from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

let counter = 0;

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const [pageWidth, viewport] = (await page.evaluate(
    '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
  )) as [number, number];
  expect(pageWidth, 'the page scrolls sideways').toBeLessThanOrEqual(viewport);
}

for (const javaScriptEnabled of [true, false]) {
  for (const width of [1280, 390]) {
    const name = `${javaScriptEnabled ? 'js-on' : 'js-off'}-${width}`;
    describe(`the portal's regional settings with JavaScript ${javaScriptEnabled ? 'on' : 'off'} at ${width} px`, () => {
      it('previews a custom pattern and a zone typed as "tokyo", then saves them', async () => {
        const role = await createRole(server.deps, `Regional ${counter++}`, allAt('modify'));
        const c = await createCustomer(server.deps, { roleId: role, timeZone: 'Europe/Paris', language: 'en' });
        const page = await newPage({ javaScriptEnabled });
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${server.baseUrl}/login`);
        await page.fill('#login', c.login ?? '');
        await page.fill('#password', c.password);
        await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
        await page.goto(`${server.baseUrl}/settings`);
        const preview = page.locator('#regional-preview');
        expect(await preview.innerText()).toContain('Europe/Paris');
        await expectNoSidewaysScroll(page);
        await expectNoAxeViolations(page);

        await page.fill('#time_zone', 'tokyo');
        await page.selectOption('#out_time_format', 'HH12:MI AM');
        await page.fill('#out_date_format_custom', 'YYYY/MM/DD');
        await page.selectOption('#out_date_format', 'custom');
        if (javaScriptEnabled) {
          await expect
            .poll(() => preview.innerText(), { timeout: 10_000 })
            .toMatch(/\d{4}\/\d\d\/\d\d \d\d?:\d\d (AM|PM)/);
          expect(await preview.innerText()).toContain('Asia/Tokyo');
        } else {
          await clickAndWaitForPage(page, 'button:has-text("Update the preview")');
          expect(new URL(page.url()).pathname).toBe('/settings/preview');
          expect(await preview.innerText()).toMatch(/\d{4}\/\d\d\/\d\d \d\d?:\d\d (AM|PM)/);
          expect(await preview.innerText()).toContain('(UTC+09:00) Asia/Tokyo');
          expect(await page.inputValue('#time_zone')).toBe('Asia/Tokyo');
          expect(await page.inputValue('#out_date_format')).toBe('custom');
          expect(await page.inputValue('#out_date_format_custom')).toBe('YYYY/MM/DD');
          expect(await page.inputValue('#out_time_format')).toBe('HH12:MI AM');
        }
        await expectNoSidewaysScroll(page);
        await expectNoAxeViolations(page);
        await screenshot(page, `portal-regional-preview-${name}`);

        await clickAndWaitForPage(page, 'form[action="/settings"] .button-row button[type="submit"]');
        expect(new URL(page.url()).pathname).toBe('/settings');
        expect(await page.locator('.flash').innerText()).toContain('saved');
        expect(await page.inputValue('#time_zone')).toBe('Asia/Tokyo');
        expect(await page.inputValue('#out_date_format_custom')).toBe('YYYY/MM/DD');
        expect(await preview.innerText()).toContain('Asia/Tokyo');
        await expectNoSidewaysScroll(page);
        await expectNoAxeViolations(page);
        const stored = await server.deps.db('customers').where({ id: c.id }).first();
        expect([stored.time_zone, stored.out_date_format, stored.out_time_format]).toEqual([
          'Asia/Tokyo',
          'YYYY/MM/DD',
          'HH12:MI AM',
        ]);

        // Enter in a field saves (the form's main action), not the preview button that comes first
        await page.fill('#time_zone', 'Europe/Kyiv');
        const loaded = page.waitForEvent('load');
        await page.press('#time_zone', 'Enter');
        await loaded;
        expect(new URL(page.url()).pathname).toBe('/settings');
        expect(await page.locator('.flash').innerText()).toContain('saved');
        expect((await server.deps.db('customers').where({ id: c.id }).first()).time_zone).toBe('Europe/Kyiv');
      });
    });
  }
}

describe("the portal's regional settings on a phone in every language", () => {
  it('fits 360 px with the longest words, format examples and zone names', async () => {
    const role = await createRole(server.deps, `Regional ${counter++}`, allAt('modify'));
    for (const language of ['uk', 'de', 'fr', 'es', 'pt-BR', 'en']) {
      const c = await createCustomer(server.deps, { roleId: role, timeZone: 'Europe/Kyiv', language });
      const page = await newPage({ javaScriptEnabled: false });
      await page.setViewportSize({ width: 360, height: 800 });
      await page.goto(`${server.baseUrl}/login`);
      await page.fill('#login', c.login ?? '');
      await page.fill('#password', c.password);
      await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
      await page.goto(`${server.baseUrl}/settings`);
      expect(await page.locator('#regional-preview').innerText()).toContain('Europe/Kyiv');
      await expectNoSidewaysScroll(page);
      await page.close();
    }
  });
});
