// The Web self-care panel in a real browser, with JavaScript on (htmx: generate in place, live
// check of the trusted list and the address test, preview on change) and off (every button posts
// the whole form and the page comes back). Each pass fills every field, saves, and checks the saved
// customer; axe-core runs on the panel, on its error page and after the htmx swaps.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/access/passwords.ts';
import { createAdmin } from '../helpers/app.ts';
import { allAt, createCustomer, createRole, defaultRoleId } from '../helpers/fixtures.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  isFocused,
  newPage,
  screenshot,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { startServer, type RunningServer } from './helpers/server.ts';

useBrowser();

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

async function customerRow(id: number): Promise<Record<string, unknown>> {
  return (await server.deps.db('customers').where({ id }).first()) as Record<string, unknown>;
}

async function openPanel(page: Page, mode: string, customerId: number): Promise<void> {
  const admin = await createAdmin(server.deps, `panel-${mode}`, 'a long admin passphrase');
  await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
  const response = await page.goto(`${server.baseUrl}/admin/customers/${customerId}/self-care`);
  expect(response?.status()).toBe(200);
}

describe('Web self-care panel with JavaScript on', () => {
  it('generates in place, checks the list as typed, previews, saves every field', async () => {
    await defaultRoleId(server.deps);
    const role = await createRole(server.deps, 'Browser role on', allAt('read'));
    const customer = await createCustomer(server.deps, { login: 'browser-on' });
    const page = await newPage({ javaScriptEnabled: true });
    await openPanel(page, 'js-on', customer.id);
    expect(await page.title()).toContain('Web self-care');
    await expectNoAxeViolations(page);

    // A marker that a full page load would wipe out: htmx swaps must keep it.
    await page.evaluate('window.__noReload = true');

    await page.fill('#login', 'Browser-On-2');
    await page.click('button:has-text("Generate password")');
    await page.locator('#password-generated').waitFor();
    const generated = await page.inputValue('#password');
    expect(generated).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(await page.getAttribute('#password', 'type')).toBe('text');
    await page.uncheck('#show_password');
    expect(await page.getAttribute('#password', 'type')).toBe('password');
    await page.check('#show_password');
    expect(await page.getAttribute('#password', 'type')).toBe('text');
    await page.check('#password_change_required');

    await page.check('#ip_restriction');
    await page.fill('#trusted_ips', '10.0.0.5/8\n10.1');
    await page.locator('#trusted-ips-check:has-text("Line 2")').waitFor();
    expect(await page.locator('#trusted-ips-check').innerText()).toContain('host bits set');
    await page.fill('#trusted_ips', '10.0.0.5/8\n192.168.192.0/255.255.255.0');
    await page.locator('#trusted-ips-check:has-text("2 entries, no problems")').waitFor();
    await page.fill('#test_address', '192.168.192.77');
    await page.locator('#test-result:has-text("would be let in")').waitFor();
    expect(await page.locator('#test-result').innerText()).toContain('192.168.192.0/24');
    await expectNoAxeViolations(page);

    await page.selectOption('#role_id', String(role));
    await page.fill('#time_zone', 'Asia/Tokyo');
    await page.press('#time_zone', 'Tab');
    await page.locator('#regional-preview:has-text("Asia/Tokyo")').waitFor();
    await page.selectOption('#language', 'fr');
    await page.selectOption('#out_date_format', 'DD MON YYYY');
    await page.selectOption('#out_time_format', 'HH12:MI AM');
    await page.locator('#regional-preview dd:text-matches("[AP]M$")').waitFor();
    await page.selectOption('#in_date_format', 'custom');
    await page.fill('#in_date_format_custom', 'DD/MM/YY');
    await page.selectOption('#in_time_format', 'HH24:MI');
    expect(await page.evaluate('window.__noReload')).toBe(true);
    await screenshot(page, 'admin-self-care-panel-js-on');

    await clickAndWaitForPage(page, 'button:has-text("Save")');
    expect(new URL(page.url()).pathname).toBe(`/admin/customers/${customer.id}/self-care`);
    expect(await page.locator('.flash').innerText()).toContain('Web self-care settings saved');
    expect(await page.locator('.notice').first().innerText()).toContain('canonical form');
    expect(await page.inputValue('#trusted_ips')).toBe('10.0.0.0/8;\n192.168.192.0/24;');
    await expectNoAxeViolations(page);

    const row = await customerRow(customer.id);
    expect(row).toMatchObject({
      selfcare_login: 'Browser-On-2',
      role_id: role,
      time_zone: 'Asia/Tokyo',
      language: 'fr',
      out_date_format: 'DD MON YYYY',
      out_time_format: 'HH12:MI AM',
      in_date_format: 'DD/MM/YY',
      in_time_format: 'HH24:MI',
      trusted_ips: '10.0.0.0/8;\n192.168.192.0/24;',
    });
    expect(Boolean(row.ip_restriction)).toBe(true);
    expect(Boolean(row.password_change_required)).toBe(true);
    expect(await verifyPassword(generated, String(row.password_hash))).toBe(true);
  });

  it('keeps the preview and the list check in step with quick changes while an answer is slow', async () => {
    const customer = await createCustomer(server.deps, { login: 'browser-quick' });
    const page = await newPage({ javaScriptEnabled: true });
    await openPanel(page, 'js-quick', customer.id);
    // The first answer of each helper is held back until the later changes have been made, so the
    // later requests wait in htmx's queue while the first answer replaces the region they target.
    for (const path of ['preview', 'trusted-ips/check']) {
      let held = false;
      await page.route(`**/self-care/${path}`, async (route) => {
        if (!held) {
          held = true;
          await new Promise((resolve) => setTimeout(resolve, 700));
        }
        await route.continue();
      });
    }
    await page.selectOption('#language', 'fr');
    await page.selectOption('#out_date_format', 'DD MON YYYY');
    await page.selectOption('#out_time_format', 'HH12:MI AM');
    await page.locator('#regional-preview dd:text-matches("[AP]M$")').waitFor();

    await page.check('#ip_restriction');
    await page.fill('#trusted_ips', '10.1');
    await page.waitForTimeout(450);
    await page.fill('#trusted_ips', '10.0.0.0/8');
    await page.locator('#trusted-ips-check:has-text("1 entry, no problems")').waitFor();
    expect(await page.locator('#trusted-ips-check').innerText()).not.toContain('Line 1');
  });

  it('shows refused fields in a focused error summary that is accessible', async () => {
    const customer = await createCustomer(server.deps);
    const page = await newPage({ javaScriptEnabled: true });
    await openPanel(page, 'js-on-errors', customer.id);
    await page.selectOption('#out_time_format', 'custom');
    await page.fill('#out_time_format_custom', 'HH12:MI');
    await page.fill('#password', 'short');
    await clickAndWaitForPage(page, 'button:has-text("Save")');
    expect(await page.title()).toMatch(/^Error: /);
    const links = await Promise.all((await page.locator('.error-summary a').all()).map((a) => a.getAttribute('href')));
    expect(links).toEqual(['#password', '#out_time_format']);
    expect(await isFocused(page, '.error-summary')).toBe(true);
    expect(await page.getAttribute('#out_time_format', 'aria-invalid')).toBe('true');
    await expectNoAxeViolations(page);
  });
});

