import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { AuditEventInput } from '../../../src/features/audit/service.ts';
import { createAdmin, createTestApp, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { createCustomer } from '../../helpers/fixtures.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let admin: { id: number; login: string };

beforeEach(async () => {
  t = await createTestApp();
  const created = await createAdmin(t.deps);
  admin = created;
  ({ agent } = await signInAdmin(t.app, created.login, created.password));
});
afterEach(async () => {
  await t.close();
});

async function event(input: Partial<AuditEventInput> & { at?: Date }): Promise<number> {
  const { at, ...rest } = input;
  await t.deps.audit.record({
    actor: { type: 'admin', id: admin.id, label: admin.login },
    ip: '192.0.2.1',
    action: 'test.event',
    ...rest,
  });
  const row = await t.deps.db('audit_events').orderBy('id', 'desc').first();
  if (at) await t.deps.db('audit_events').where({ id: row.id }).update({ occurred_at: at });
  return Number(row.id);
}

const actionsIn = (html: string) => [...html.matchAll(/<tr data-action="([^"]+)">/g)].map((m) => m[1]);
/** The sentence of each row as a reader sees it. */
const sentencesIn = (html: string) =>
  [...html.matchAll(/<td class="audit__sentence">([^<]*)<\/td>/g)].map((m) =>
    (m[1] ?? '').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );

describe('GET /admin/audit', () => {
  it('lists events newest first with actor, time, address, action, entity, outcome and each change', async () => {
    const c = await createCustomer(t.deps, { name: 'Acme Ltd' });
    await event({ action: 'first.thing' });
    await event({
      action: 'customer.self_care.update',
      entityType: 'customer',
      entityId: c.id,
      customerId: c.id,
      ip: '2001:db8::7',
      outcome: 'success',
      changes: {
        language: { old: 'en', new: 'de' },
        password: { old: 'changed', new: 'changed' },
        ip_restriction: { old: false, new: true },
      },
    });
    const res = await agent.get('/admin/audit');
    expect(res.status).toBe(200);
    const actions = actionsIn(res.text);
    expect(actions.indexOf('customer.self_care.update')).toBeLessThan(actions.indexOf('first.thing'));
    expect(sentencesIn(res.text)[0]).toBe(
      `Admin ${admin.login} changed the Web self-care settings of the customer Acme Ltd`,
    );
    expect(res.text).toContain('2001:db8::7');
    expect(res.text).toContain('<strong>Web interface language</strong>: English → German');
    expect(res.text).toContain('<strong>Password</strong>: changed</li>');
    expect(res.text).toContain('<strong>Allow access only from trusted IP addresses</strong>: off → on');
    expect(res.text).not.toContain('customer.self_care.update</');
    expect(res.text).toMatch(/<time datetime="\d{4}-\d{2}-\d{2}T/);
  });

  it('says which admin logged in as the customer, in which mode, and what the admin did meanwhile', async () => {
    const c = await createCustomer(t.deps, { login: 'imp-target', name: 'Acme Ltd' });
    await t.deps.db('audit_events').del();
    await event({
      actor: { type: 'admin', id: admin.id, label: admin.login, impersonatorAdminId: admin.id },
      action: 'portal.impersonation.start',
      entityType: 'customer',
      entityId: c.id,
      customerId: c.id,
      changes: { mode: { old: null, new: 'default' } },
    });
    await event({
      actor: {
        type: 'customer',
        id: c.id,
        label: `imp-target (as admin ${admin.login})`,
        impersonatorAdminId: admin.id,
      },
      action: 'customer.profile.update',
      entityType: 'customer',
      entityId: c.id,
      customerId: c.id,
      changes: { city: { old: 'Lviv', new: 'Kyiv' } },
    });
    const res = await agent.get('/admin/audit');
    expect(sentencesIn(res.text)).toEqual([
      `Admin ${admin.login} (logged in as imp-target) changed the profile of the customer Acme Ltd`,
      `Admin ${admin.login} logged in as Acme Ltd using the default role`,
    ]);
    expect(res.text).toContain('<strong>City</strong>: Lviv → Kyiv');
    expect(res.text).not.toContain('(logged in as)');
    expect(res.text).not.toContain('<strong>mode</strong>');
  });

  it('names each kind of actor in words', async () => {
    await t.deps.db('audit_events').del();
    await event({ actor: { type: 'admin', id: 7, label: 'olena' }, action: 'admin.logout' });
    await event({ actor: { type: 'customer', id: 3, label: 'acme' }, action: 'portal.logout' });
    await event({
      actor: { type: 'anonymous', id: null, label: 'guessed-login' },
      action: 'portal.login',
      outcome: 'failure',
    });
    await event({ actor: { type: 'api', id: 3, label: 'acme (token Ab12Cd34)' }, action: 'api.session.end' });
    await event({ actor: { type: 'system', id: null, label: '' }, action: 'not.worded.yet' });
    const res = await agent.get('/admin/audit');
    expect(sentencesIn(res.text)).toEqual([
      'The system: not.worded.yet',
      'The API client of acme (token Ab12Cd34) closed an API session',
      'Someone using the login guessed-login could not sign in to the self-care portal',
      'Customer acme signed out of the self-care portal',
      'Admin olena signed out of the administration',
    ]);
  });

  it('filters by time range in UTC, inclusive of the end minute', async () => {
    await event({ action: 'too.early', at: new Date('2026-03-01T09:59:59Z') });
    await event({ action: 'in.range', at: new Date('2026-03-01T10:00:00Z') });
    await event({ action: 'end.minute', at: new Date('2026-03-01T11:00:59Z') });
    await event({ action: 'too.late', at: new Date('2026-03-01T11:01:00Z') });
    const res = await agent.get('/admin/audit?from=2026-03-01T10:00&to=2026-03-01T11:00');
    expect(actionsIn(res.text)).toEqual(['end.minute', 'in.range']);
    expect(res.text).toContain('value="2026-03-01T10:00"');
  });

  it('filters by entity type and id, by actor login or id, and by address', async () => {
    const other = await createAdmin(t.deps, 'auditor-two', 'some long passphrase');
    await event({ action: 'a.customer', entityType: 'customer', entityId: 5 });
    await event({ action: 'b.customer', entityType: 'customer', entityId: 6, ip: '198.51.100.9' });
    await event({
      action: 'c.role',
      entityType: 'role',
      entityId: 5,
      actor: { type: 'admin', id: other.id, label: other.login },
    });
    const byType = await agent.get('/admin/audit?entity_type=customer');
    expect(actionsIn(byType.text)).toEqual(['b.customer', 'a.customer']);
    // what an event concerns is chosen by name, not typed as a code, and the choice is kept
    expect(byType.text).toMatch(/<option value="customer" selected[^>]*>A customer<\/option>/);
    expect(byType.text).toContain('<option value="api_token">An API token</option>');
    expect(actionsIn((await agent.get('/admin/audit?entity_type=customer&entity_id=5')).text)).toEqual(['a.customer']);
    expect(actionsIn((await agent.get('/admin/audit?actor=AUDITOR-TWO')).text)).toEqual(['c.role']);
    expect(actionsIn((await agent.get(`/admin/audit?actor=${other.id}`)).text)).toEqual(['c.role']);
    expect(actionsIn((await agent.get('/admin/audit?ip=198.51.100.9')).text)).toEqual(['b.customer']);
  });

  it('pages through older events with a keyset link that keeps the filters', async () => {
    for (let i = 1; i <= 55; i++) await event({ action: `page.${String(i).padStart(2, '0')}`, entityType: 'customer' });
    await event({ action: 'other.type', entityType: 'role' });
    const first = await agent.get('/admin/audit?entity_type=customer');
    const page1 = actionsIn(first.text);
    expect(page1).toHaveLength(50);
    expect(page1[0]).toBe('page.55');
    const older = /<a href="([^"]+)" rel="next">Older events<\/a>/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(older).toMatch(/entity_type=customer/);
    const second = await agent.get(older!);
    expect(actionsIn(second.text)).toEqual(['page.05', 'page.04', 'page.03', 'page.02', 'page.01']);
    expect(second.text).not.toContain('rel="next"');
  });

  it('refuses a malformed time or a range that ends before it starts, with a summary', async () => {
    const bad = await agent.get('/admin/audit?from=yesterday');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#from"');
    const reversed = await agent.get('/admin/audit?from=2026-03-02T00:00&to=2026-03-01T00:00');
    expect(reversed.status).toBe(422);
    expect(reversed.text).toContain('The end must be after the start');
  });

  it('answers htmx with the filters and events region only and Vary: HX-Request', async () => {
    await event({ action: 'fragment.check' });
    const res = await agent.get('/admin/audit?actor=operator').set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.headers.vary).toContain('HX-Request');
    expect(res.text).not.toContain('<html');
    expect(res.text.trim()).toMatch(/^<div id="audit-search">/);
    expect(res.text).toContain('hx-target="#audit-search"');
    expect(res.text).toContain('id="audit-events"');
    expect(actionsIn(res.text)).toContain('fragment.check');
  });

  it('answers a refused htmx filter with 422, the error summary and the field marked, not just “no event”', async () => {
    const res = await agent.get('/admin/audit?ip=not+an+ip').set('HX-Request', 'true');
    expect(res.status).toBe(422);
    expect(res.text).not.toContain('<html');
    expect(res.text).toContain('class="error-summary"');
    expect(res.text).toContain('href="#ip"');
    expect(res.text).toMatch(/<input id="ip"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('value="not an ip"');
  });
});

