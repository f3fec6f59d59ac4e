/**
 * Browser helpers for the e2e project: the system Chromium driven by playwright-core, axe-core, and
 * a watch on the console.
 *
 *   useBrowser();                                    // once per test file, at top level: launches one
 *                                                    // Chromium for the file, checks and closes the
 *                                                    // pages of each test, closes Chromium at the end
 *   const page = await newPage({ javaScriptEnabled: false });   // fresh context (own cookies), CSP on
 *   await signInAdminInBrowser(page, baseUrl, login, password);   // stays on /admin/login?next=… if already there
 *   await clickAndWaitForPage(page, 'button:has-text("Sign out")');  // a click that loads a new page
 *   await expectNoAxeViolations(page);               // WCAG 2.0/2.1 A and AA; fails with a readable list
 *   expectNoConsoleProblems(page);                   // console errors, CSP violations, uncaught errors
 *   await screenshot(page, 'admin-home');            // /tmp/e2e-shots/admin-home.png (E2E_SHOTS_DIR)
 *
 * Console problems are also checked after every test for every page it opened, so a CSP violation
 * or a script error fails the test even when the test does not ask. The page's CSP stays on:
 * `securitypolicyviolation` events are invisible from outside, but Chromium reports every violation
 * on the console ("… violates the following Content Security Policy directive …"), with or without
 * JavaScript. Chromium also logs "Failed to load resource: … status of 4xx" for every 4xx answer;
 * a 4xx the test asked for on purpose — a page navigation (401 sign-in, 422 form) or an htmx
 * request (422 fragment) — is not a problem; a 4xx for a stylesheet, script or image, and any 5xx,
 * is. Every page names an (empty) icon, so a 404 for /favicon.ico is a problem like any other.
 *
 * axe-core runs in an isolated world created through DevTools: the page's CSP does not apply there
 * (no `bypassCSP`, no inline script), and it works on pages loaded with JavaScript off, where the
 * main world has no script context. Timers never fire while a page's scripting is off, so the run
 * uses zero-delay timers and skips axe's asset preloading.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS_DIR = process.env.E2E_SHOTS_DIR ?? '/tmp/e2e-shots';

/** Without the background-networking flags Chromium keeps calling home on a closed network. */
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const require = createRequire(import.meta.url);
let axeSource: string | undefined;

let browser: Browser | undefined;
let launching: Promise<Browser> | undefined;

interface PageWatch {
  context: BrowserContext;
  /** console errors, CSP messages and uncaught errors, in order */
  messages: { text: string; url: string }[];
  /** "<status> <url>" of 4xx answers the test asked for (navigations and htmx requests) */
  expected4xx: Set<string>;
}
const watches = new Map<Page, PageWatch>();

/** The one Chromium of this test file (vitest loads this module once per file). */
export async function sharedBrowser(): Promise<Browser> {
  if (browser?.isConnected()) return browser;
  launching ??= chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS }).then((b) => {
    browser = b;
    launching = undefined;
    return b;
  });
  return launching;
}

export async function closeBrowser(): Promise<void> {
  await closePages();
  const b = browser ?? (await launching?.catch(() => undefined));
  browser = undefined;
  launching = undefined;
  await b?.close();
}

/** Closes every page opened with `newPage` (and its context). */
export async function closePages(): Promise<void> {
  const contexts = [...watches.values()].map((w) => w.context);
  watches.clear();
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
}

/**
 * Registers the hooks of a browser test file: launch once before all tests, after each test fail
 * on console problems of its pages and close them, close the browser after all tests.
 */
