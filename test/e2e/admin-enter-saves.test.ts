// Enter in a text field of an admin form that has the password field presses the form's main
// button (it saves), not the first helper button of the form ("Generate password"), with
// JavaScript on and off. The helpers still do their job when pressed.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../helpers/fixtures.ts';
import { createAdminRole } from '../helpers/two-factor.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  newPage,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

/** Presses Enter in a field and waits for the page the form's answer loads. */
async function pressEnterIn(page: Page, selector: string): Promise<void> {
  const loaded = page.waitForEvent('load');
  await page.press(selector, 'Enter');
  await loaded;
}

const pathOf = (page: Page): string => new URL(page.url()).pathname;

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js-on' : 'js-off';

  describe(`Enter in an admin form with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    async function signedIn(name: string): Promise<Page> {
      const admin = await createAdmin(server.deps, `enter-${name}-${mode}`);
      const page = await newPage({ javaScriptEnabled });
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      return page;
    }

    it('saves the Web self-care panel from the login field', async () => {
      const customer = await createCustomer(server.deps, { login: `enter-panel-${mode}` });
      const before = await server.deps.db('customers').where({ id: customer.id }).first();
      const page = await signedIn('panel');
      await page.goto(`${server.baseUrl}/admin/customers/${customer.id}/self-care`);
      await expectNoAxeViolations(page);
      await page.fill('#login', `enter-panel-2-${mode}`);
      await pressEnterIn(page, '#login');
      expect(pathOf(page)).toBe(`/admin/customers/${customer.id}/self-care`);
      expect(await page.locator('.flash').innerText()).toContain('Web self-care settings saved');
      expect(await page.locator('#password-generated').count()).toBe(0);
      const after = await server.deps.db('customers').where({ id: customer.id }).first();
      expect(after.selfcare_login).toBe(`enter-panel-2-${mode}`);
      expect(after.password_hash).toBe(before.password_hash);
    });

    it('adds an individual from the name field, and saves one from its edit form', async () => {
      const customer = await createCustomer(server.deps);
      const role = await createRole(server.deps, `Enter staff ${mode}`, allAt('read'));
      const existing = await createIndividual(server.deps, customer.id, { login: `enter-ann-${mode}`, roleId: role });
      const page = await signedIn('individuals');
      const list = `/admin/customers/${customer.id}/individuals`;
      await page.goto(`${server.baseUrl}${list}`);
      await page.fill('#login', `enter-bob-${mode}`);
      await page.fill('#password', 'amber window copper field');
      await page.selectOption('#role_id', String(role));
      await page.fill('#name', 'Bob Enter');
      await pressEnterIn(page, '#name');
      expect(pathOf(page)).toBe(list);
      expect(await page.locator('.flash').innerText()).toContain(`Individual enter-bob-${mode} created.`);
      expect(
        await server.deps
          .db('individuals')
          .where({ login: `enter-bob-${mode}` })
          .first(),
      ).toMatchObject({
        name: 'Bob Enter',
      });

      await page.goto(`${server.baseUrl}${list}/${existing.id}`);
      await expectNoAxeViolations(page);
      await page.fill('#name', 'Ann Enter');
      await pressEnterIn(page, '#name');
      expect(await page.locator('.flash').innerText()).toContain('saved');
      expect(await page.locator('#password-generated').count()).toBe(0);
      expect((await server.deps.db('individuals').where({ id: existing.id }).first()).name).toBe('Ann Enter');
    });

    it('creates an administrator from the login field, and still generates a password on request', async () => {
      const role = await createAdminRole(server.deps, `Enter desk ${mode}`, ['customers.read']);
      const page = await signedIn('admins');
      await page.goto(`${server.baseUrl}/admin/admins/new`);
      await expectNoAxeViolations(page);
      await page.fill('#login', `enter-carol-${mode}`);
      await page.fill('#name', 'Carol Enter');
      await page.selectOption('#admin_role_id', String(role));
      if (javaScriptEnabled) {
        await page.click('button:has-text("Generate password")');
        await page.locator('#password-generated').waitFor();
      } else {
        await clickAndWaitForPage(page, 'button:has-text("Generate password")');
      }
      expect(await page.inputValue('#password')).toMatch(/^\S{16,}$/);
      await pressEnterIn(page, '#login');
      expect(pathOf(page)).toMatch(/^\/admin\/admins\/\d+$/);
      expect(await page.locator('.flash').innerText()).toContain(`Administrator enter-carol-${mode} created.`);
      const created = await server.deps
        .db('admins')
        .where({ login: `enter-carol-${mode}` })
        .first();
      expect(created.admin_role_id).toBe(role);

      await page.fill('#name', 'Carol Enter Again');
      await pressEnterIn(page, '#name');
      expect(await page.locator('.flash').innerText()).toContain(`Administrator enter-carol-${mode} saved.`);
      expect((await server.deps.db('admins').where({ id: created.id }).first()).name).toBe('Carol Enter Again');
    });
  });
}
