// The administrator's side of recovery in a real browser, with JavaScript on and off: the Web
// self-care panel and an individual's page send a password-reset link (never a password) and end
// every session of the account. axe-core runs on each page state.
import { describe, expect, it } from 'vitest';
import { createAdmin } from '../helpers/app.ts';
import { createCustomer, createIndividual } from '../helpers/fixtures.ts';
import { outboxMails } from '../helpers/mail.ts';
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

let counter = 0;

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'js-on' : 'js-off';
  describe(`recovery in the admin panels with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('sends reset links and ends sessions from the Web self-care panel and an individual’s page', async () => {
      const n = counter++;
      const c = await createCustomer(server.deps, { login: `panel.reset.${n}`, email: `panel${n}@example.com` });
      const i = await createIndividual(server.deps, c.id, {
        login: `panel.staff.${n}`,
        email: `staff${n}@example.com`,
      });
      const portal = await newPage({ javaScriptEnabled });
      await portal.goto(`${server.baseUrl}/login`);
      await portal.fill('#login', c.login ?? '');
      await portal.fill('#password', c.password);
      await clickAndWaitForPage(portal, 'form[action="/login"] button[type="submit"]');

      const page = await newPage({ javaScriptEnabled });
      const admin = await createAdmin(server.deps, `recovery-${js}`, 'a long admin passphrase');
      await signInAdminInBrowser(page, server.baseUrl, admin.login, admin.password);
      await page.goto(`${server.baseUrl}/admin/customers/${c.id}/self-care`);
      expect(await page.locator('#session-counts').innerText()).toContain('1 active portal session');
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-recovery-panel-${js}`);

      await clickAndWaitForPage(page, 'form[action$="/self-care/reset-link"] button');
      expect(await page.locator('.flash').innerText()).toContain(`panel${n}@example.com`);
      await expectNoAxeViolations(page);
      await server.deps.background.idle();
      const mail = outboxMails(server.deps.config.dataDir).find((m) => m.to === `panel${n}@example.com`);
      expect(mail?.text).toContain('/reset-password/');
      expect(mail?.text).not.toContain(c.password);

      await clickAndWaitForPage(page, 'a[href$="/self-care/end-sessions"]');
      expect(await page.locator('h1').innerText()).toContain('End every session');
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, 'main button:has-text("End all sessions")');
      expect(await page.locator('.flash').innerText()).toContain('Ended 1 portal session');
      expect(await page.locator('#session-counts').innerText()).toContain('0 active portal sessions');
      await expectNoAxeViolations(page);
      await portal.goto(`${server.baseUrl}/profile`);
      expect(new URL(portal.url()).pathname).toBe('/login');

      await page.goto(`${server.baseUrl}/admin/customers/${c.id}/individuals/${i.id}`);
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, 'form[action$="/reset-link"] button');
      expect(await page.locator('.flash').innerText()).toContain(`staff${n}@example.com`);
      await clickAndWaitForPage(page, 'form[action$="/end-sessions"] button');
      expect(await page.locator('#portal-session-count').innerText()).toBe('No active portal session.');
      await expectNoAxeViolations(page);
      await screenshot(page, `admin-recovery-individual-${js}`);
    });
  });
}
