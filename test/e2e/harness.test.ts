// The browser harness itself: a broken page must fail the checks, so that a clean run of the other
// browser tests means something. The broken page is served at the app's origin with the app's own
// Content-Security-Policy header.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  axeViolations,
  closePages,
  consoleProblems,
  expectNoAxeViolations,
  newPage,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

const BROKEN_PAGE = `<!doctype html>
<html lang="en"><head><title>Broken</title>
<link rel="stylesheet" href="/static/css/missing.css">
<script src="/broken.js" defer></script>
</head><body>
<main>
  <h1>Broken on purpose</h1>
  <p style="color: red">inline style</p>
  <script>document.title = 'inline script ran';</script>
  <img src="/static/css/app.css">
  <input type="text">
</main>
</body></html>`;

async function openBrokenPage(javaScriptEnabled: boolean): Promise<Page> {
  const csp = (await fetch(`${server.baseUrl}/admin/login`)).headers.get('content-security-policy');
  expect(csp).toContain("script-src 'self'");
  const page = await newPage({ javaScriptEnabled });
  await page.route(`${server.baseUrl}/broken`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html',
      headers: { 'content-security-policy': csp ?? '' },
      body: BROKEN_PAGE,
    }),
  );
  await page.route(`${server.baseUrl}/broken.js`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: "throw new Error('broken on purpose');" }),
  );
  await page.goto(`${server.baseUrl}/broken`);
  return page;
}

for (const javaScriptEnabled of [true, false]) {
  describe(`the browser harness with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('reports CSP violations, a missing stylesheet and script errors', async () => {
      const page = await openBrokenPage(javaScriptEnabled);
      const problems = consoleProblems(page);
      expect(problems.some((p) => p.includes('Content Security Policy') && p.includes('style-src'))).toBe(true);
      if (javaScriptEnabled) {
        expect(problems.some((p) => p.includes('Content Security Policy') && p.includes('script-src'))).toBe(true);
        await expect
          .poll(() => consoleProblems(page).some((p) => p.startsWith('uncaught Error: broken on purpose')))
          .toBe(true);
      }
      expect(problems.some((p) => p.includes('/static/css/missing.css'))).toBe(true);
      expect(await page.title()).toBe('Broken');
      // the page was meant to fail: close it before the after-each check sees it
      await closePages();
    });

    it('lists the accessibility violations with the elements at fault', async () => {
      const page = await openBrokenPage(javaScriptEnabled);
      const ids = (await axeViolations(page)).map((v) => v.id).sort();
      expect(ids).toEqual(['image-alt', 'label']);
      await expect(expectNoAxeViolations(page)).rejects.toThrow(/image-alt[\s\S]*at img[\s\S]*label[\s\S]*at input/);
      await closePages();
    });

    it('does not count a 4xx page the test asked for as a problem', async () => {
      const page = await newPage({ javaScriptEnabled });
      const missing = await page.goto(`${server.baseUrl}/no-such-page`);
      expect(missing?.status()).toBe(404);
      expect(await page.locator('h1').innerText()).toBe('Page not found');
      expect(consoleProblems(page)).toEqual([]);
    });
  });
}
