import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PermissionMap } from '../../../src/access/permissions.ts';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createInvoice, createPayment, createRole, createXdr } from '../../helpers/fixtures.ts';
import { apiClient, issueToken } from './api-client.ts';

let t: TestApp;
let api: ReturnType<typeof apiClient>;
beforeEach(async () => {
  t = await createTestApp();
  api = apiClient(t.app, t.deps);
});
afterEach(async () => {
  await t.close();
});

let loginCounter = 0;
/** A customer whose role has `perms`, and an open API session of it. */
async function session(perms: PermissionMap = allAt('modify'), fixture: Parameters<typeof createCustomer>[1] = {}) {
  const role = await createRole(t.deps, `Role ${++loginCounter}`, perms);
  const login = `api-user-${loginCounter}`;
  const customer = await createCustomer(t.deps, { login, roleId: role, ...fixture });
  const { token } = await issueToken(t.deps, customer.id);
  return { customer, sid: await api.signIn(login, token) };
}

describe('GET /api/v1/me', () => {
  it('tells who is calling, the role, the effective permissions and the regional settings', async () => {
    const { customer, sid } = await session(
      { ...allAt('read'), individuals: 'hidden', profile: 'modify', 'profile.address': 'read' },
      { name: 'Acme Ltd', timeZone: 'Europe/Kyiv', language: 'uk', outDateFormat: 'DD.MM.YYYY' },
    );
    const res = await api.get('/api/v1/me', { bearer: sid });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'customer',
      customer_id: customer.id,
      name: 'Acme Ltd',
      regional: { time_zone: 'Europe/Kyiv', language: 'uk', out_date_format: 'DD.MM.YYYY' },
    });
    expect(res.body.permissions).toMatchObject({
      individuals: 'hidden',
      profile: 'modify',
      'profile.contacts': 'modify',
      'profile.address': 'read',
      invoices: 'read',
      'settings.password': 'read',
    });
    expect(res.body.role.name).toMatch(/^Role /);
  });
});

