/**
 * The mixed load of the fault run: virtual users that sign in to the portal, read the dashboard and
 * the call history, save an admin panel and call the API, each request recorded with its phase,
 * status and time. Every request gives up after CLIENT_TIMEOUT_MS, so a hang shows as a timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Seeded } from './stack.ts';

/** Well past the 2 s the app promises, so a slow answer is measured rather than cut. */
const CLIENT_TIMEOUT_MS = 5000;
/** The app sits behind a TLS-terminating proxy in production: Secure cookies need this. */
export const PROXY_HEADERS = { 'X-Forwarded-Proto': 'https' };

/** on every signed-in page, admin or portal, in every language: the sign-out form */
export const SIGNED_IN = 'logout"';

export type Kind = 'sign-in' | 'page' | 'save' | 'api' | 'public';

export interface Sample {
  phase: string;
  kind: Kind;
  what: string;
  started: number;
  ms: number;
  /** 0 when no answer came */
  status: number;
  /** network error or timeout */
  error?: string;
  /** a page or API answer that showed the signed-in user's data */
  signedIn: boolean;
  /** a 503 that says so: the error page or the JSON error */
  explained: boolean;
  /** the start of a refusal's text, for FAULTS_DEBUG */
  note?: string;
}

export class Recorder {
  phase = 'start';
  /** false once the load balancer has taken the app out: no new request is sent */
  routing = true;
  readonly samples: Sample[] = [];
  inPhase(...phases: string[]): Sample[] {
    return this.samples.filter((s) => phases.includes(s.phase));
  }
}