describe('Web self-care panel with JavaScript off', () => {
  it('generates and checks by posting the whole form, then saves every field', async () => {
    await defaultRoleId(server.deps);
    const role = await createRole(server.deps, 'Browser role off', allAt('read'));
    const customer = await createCustomer(server.deps, { login: 'browser-off' });
    const page = await newPage({ javaScriptEnabled: false });
    await openPanel(page, 'js-off', customer.id);
    await expectNoAxeViolations(page);

    await page.fill('#login', 'browser-off-2');
    await page.check('#ip_restriction');
    await page.fill('#trusted_ips', '2001:db8::/32; 203.0.113.9');
    await page.fill('#test_address', '2001:db8::1');
    await clickAndWaitForPage(page, 'button:has-text("Check the list and test")');
    expect(await page.locator('#test-result').innerText()).toContain('would be let in by “2001:db8::/32”');
    expect(await page.inputValue('#login')).toBe('browser-off-2');

    await clickAndWaitForPage(page, 'button:has-text("Generate password")');
    const generated = await page.inputValue('#password');
    expect(generated).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(await page.getAttribute('#password', 'type')).toBe('text');
    expect(await page.locator('#password-generated').innerText()).toContain('not saved yet');
    expect(await page.inputValue('#trusted_ips')).toBe('2001:db8::/32; 203.0.113.9');
    await expectNoAxeViolations(page);

    await page.selectOption('#role_id', String(role));
    await page.fill('#time_zone', 'America/Sao_Paulo');
    await page.selectOption('#language', 'pt-BR');
    await page.selectOption('#out_date_format', 'DD.MM.YYYY');
    await page.selectOption('#out_time_format', 'custom');
    await page.fill('#out_time_format_custom', 'HH24.MI');
    await page.selectOption('#in_date_format', 'MM/DD/YYYY');
    await page.selectOption('#in_time_format', 'HH12:MI:SS AM');
    await clickAndWaitForPage(page, 'button:has-text("Update the preview")');
    expect(await page.locator('#regional-preview').innerText()).toContain('America/Sao_Paulo');
    await screenshot(page, 'admin-self-care-panel-js-off');

    await clickAndWaitForPage(page, 'button:has-text("Save")');
    expect(await page.locator('.flash').innerText()).toContain('Web self-care settings saved');
    await expectNoAxeViolations(page);
    const row = await customerRow(customer.id);
    expect(row).toMatchObject({
      selfcare_login: 'browser-off-2',
      role_id: role,
      time_zone: 'America/Sao_Paulo',
      language: 'pt-BR',
      out_date_format: 'DD.MM.YYYY',
      out_time_format: 'HH24.MI',
      in_date_format: 'MM/DD/YYYY',
      in_time_format: 'HH12:MI:SS AM',
      trusted_ips: '2001:db8::/32;\n203.0.113.9;',
    });
    expect(await verifyPassword(generated, String(row.password_hash))).toBe(true);
  });

  it('keeps what was typed and lists each bad line of the trusted list in the summary', async () => {
    const customer = await createCustomer(server.deps);
    const page = await newPage({ javaScriptEnabled: false });
    await openPanel(page, 'js-off-errors', customer.id);
    await page.check('#ip_restriction');
    await page.fill('#trusted_ips', '10.0.0.0/8\n010.0.0.1\n10.0.0.0/33');
    await clickAndWaitForPage(page, 'button:has-text("Save")');
    const summary = await page.locator('.error-summary').innerText();
    expect(summary).toContain('line 2: “010.0.0.1”');
    expect(summary).toContain('line 3: “10.0.0.0/33”');
    expect(await page.inputValue('#trusted_ips')).toBe('10.0.0.0/8\n010.0.0.1\n10.0.0.0/33');
    await expectNoAxeViolations(page);
    await screenshot(page, 'admin-self-care-panel-errors-js-off');
  });
});

