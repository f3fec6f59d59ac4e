// The admin's API tokens tab in a real browser, with JavaScript on and off: generate (the token is
// shown once, with a copy button only when JavaScript runs), revoke with confirmation, axe-core clean.
// The expiry is a day typed in the viewer's input format, read by the customer as the same day.
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { createCustomer, defaultRoleId } from '../helpers/fixtures.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  newPage,
  screenshot,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js-on' : 'js-off';

  describe(`admin API tokens tab with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('generates a token shown once, then revokes it after confirmation', async () => {
      const admin = await createAdmin(server.deps, `tokens-${mode}`);
      const customer = await createCustomer(server.deps, { login: `acme-${mode}`, name: `Acme ${mode}` });
      const page = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      await page.goto(`${server.baseUrl}/admin/customers/${customer.id}/api-tokens`);
      expect(await page.locator('nav[aria-label="Customer sections"] [aria-current="page"]').innerText()).toBe(
        'API tokens',
      );
      await expectNoAxeViolations(page);

      await page.getByLabel('Name').fill('CRM sync');
      if (javaScriptEnabled) {
        const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api-tokens'));
        await page.click('button:has-text("Generate token")');
        expect((await answer).request().headers()['hx-request']).toBe('true');
        await page.locator('#new-api-token').waitFor();
      } else {
        await clickAndWaitForPage(page, 'button:has-text("Generate token")');
      }
      const token = (await page.locator('#new-api-token').innerText()).trim();
      expect(token).toMatch(/^sc_[A-Za-z0-9_-]{43}$/);
      expect(await page.locator('[data-copy-target="new-api-token"]').isVisible()).toBe(javaScriptEnabled);
      expect(await page.getByText('you will not see it again').isVisible()).toBe(true);
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-api-token-new-${mode}`);

      await page.goto(`${server.baseUrl}/admin/customers/${customer.id}/api-tokens`);
      expect(await page.content()).not.toContain(token);
      // Revoke asks on a page of its own (the same with and without JavaScript), then acts
      await clickAndWaitForPage(page, 'a:has-text("Revoke")');
      expect(await page.locator('h1').innerText()).toContain('Revoke the token “CRM sync”?');
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-api-token-revoke-${mode}`);
      await clickAndWaitForPage(page, 'button:has-text("Revoke")');
      expect(await page.locator('td .status').innerText()).toBe('Revoked');
      await expectNoAxeViolations(page);
      const row = await server.deps.db('api_tokens').where({ customer_id: customer.id }).first();
      expect(row.revoked_at).not.toBeNull();
    });
  });

  describe(`API token expiry with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('is typed by the admin as a day and read by the customer in Tokyo as the same day', async () => {
      const admin = await createAdmin(server.deps, `expiry-${mode}`);
      const customer = await createCustomer(server.deps, {
        login: `tokyo-${mode}`,
        roleId: await defaultRoleId(server.deps),
        timeZone: 'Asia/Tokyo',
        language: 'fr',
        inDateFormat: 'DD/MM/YYYY',
        outDateFormat: 'DD/MM/YYYY',
      });
      const page = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      await page.goto(`${server.baseUrl}/admin/customers/${customer.id}/api-tokens`);
      await page.getByLabel('Name').fill('Mid-year');
      await page.getByLabel('Expires on (optional)').fill('2999-06-30');
      if (javaScriptEnabled) {
        await page.click('button:has-text("Generate token")');
        await page.locator('#new-api-token').waitFor();
      } else {
        await clickAndWaitForPage(page, 'button:has-text("Generate token")');
      }
      expect(await page.locator('tbody tr td:nth-child(4)').first().innerText()).toBe('2999-06-30');

      const portal = await newPage({ javaScriptEnabled });
      await portal.goto(`${server.baseUrl}/login`);
      await portal.fill('#login', customer.login ?? '');
      await portal.fill('#password', customer.password);
      await clickAndWaitForPage(portal, 'form[action="/login"] button[type="submit"]');
      await portal.goto(`${server.baseUrl}/api-tokens`);
      expect(await portal.locator('tbody tr td:nth-child(4)').first().innerText()).toBe('30/06/2999');
      // the customer types its own format, not a browser date box
      expect(await portal.getAttribute('#expires_on', 'type')).toBe('text');
      await portal.locator('#name').fill('Year end');
      await portal.locator('#expires_on').fill('31/12/2999');
      if (javaScriptEnabled) {
        await portal.click('form[action="/api-tokens"] button[type="submit"]');
        await portal.locator('#new-api-token').waitFor();
      } else {
        await clickAndWaitForPage(portal, 'form[action="/api-tokens"] button[type="submit"]');
      }
      expect(await portal.locator('tbody').innerText()).toContain('31/12/2999');
      await expectNoAxeViolations(portal);
    });
  });
}
