// Every page of both doors, as an admin, a customer, an individual and someone signed out, with
// JavaScript on and off, on a 360 px phone and a 1280 px screen: the page never scrolls sideways
// (wide tables scroll inside their own focusable region), axe-core finds nothing, and the console
// stays clean (checked after each test by useBrowser). The pages come from the doors' route tables,
// so a new page is visited without anyone adding it here.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '../../src/http/route-table.ts';
import { adminRouteTable } from '../../src/doors/admin/routes.ts';
import { portalRouteTable } from '../../src/doors/portal/routes.ts';
import { createAdmin } from '../helpers/app.ts';
import {
  allAt,
  createCustomer,
  createIndividual,
  createInvoice,
  createPayment,
  createRole,
  createXdr,
} from '../helpers/fixtures.ts';
import {
  clickAndWaitForPage,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  newPage,
  screenshot,
  signInAdminInBrowser,
  useBrowser,
} from './helpers/browser.ts';
import { useServer } from './helpers/server.ts';

useBrowser();
const server = useServer();

const PHONE = { width: 360, height: 780 };
const SCREEN = { width: 1280, height: 900 };
/** Dozens of pages, each measured and checked by axe-core twice: longer than one page's test. */
const VISIT_ALL_TIMEOUT = 240_000;

interface World {
  admin: { id: number; login: string; password: string };
  adminRoleId: number;
  customer: { id: number; login: string; password: string };
  individual: { id: number; login: string; password: string };
  roleId: number;
  invoiceId: number;
  tokenId: number;
}
let world: World;

beforeAll(async () => {
  const deps = server.deps;
  const roleId = await createRole(deps, 'Accounting staff with a long role name', allAt('modify'));
  const customer = await createCustomer(deps, {
    roleId,
    name: 'Acme Telecommunications International Ltd',
    email: 'billing.department@acme-telecommunications.example',
    currency: 'UAH',
    balance: 5514.64,
    creditLimit: 10000,
    addressLine1: '1 Very Long Industrial Estate Road',
    city: 'Kyiv',
    postalCode: '01001',
    country: 'UA',
  });
  const individual = await createIndividual(deps, customer.id, {
    login: 'jane.doe.accounting',
    name: 'Jane Doe',
    email: 'jane.doe@acme-telecommunications.example',
    roleId,
  });
  const invoiceId = await createInvoice(deps, customer.id, {
    number: 'INV-2026-000123',
    amount: 5514.64,
    currency: 'UAH',
  });
  for (let i = 0; i < 6; i++)
    await createXdr(deps, customer.id, {
      connectTime: new Date(Date.UTC(2026, 2, 1, 9 + i)),
      cli: '380441234567',
      cld: `38050123456${i}`,
      description: 'Mobile Ukraine, Kyivstar premium destinations',
      durationSeconds: 125 + i,
      chargedAmount: 1234.5,
    });
  await createPayment(deps, customer.id, { amount: 5514.64, currency: 'UAH', reference: 'PAY-2026-000777' });
  const token = await deps.services.apiTokens.create(
    customer.id,
    { name: 'CRM integration', expiresAt: null },
    { actor: { type: 'system', id: null, label: 'test' }, ip: '127.0.0.1' },
  );
  const admin = await createAdmin(deps, 'layout-admin', 'correct horse battery staple');
  const adminRoleId = Number((await deps.db('admin_roles').where({ is_builtin: true }).first()).id);
  world = {
    admin,
    adminRoleId,
    customer: { id: customer.id, login: customer.login ?? '', password: customer.password },
    individual,
    roleId,
    invoiceId,
    tokenId: token.id,
  };
});

/** The address of a route, its parameters filled from the world; an unknown parameter fails loudly. */
function addressOf(route: RouteDef<unknown>, prefix: '' | '/admin'): string {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'id') {
      if (route.path.startsWith('/customers/')) return String(world.customer.id);
      if (route.path.startsWith('/roles/')) return String(world.roleId);
      if (route.path.startsWith('/admins/')) return String(world.admin.id);
      if (route.path.startsWith('/admin-roles/')) return String(world.adminRoleId);
    }
    if (name === 'individualId') return String(world.individual.id);
    if (name === 'invoiceId') return String(world.invoiceId);
    if (name === 'tokenId') return String(world.tokenId);
    if (name === 'token' || name === 'ticket' || name === 'handle') return 'no-such-thing';
    throw new Error(`every-page-fits: no value for :${name} in ${route.path}; add one`);
  });
  return `${prefix}${path === '/' && prefix ? '' : path}`;
}

