/**
 * Hostile input into every form and API operation: the admin and portal forms are found by
 * crawling the pages an administrator and a customer with full rights can reach (every
 * `<form method="post">` and its fields), the /api/v1 and /rest operations from their OpenAPI
 * documents. fast-check then sends generated values — huge strings, control characters, invalid
 * UTF-8, arrays and objects where strings belong, prototype-pollution keys, SQL and HTML
 * metacharacters — into each field. The app must answer a 4xx (the API's naming the field) or save
 * cleanly: never a 5xx, never the injected markup back unescaped, and no polluted prototype.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import request from 'supertest';
import { createAdmin, createTestApp, signInAdmin, type TestApp } from '../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../helpers/fixtures.ts';
import { signInPortal } from '../helpers/portal.ts';

/** fast-check runs per form or operation: the whole file stays near a minute on a busy machine */
const RUNS = Number(process.env.HOSTILE_RUNS || 10);
/** What an injected value carries: found unescaped in an answer, it was reflected. */
const MARK = 'hx7q';
const HTML_PAYLOAD = `<b data-${MARK}="1">`;
/** the injected tags as markup (escaped they read `&lt;b data-…`) */
const UNESCAPED = new RegExp(`<(b|img)\\b[^<>]*data-${MARK}`);

let t: TestApp;
let customerId = 0;
let portalLogin = '';

beforeAll(async () => {
  t = await createTestApp();
  const full = await createRole(t.deps, 'Everything', allAt('modify'), { isDefault: true });
  const customer = await createCustomer(t.deps, { roleId: full });
  customerId = customer.id;
  portalLogin = customer.login!;
  await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: full });
  await createIndividual(t.deps, customer.id, { login: `${portalLogin}.ind`, roleId: full });
}, 60_000);
afterAll(() => t.close());

/** A generated hostile value for one field, already as `name=value` pairs of a form body. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    `${HTML_PAYLOAD}<script>alert(1)</script>`,
    `"><img src=x onerror=alert(1) data-${MARK}>`,
    "' OR '1'='1' -- ",
    "'; DROP TABLE customers; --",
    '%00\u0000\u0001\u001f\u007f\u202e',
    '\r\nSet-Cookie: x=1',
    '../../etc/passwd',
    '${7*7}{{7*7}}<%= 7*7 %>',
    '1e309',
    '-1',
    '99999999999999999999',
    '0x10',
    ' ',
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)),
);
const encode = (v: string) => encodeURIComponent(v);
const fieldValue = (name: string): fc.Arbitrary<string[]> =>
  fc.oneof(
    { weight: 4, arbitrary: text.map((v) => [`${encode(name)}=${encode(v)}`]) },
    {
      weight: 1,
      arbitrary: fc
        .array(text, { minLength: 2, maxLength: 3 })
        .map((vs) => vs.map((v) => `${encode(name)}=${encode(v)}`)),
    },
    { weight: 1, arbitrary: text.map((v) => [`${encode(name)}[a]=${encode(v)}`]) },
    { weight: 1, arbitrary: text.map((v) => [`${encode(name)}[]=${encode(v)}`, `${encode(name)}[]=x`]) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%C3%28', '%FF%FE%FD', '%ED%A0%80').map((raw): string[] => [`${encode(name)}=${raw}`]),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          `__proto__[${encode(name)}]=polluted`,
          `constructor[prototype][${encode(name)}]=polluted`,
          `${encode(name)}[__proto__][polluted]=1`,
          '__proto__[polluted]=1',
        )
        .map((pair): string[] => [pair]),
    },
  );

interface Form {
  action: string;
  fields: Map<string, string>;
}

/** The post forms of a page, with the values a browser would send unchanged. */
function formsOf(html: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = m[1] ?? '';
    if (!/method="post"/i.test(attrs)) continue;
    const action = /action="([^"]+)"/.exec(attrs)?.[1]?.replace(/&amp;/g, '&');
    if (!action) continue;
    const fields = new Map<string, string>();
    const body = m[2] ?? '';
    for (const i of body.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
      const name = /\bname="([^"]+)"/.exec(i[2] ?? '')?.[1];
      if (!name) continue;
      fields.set(name, /\bvalue="([^"]*)"/.exec(i[2] ?? '')?.[1] ?? '');
    }
    forms.push({ action, fields });
  }
  return forms;
}

