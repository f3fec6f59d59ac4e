import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { apiClient, checkContract } from './api-client.ts';

let t: TestApp;
let doc: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed JSON document walked freely below
beforeAll(async () => {
  t = await createTestApp();
  const res = await apiClient(t.app, t.deps).get('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  await t.close();
});

function resolve(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')],
      doc,
    );
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is served without a session and as JSON', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('documents every operation the API serves, each with responses', () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, { responses?: object }>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, op]) => {
          expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(1);
          return `${method.toUpperCase()} ${path}`;
        }),
    );
    expect(documented.sort()).toEqual(
      [
        'POST /api/v1/sessions',
        'DELETE /api/v1/sessions/current',
        'GET /api/v1/me',
        'GET /api/v1/customer',
        'PATCH /api/v1/customer',
        'GET /api/v1/invoices',
        'GET /api/v1/invoices/{id}',
        'GET /api/v1/xdrs',
        'GET /api/v1/payments',
        'GET /api/v1/individuals',
        'POST /api/v1/individuals',
        'GET /api/v1/individuals/{id}',
        'PATCH /api/v1/individuals/{id}',
        'DELETE /api/v1/individuals/{id}',
        'GET /api/v1/openapi.json',
      ].sort(),
    );
  });

  it('resolves every $ref', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(resolve(ref), ref).toBeDefined();
  });

  it('documents the parameters, bodies and error answers handlers use', () => {
    const xdrs = doc.paths['/api/v1/xdrs'].get;
    expect(xdrs.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor', 'format', 'from', 'to']);
    expect(xdrs.parameters[2].schema.enum).toEqual(['json', 'csv']);
    expect(xdrs.parameters[3].schema.format).toBe('date-time');
    const invoice = doc.paths['/api/v1/invoices/{id}'].get;
    expect(invoice.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(Object.keys(invoice.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404', '503']));
    const login = doc.paths['/api/v1/sessions'].post;
    expect(login.security).toEqual([]);
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['login', 'token']);
    expect(Object.keys(login.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '413', '422', '429']),
    );
    expect(doc.components.responses.Error429.headers['Retry-After']).toBeDefined();
    expect(doc.paths['/api/v1/me'].get.security).toEqual([{ bearerSession: [] }]);
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
  });
});

describe('the contract check used by every API test', () => {
  it('refuses a response that does not match its documented schema', () => {
    const ops = apiClient(t.app, t.deps).operations;
    const fake = (status: number, body: unknown) =>
      ({
        status,
        body,
        headers: { 'content-type': 'application/json' },
        text: JSON.stringify(body),
      }) as unknown as request.Response;
    expect(() => checkContract(ops, 'GET', '/api/v1/invoices/5', fake(200, { id: 5 }))).toThrow();
    expect(() =>
      checkContract(ops, 'GET', '/api/v1/invoices/5', fake(409, { error: { code: 'conflict', message: 'x' } })),
    ).toThrow();
    expect(() =>
      checkContract(ops, 'GET', '/api/v1/invoices', fake(200, { items: [], next_cursor: null, extra: 1 })),
    ).toThrow();
    expect(() =>
      checkContract(ops, 'GET', '/api/v1/invoices', fake(200, { items: [], next_cursor: null })),
    ).not.toThrow();
  });
});