function getPages(routes: RouteDef<unknown>[], prefix: '' | '/admin', which: 'public' | 'signed-in'): string[] {
  return [
    ...new Set(
      routes
        // a CSV download is a file, not a page
        .filter((r) => r.method === 'get' && !r.path.endsWith('.csv'))
        .filter((r) => (r.permission === 'public') === (which === 'public'))
        .map((r) => addressOf(r, prefix)),
    ),
  ];
}

const adminPages = (which: 'public' | 'signed-in') =>
  getPages(adminRouteTable(server.deps) as RouteDef<unknown>[], '/admin', which);
const portalPages = (which: 'public' | 'signed-in') =>
  getPages(portalRouteTable(server.deps) as RouteDef<unknown>[], '', which);

/** Whether the page is wider than the window (the page itself would scroll sideways). */
async function overflow(page: Page): Promise<string | null> {
  const [scrollWidth, innerWidth] = (await page.evaluate(
    '[document.scrollingElement.scrollWidth, window.innerWidth]',
  )) as [number, number];
  if (scrollWidth <= innerWidth) return null;
  const culprits = (await page.evaluate(
    `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-scroll')).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).slice(-6).join(' | ')`,
  )) as string;
  return `${page.url()} is ${scrollWidth} px wide in a ${innerWidth} px window: ${culprits}`;
}

/** Visits each address at both widths; returns every address that scrolls sideways. */
async function visitAll(page: Page, addresses: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const address of addresses) {
    await page.setViewportSize(SCREEN);
    await page.goto(`${server.baseUrl}${address}`);
    for (const size of [SCREEN, PHONE]) {
      await page.setViewportSize(size);
      const wide = await overflow(page);
      if (wide) problems.push(wide);
      await expectNoAxeViolations(page);
    }
  }
  return problems;
}

/** On a phone the menu is one "Menu" disclosure; opened, it shows the links on the dark bar. */
async function expectPhoneMenu(page: Page, firstLink: string): Promise<void> {
  await page.setViewportSize(PHONE);
  const link = page.locator(`header nav a[href="${firstLink}"]`);
  expect(await link.isVisible()).toBe(false);
  await page.click('header summary');
  expect(await link.isVisible()).toBe(true);
  expect(await overflow(page)).toBeNull();
  await screenshot(page, `menu-open-360-${firstLink.replace(/\W+/g, '-')}`);
  await expectNoAxeViolations(page);
  await page.click('header summary');
  expect(await link.isVisible()).toBe(false);
  await page.setViewportSize(SCREEN);
  expect(await link.isVisible()).toBe(true);
}

async function signInPortalInBrowser(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await clickAndWaitForPage(page, 'form[action="/login"] button[type="submit"]');
  expect(new URL(page.url()).pathname).toBe('/');
}

for (const javaScriptEnabled of [true, false]) {
  describe(`every page with JavaScript ${javaScriptEnabled ? 'on' : 'off'} fits a phone and a screen`, () => {
    it(
      'signed out',
      async () => {
        const page = await newPage({ javaScriptEnabled });
        const addresses = ['/admin/login', ...adminPages('public'), ...portalPages('public')];
        expect(await visitAll(page, addresses)).toEqual([]);
      },
      VISIT_ALL_TIMEOUT,
    );

    it(
      'as an administrator',
      async () => {
        const page = await newPage({ javaScriptEnabled });
        await signInAdminInBrowser(page, server.baseUrl, world.admin.login, world.admin.password);
        await expectPhoneMenu(page, '/admin/customers');
        expect(await visitAll(page, adminPages('signed-in'))).toEqual([]);
      },
      VISIT_ALL_TIMEOUT,
    );

    it(
      'as a customer',
      async () => {
        const page = await newPage({ javaScriptEnabled });
        await signInPortalInBrowser(page, world.customer.login, world.customer.password);
        await expectPhoneMenu(page, '/payments');
        expect(await visitAll(page, portalPages('signed-in'))).toEqual([]);
      },
      VISIT_ALL_TIMEOUT,
    );

    it(
      'as an individual',
      async () => {
        const page = await newPage({ javaScriptEnabled });
        await signInPortalInBrowser(page, world.individual.login, world.individual.password);
        expect(await visitAll(page, portalPages('signed-in'))).toEqual([]);
      },
      VISIT_ALL_TIMEOUT,
    );
  });
}