/** Pages reachable by links under `prefix` (GET only), and every post form on them. */
async function crawl(agent: ReturnType<typeof request.agent>, start: string, prefix: RegExp): Promise<Form[]> {
  const seen = new Set<string>();
  const queue = [start];
  const forms = new Map<string, Form>();
  while (queue.length > 0 && seen.size < 60) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const res = await agent.get(url);
    if (res.status !== 200 || !String(res.headers['content-type']).includes('html')) continue;
    for (const form of formsOf(res.text)) {
      const key = form.action.replace(/\d+/g, 'N');
      if (!forms.has(key)) forms.set(key, form);
    }
    for (const l of res.text.matchAll(/href="(\/[^"#]*)"/g)) {
      const href = l[1]!.replace(/&amp;/g, '&');
      if (prefix.test(href) && !/logout|sign-out|\/static\//.test(href) && !seen.has(href)) queue.push(href);
    }
  }
  return [...forms.values()];
}

/** What no answer may do, whatever was sent. */
const seenStatuses = new Map<string, number>();
afterAll(() => {
  if (process.env.HOSTILE_DEBUG) console.log(Object.fromEntries([...seenStatuses].sort()));
});

function assertSafe(res: request.Response, what: string): void {
  const key = `${what.replace(/\d+/g, 'N')} ${res.status}`;
  seenStatuses.set(key, (seenStatuses.get(key) ?? 0) + 1);
  expect(res.status, `${what} answered ${res.status}`).toBeLessThan(500);
  expect(res.text, `${what} reflected markup unescaped`).not.toMatch(UNESCAPED);
  expect(({} as Record<string, unknown>).polluted, 'Object.prototype polluted').toBeUndefined();
}

/** Sends hostile values into the fields of each form, a fresh sign-in per form (a form may sign out). */
async function fuzzForms(
  signIn: () => Promise<{ agent: ReturnType<typeof request.agent>; csrf: string }>,
  forms: Form[],
): Promise<number> {
  let sent = 0;
  for (const form of forms) {
    const { agent, csrf } = await signIn();
    const names = [...form.fields.keys()].filter((n) => n !== '_csrf');
    if (names.length === 0) names.push('value');
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(names, { minLength: 1 }).chain((chosen) => fc.tuple(...chosen.map(fieldValue))),
        async (parts) => {
          const kept = [...form.fields].filter(([n]) => n !== '_csrf').map(([n, v]) => `${encode(n)}=${encode(v)}`);
          const body = [`_csrf=${encode(csrf)}`, ...kept, ...parts.flat()].join('&');
          const res = await agent.post(form.action).set('Content-Type', 'application/x-www-form-urlencoded').send(body);
          sent++;
          assertSafe(res, `POST ${form.action}`);
          if (res.status === 422 && String(res.headers['content-type']).includes('html'))
            // a destructive action posted without `confirm=yes` is asked once more: its
            // confirmation page is the answer; any other 422 names the field
            expect(res.text, `POST ${form.action}: a 422 page names the field or asks to confirm`).toMatch(
              /aria-invalid="true"|class="[^"]*error|<section class="confirm"/,
            );
        },
      ),
      { numRuns: RUNS },
    );
  }
  return sent;
}

describe('hostile values into every form', () => {
  it('admin forms: a 4xx or a clean save, never a 500, never reflected unescaped', async () => {
    // A form may lock its sender out for good reasons (its own account disabled, two-factor
    // required of every role): each form is sent by a fresh administrator.
    let n = 0;
    const signIn = async () => {
      await t.deps.db('admin_roles').update({ require_two_factor: false });
      const fresh = await createAdmin(t.deps, `hostile${++n}`);
      return signInAdmin(t.app, fresh.login, fresh.password);
    };
    const { agent } = await signIn();
    const forms = (await crawl(agent, '/admin', /^\/admin(\/|$)/)).filter(
      (f) => !/\/logout$|impersonate$/.test(f.action),
    );
    expect(forms.length).toBeGreaterThan(15);
    const sent = await fuzzForms(signIn, forms);
    expect(sent).toBeGreaterThanOrEqual(forms.length * RUNS);
  }, 240_000);

  it('portal forms: a 4xx or a clean save, never a 500, never reflected unescaped', async () => {
    const signIn = () => signInPortal(t.app, portalLogin, 'violet kettle harbour lamp');
    const { agent } = await signIn();
    const forms = (await crawl(agent, '/', /^\/(?!admin|api|rest)/)).filter((f) => !/\/logout$/.test(f.action));
    expect(forms.length).toBeGreaterThan(5);
    await fuzzForms(signIn, forms);
  }, 240_000);
});

/** A JSON value where a string, number or object belongs. */
const jsonHostile: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor', 'prototype'), text, { maxKeys: 2 }),
);

interface Operation {
  method: string;
  path: string;
  properties: string[];
}

function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['post', 'patch', 'put'].includes(method)) continue;
      const content = (op as { requestBody?: { content?: Record<string, { schema?: unknown }> } }).requestBody?.content;
      const schema = (content?.['application/json'] ?? content?.['multipart/form-data'])?.schema as
        { properties?: Record<string, unknown> } | undefined;
      ops.push({ method, path, properties: Object.keys(schema?.properties ?? {}) });
    }
  }
  return ops;
}

