import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PermissionMap } from '../../../src/access/permissions.ts';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
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

const PASSWORD = 'quiet harbour lantern 42';

async function session(perms: PermissionMap = allAt('modify')) {
  const role = await createRole(t.deps, 'Customer role', perms);
  const staff = await createRole(t.deps, 'Staff', allAt('read'));
  const customer = await createCustomer(t.deps, { login: 'acme-api', roleId: role });
  await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: staff });
  const { token } = await issueToken(t.deps, customer.id);
  return { customer, staff, sid: await api.signIn('acme-api', token) };
}

describe('POST /api/v1/individuals', () => {
  it('creates an individual with an allowed role and answers 201', async () => {
    const { customer, staff, sid } = await session();
    const res = await api.post('/api/v1/individuals', {
      bearer: sid,
      body: {
        login: 'acme-clerk',
        password: PASSWORD,
        role_id: staff,
        name: 'Clerk',
        email: 'clerk@acme.test',
        expiration_at: '2999-01-01T00:00:00+02:00',
        regional: { time_zone: 'Europe/Berlin' },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      login: 'acme-clerk',
      role: { id: staff, name: 'Staff' },
      status: 'active',
      expiration_at: '2998-12-31T22:00:00.000Z',
      regional: { time_zone: 'Europe/Berlin', language: null },
    });
    const row = await t.deps.db('individuals').where({ login: 'acme-clerk' }).first();
    expect(Number(row.customer_id)).toBe(customer.id);
    const audit = await t.deps.db('audit_events').where({ action: 'individual.create' }).first();
    expect(audit.actor_type).toBe('api');
  });

  it('answers 409 naming the login when it is taken by anyone', async () => {
    const { staff, sid } = await session();
    const res = await api.post('/api/v1/individuals', {
      bearer: sid,
      body: { login: 'ACME-API', password: PASSWORD, role_id: staff },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.fields[0].field).toBe('login');
  });

  it('answers 422 naming each field the service refuses', async () => {
    const { sid } = await session();
    const other = await createRole(t.deps, 'Not allowed', allAt('read'));
    const res = await api.post('/api/v1/individuals', {
      bearer: sid,
      body: { login: 'x', password: 'short', role_id: other, regional: { time_zone: 'Mars/Base' } },
    });
    expect(res.status).toBe(422);
    const fields = res.body.error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['login', 'password', 'regional.time_zone']));
    const role = await api.post('/api/v1/individuals', {
      bearer: sid,
      body: { login: 'acme-clerk', password: PASSWORD, role_id: other },
    });
    expect(role.status).toBe(422);
    expect(role.body.error.fields[0].field).toBe('role_id');
  });

  it('answers 422 for wrong types, never 500', async () => {
    const { sid } = await session();
    const res = await api.post('/api/v1/individuals', {
      bearer: sid,
      body: { login: ['a'], password: 1, role_id: 'two', ip_restriction: 'yes' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.map((f: { field: string }) => f.field)).toEqual([
      'login',
      'password',
      'role_id',
      'ip_restriction',
    ]);
  });

  it('refuses with 403 for View only', async () => {
    const { staff, sid } = await session({ ...allAt('modify'), individuals: 'read' });
    const res = await api.post('/api/v1/individuals', {
      bearer: sid,
      body: { login: 'acme-clerk', password: PASSWORD, role_id: staff },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('POST/PATCH /api/v1/individuals and an individual’s restrictions', () => {
  const LOOPBACK = '127.0.0.1;\n::1;';

  it('speaks for the customer, which passes no limits on: no end date and no network list are imposed', async () => {
    const role = await createRole(t.deps, 'Customer role', allAt('modify'));
    const staff = await createRole(t.deps, 'Staff', allAt('read'));
    const customer = await createCustomer(t.deps, {
      login: 'acme-api',
      roleId: role,
      ipRestriction: true,
      trustedIps: LOOPBACK,
    });
    await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: staff });
    await createIndividual(t.deps, customer.id, {
      login: 'acme-temp',
      roleId: role,
      ipRestriction: true,
      trustedIps: LOOPBACK,
      expirationAt: new Date('2031-06-01T00:00:00Z'),
    });
    const sid = await api.signIn('acme-api', (await issueToken(t.deps, customer.id)).token);
    const res = await api.post('/api/v1/individuals', {
      bearer: sid,
      body: { login: 'acme-clerk', password: PASSWORD, role_id: staff },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ip_restriction: false, trusted_ips: '', expiration_at: null });
    const changed = await api.patch(`/api/v1/individuals/${res.body.id}`, {
      bearer: sid,
      body: { expiration_at: '2040-01-01T00:00:00Z' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ ip_restriction: false, expiration_at: '2040-01-01T00:00:00.000Z' });
  });

  it('opens no session for a restricted individual’s login, so it cannot add an unrestricted individual there', async () => {
    const role = await createRole(t.deps, 'Customer role', allAt('modify'));
    const customer = await createCustomer(t.deps, { login: 'acme-api', roleId: role });
    await createIndividual(t.deps, customer.id, {
      login: 'acme-temp',
      roleId: role,
      ipRestriction: true,
      trustedIps: LOOPBACK,
      expirationAt: new Date('2031-06-01T00:00:00Z'),
    });
    const { token } = await issueToken(t.deps, customer.id);
    const res = await api.post('/api/v1/sessions', { body: { login: 'acme-temp', token } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_credentials');
  });
});

describe('GET /api/v1/individuals', () => {
  it('lists the customer’s individuals by login in pages', async () => {
    const { customer, staff, sid } = await session();
    for (const login of ['c-three', 'a-one', 'b-two'])
      await createIndividual(t.deps, customer.id, { login, roleId: staff });
    const other = await createCustomer(t.deps, { login: 'globex' });
    await createIndividual(t.deps, other.id, { login: 'a-globex' });
    const first = await api.get('/api/v1/individuals?limit=2', { bearer: sid });
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { login: string }) => i.login)).toEqual(['a-one', 'b-two']);
    const second = await api.get(`/api/v1/individuals?limit=2&cursor=${first.body.next_cursor}`, { bearer: sid });
    expect(second.body.items.map((i: { login: string }) => i.login)).toEqual(['c-three']);
    expect(second.body.next_cursor).toBeNull();
  });

  it('answers 403 when the role hides individuals', async () => {
    const { sid } = await session({ ...allAt('modify'), individuals: 'hidden' });
    expect((await api.get('/api/v1/individuals', { bearer: sid })).status).toBe(403);
  });
});

describe('GET/PATCH/DELETE /api/v1/individuals/:id', () => {
  it('reads, changes and deletes an individual of the customer', async () => {
    const { customer, staff, sid } = await session();
    const ind = await createIndividual(t.deps, customer.id, { login: 'acme-clerk', roleId: staff });
    const got = await api.get(`/api/v1/individuals/${ind.id}`, { bearer: sid });
    expect(got.status).toBe(200);
    const patched = await api.patch(`/api/v1/individuals/${ind.id}`, {
      bearer: sid,
      body: { name: 'Renamed', regional: { language: 'de' }, version: got.body.version },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', regional: { language: 'de' } });
    const stale = await api.patch(`/api/v1/individuals/${ind.id}`, {
      bearer: sid,
      body: { name: 'Again', version: got.body.version },
    });
    expect(stale.status).toBe(409);
    const gone = await api.delete(`/api/v1/individuals/${ind.id}`, { bearer: sid });
    expect(gone.status).toBe(204);
    expect((await api.get(`/api/v1/individuals/${ind.id}`, { bearer: sid })).status).toBe(404);
  });

  it("answers 404 for another customer's individual on read, change and delete", async () => {
    const { sid } = await session();
    const other = await createCustomer(t.deps, { login: 'globex' });
    const theirs = await createIndividual(t.deps, other.id, { login: 'globex-clerk' });
    expect((await api.get(`/api/v1/individuals/${theirs.id}`, { bearer: sid })).status).toBe(404);
    expect(
      (await api.patch(`/api/v1/individuals/${theirs.id}`, { bearer: sid, body: { name: 'Hijacked' } })).status,
    ).toBe(404);
    expect((await api.delete(`/api/v1/individuals/${theirs.id}`, { bearer: sid })).status).toBe(404);
    expect((await t.deps.db('individuals').where({ id: theirs.id }).first()).name).not.toBe('Hijacked');
  });

  it('refuses changes and deletion with 403 for View only, but reads', async () => {
    const { customer, staff, sid } = await session({ ...allAt('modify'), individuals: 'read' });
    const ind = await createIndividual(t.deps, customer.id, { roleId: staff });
    expect((await api.get(`/api/v1/individuals/${ind.id}`, { bearer: sid })).status).toBe(200);
    expect((await api.patch(`/api/v1/individuals/${ind.id}`, { bearer: sid, body: { name: 'x' } })).status).toBe(403);
    expect((await api.delete(`/api/v1/individuals/${ind.id}`, { bearer: sid })).status).toBe(403);
  });
});