describe('the portal header at 1280 px', () => {
  for (const language of ['fr', 'es', 'de', 'pt-BR', 'uk', 'en']) {
    it(`keeps the menu, the name and the sign-out button on one row in ${language}`, async () => {
      const c = await createCustomer(server.deps, {
        roleId: world.roleId,
        name: 'Acme Telecommunications International Ltd',
        language,
      });
      const page = await newPage({ javaScriptEnabled: false });
      await signInPortalInBrowser(page, c.login ?? '', c.password);
      const rows = (await page.evaluate(
        `[...document.querySelectorAll('.topbar .brand, .topbar nav li, .topbar__signout > *')].map((el) => el.getBoundingClientRect()).filter((box) => box.height > 0).map((box) => [Math.round(box.top + box.height / 2), box.height])`,
      )) as [number, number][];
      expect(rows.length).toBeGreaterThan(8);
      // no item's text wraps, and every item's middle is on the same line (a few pixels apart at most)
      expect(Math.max(...rows.map(([, height]) => height))).toBeLessThan(40);
      const middles = rows.map(([middle]) => middle);
      await screenshot(page, `portal-header-1280-${language}`);
      expect(Math.max(...middles) - Math.min(...middles), middles.join(' ')).toBeLessThanOrEqual(6);
    });
  }
});

describe('visual details', () => {
  type Box = { top: number; bottom: number; width: number };
  const boxOf = (page: Page, selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((el: { getBoundingClientRect(): Box }) => {
        const { top, bottom, width } = el.getBoundingClientRect();
        return { top, bottom, width };
      });

  it('keep the call totals apart from the filter and the table, and short fields short', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await signInPortalInBrowser(page, world.customer.login, world.customer.password);
    await page.goto(`${server.baseUrl}/xdrs?from=2026-03-01+00%3A00%3A00`);
    const filter = await boxOf(page, 'form.filter');
    const totals = await boxOf(page, '#xdr-totals');
    const table = await boxOf(page, '#xdrs-panel .table-scroll');
    expect(totals.top - filter.bottom).toBeGreaterThanOrEqual(16);
    expect(table.top - totals.bottom).toBeGreaterThanOrEqual(16);
    await screenshot(page, 'xdrs-totals-1280');
    await page.goto(`${server.baseUrl}/profile`);
    expect((await boxOf(page, '#postal_code')).width).toBeLessThan(200);
    expect((await boxOf(page, '#country')).width).toBeLessThan(300);
    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeNull();
  });

  it('show the customer search label as a label', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await signInAdminInBrowser(page, server.baseUrl, world.admin.login, world.admin.password);
    await page.goto(`${server.baseUrl}/admin/customers`);
    type Styled = { getComputedStyle(el: unknown): { fontWeight: string } };
    const weight = await page
      .locator('label[for="q"]')
      .evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).fontWeight);
    expect(Number(weight)).toBeGreaterThanOrEqual(600);
  });

  for (const size of [SCREEN, PHONE]) {
    it(`leave no language alone on a line of the sign-in page at ${size.width} px`, async () => {
      const page = await newPage({ javaScriptEnabled: false });
      await page.setViewportSize(size);
      await page.goto(`${server.baseUrl}/login`);
      const tops = (await page.evaluate(
        `[...document.querySelectorAll('.language-switch li')].map((li) => Math.round(li.getBoundingClientRect().top))`,
      )) as number[];
      const perLine = [...new Set(tops)].map((top) => tops.filter((t) => t === top).length);
      expect(perLine.length === 1 || Math.min(...perLine) > 1, perLine.join(' ')).toBe(true);
      await screenshot(page, `sign-in-languages-${size.width}`);
    });
  }
});