/** Cookies as a browser keeps them for one site: the latest value of each name. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }
  clear(): void {
    this.cookies.clear();
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** The fields of the first form posting to `action`, as a browser would send them unchanged. */
export function formFields(html: string, action: string): URLSearchParams {
  const start = html.indexOf(`action="${action}"`);
  const end = html.indexOf('</form>', start);
  const form = start >= 0 ? html.slice(start, end) : '';
  const fields = new URLSearchParams();
  for (const m of form.matchAll(/<input\b([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const name = /\bname="([^"]+)"/.exec(attrs)?.[1];
    const type = /\btype="([^"]+)"/.exec(attrs)?.[1] ?? 'text';
    if (!name || type === 'submit' || type === 'button') continue;
    if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/.test(attrs)) continue;
    fields.append(name, decode(/\bvalue="([^"]*)"/.exec(attrs)?.[1] ?? (type === 'checkbox' ? 'on' : '')));
  }
  for (const m of form.matchAll(/<select\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option\b[^>]*value="([^"]*)"[^>]*\bselected\b/.exec(m[2] ?? '');
    const first = /<option\b[^>]*value="([^"]*)"/.exec(m[2] ?? '');
    fields.append(m[1]!, decode(selected?.[1] ?? first?.[1] ?? ''));
  }
  for (const m of form.matchAll(/<textarea\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    fields.append(m[1]!, decode(m[2] ?? '').replace(/^\n/, ''));
  return fields;
}

function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export interface Answer {
  status: number;
  text: string;
  location: string;
  error?: string;
}

/** One browser or integration: its cookies, and every request recorded. */
export class Client {
  readonly jar = new CookieJar();
  constructor(
    private readonly base: string,
    private readonly recorder: Recorder,
  ) {}

  async send(
    kind: Kind,
    what: string,
    path: string,
    init: { method?: string; form?: URLSearchParams; json?: unknown; bearer?: string; mark?: string } = {},
  ): Promise<Answer> {
    if (!this.recorder.routing) return { status: 0, text: '', location: '', error: 'not routed' };
    const phase = this.recorder.phase;
    const started = Date.now();
    const headers: Record<string, string> = { ...PROXY_HEADERS };
    const cookie = this.jar.header();
    if (cookie) headers.Cookie = cookie;
    if (init.bearer) headers.Authorization = `Bearer ${init.bearer}`;
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = init.form.toString();
    } else if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    let answer: Answer;
    try {
      const res = await fetch(this.base + path, {
        method: init.method ?? (body ? 'POST' : 'GET'),
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      this.jar.take(res);
      answer = { status: res.status, text: await res.text(), location: res.headers.get('location') ?? '' };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      answer = {
        status: 0,
        text: '',
        location: '',
        error: cause?.code ?? cause?.message ?? (err as Error).name ?? String(err),
      };
    }
    const ms = Date.now() - started;
    const signedIn = answer.status === 200 && init.mark !== undefined && answer.text.includes(init.mark);
    const explained =
      answer.status === 503 &&
      (answer.text.includes('temporarily unavailable') || answer.text.includes('"unavailable"'));
    this.recorder.samples.push({
      phase,
      kind,
      what,
      started,
      ms,
      status: answer.status,
      error: answer.error,
      signedIn,
      explained,
      note: answer.status >= 400 ? answer.text.replace(/\s+/g, ' ').slice(0, 400) : undefined,
    });
    return answer;
  }

  /** GET the sign-in page, POST the form: true when signed in (303). */
  async signIn(path: string, login: string, password: string): Promise<boolean> {
    this.jar.clear();
    const page = await this.send('sign-in', `GET ${path}`, path);
    if (page.status !== 200) return false;
    const res = await this.send('sign-in', `POST ${path}`, path, {
      form: new URLSearchParams({ _csrf: csrfOf(page.text), login, password }),
    });
    return res.status === 303;
  }
}

/** Keeps running `step` until stopped, with a short think time; a step's own failures are recorded, not thrown. */
async function loop(stopped: () => boolean, step: () => Promise<void>): Promise<void> {
  while (!stopped()) {
    try {
      await step();
    } catch {
      // recorded by Client.send already
    }
    await sleep(20 + Math.random() * 60);
  }
}

/** A customer in the portal: dashboard and call history, signing in again whenever the session is gone. */
async function portalUser(
  base: string,
  rec: Recorder,
  account: { login: string; password: string },
  stopped: () => boolean,
): Promise<void> {
  const c = new Client(base, rec);
  let signedIn = false;
  let round = 0;
  await loop(stopped, async () => {
    round++;
    if (!signedIn || round % 15 === 0) signedIn = await c.signIn('/login', account.login, account.password);
    // a refused sign-in (503 while a dependency is down) is tried again a second later, as a person would
    if (!signedIn) return void (await sleep(1000));
    for (const [what, path] of [
      ['dashboard', '/'],
      ['call history', '/xdrs'],
    ] as const) {
      const res = await c.send('page', what, path, { mark: SIGNED_IN });
      if (res.status === 303) signedIn = false;
    }
  });
}

/** An admin saving a customer's panel over and over (each save from a freshly loaded form). */
async function adminUser(
  base: string,
  rec: Recorder,
  admin: { login: string; password: string },
  customerId: number,
  stopped: () => boolean,
): Promise<void> {
  const c = new Client(base, rec);
  let signedIn = false;
  let n = 0;
  // the form last shown: saved again even when reloading it failed (an outage), as a user would
  let fields: URLSearchParams | undefined;
  await loop(stopped, async () => {
    if (!signedIn) signedIn = await c.signIn('/admin/login', admin.login, admin.password);
    if (!signedIn) return void (await sleep(1000));
    const path = `/admin/customers/${customerId}`;
    const page = await c.send('page', 'admin customer', path, { mark: SIGNED_IN });
    if (page.status === 303) signedIn = false;
    if (page.status === 200) fields = formFields(page.text, path);
    if (!fields) return;
    fields.set('contact_name', `Load ${admin.login} ${++n}`);
    const res = await c.send('save', 'admin save', path, { form: fields });
    if (res.status === 303 && !res.location.startsWith(path)) signedIn = false;
  });
}

/** An integration: opens an API session and reads invoices and calls. */
async function apiUser(base: string, rec: Recorder, seeded: Seeded, stopped: () => boolean): Promise<void> {
  const c = new Client(base, rec);
  let session = '';
  await loop(stopped, async () => {
    if (!session) {
      const res = await c.send('api', 'POST /api/v1/sessions', '/api/v1/sessions', {
        json: seeded.api,
      });
      session = res.status === 201 ? ((JSON.parse(res.text) as { session_id: string }).session_id ?? '') : '';
      if (!session) return;
    }
    for (const path of ['/api/v1/invoices', '/api/v1/xdrs']) {
      const res = await c.send('api', `GET ${path}`, path, { bearer: session, mark: '"items"' });
      if (res.status === 401) session = '';
    }
  });
}

/** The mixed load: portal users, admins saving (each its own customer) and integrations, until `stop()`. */
export function mixedLoad(
  base: string,
  rec: Recorder,
  seeded: Seeded,
  opts: { portal: number; api: number; adminCustomers: number[] },
): { stop(): Promise<void> } {
  let stopped = false;
  const isStopped = () => stopped;
  const users: Array<Promise<void>> = [];
  // the last login is left to the probes
  const logins = seeded.portal.slice(0, -1);
  for (let i = 0; i < opts.portal; i++) users.push(portalUser(base, rec, logins[i % logins.length]!, isStopped));
  for (let i = 0; i < opts.api; i++) users.push(apiUser(base, rec, seeded, isStopped));
  opts.adminCustomers.forEach((customerId, i) =>
    users.push(adminUser(base, rec, seeded.admins[i % seeded.admins.length]!, customerId, isStopped)),
  );
  return {
    async stop() {
      stopped = true;
      await Promise.all(users);
    },
  };
}