describe('GET /admin/customers/:id/audit', () => {
  it('shows only the events of that customer', async () => {
    const a = await createCustomer(t.deps);
    const b = await createCustomer(t.deps);
    await event({ action: 'about.a', customerId: a.id, entityType: 'customer', entityId: a.id });
    await event({ action: 'about.b', customerId: b.id, entityType: 'customer', entityId: b.id });
    const res = await agent.get(`/admin/customers/${a.id}/audit`);
    expect(res.status).toBe(200);
    expect(actionsIn(res.text)).toEqual(['about.a']);
    expect(res.text).toMatch(/aria-current="page">Audit<\/a>/);
  });

  it('lists a panel save with the password masked', async () => {
    const c = await createCustomer(t.deps);
    const panel = await agent.get(`/admin/customers/${c.id}/self-care`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(panel.text)?.[1];
    const save = await agent
      .post(`/admin/customers/${c.id}/self-care`)
      .type('form')
      .send({
        _csrf: csrf,
        version: '1',
        login: c.login,
        password: 'brass otter 39 meadow',
        role_id: String(c.roleId),
        time_zone: 'UTC',
        language: 'es',
        out_date_format: 'YYYY-MM-DD',
        out_time_format: 'HH24:MI:SS',
        in_date_format: 'YYYY-MM-DD',
        in_time_format: 'HH24:MI:SS',
        trusted_ips: '',
      });
    expect(save.status).toBe(303);
    const res = await agent.get(`/admin/customers/${c.id}/audit`);
    expect(sentencesIn(res.text)[0]).toMatch(/^Admin .+ changed the Web self-care settings of the customer /);
    expect(res.text).toContain('<strong>Password</strong>: changed</li>');
    expect(res.text).toContain('<strong>Web interface language</strong>: English → Spanish');
    expect(res.text).not.toContain('brass otter');
  });

  it('answers a refused htmx filter on the tab with the error summary inside the swapped region', async () => {
    const c = await createCustomer(t.deps);
    const res = await agent.get(`/admin/customers/${c.id}/audit?ip=not+an+ip`).set('HX-Request', 'true');
    expect(res.status).toBe(422);
    expect(res.text.trim()).toMatch(/^<div id="audit-search">\s*<div class="error-summary"/);
    expect(res.text).toContain(`action="/admin/customers/${c.id}/audit"`);
  });

  it('answers 404 for an unknown customer', async () => {
    expect((await agent.get('/admin/customers/99999/audit')).status).toBe(404);
  });
});
