import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import type { Deps } from '../../../src/deps.ts';
import { ApiTokenService } from '../../../src/features/api-tokens/service.ts';
import type { ApiOperation } from '../../../src/http/api-operation.ts';
import { API_PREFIX, allApiOperations } from '../../../src/doors/api/routes.ts';
import { errorResponse } from '../../../src/doors/api/schema.ts';

const SHARED_ERRORS = [500, 503];

function matcher(op: ApiOperation): RegExp {
  const pattern = (API_PREFIX + op.path).replace(/[.]/g, '\\.').replace(/:([A-Za-z_]+)/g, '[^/]+');
  return new RegExp(`^${pattern}$`);
}

/**
 * Checks a response against the documented contract: the operation's success schema for its
 * success status, otherwise a documented error status with the error schema. The schemas are the
 * ones the OpenAPI document is generated from.
 */
export function checkContract(
  operations: readonly ApiOperation[],
  method: string,
  url: string,
  res: request.Response,
): void {
  const path = url.split('?')[0] ?? url;
  const op = operations.find((o) => o.method === method.toLowerCase() && matcher(o).test(path));
  expect(res.headers['content-type'] ?? 'application/json', `${method} ${url}`).toMatch(
    res.status === 204 ? /.*/ : /application\/json/,
  );
  if (!op) {
    expect([404, 400, 413], `${method} ${url} is not a documented operation`).toContain(res.status);
    errorResponse.parse(res.body);
    return;
  }
  if (res.status === op.success.status) {
    if (op.success.schema) op.success.schema.parse(res.body);
    else expect(res.text ?? '').toBe('');
    return;
  }
  expect(
    [...op.errors, ...SHARED_ERRORS],
    `${method} ${url} answered an undocumented ${res.status}: ${res.text}`,
  ).toContain(res.status);
  errorResponse.parse(res.body);
}

export interface SendOptions {
  bearer?: string;
  body?: unknown;
  raw?: string;
  type?: string;
  headers?: Record<string, string>;
}

/** supertest calls to the API whose every response is checked against the contract. */
export function apiClient(app: Express, deps: Deps) {
  const operations = allApiOperations(deps, new ApiTokenService(deps));
  const send = async (
    method: 'get' | 'post' | 'patch' | 'delete' | 'put',
    url: string,
    opts: SendOptions = {},
  ): Promise<request.Response> => {
    let req = request(app)[method](url);
    if (opts.bearer) req = req.set('Authorization', `Bearer ${opts.bearer}`);
    for (const [name, value] of Object.entries(opts.headers ?? {})) req = req.set(name, value);
    if (opts.raw !== undefined) req = req.set('Content-Type', opts.type ?? 'application/json').send(opts.raw);
    else if (opts.body !== undefined) req = req.send(opts.body as object);
    const res = await req;
    checkContract(operations, method, url, res);
    return res;
  };
  return {
    operations,
    get: (url: string, opts?: SendOptions) => send('get', url, opts),
    post: (url: string, opts?: SendOptions) => send('post', url, opts),
    patch: (url: string, opts?: SendOptions) => send('patch', url, opts),
    delete: (url: string, opts?: SendOptions) => send('delete', url, opts),
    put: (url: string, opts?: SendOptions) => send('put', url, opts),
    /** Opens a session and returns its id, failing the test when it does not open. */
    async signIn(login: string, token: string, headers?: Record<string, string>): Promise<string> {
      const res = await send('post', `${API_PREFIX}/sessions`, { body: { login, token }, headers });
      expect(res.status, res.text).toBe(201);
      return (res.body as { session_id: string }).session_id;
    },
  };
}

/** A token for the customer as an admin would generate it. */
export async function issueToken(
  deps: Deps,
  customerId: number,
  opts: { name?: string; expiresAt?: Date | null } = {},
): Promise<{ token: string; id: number; prefix: string }> {
  return new ApiTokenService(deps).create(
    customerId,
    { name: opts.name ?? 'Integration', expiresAt: opts.expiresAt ?? null },
    { actor: { type: 'system', id: null, label: 'test' }, ip: '' },
  );
}