describe('Web self-care panel saved by two admins at once', () => {
  it('answers the stale save with an accessible conflict page and re-applies on request', async () => {
    const customer = await createCustomer(server.deps, { language: 'en', timeZone: 'UTC' });
    const first = await newPage({ javaScriptEnabled: false });
    const second = await newPage({ javaScriptEnabled: true });
    await openPanel(first, 'conflict-a', customer.id);
    await openPanel(second, 'conflict-b', customer.id);
    await second.selectOption('#language', 'de');
    await clickAndWaitForPage(second, 'button:has-text("Save")');
    expect(await second.locator('.flash').innerText()).toContain('saved');

    await first.fill('#time_zone', 'Europe/Madrid');
    const answer = first.waitForResponse((r) => r.request().method() === 'POST');
    await clickAndWaitForPage(first, 'button:has-text("Save")');
    expect((await answer).status()).toBe(409);
    const conflict = await first.locator('.conflict').innerText();
    expect(conflict).toContain('Someone else changed this customer');
    expect(conflict).toMatch(/Web interface language\s+English\s+German/);
    expect(await first.inputValue('#time_zone')).toBe('Europe/Madrid');
    expect(await first.inputValue('#language')).toBe('de');
    await expectNoAxeViolations(first);
    await screenshot(first, 'admin-self-care-panel-conflict');

    await clickAndWaitForPage(first, 'button:has-text("Save")');
    expect(await first.locator('.flash').innerText()).toContain('saved');
    expect(await customerRow(customer.id)).toMatchObject({ language: 'de', time_zone: 'Europe/Madrid', version: 3 });
  });
});
