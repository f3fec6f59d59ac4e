// The password field of the Web self-care panel, the add-individual form and the new administrator
// form offers exactly one "Show password" control: a checkbox that shows it in place when
// JavaScript runs, a button that posts the form otherwise (then a "Hide password" button). The
// helper buttons leave the browser on addresses that still lead to the page, and "A new password
// was generated" goes once another password is typed. The portal's password page shows and hides
// the new password the same way.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { allAt, createCustomer, createRole, defaultRoleId } from '../helpers/fixtures.ts';
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

/** The "Show password" controls a user can see (checkbox or button). */
async function visibleShowControls(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const role of ['checkbox', 'button'] as const) {
    for (const control of await page.getByRole(role, { name: 'Show password', exact: true }).all())
      if (await control.isVisible()) found.push(role);
  }
  return found;
}

// `roundTrip`: a button that posts the form back to itself without JavaScript once a generated
// password is shown.
const PAGES = [
  {
    name: 'Web self-care panel',
    path: (id: number) => `/admin/customers/${id}/self-care`,
    roundTrip: 'Check the list and test',
  },
  {
    name: 'add-individual form',
    path: (id: number) => `/admin/customers/${id}/individuals`,
    roundTrip: 'Check the list and test',
  },
  { name: 'new administrator form', path: () => '/admin/admins/new', roundTrip: 'Hide password' },
];

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js-on' : 'js-off';
  describe(`password field with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    for (const target of PAGES) {
      it(`offers one working "Show password" control on the ${target.name}`, async () => {
        const admin = await createAdmin(server.deps, `pw-${mode}-${target.path(0).split('/').at(-1)}`);
        const role = await createRole(server.deps, `Staff ${mode} ${target.name}`, allAt('read'));
        const customer = await createCustomer(server.deps);
        await server.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: role });
        const page = await newPage({ javaScriptEnabled });
        await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
        await page.goto(`${server.baseUrl}${target.path(customer.id)}`);
        expect(await visibleShowControls(page)).toEqual([javaScriptEnabled ? 'checkbox' : 'button']);
        await expectNoAxeViolations(page);

        await page.fill('#password', 'amber window copper field');
        if (javaScriptEnabled) {
          await page.getByRole('checkbox', { name: 'Show password', exact: true }).check();
        } else {
          await clickAndWaitForPage(page, 'button:has-text("Show password")');
        }
        expect(await page.getAttribute('#password', 'type')).toBe('text');
        expect(await page.inputValue('#password')).toBe('amber window copper field');
        expect((await visibleShowControls(page)).length).toBeLessThanOrEqual(1);

        if (javaScriptEnabled) {
          // The field comes back from htmx after "Generate": still the checkbox alone.
          await page.click('button:has-text("Generate password")');
          await page.locator('#password-generated').waitFor();
          expect(await visibleShowControls(page)).toEqual(['checkbox']);
          await page.getByRole('checkbox', { name: 'Show password', exact: true }).uncheck();
          expect(await page.getAttribute('#password', 'type')).toBe('password');
        } else {
          // Shown by a round trip, hidden by another; the typed password stays.
          expect(await page.getByRole('button', { name: 'Show password', exact: true }).count()).toBe(0);
          await clickAndWaitForPage(page, 'button:has-text("Hide password")');
          expect(await page.getAttribute('#password', 'type')).toBe('password');
          expect(await page.inputValue('#password')).toBe('amber window copper field');
          expect(await visibleShowControls(page)).toEqual(['button']);
          // The address the form left the browser on still leads to the page.
          const reloaded = await page.goto(page.url());
          expect(reloaded?.status()).toBe(200);
          expect(new URL(page.url()).pathname).toBe(target.path(customer.id));
        }
      });

      it(`drops "A new password was generated" once another password is typed on the ${target.name}`, async () => {
        const admin = await createAdmin(server.deps, `gen-${mode}-${target.path(0).split('/').at(-1)}`);
        const role = await createRole(server.deps, `Gen ${mode} ${target.name}`, allAt('read'));
        const customer = await createCustomer(server.deps);
        await server.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: role });
        const page = await newPage({ javaScriptEnabled });
        await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
        await page.goto(`${server.baseUrl}${target.path(customer.id)}`);
        if (javaScriptEnabled) {
          await page.click('button:has-text("Generate password")');
          await page.locator('#password-generated').waitFor();
        } else {
          await clickAndWaitForPage(page, 'button:has-text("Generate password")');
        }
        expect(await page.locator('#password-generated').isVisible()).toBe(true);
        await page.fill('#password', 'my own chosen passphrase');
        if (javaScriptEnabled) {
          expect(await page.locator('#password-generated').isVisible()).toBe(false);
          expect(await page.getAttribute('#password', 'aria-describedby')).not.toContain('password-generated');
        } else {
          await clickAndWaitForPage(page, `button:has-text("${target.roundTrip}")`);
          expect(await page.locator('#password-generated').count()).toBe(0);
          expect(await page.inputValue('#password')).toBe('my own chosen passphrase');
        }
      });
    }
  });
}

for (const javaScriptEnabled of [true, false]) {
  describe(`the portal password page with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('shows and hides the new password', async () => {
      const customer = await createCustomer(server.deps, { roleId: await defaultRoleId(server.deps) });
      const page = await newPage({ javaScriptEnabled });
      await page.goto(`${server.baseUrl}/login`);
      await page.fill('#login', customer.login ?? '');
      await page.fill('#password', customer.password);
      await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
      await page.goto(`${server.baseUrl}/settings/password`);
      await page.fill('#current_password', customer.password);
      await page.fill('#new_password', 'quiet harbour lantern 42');
      const show = page.getByRole(javaScriptEnabled ? 'checkbox' : 'button', { name: 'Show the new password' });
      expect(await show.isVisible()).toBe(true);
      if (javaScriptEnabled) {
        await show.check();
        expect(await page.getAttribute('#new_password', 'type')).toBe('text');
        await show.uncheck();
      } else {
        await clickAndWaitForPage(page, 'button:has-text("Show the new password")');
        expect(await page.getAttribute('#new_password', 'type')).toBe('text');
        expect(await page.inputValue('#new_password')).toBe('quiet harbour lantern 42');
        await expectNoAxeViolations(page);
        await clickAndWaitForPage(page, 'button:has-text("Hide the new password")');
        expect(await page.inputValue('#new_password')).toBe('quiet harbour lantern 42');
      }
      expect(await page.getAttribute('#new_password', 'type')).toBe('password');
      expect(new URL(page.url()).pathname).toBe('/settings/password');
    });
  });
}
