// Browser tests of the role editor and the individuals list, with JavaScript on and off, and
// axe-core on each page (also with JavaScript off); console and CSP problems fail every test.
// One app for the whole file: each test makes its own admin, roles, customer and logins.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../helpers/fixtures.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  isFocused,
  newPage,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

async function signedInAdmin(javaScriptEnabled: boolean, login: string): Promise<Page> {
  const admin = await createAdmin(server.deps, login);
  const page = await newPage({ javaScriptEnabled });
  await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
  return page;
}

const effective = (page: Page, key: string) => page.locator(`[id="effective-${key}"]`).innerText();

for (const js of [true, false]) {
  const mode = js ? 'js-on' : 'js-off';

  describe(`role editor with JavaScript ${js ? 'on' : 'off'}`, () => {
    it('builds a role tree, shows inherited levels and saves it', async () => {
      const page = await signedInAdmin(js, `roles-${mode}`);
      await page.goto(`${server.baseUrl}/admin/roles/new`);
      await expectNoAxeViolations(page);
      await page.fill('#name', `Accountant ${mode}`);
      // The first re-render is held back until the second change is made: the second waits in
      // htmx's queue while the first answer replaces the tree, and must still be applied.
      let held = false;
      await page.route('**/admin/roles/permission-tree', async (route) => {
        if (!held) {
          held = true;
          await new Promise((resolve) => setTimeout(resolve, 700));
        }
        await route.continue();
      });
      await page.selectOption('[id="perm[profile]"]', 'read');
      await page.focus('[id="perm[invoices]"]');
      await page.selectOption('[id="perm[invoices]"]', 'modify');
      if (js) {
        // htmx re-renders the effective levels as soon as a parent changes
        await expect.poll(() => effective(page, 'profile.contacts')).toContain('View only');
        await expect.poll(() => page.inputValue('[id="perm[invoices]"]')).toBe('modify');
        await page.waitForLoadState('networkidle');
        expect(await page.inputValue('[id="perm[invoices]"]')).toBe('modify');
        expect(await isFocused(page, '[id="perm[invoices]"]')).toBe(true);
      } else {
        expect(await effective(page, 'profile.contacts')).toContain('Forbidden');
      }
      await clickAndWaitForPage(page, 'button:has-text("Create role")');
      expect(new URL(page.url()).pathname).toMatch(/^\/admin\/roles\/\d+$/);
      expect(await page.locator('.flash').innerText()).toContain(`Role “Accountant ${mode}” created.`);
      expect(await effective(page, 'profile.contacts')).toContain('View only');
      expect(await effective(page, 'profile.contacts')).toContain('inherited from Profile');
      await expectNoAxeViolations(page);
      expectNoConsoleProblems(page);
    });

    it('shows the error summary for an invalid role and stays accessible', async () => {
      const page = await signedInAdmin(js, `roles-invalid-${mode}`);
      await page.goto(`${server.baseUrl}/admin/roles/new`);
      await clickAndWaitForPage(page, 'button:has-text("Create role")');
      expect(await page.locator('.error-summary').isVisible()).toBe(true);
      expect(await page.title()).toMatch(/^Error:/);
      if (js) expect(await isFocused(page, '.error-summary')).toBe(true);
      await expectNoAxeViolations(page);
      expectNoConsoleProblems(page);
    });
  });

  describe(`individuals list with JavaScript ${js ? 'on' : 'off'}`, () => {
    it('changes a role from the list and adds an individual', async () => {
      const main = await createRole(server.deps, `Main ${mode}`, allAt('modify'), { isDefault: true });
      const staff = await createRole(server.deps, `Staff ${mode}`, allAt('read'));
      const customer = await createCustomer(server.deps, { roleId: main, name: `Acme ${mode}` });
      await server.deps.db('customer_allowed_roles').insert([{ customer_id: customer.id, role_id: main }]);
      const ind = await createIndividual(server.deps, customer.id, { login: `jane.doe.${mode}`, roleId: staff });
      const page = await signedInAdmin(js, `individuals-${mode}`);
      const listUrl = `${server.baseUrl}/admin/customers/${customer.id}/individuals`;
      await page.goto(listUrl);
      await expectNoAxeViolations(page);
      await page.selectOption(`#role_id-${ind.id}`, String(main));
      if (js) {
        await page.locator(`#individual-${ind.id} [role=status]`).waitFor();
        expect(page.url()).toBe(listUrl);
      } else {
        await clickAndWaitForPage(page, `#individual-${ind.id} button:has-text("Change role")`);
        expect(page.url()).toBe(listUrl);
        expect(await page.locator('.flash').innerText()).toContain(`Role of jane.doe.${mode} changed to Main ${mode}.`);
      }
      expect((await server.deps.db('individuals').where({ id: ind.id }).first()).role_id).toBe(main);

      await page.fill('#login', `bob.roe.${mode}`);
      await page.fill('#password', 'amber window copper field');
      await page.selectOption('#role_id', String(main));
      await clickAndWaitForPage(page, 'button:has-text("Add individual")');
      expect(page.url()).toBe(listUrl);
      expect(await page.locator('.flash').innerText()).toContain(`Individual bob.roe.${mode} created.`);
      expect(await page.locator('table.individuals').innerText()).toContain(`bob.roe.${mode}`);
      await expectNoAxeViolations(page);
      await page.goto(`${listUrl}/${ind.id}`);
      expect(await page.locator('h2').first().innerText()).toContain(`jane.doe.${mode}`);
      await expectNoAxeViolations(page);
      await page.goto(`${listUrl}/${ind.id}/delete`);
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, `button:has-text("Delete jane.doe.${mode}")`);
      expect(page.url()).toBe(listUrl);
      expect(await page.locator('.flash').innerText()).toContain(`Individual jane.doe.${mode} deleted`);
      expectNoConsoleProblems(page);
    });
  });

  describe(`portal individuals page with JavaScript ${js ? 'on' : 'off'}`, () => {
    it('is accessible to a customer that manages its individuals', async () => {
      const main = await createRole(server.deps, `Portal main ${mode}`, allAt('modify'));
      const customer = await createCustomer(server.deps, { roleId: main, name: `Portal Acme ${mode}` });
      await server.deps.db('customer_allowed_roles').insert([{ customer_id: customer.id, role_id: main }]);
      await createIndividual(server.deps, customer.id, { login: `portal.jane.${mode}`, roleId: main });
      const page = await newPage({ javaScriptEnabled: js });
      await page.goto(`${server.baseUrl}/login`);
      await page.fill('#login', customer.login!);
      await page.fill('#password', customer.password);
      await clickAndWaitForPage(page, 'main button[type=submit]');
      expect(new URL(page.url()).pathname).not.toMatch(/^\/login/);
      await page.goto(`${server.baseUrl}/individuals`);
      expect(await page.locator('h1').innerText()).toBe('Individuals');
      expect(await page.locator('main').innerText()).toContain(`portal.jane.${mode}`);
      await expectNoAxeViolations(page);
      expectNoConsoleProblems(page);
    });
  });
}
