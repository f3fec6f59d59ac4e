// The portal's Save buttons are buttons, not bars across the whole form (Profile has three forms).
import { describe, expect, it } from 'vitest';
import { allAt, createCustomer, createRole } from '../helpers/fixtures.ts';
import { clickAndWaitForPage, newPage, useBrowser } from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

for (const javaScriptEnabled of [true, false]) {
  describe(`portal Save buttons with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('are as wide as their words on Profile and Regional settings', async () => {
      const role = await createRole(server.deps, `Save ${String(javaScriptEnabled)}`, allAt('modify'));
      const customer = await createCustomer(server.deps, { roleId: role });
      const page = await newPage({ javaScriptEnabled });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${server.baseUrl}/login`);
      await page.fill('#login', customer.login ?? '');
      await page.fill('#password', customer.password);
      await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
      for (const [path, forms] of [
        ['/profile', 3],
        ['/settings', 1],
      ] as const) {
        await page.goto(`${server.baseUrl}${path}`);
        const buttons = page.locator('main form.form button[type="submit"].button:not(.button--secondary)');
        expect(await buttons.count(), path).toBe(forms);
        for (const button of await buttons.all()) {
          const form = button.locator('xpath=ancestor::form[1]');
          const [buttonBox, formBox] = [await button.boundingBox(), await form.boundingBox()];
          expect(buttonBox && formBox && buttonBox.width < formBox.width / 2, path).toBe(true);
        }
      }
    });
  });
}