describe('revoke and delete', () => {
  for (const javaScriptEnabled of [true, false]) {
    it(`ask on a page of their own with a button that stays red, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
      const page = await newPage({ javaScriptEnabled });
      await signInPortalInBrowser(page, world.customer.login, world.customer.password);
      const token = await server.deps.services.apiTokens.create(
        world.customer.id,
        { name: `Spare ${javaScriptEnabled ? 'on' : 'off'}`, expiresAt: null },
        { actor: { type: 'system', id: null, label: 'test' }, ip: '127.0.0.1' },
      );
      await page.goto(`${server.baseUrl}/api-tokens`);
      await clickAndWaitForPage(page, `a[href="/api-tokens/${token.id}/revoke"]`);
      expect(await page.locator('h1').innerText()).toContain(`Spare ${javaScriptEnabled ? 'on' : 'off'}`);
      type Styled = { getComputedStyle(el: unknown): { backgroundColor: string } };
      const red = async () => {
        const color = await page
          .locator('.button--danger')
          .evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).backgroundColor);
        const [r, g, b] = (color.match(/\d+/g) ?? []).map(Number);
        return (r ?? 0) > 2 * Math.max(g ?? 0, b ?? 0);
      };
      expect(await red()).toBe(true);
      await page.hover('.button--danger');
      expect(await red()).toBe(true);
      await page.focus('.button--danger');
      expect(await red()).toBe(true);
      await expectNoAxeViolations(page);
      await clickAndWaitForPage(page, '.button--danger');
      expect(new URL(page.url()).pathname).toBe('/api-tokens');
      const row = await server.deps.db('api_tokens').where({ id: token.id }).first();
      expect(row.revoked_at).not.toBeNull();
    });
  }
});

describe('htmx updates with JavaScript on', () => {
  /** Waits until htmx has swapped the answer in (no request in flight, the target settled). */
  async function settle(page: Page): Promise<void> {
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(150);
  }

  it('log nothing on the console in the portal (filter and history, role change, refused and accepted token)', async () => {
    const page = await newPage({ javaScriptEnabled: true });
    await signInPortalInBrowser(page, world.customer.login, world.customer.password);
    await page.goto(`${server.baseUrl}/xdrs`);
    await page.fill('#from', '2026-03-01 00:00:00');
    await page.click('#xdrs-panel button[type="submit"]');
    await settle(page);
    expect(page.url()).toContain('from=');
    // the filter pushed its address: going back restores the page from htmx's history
    await page.goBack();
    await settle(page);
    await page.goForward();
    await settle(page);
    await page.goto(`${server.baseUrl}/individuals`);
    await page.selectOption(`#role_id-${world.individual.id}`, String(world.roleId));
    await settle(page);
    await page.goto(`${server.baseUrl}/api-tokens`);
    // a refused form answers a 422 fragment, swapped in like any other
    await page.click('#api-tokens-panel form[action="/api-tokens"] button[type="submit"]');
    await settle(page);
    expect(await page.locator('#api-tokens-panel .error-summary').count()).toBe(1);
    await page.fill('#name', 'Switchboard');
    await page.click('#api-tokens-panel form[action="/api-tokens"] button[type="submit"]');
    await settle(page);
    expect(await page.locator('#new-api-token').count()).toBe(1);
    expectNoConsoleProblems(page);
  });

  it('log nothing on the console in the admin pages (check, preview, generate)', async () => {
    const page = await newPage({ javaScriptEnabled: true });
    await signInAdminInBrowser(page, server.baseUrl, world.admin.login, world.admin.password);
    await page.goto(`${server.baseUrl}/admin/customers/${world.customer.id}/self-care`);
    await page.fill('#trusted_ips', '10.0.0.0/8');
    await settle(page);
    await page.selectOption('#language', 'fr');
    await settle(page);
    await page.click('button[value="generate"]');
    await settle(page);
    expectNoConsoleProblems(page);
  });
});