describe('hostile values into every API operation', () => {
  it('/api/v1: a 4xx JSON error (naming the field when one is wrong) or a clean save, never a 500', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json')).body as Parameters<typeof operationsOf>[0];
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(2);
    const { token } = await t.deps.services.apiTokens.create(
      customerId,
      { name: 'hostile', expiresAt: null },
      { actor: { type: 'system', id: null, label: 'test' }, ip: '' },
    );
    const session = await request(t.app).post('/api/v1/sessions').send({ login: portalLogin, token });
    expect(session.status).toBe(201);
    const bearer = `Bearer ${session.body.session_id as string}`;
    const [individual] = await t.deps.db('individuals').where({ customer_id: customerId }).select('id');
    for (const op of ops) {
      const withIds = op.path.replace(/\{[^}]+\}/g, String(individual?.id ?? 1));
      const path = withIds.startsWith('/api/v1') ? withIds : `/api/v1${withIds}`;
      const names = op.properties.length > 0 ? op.properties : ['value'];
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            {
              weight: 5,
              arbitrary: fc
                .record(Object.fromEntries(names.map((n) => [n, jsonHostile])), { requiredKeys: [] })
                .map((b) => JSON.stringify(b)),
            },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                '{"__proto__":{"polluted":1}}',
                '{"constructor":{"prototype":{"polluted":1}}}',
              ),
            },
            { weight: 1, arbitrary: fc.oneof(text, fc.constantFrom('{', 'null', '[]', '"x"', '{"a":')) },
          ),
          async (body) => {
            const agent = request(t.app);
            const send =
              op.method === 'patch' ? agent.patch(path) : op.method === 'put' ? agent.put(path) : agent.post(path);
            const res = await send.set('Authorization', bearer).set('Content-Type', 'application/json').send(body);
            assertSafe(res, `${op.method.toUpperCase()} ${path}`);
            if (res.status >= 400) {
              expect(res.body?.error?.code, `${op.method} ${path} answers a JSON error`).toEqual(expect.any(String));
              if (res.body.error.fields)
                for (const f of res.body.error.fields as Array<{ field?: string; name?: string }>)
                  expect(f.field ?? f.name, 'each field error names its field').toEqual(expect.any(String));
            }
          },
        ),
        { numRuns: RUNS * 2 },
      );
    }
  }, 240_000);

  it('/rest: a fault, never the internal-error fault, for hostile params and bodies, signed in or not', async () => {
    const doc = (await request(t.app).get('/rest/openapi.json')).body as Parameters<typeof operationsOf>[0];
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(2);
    const { token } = await t.deps.services.apiTokens.create(
      customerId,
      { name: 'hostile rest', expiresAt: null },
      { actor: { type: 'system', id: null, label: 'test' }, ip: '' },
    );
    const AUTH_FAILED = 'Server.Session.check_auth.auth_failed';
    for (const op of ops) {
      const path = op.path.startsWith('/rest') ? op.path : `/rest${op.path}`;
      // Signed-in runs carry a live session in auth_info, so the hostile params reach each
      // method's own validation; Session methods (which open or end sessions) run unsigned.
      const signs = !path.startsWith('/rest/Session/');
      const opened = signs
        ? await request(t.app)
            .post('/rest/Session/login')
            .send({ params: { login: portalLogin, token } })
        : null;
      const sessionId = opened ? String(opened.body.session_id) : '';
      if (opened) expect(opened.status, 'a /rest session opens').toBe(200);
      let pastAuth = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.dictionary(
              fc.constantFrom('login', 'token', 'password', 'i_customer', 'name', 'email', 'x'),
              jsonHostile,
              { maxKeys: 4 },
            ),
            fc.constant(JSON.parse('{"__proto__":{"polluted":1}}') as unknown),
            jsonHostile,
          ),
          fc.boolean(),
          fc.boolean(),
          async (params, asJsonBody, signed) => {
            const authInfo = signs && signed ? { session_id: sessionId } : undefined;
            const res = asJsonBody
              ? await request(t.app)
                  .post(path)
                  .set('Content-Type', 'application/json')
                  .send(JSON.stringify({ params, ...(authInfo ? { auth_info: authInfo } : {}) }))
              : authInfo
                ? await request(t.app)
                    .post(path)
                    .field('params', JSON.stringify(params))
                    .field('auth_info', JSON.stringify(authInfo))
                : await request(t.app).post(path).field('params', JSON.stringify(params));
            // /rest answers its faults with HTTP 500 as the reference product does: only the
            // internal-error fault means a failure of ours.
            const key = `POST ${path} ${res.status} ${String(res.body?.faultcode)}`;
            seenStatuses.set(key, (seenStatuses.get(key) ?? 0) + 1);
            if (authInfo && res.body?.faultcode !== AUTH_FAILED) pastAuth++;
            expect(res.body?.faultcode, `POST ${path}: ${res.text.slice(0, 200)}`).not.toBe('Server.Service.internal');
            expect(res.text).not.toMatch(UNESCAPED);
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          },
        ),
        { numRuns: RUNS * 2 },
      );
      if (signs)
        expect(pastAuth, `${path}: hostile values reached the method past its session check`).toBeGreaterThan(0);
    }
  }, 240_000);
});
