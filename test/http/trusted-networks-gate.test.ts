import express from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiErrorBody, statusOf } from '../../src/http/errors.ts';
import { isAddressTrusted, isAddressTrustedFor, requireTrustedAddress } from '../../src/http/trusted-networks-gate.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createCustomer, createIndividual } from '../helpers/fixtures.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ TRUST_PROXY: 'loopback' });
});
afterEach(async () => {
  await t.close();
});

/** Answers every refusal as the API does, with the error's code. */
const jsonErrors: express.ErrorRequestHandler = (err: { message?: string; code?: string }, _req, res, _next) => {
  void _next;
  const status = statusOf(err);
  res.status(status).json(apiErrorBody(status, err.message, err.code));
};

/** A protected route of its own: the caller names the customer (and individual) in the query. */
function probeApp(): express.Express {
  const app = express();
  app.set('trust proxy', t.config.trustProxy);
  app.get(
    '/probe',
    requireTrustedAddress(t.deps.db, (req) => ({ customerId: Number(req.query.customer), individualId: req.query.individual ? Number(req.query.individual) : null })),
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  app.use('/api', express.Router().get('/probe', requireTrustedAddress(t.deps.db, (req) => ({ customerId: Number(req.query.customer) })), (_req, res) => void res.json({ ok: true })));
  app.use(jsonErrors);
  return app;
}

describe('isAddressTrusted', () => {
  it('lets everyone in when no list applies', () => {
    expect(isAddressTrusted([{ ipRestriction: false, trustedIps: '10.0.0.0/8;' }], '192.0.2.1')).toBe(true);
    expect(isAddressTrusted([], '192.0.2.1')).toBe(true);
  });

  it('refuses every address when the restriction is on with an empty list', () => {
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '' }], '10.0.0.1')).toBe(false);
  });

  it('refuses every address when a stored list no longer parses', () => {
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '10.0.0.0/8;\n10.1;' }], '10.0.0.1')).toBe(false);
  });

  it('needs every applicable list to allow the address', () => {
    const customer = { ipRestriction: true, trustedIps: '10.0.0.0/8;' };
    const individual = { ipRestriction: true, trustedIps: '10.1.0.0/16;' };
    expect(isAddressTrusted([customer, individual], '10.1.2.3')).toBe(true);
    expect(isAddressTrusted([customer, individual], '10.2.0.1')).toBe(false);
    expect(isAddressTrusted([customer, { ...individual, ipRestriction: false }], '10.2.0.1')).toBe(true);
  });

  it('treats an IPv4-mapped client address as its IPv4 address', () => {
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '10.0.0.0/8;' }], '::ffff:10.9.8.7')).toBe(true);
  });

  it('sees a changed list at once although the old one was cached', () => {
    const list = { ipRestriction: true, trustedIps: '10.0.0.0/8;' };
    expect(isAddressTrusted([list], '10.0.0.1')).toBe(true);
    list.trustedIps = '192.168.0.0/16;';
    expect(isAddressTrusted([list], '10.0.0.1')).toBe(false);
    expect(isAddressTrusted([list], '192.168.4.4')).toBe(true);
  });

  it('denies an address that is not an address', () => {
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '0.0.0.0/0;' }], '')).toBe(false);
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '0.0.0.0/0;' }], 'localhost')).toBe(false);
  });
});

describe('isAddressTrustedFor', () => {
  it('refuses an unknown customer and an individual of another customer', async () => {
    const a = await createCustomer(t.deps);
    const b = await createCustomer(t.deps);
    const ofB = await createIndividual(t.deps, b.id);
    expect(await isAddressTrustedFor(t.deps.db, { customerId: 999999 }, '10.0.0.1')).toBe(false);
    expect(await isAddressTrustedFor(t.deps.db, { customerId: a.id, individualId: ofB.id }, '10.0.0.1')).toBe(false);
    expect(await isAddressTrustedFor(t.deps.db, { customerId: b.id, individualId: ofB.id }, '10.0.0.1')).toBe(true);
  });
});

describe('GET /probe behind requireTrustedAddress', () => {
  it('lets an address inside the customer list through and refuses one outside with 403', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    const inside = await request(probeApp()).get(`/probe?customer=${c.id}`).set('X-Forwarded-For', '203.0.113.7');
    const outside = await request(probeApp()).get(`/probe?customer=${c.id}`).set('X-Forwarded-For', '198.51.100.7');
    expect(inside.status).toBe(200);
    expect(outside.status).toBe(403);
  });

  it('answers an API caller with the ip_not_allowed code', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    const res = await request(probeApp()).get(`/api/probe?customer=${c.id}`).set('X-Forwarded-For', '198.51.100.7');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'ip_not_allowed', message: 'Access from this address is not allowed' } });
    expect(JSON.stringify(res.body)).not.toContain('203.0.113');
  });

  it('applies a list change on the very next request', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    expect((await request(probeApp()).get(`/probe?customer=${c.id}`).set('X-Forwarded-For', '203.0.113.7')).status).toBe(200);
    await t.deps.db('customers').where({ id: c.id }).update({ trusted_ips: '192.0.2.0/24;' });
    expect((await request(probeApp()).get(`/probe?customer=${c.id}`).set('X-Forwarded-For', '203.0.113.7')).status).toBe(403);
  });

  it('needs both the customer list and the individual list for an individual', async () => {
    const c = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
    const i = await createIndividual(t.deps, c.id, { ipRestriction: true, trustedIps: '203.0.113.128/25;' });
    const probe = (ip: string) => request(probeApp()).get(`/probe?customer=${c.id}&individual=${i.id}`).set('X-Forwarded-For', ip);
    expect((await probe('203.0.113.200')).status).toBe(200);
    expect((await probe('203.0.113.5')).status).toBe(403);
    expect((await probe('192.0.2.200')).status).toBe(403);
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const plain = await createTestApp();
    try {
      const c = await createCustomer(plain.deps, { ipRestriction: true, trustedIps: '203.0.113.0/24;' });
      const app = express();
      app.get('/probe', requireTrustedAddress(plain.deps.db, () => ({ customerId: c.id })), (_req, res) => void res.json({ ok: true }));
      app.use(jsonErrors);
      expect((await request(app).get('/probe').set('X-Forwarded-For', '203.0.113.7')).status).toBe(403);
    } finally {
      await plain.close();
    }
  });
});