describe('GET /api/v1/customer', () => {
  it('shows the profile with contacts and address when the role shows them', async () => {
    const { customer, sid } = await session(allAt('read'), {
      companyName: 'Acme',
      contactName: 'Ann',
      email: 'ann@acme.test',
      city: 'Lviv',
      balance: 12.5,
    });
    const res = await api.get('/api/v1/customer', { bearer: sid });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: customer.id,
      company_name: 'Acme',
      balance: 12.5,
      contacts: { contact_name: 'Ann', email: 'ann@acme.test' },
      address: { city: 'Lviv' },
    });
  });

  it('leaves out contacts and address that the role hides', async () => {
    const { sid } = await session(
      { ...allAt('read'), 'profile.contacts': 'hidden', 'profile.address': 'hidden' },
      { email: 'secret@acme.test' },
    );
    const res = await api.get('/api/v1/customer', { bearer: sid });
    expect(res.status).toBe(200);
    expect(res.body.contacts).toBeUndefined();
    expect(res.body.address).toBeUndefined();
    expect(res.text).not.toContain('secret@acme.test');
  });

  it('answers 403 forbidden when the role hides the profile', async () => {
    const { sid } = await session({ ...allAt('read'), profile: 'hidden' });
    const res = await api.get('/api/v1/customer', { bearer: sid });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('PATCH /api/v1/customer', () => {
  it('changes the fields of every group the role gives Full access to, and audits it', async () => {
    const { customer, sid } = await session(allAt('modify'), { companyName: 'Old', email: 'old@acme.test' });
    const res = await api.patch('/api/v1/customer', {
      bearer: sid,
      body: {
        company_name: 'New Co',
        contacts: { email: 'new@acme.test', phone: '+380 44 123-45-67' },
        address: { city: 'Kyiv', country: 'UA' },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      company_name: 'New Co',
      contacts: { email: 'new@acme.test', phone: '+380 44 123-45-67' },
      address: { city: 'Kyiv', country: 'UA' },
    });
    const row = await t.deps.db('customers').where({ id: customer.id }).first();
    expect(row.email_lower).toBe('new@acme.test');
    const audit = await t.deps.db('audit_events').where({ action: 'customer.profile.update' }).first();
    expect(audit.actor_type).toBe('api');
    expect(JSON.parse(audit.changes)).toMatchObject({
      company_name: { old: 'Old', new: 'New Co' },
      email: { old: 'old@acme.test', new: 'new@acme.test' },
    });
  });

  it('answers stored markup as JSON data with <, > and & escaped, never as live markup', async () => {
    const { sid } = await session(allAt('modify'));
    const res = await api.patch('/api/v1/customer', {
      bearer: sid,
      body: { address: { city: '<b onmouseover="x">Kyiv</b> & co' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.address.city).toBe('<b onmouseover="x">Kyiv</b> & co');
    expect(res.text).toContain('\\u003cb onmouseover');
    expect(res.text).not.toContain('<b');
  });

  it('refuses with 403 a change to a group the role gives only View only, and changes nothing', async () => {
    const { customer, sid } = await session({ ...allAt('modify'), 'profile.address': 'read' }, { city: 'Lviv' });
    const res = await api.patch('/api/v1/customer', {
      bearer: sid,
      body: { company_name: 'New Co', address: { city: 'Kyiv' } },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('profile.address');
    const row = await t.deps.db('customers').where({ id: customer.id }).first();
    expect(row.city).toBe('Lviv');
    expect(row.company_name).not.toBe('New Co');
  });

  it('refuses with 403 for a View only profile', async () => {
    const { sid } = await session(allAt('read'));
    expect((await api.patch('/api/v1/customer', { bearer: sid, body: { company_name: 'X' } })).status).toBe(403);
  });

  it('answers 422 naming each wrong field, and for unknown fields', async () => {
    const { sid } = await session();
    const res = await api.patch('/api/v1/customer', {
      bearer: sid,
      body: { company_name: 7, contacts: { email: 'not-an-email' }, address: { country: 'Ukraine' }, balance: 1000 },
    });
    expect(res.status).toBe(422);
    const fields = res.body.error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['company_name', 'contacts.email', 'address.country', 'balance']));
    expect(res.body.error.message).toContain('contacts.email');
  });

  it("applies the portal's rules: no empty company name, an empty e-mail allowed, the country in capitals", async () => {
    const { sid } = await session(allAt('modify'), { email: 'old@acme.test' });
    const empty = await api.patch('/api/v1/customer', { bearer: sid, body: { company_name: '' } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.fields[0].field).toBe('company_name');
    const res = await api.patch('/api/v1/customer', {
      bearer: sid,
      body: { contacts: { email: '' }, address: { country: 'ua' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.contacts.email).toBe('');
    expect(res.body.address.country).toBe('UA');
  });

  it('answers 400 for broken JSON and 413 for an oversized body', async () => {
    const { sid } = await session();
    expect((await api.patch('/api/v1/customer', { bearer: sid, raw: '{"company_name": }' })).status).toBe(400);
    const big = await api.patch('/api/v1/customer', { bearer: sid, body: { company_name: 'x'.repeat(40_000) } });
    expect(big.status).toBe(413);
  });
});

describe('GET /api/v1/invoices', () => {
  it('lists invoices newest first in pages with an opaque cursor', async () => {
    const { customer, sid } = await session();
    for (let day = 1; day <= 5; day++)
      await createInvoice(t.deps, customer.id, { number: `INV-${day}`, issuedAt: new Date(Date.UTC(2026, 0, day)) });
    await createInvoice(t.deps, customer.id, { number: 'INV-5b', issuedAt: new Date(Date.UTC(2026, 0, 5)) });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.get(`/api/v1/invoices?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { bearer: sid });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { number: string }) => i.number));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['INV-5b', 'INV-5', 'INV-4', 'INV-3', 'INV-2', 'INV-1']);
  });

  it('writes timestamps as ISO 8601 UTC', async () => {
    const { customer, sid } = await session();
    await createInvoice(t.deps, customer.id, { issuedAt: new Date('2026-02-01T06:00:00Z'), amount: 99.95 });
    const res = await api.get('/api/v1/invoices', { bearer: sid });
    expect(res.body.items[0]).toMatchObject({ issued_at: '2026-02-01T06:00:00.000Z', amount: 99.95 });
    expect(res.body.next_cursor).toBeNull();
  });

  it("never shows another customer's invoices", async () => {
    const { sid } = await session();
    const other = await createCustomer(t.deps, { login: 'other-co' });
    await createInvoice(t.deps, other.id, { number: 'THEIRS' });
    const res = await api.get('/api/v1/invoices', { bearer: sid });
    expect(res.body.items).toEqual([]);
  });

  it('answers 422 naming limit or cursor when they are wrong', async () => {
    const { sid } = await session();
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=1&limit=2']) {
      const res = await api.get(`/api/v1/invoices?${query}`, { bearer: sid });
      expect(res.status, query).toBe(422);
      expect(res.body.error.fields[0].field).toBe('limit');
    }
    const bad = await api.get('/api/v1/invoices?cursor=not-ours', { bearer: sid });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields[0].field).toBe('cursor');
  });

  it('answers 403 when the role hides invoices', async () => {
    const { sid } = await session({ ...allAt('read'), invoices: 'hidden' });
    expect((await api.get('/api/v1/invoices', { bearer: sid })).status).toBe(403);
  });
});

describe('GET /api/v1/invoices/:id', () => {
  it('shows one invoice of the customer', async () => {
    const { customer, sid } = await session();
    const id = await createInvoice(t.deps, customer.id, { number: 'INV-9' });
    const res = await api.get(`/api/v1/invoices/${id}`, { bearer: sid });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, number: 'INV-9' });
  });

  it("answers 404 for another customer's invoice id and for a malformed id", async () => {
    const { sid } = await session();
    const other = await createCustomer(t.deps, { login: 'other-co' });
    const theirs = await createInvoice(t.deps, other.id);
    expect((await api.get(`/api/v1/invoices/${theirs}`, { bearer: sid })).status).toBe(404);
    expect((await api.get('/api/v1/invoices/abc', { bearer: sid })).status).toBe(404);
    expect((await api.get('/api/v1/invoices/99999999', { bearer: sid })).body.error.code).toBe('not_found');
  });
});

describe('GET /api/v1/xdrs', () => {
  it('filters calls by an ISO 8601 range [from, to) and pages them', async () => {
    const { customer, sid } = await session();
    for (let hour = 0; hour < 6; hour++)
      await createXdr(t.deps, customer.id, { connectTime: new Date(Date.UTC(2026, 2, 1, hour)), cld: `100${hour}` });
    const res = await api.get('/api/v1/xdrs?from=2026-03-01T01:00:00Z&to=2026-03-01T06:00:00%2B02:00&limit=2', {
      bearer: sid,
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: { cld: string }) => x.cld)).toEqual(['1003', '1002']);
    const next = await api.get(
      `/api/v1/xdrs?from=2026-03-01T01:00:00Z&to=2026-03-01T06:00:00%2B02:00&limit=2&cursor=${res.body.next_cursor}`,
      { bearer: sid },
    );
    expect(next.body.items.map((x: { cld: string }) => x.cld)).toEqual(['1001']);
    expect(next.body.next_cursor).toBeNull();
  });

  it('pages through calls of the same moment one by one, each once, and never past the range', async () => {
    const { customer, sid } = await session();
    const moment = new Date(Date.UTC(2026, 2, 1, 3));
    for (let i = 0; i < 5; i++) await createXdr(t.deps, customer.id, { connectTime: moment, cld: `200${i}` });
    await createXdr(t.deps, customer.id, { connectTime: new Date(Date.UTC(2026, 2, 1, 2)), cld: '2100' });
    await createXdr(t.deps, customer.id, { connectTime: new Date(Date.UTC(2026, 2, 1, 5)), cld: '2200' });
    const range = 'from=2026-03-01T02:00:00Z&to=2026-03-01T04:00:00Z';
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.get(`/api/v1/xdrs?${range}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { bearer: sid });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((x: { cld: string }) => x.cld));
      cursor = res.body.next_cursor;
    } while (cursor);
    // newest first; calls of one moment by id, newest id first; 2200 lies past the range
    expect(seen).toEqual(['2004', '2003', '2002', '2001', '2000', '2100']);
    // a cursor later than the range (made by hand) still stops at its end
    const late = Buffer.from(`${Date.UTC(2026, 2, 1, 6)}.999999`).toString('base64url');
    const res = await api.get(`/api/v1/xdrs?${range}&limit=10&cursor=${late}`, { bearer: sid });
    expect(res.body.items.map((x: { cld: string }) => x.cld)).toEqual(['2004', '2003', '2002', '2001', '2000', '2100']);
  });

  it('answers 422 naming from or to for dates that are not ISO 8601 or out of order', async () => {
    const { sid } = await session();
    const bad = await api.get('/api/v1/xdrs?from=01/03/2026', { bearer: sid });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields[0].field).toBe('from');
    const order = await api.get('/api/v1/xdrs?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', { bearer: sid });
    expect(order.status).toBe(422);
    expect(order.body.error.fields[0].field).toBe('to');
  });

  it('answers 403 when the role hides the call history', async () => {
    const { sid } = await session({ ...allAt('read'), xdrs: 'hidden' });
    expect((await api.get('/api/v1/xdrs', { bearer: sid })).status).toBe(403);
  });
});

describe('GET /api/v1/payments', () => {
  it('lists the customer’s payments only', async () => {
    const { customer, sid } = await session();
    await createPayment(t.deps, customer.id, { amount: 10, reference: 'MINE' });
    const other = await createCustomer(t.deps, { login: 'other-co' });
    await createPayment(t.deps, other.id, { reference: 'THEIRS' });
    const res = await api.get('/api/v1/payments', { bearer: sid });
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: { reference: string }) => p.reference)).toEqual(['MINE']);
  });

  it('answers 403 when the role hides payments', async () => {
    const { sid } = await session({ ...allAt('read'), payments: 'hidden' });
    expect((await api.get('/api/v1/payments', { bearer: sid })).status).toBe(403);
  });
});
