// Browser tests of the role editor and the individuals list, with JavaScript on and off, and
// axe-core on each page. A small local harness (the app on an ephemeral port, the system Chromium).
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, type TestApp } from '../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../helpers/fixtures.ts';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let browser: Browser;
let t: TestApp;
let server: Server;
let base: string;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  t = await createTestApp();
  server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

/**
 * axe-core violations of the page (run through DevTools, so the page's CSP does not apply). With
 * JavaScript off nothing can run in the page; the same pages are checked in the JavaScript-on run.
 */
async function axeViolations(page: Page, javaScriptEnabled: boolean): Promise<string[]> {
  if (!javaScriptEnabled) return [];
  const result = (await page.evaluate(`${AXE_SOURCE}; axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))`)) as string[];
  return result;
}

async function signedInAdmin(javaScriptEnabled: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const admin = await createAdmin(t.deps);
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('#login', admin.login);
  await page.fill('#password', admin.password);
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('button[type=submit]:has-text("Sign in")')]);
  return { context, page };
}

const effective = (page: Page, key: string) => page.locator(`[id="effective-${key}"]`).innerText();

for (const js of [true, false]) {
  describe(`role editor with JavaScript ${js ? 'on' : 'off'}`, () => {
    it('builds a role tree, shows inherited levels and saves it', async () => {
      const { context, page } = await signedInAdmin(js);
      await page.goto(`${base}/admin/roles/new`);
      expect(await axeViolations(page, js)).toEqual([]);
      await page.fill('#name', 'Accountant');
      await page.selectOption('[id="perm[profile]"]', 'read');
      await page.focus('[id="perm[invoices]"]');
      await page.selectOption('[id="perm[invoices]"]', 'modify');
      if (js) {
        // htmx re-renders the effective levels as soon as a parent changes
        await expect.poll(() => effective(page, 'profile.contacts')).toContain('View only');
        expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('perm[invoices]');
      } else {
        expect(await effective(page, 'profile.contacts')).toContain('Forbidden');
      }
      await Promise.all([page.waitForURL(/\/admin\/roles\/\d+$/), page.click('button:has-text("Create role")')]);
      expect(await page.locator('.flash').innerText()).toContain('Role “Accountant” created.');
      expect(await effective(page, 'profile.contacts')).toContain('View only');
      expect(await effective(page, 'profile.contacts')).toContain('inherited from Profile');
      expect(await axeViolations(page, js)).toEqual([]);
      await context.close();
    });

    it('shows the error summary for an invalid role and stays accessible', async () => {
      const { context, page } = await signedInAdmin(js);
      await page.goto(`${base}/admin/roles/new`);
      await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Create role")')]);
      await page.waitForSelector('.error-summary');
      expect(await page.title()).toMatch(/^Error:/);
      expect(await axeViolations(page, js)).toEqual([]);
      await context.close();
    });
  });

  describe(`individuals list with JavaScript ${js ? 'on' : 'off'}`, () => {
    it('changes a role from the list and adds an individual', async () => {
      const main = await createRole(t.deps, 'Main', allAt('modify'), { isDefault: true });
      const staff = await createRole(t.deps, 'Staff', allAt('read'));
      const customer = await createCustomer(t.deps, { roleId: main, name: 'Acme' });
      await t.deps.db('customer_allowed_roles').insert([{ customer_id: customer.id, role_id: main }]);
      const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staff });
      const { context, page } = await signedInAdmin(js);
      const listUrl = `${base}/admin/customers/${customer.id}/individuals`;
      await page.goto(listUrl);
      expect(await axeViolations(page, js)).toEqual([]);
      await page.selectOption(`#role_id-${ind.id}`, String(main));
      if (js) {
        await page.locator(`#individual-${ind.id} [role=status]`).waitFor();
        expect(page.url()).toBe(listUrl);
      } else {
        await Promise.all([page.waitForURL(listUrl), page.click(`#individual-${ind.id} button:has-text("Change role")`)]);
        expect(await page.locator('.flash').innerText()).toContain('Role of jane.doe changed to Main.');
      }
      expect((await t.deps.db('individuals').where({ id: ind.id }).first()).role_id).toBe(main);

      await page.fill('#login', 'bob.roe');
      await page.fill('#password', 'amber window copper field');
      await page.selectOption('#role_id', String(main));
      await Promise.all([page.waitForURL(listUrl), page.click('button:has-text("Add individual")')]);
      expect(await page.locator('.flash').innerText()).toContain('Individual bob.roe created.');
      expect(await page.locator('table.individuals').innerText()).toContain('bob.roe');
      expect(await axeViolations(page, js)).toEqual([]);
      await page.goto(`${listUrl}/${ind.id}`);
      expect(await page.locator('h2').first().innerText()).toContain('jane.doe');
      expect(await axeViolations(page, js)).toEqual([]);
      await page.goto(`${listUrl}/${ind.id}/delete`);
      await Promise.all([page.waitForURL(listUrl), page.click('button:has-text("Delete jane.doe")')]);
      expect(await page.locator('.flash').innerText()).toContain('Individual jane.doe deleted');
      await context.close();
    });
  });
}

describe('portal individuals page', () => {
  it('is accessible to a customer that manages its individuals', async () => {
    const main = await createRole(t.deps, 'Main', allAt('modify'), { isDefault: true });
    const customer = await createCustomer(t.deps, { roleId: main, name: 'Acme' });
    await t.deps.db('customer_allowed_roles').insert([{ customer_id: customer.id, role_id: main }]);
    await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: main });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#login', customer.login!);
    await page.fill('#password', customer.password);
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('main button[type=submit]')]);
    await page.goto(`${base}/individuals`);
    expect(await page.locator('h1').innerText()).toBe('Individuals');
    expect(await axeViolations(page, true)).toEqual([]);
    await context.close();
  });
});