export function useBrowser(): void {
  beforeAll(async () => {
    await sharedBrowser();
  });
  afterEach(async () => {
    const problems = [...watches.keys()].flatMap((page) => consoleProblems(page).map((p) => `${page.url()}: ${p}`));
    await closePages();
    if (problems.length)
      throw new Error(`The browser reported problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  });
  afterAll(async () => {
    await closeBrowser();
  });
}

/** A page in a fresh browser context (its own cookies), watched for console problems. */
export async function newPage(opts: { javaScriptEnabled: boolean }): Promise<Page> {
  const context = await (
    await sharedBrowser()
  ).newContext({
    javaScriptEnabled: opts.javaScriptEnabled,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  const watch: PageWatch = { context, messages: [], expected4xx: new Set() };
  watches.set(page, watch);
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' || text.includes('Content Security Policy'))
      watch.messages.push({ text, url: msg.location().url });
  });
  page.on('pageerror', (err) => watch.messages.push({ text: `uncaught ${err.name}: ${err.message}`, url: page.url() }));
  page.on('response', (response) => {
    const status = response.status();
    if (status < 400 || status >= 500) return;
    const request = response.request();
    if (request.isNavigationRequest() || request.headers()['hx-request'] === 'true')
      watch.expected4xx.add(`${status} ${response.url()}`);
  });
  return page;
}

/** A page as `newPage` gives, the size of a 390 × 844 phone. */
export async function newPhonePage(opts: { javaScriptEnabled: boolean }): Promise<Page> {
  const page = await newPage(opts);
  await page.setViewportSize({ width: 390, height: 844 });
  return page;
}

/** Fails when the page is wider than its window (it would scroll sideways). */
export async function expectFitsWindow(page: Page): Promise<void> {
  const [scrollWidth, innerWidth] = (await page.evaluate(
    '[document.scrollingElement.scrollWidth, window.innerWidth]',
  )) as [number, number];
  expect(scrollWidth, page.url()).toBeLessThanOrEqual(innerWidth);
}

/** What went wrong on the page's console so far (empty when all is well). */
export function consoleProblems(page: Page): string[] {
  const watch = watches.get(page);
  if (!watch) return [];
  return watch.messages
    .filter(({ text, url }) => {
      const status = /^Failed to load resource: the server responded with a status of (4\d\d)\b/.exec(text)?.[1];
      return !(status && watch.expected4xx.has(`${status} ${url}`));
    })
    .map(({ text, url }) => (url && !text.includes(url) ? `${text} (${url})` : text));
}

export function expectNoConsoleProblems(page: Page): void {
  const problems = consoleProblems(page);
  if (problems.length)
    throw new Error(`The browser reported problems on ${page.url()}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/** axe-core violations of the page as it is now (see the top of this file for how it runs). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const cdp = await page.context().newCDPSession(page);
  try {
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
    const { executionContextId } = await cdp.send('Page.createIsolatedWorld', {
      frameId: frameTree.frame.id,
      worldName: 'e2e-axe',
      grantUniveralAccess: true,
    });
    const zeroDelayTimers = `window.setTimeout = function (fn) { var args = Array.prototype.slice.call(arguments, 2); Promise.resolve().then(function () { fn.apply(null, args); }); return 0; }; window.clearTimeout = function () {};`;
    const run = `axe.run(document, ${JSON.stringify({ runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations'], preload: false })}).then(function (r) { return JSON.stringify(r.violations); })`;
    const result = await cdp.send('Runtime.evaluate', {
      contextId: executionContextId,
      expression: `${zeroDelayTimers}\n${axeSource}\n;${run}`,
      awaitPromise: true,
      returnByValue: true,
    });
    if (result.exceptionDetails)
      throw new Error(
        `axe-core failed: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`,
      );
    return JSON.parse(String(result.result.value)) as AxeViolation[];
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

export async function expectNoAxeViolations(page: Page): Promise<void> {
  const violations = await axeViolations(page);
  if (!violations.length) return;
  const lines = violations.flatMap((v) => [
    `- ${v.id} (${v.impact ?? 'no impact given'}): ${v.help} — ${v.helpUrl}`,
    ...v.nodes.map(
      (n) =>
        `    at ${n.target.map(String).join(' ')}: ${n.html.slice(0, 160)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`,
    ),
  ]);
  throw new Error(
    `axe-core found ${violations.length} accessibility violation(s) on ${page.url()}:\n${lines.join('\n')}`,
  );
}

/** Full-page screenshot to SHOTS_DIR/<name>.png; returns the file path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Whether the element the selector finds first has the keyboard focus (works with JavaScript off). */
export async function isFocused(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => el === el.ownerDocument.activeElement);
}

/**
 * Clicks something that loads a whole new page (a link, a plain form submit) and waits until that
 * page has loaded — whatever its status. Not for htmx swaps, which load no page.
 */
export async function clickAndWaitForPage(page: Page, selector: string): Promise<void> {
  const loaded = page.waitForEvent('load');
  await page.click(selector);
  await loaded;
}

/**
 * Signs in through the real form (works with JavaScript on or off) and waits for the page after
 * it; throws with the page's error summary when the sign-in is refused.
 */
export async function signInAdminInBrowser(
  page: Page,
  baseUrl: string,
  login: string,
  password: string,
): Promise<void> {
  if (!page.url().startsWith(`${baseUrl}/admin/login`)) await page.goto(`${baseUrl}/admin/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await clickAndWaitForPage(page, 'form[action="/admin/login"] button[type=submit]');
  if (new URL(page.url()).pathname === '/admin/login') {
    const summary = (await page.locator('.error-summary').allInnerTexts()).join(' ').replace(/\s+/g, ' ').trim();
    throw new Error(`admin sign-in as "${login}" was refused${summary ? `: ${summary}` : ''}`);
  }
}
