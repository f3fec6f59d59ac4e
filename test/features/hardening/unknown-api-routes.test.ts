import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

describe('addresses the integration doors do not know', () => {
  it('answers a POST to an unknown /api/v1 path with a JSON 404, not the portal’s CSRF refusal', async () => {
    const res = await request(t.app).post('/api/v1/no-such-thing').send({ a: 1 });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers a known /api/v1 path with the wrong method with a JSON 405 and Allow', async () => {
    const res = await request(t.app).put('/api/v1/invoices').send({});
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect(res.body.error.code).toBe('method_not_allowed');
  });

  it('answers an unknown /rest method with a PortaBilling fault, not a CSRF refusal', async () => {
    const res = await request(t.app).post('/rest/Nothing/here').send({ params: {} });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ faultcode: 'Server.Service.unknown_method' });
  });
});
