// The password field of the Web self-care panel and of the add-individual form offers exactly one
// "Show password" control: a checkbox that shows it in place when JavaScript runs, a button that
// posts the form otherwise.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../helpers/fixtures.ts';
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

const PAGES = [
  { name: 'Web self-care panel', path: (id: number) => `/admin/customers/${id}/self-care` },
  { name: 'add-individual form', path: (id: number) => `/admin/customers/${id}/individuals` },
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
        }
      });
    }
  });
}
