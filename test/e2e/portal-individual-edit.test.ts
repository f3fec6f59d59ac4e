// Browser test of the portal's edit page of one individual, with JavaScript on and off: reached
// from the list's link, axe-core on the page as served and after a refused save, then a save.
import { describe, expect, it } from 'vitest';
import { allAt, createCustomer, createIndividual, createRole } from '../helpers/fixtures.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  newPage,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

for (const js of [true, false]) {
  const mode = js ? 'js-on' : 'js-off';

  describe(`portal individual edit page with JavaScript ${js ? 'on' : 'off'}`, () => {
    it('opens from the list, names a refused field, then saves', async () => {
      const main = await createRole(server.deps, `Edit main ${mode}`, allAt('modify'));
      const customer = await createCustomer(server.deps, { roleId: main, name: `Edit Acme ${mode}` });
      await server.deps.db('customer_allowed_roles').insert([{ customer_id: customer.id, role_id: main }]);
      const ind = await createIndividual(server.deps, customer.id, {
        login: `edit.jane.${mode}`,
        name: 'Jane',
        roleId: main,
      });
      const page = await newPage({ javaScriptEnabled: js });
      await page.goto(`${server.baseUrl}/login`);
      await page.fill('#login', customer.login!);
      await page.fill('#password', customer.password);
      await clickAndWaitForPage(page, 'main button[type=submit]');
      await page.goto(`${server.baseUrl}/individuals`);
      await clickAndWaitForPage(page, `a[href="/individuals/${ind.id}"]`);
      expect(await page.locator('h1').innerText()).toBe(`Individual edit.jane.${mode}`);
      await expectNoAxeViolations(page);
      await page.fill('#email', 'not-an-address');
      await clickAndWaitForPage(page, 'main form#form button[type=submit]');
      expect(await page.locator('.error-summary').innerText()).toContain(
        'Enter an e-mail address like name@example.com',
      );
      expect(await page.locator('#email').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);
      await page.fill('#email', 'jane@example.com');
      await page.fill('#name', 'Jane Renamed');
      await clickAndWaitForPage(page, 'main form#form button[type=submit]');
      expect(await page.locator('main').innerText()).toContain(`The changes to edit.jane.${mode} were saved.`);
      expect((await server.deps.db('individuals').where({ id: ind.id }).first()).email).toBe('jane@example.com');
      expectNoConsoleProblems(page);
    });
  });
}
