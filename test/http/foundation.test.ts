import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Puts a route in front of the 404 handler of a real app, to make it fail on purpose. */
function insertFailingRoute(app: express.Express, path: string): void {
  const router = express.Router();
  router.get(path, () => {
    throw new Error('secret internal detail at /srv/app/db.ts:42');
  });
  const stack = (app as unknown as { router: { stack: unknown[] } }).router.stack;
  app.use(router);
  const layer = stack.pop();
  stack.splice(stack.length - 2, 0, layer);
}

describe('error pages', () => {
  it('answers an unknown page with a 404 page that leaks nothing', async () => {
    t = await createTestApp();
    const res = await request(t.app).get('/admin/no-such-page/../../etc/passwd');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/html/);
    expect(res.text).toContain('Page not found');
    expect(res.text).not.toMatch(/stack|node_modules|\.ts:\d+/);
  });

  it('answers an unexpected failure with a 500 page without the stack or the message', async () => {
    t = await createTestApp();
    insertFailingRoute(t.app, '/boom');
    const res = await request(t.app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Something went wrong');
    expect(res.text).not.toContain('secret internal detail');
    expect(res.text).not.toMatch(/node_modules|db\.ts:42/);
  });

  it('shows no stack trace when NODE_ENV is not set, as npm start runs it', async () => {
    t = await createTestApp({ NODE_ENV: undefined });
    insertFailingRoute(t.app, '/boom');
    const res = await request(t.app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(/secret internal detail|db\.ts:42|at .*\(/);
  });

  it('shows the stack trace only when NODE_ENV=development is set explicitly', async () => {
    t = await createTestApp({ NODE_ENV: 'development' });
    insertFailingRoute(t.app, '/boom');
    const res = await request(t.app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).toContain('secret internal detail');
  });

  it('answers JSON, never HTML, for an unknown API path', async () => {
    t = await createTestApp();
    const res = await request(t.app).get('/api/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});

describe('security headers', () => {
  it('sends a strict Content-Security-Policy without inline script or eval', async () => {
    t = await createTestApp();
    const res = await request(t.app).get('/admin/login');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves htmx from our own origin', async () => {
    t = await createTestApp();
    const page = await request(t.app).get('/admin/login');
    expect(page.text).toContain('src="/static/vendor/htmx/htmx.min.js"');
    const htmx = await request(t.app).get('/static/vendor/htmx/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers['content-type']).toMatch(/javascript/);
  });

  it('names an empty icon the CSP allows, on admin, portal and error pages, so no browser asks for /favicon.ico', async () => {
    t = await createTestApp();
    for (const path of ['/admin/login', '/login', '/no-such-page']) {
      const res = await request(t.app).get(path);
      expect(res.text, path).toContain('<link rel="icon" href="data:,">');
      expect(res.headers['content-security-policy'], path).toMatch(/img-src 'self' data:/);
    }
  });

  it('tags every response with a request id', async () => {
    t = await createTestApp();
    const res = await request(t.app).get('/healthz');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('session cookies outside plain-http development', () => {
  it('are Secure, HttpOnly, SameSite=Lax and use the __Host- prefix in production behind TLS', async () => {
    t = await createTestApp({ NODE_ENV: 'production', TRUST_PROXY: 'loopback' });
    const res = await request(t.app).get('/admin/login').set('X-Forwarded-Proto', 'https');
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('__Host-sc_admin='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(res.headers['strict-transport-security']).toBeDefined();
  });
});
