// What every page shares: its head (an icon, so no browser asks for /favicon.ico) and a layout that
// fits a phone.
import { describe, expect, it } from 'vitest';
import { consoleProblems, newPage, useBrowser } from './helpers/browser.ts';
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
