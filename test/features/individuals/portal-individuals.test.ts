import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectiveLevels } from '../../../src/access/permissions.ts';
import { toDate } from '../../../src/db/knex.ts';
import { IndividualsService, ValidationError } from '../../../src/features/individuals/service.ts';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole, FIXTURE_PASSWORD } from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';

let t: TestApp;
let fullRole: number;
let readRole: number;
let managerRole: number;
let bossRole: number;

beforeEach(async () => {
  t = await createTestApp();
  fullRole = await createRole(t.deps, 'Full', allAt('modify'), { isDefault: true });
  readRole = await createRole(t.deps, 'Reader', { ...allAt('read'), individuals: 'read' });
  // Manages individuals but sees invoices only: may not hand out invoice changes.
  managerRole = await createRole(t.deps, 'Manager', { ...allAt('read'), individuals: 'modify' });
  bossRole = await createRole(t.deps, 'Boss', allAt('modify'));
});
afterEach(async () => {
  await t.close();
});

async function customerWith(
  roles: number[],
  opts: { inDateFormat?: string; inTimeFormat?: string; timeZone?: string } = {},
) {
  const customer = await createCustomer(t.deps, { roleId: fullRole, name: 'Acme', ...opts });
  for (const roleId of roles)
    await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: roleId });
  return customer;
}

function newIndividual(csrf: string, extra: Record<string, string> = {}) {
  return {
    _csrf: csrf,
    login: 'new.person',
    password: 'amber window copper field',
    name: 'New Person',
    email: '',
    role_id: String(readRole),
    ...extra,
  };
}

describe('GET /individuals', () => {
  it('lists the customer’s individuals and offers only the roles the viewer may give', async () => {
    const customer = await customerWith([readRole, managerRole, bossRole]);
    const manager = await createIndividual(t.deps, customer.id, { login: 'manager.one', roleId: managerRole });
    await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const { agent } = await signInPortal(t.app, manager.login, FIXTURE_PASSWORD);
    const res = await agent.get('/individuals');
    expect(res.status).toBe(200);
    expect(res.text).toContain('reader.one');
    const form = /<select id="role_id" name="role_id"[\s\S]*?<\/select>/.exec(res.text)?.[0] ?? '';
    expect(form).toContain('>Reader<');
    expect(form).toContain('>Manager<');
    expect(form).not.toContain('>Boss<');
  });

  it('refuses a viewer whose role hides individuals with 403', async () => {
    const hidden = await createRole(t.deps, 'Hidden', { ...allAt('read'), individuals: 'hidden' });
    const customer = await customerWith([hidden]);
    const ind = await createIndividual(t.deps, customer.id, { login: 'no.access', roleId: hidden });
    const { agent } = await signInPortal(t.app, ind.login, FIXTURE_PASSWORD);
    expect((await agent.get('/individuals')).status).toBe(403);
  });

  it('shows the list without any edit control to a View only viewer and refuses its posts', async () => {
    const customer = await customerWith([readRole]);
    const reader = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const { agent, csrf } = await signInPortal(t.app, reader.login, FIXTURE_PASSWORD);
    const res = await agent.get('/individuals');
    expect(res.status).toBe(200);
    expect(res.text).toContain('You can see the individuals but not change them.');
    expect(res.text).not.toContain('name="role_id"');
    const post = await agent.post('/individuals').type('form').send(newIndividual(csrf));
    expect(post.status).toBe(403);
    expect(await t.deps.db('individuals').where({ login: 'new.person' }).first()).toBeUndefined();
  });
});

describe('POST /individuals', () => {
  it('lets the customer add an individual with a date typed in its own format and zone', async () => {
    const customer = await customerWith([readRole], { inDateFormat: 'DD/MM/YYYY', timeZone: 'Asia/Tokyo' });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const res = await agent
      .post('/individuals')
      .type('form')
      .send(newIndividual(csrf, { activation_at: '02/01/2031 09:30:00' }));
    expect(res.status).toBe(303);
    const row = await t.deps.db('individuals').where({ login: 'new.person' }).first();
    expect(row.customer_id).toBe(customer.id);
    expect(toDate(row.activation_at)?.toISOString()).toBe('2031-01-02T00:30:00.000Z');
    const [event] = await t.deps.db('audit_events').where({ action: 'individual.create' });
    expect(event).toMatchObject({ actor_type: 'customer', actor_id: customer.id, customer_id: customer.id });
  });

  it('refuses a role above the viewer’s own levels, also when the POST is crafted', async () => {
    const customer = await customerWith([readRole, managerRole, bossRole]);
    const manager = await createIndividual(t.deps, customer.id, { login: 'manager.one', roleId: managerRole });
    const { agent, csrf } = await signInPortal(t.app, manager.login, FIXTURE_PASSWORD);
    const res = await agent
      .post('/individuals')
      .type('form')
      .send(newIndividual(csrf, { role_id: String(bossRole) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('You cannot give a role with more permissions than you have');
    expect(await t.deps.db('individuals').where({ login: 'new.person' }).first()).toBeUndefined();
  });

  it('refuses a role outside the customer’s allowed roles', async () => {
    const customer = await customerWith([readRole]);
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const res = await agent
      .post('/individuals')
      .type('form')
      .send(newIndividual(csrf, { role_id: String(bossRole) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose one of the roles in the list');
  });

  it('names every problem in the viewer’s words, with a date in the expected format', async () => {
    const customer = await customerWith([readRole], { inDateFormat: 'DD/MM/YYYY' });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const res = await agent
      .post('/individuals')
      .type('form')
      .send(newIndividual(csrf, { login: 'x', password: 'short', activation_at: '2031-01-02' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Use 3 to 64 characters');
    expect(res.text).toContain('The password must have at least 12 characters');
    expect(res.text).toMatch(/Active from: enter a date and time such as \d\d\/\d\d\/\d{4} 14:15:00, or just the date/);
    expect(res.text).toContain('value="x"');
  });
});

describe('POST /individuals: one round', () => {
  it('reports a taken login together with the other problems', async () => {
    const customer = await customerWith([readRole]);
    await createCustomer(t.deps, { login: 'Taken.Elsewhere' });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const res = await agent
      .post('/individuals')
      .type('form')
      .send(newIndividual(csrf, { login: 'taken.elsewhere', password: 'short', email: 'not-an-address' }));
    expect(res.status).toBe(422);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.text)?.[0] ?? '';
    expect(summary).toContain('href="#login"');
    expect(summary).toContain('href="#password"');
    expect(summary).toContain('href="#email"');
    expect(summary.indexOf('href="#login"')).toBeLessThan(summary.indexOf('href="#password"'));
  });

  it('takes a 24-hour time under a 12-hour input format, and names the field of a bad date', async () => {
    const customer = await customerWith([readRole], {
      inDateFormat: 'MM/DD/YYYY',
      inTimeFormat: 'HH12:MI AM',
      timeZone: 'UTC',
    });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const wrong = await agent
      .post('/individuals')
      .type('form')
      .send(newIndividual(csrf, { activation_at: '2031-01-02', expiration_at: '31/01/2031' }));
    expect(wrong.status).toBe(422);
    expect(wrong.text).toMatch(/Active from: enter a date and time such as \d\d\/\d\d\/\d{4} 02:15 PM/);
    expect(wrong.text).toMatch(/Active until: enter a date and time such as \d\d\/\d\d\/\d{4} 02:15 PM/);
    const res = await agent
      .post('/individuals')
      .type('form')
      .send(newIndividual(csrf, { activation_at: '01/02/2031 08:00', expiration_at: '01/31/2031 05:30 PM' }));
    expect(res.status).toBe(303);
    const row = await t.deps.db('individuals').where({ login: 'new.person' }).first();
    const { toDate } = await import('../../../src/db/knex.ts');
    expect(toDate(row.activation_at)?.toISOString()).toBe('2031-01-02T08:00:00.000Z');
    expect(toDate(row.expiration_at)?.toISOString()).toBe('2031-01-31T17:30:00.000Z');
  });
});

describe('POST /individuals/:individualId', () => {
  it('changes a role in place for htmx and answers the row with Vary', async () => {
    const customer = await customerWith([readRole, managerRole]);
    const ind = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const res = await agent
      .post(`/individuals/${ind.id}`)
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', csrf)
      .type('form')
      .send({ role_id: String(managerRole) });
    expect(res.status).toBe(200);
    expect(res.headers.vary).toMatch(/HX-Request/);
    expect(res.text.trim()).toMatch(/^<tr id="individual-\d+">/);
    expect(res.text).toMatch(new RegExp(`<option value="${managerRole}" selected>Manager`));
  });

  it('answers 404 for an individual of another customer', async () => {
    const a = await customerWith([readRole]);
    const b = await customerWith([readRole]);
    const ofB = await createIndividual(t.deps, b.id, { login: 'b.person', roleId: readRole });
    const { agent, csrf } = await signInPortal(t.app, a.login!, a.password);
    expect(
      (
        await agent
          .post(`/individuals/${ofB.id}`)
          .type('form')
          .send({ _csrf: csrf, role_id: String(readRole) })
      ).status,
    ).toBe(404);
    expect(
      (await agent.post(`/individuals/${ofB.id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' })).status,
    ).toBe(404);
    expect(await t.deps.db('individuals').where({ id: ofB.id }).first()).toBeDefined();
  });

  it('refuses to let an individual change someone with more permissions', async () => {
    const customer = await customerWith([readRole, managerRole, bossRole]);
    const manager = await createIndividual(t.deps, customer.id, { login: 'manager.one', roleId: managerRole });
    const boss = await createIndividual(t.deps, customer.id, { login: 'boss.one', roleId: bossRole });
    const { agent, csrf } = await signInPortal(t.app, manager.login, FIXTURE_PASSWORD);
    const res = await agent
      .post(`/individuals/${boss.id}`)
      .type('form')
      .send({ _csrf: csrf, role_id: String(readRole) });
    expect(res.status).toBe(403);
    expect((await t.deps.db('individuals').where({ id: boss.id }).first()).role_id).toBe(bossRole);
    const del = await agent.post(`/individuals/${boss.id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(del.status).toBe(403);
    expect(await t.deps.db('individuals').where({ id: boss.id }).first()).toBeDefined();
  });
});

describe('the edit page of one individual', () => {
  function editForm(csrf: string, version: string, extra: Record<string, string> = {}) {
    return {
      _csrf: csrf,
      form: 'edit',
      version,
      name: 'Reader Renamed',
      email: 'reader@example.com',
      password: '',
      password_change_required: 'on',
      role_id: String(managerRole),
      activation_at: '02/01/2031 09:30:00',
      expiration_at: '',
      ...extra,
    };
  }

  it('links each login of the list to its edit page, which shows the values in the viewer’s date format', async () => {
    const customer = await customerWith([readRole, managerRole], {
      inDateFormat: 'DD/MM/YYYY',
      timeZone: 'Asia/Tokyo',
    });
    const ind = await createIndividual(t.deps, customer.id, {
      login: 'reader.one',
      name: 'Reader One',
      roleId: readRole,
      expirationAt: new Date('2031-01-02T00:30:00Z'),
    });
    const { agent } = await signInPortal(t.app, customer.login!, customer.password);
    expect((await agent.get('/individuals')).text).toContain(`<a href="/individuals/${ind.id}">reader.one</a>`);
    const res = await agent.get(`/individuals/${ind.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Individual reader.one');
    expect(res.text).toMatch(/<input id="name" name="name"[^>]*value="Reader One"/);
    expect(res.text).toMatch(/<input id="expiration_at" name="expiration_at"[^>]*value="02\/01\/2031 09:30:00"/);
    expect(res.text).toContain('name="form" value="edit"');
  });

  it('saves name, e-mail, new password, role and dates typed in the viewer’s format, and audits the change', async () => {
    const customer = await customerWith([readRole, managerRole], {
      inDateFormat: 'DD/MM/YYYY',
      timeZone: 'Asia/Tokyo',
    });
    const ind = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const before = await t.deps.db('individuals').where({ id: ind.id }).first();
    const res = await agent
      .post(`/individuals/${ind.id}`)
      .type('form')
      .send(editForm(csrf, String(before.version), { password: 'quiet harbour lantern moss' }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/individuals/${ind.id}`);
    const row = await t.deps.db('individuals').where({ id: ind.id }).first();
    expect(row).toMatchObject({
      login: 'reader.one',
      name: 'Reader Renamed',
      email: 'reader@example.com',
      role_id: managerRole,
    });
    expect(Boolean(row.password_change_required)).toBe(true);
    expect(row.password_hash).not.toBe(before.password_hash);
    expect(toDate(row.activation_at)?.toISOString()).toBe('2031-01-02T00:30:00.000Z');
    const [event] = await t.deps.db('audit_events').where({ action: 'individual.update', entity_id: ind.id });
    expect(event).toMatchObject({ actor_type: 'customer', actor_id: customer.id, customer_id: customer.id });
    const changes = typeof event.changes === 'string' ? JSON.parse(event.changes) : event.changes;
    expect(changes.name).toEqual({ old: 'reader.one', new: 'Reader Renamed' });
    expect(changes.password).toEqual({ old: 'changed', new: 'changed' });
    expect(JSON.stringify(changes)).not.toContain('quiet harbour');
    const page = await agent.get(`/individuals/${ind.id}`);
    expect(page.text).toContain('The changes to reader.one were saved.');
  });

  it('keeps the typed values and names each problem in a summary when the form is refused', async () => {
    const customer = await customerWith([readRole, managerRole], { inDateFormat: 'DD/MM/YYYY' });
    const ind = await createIndividual(t.deps, customer.id, {
      login: 'reader.one',
      name: 'Reader One',
      roleId: readRole,
    });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const res = await agent
      .post(`/individuals/${ind.id}`)
      .type('form')
      .send(editForm(csrf, '', { email: 'not-an-address', password: 'short', activation_at: '2031-01-02' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('error-summary');
    expect(res.text).toContain('<title>Error:');
    expect(res.text).toContain('Enter an e-mail address like name@example.com');
    expect(res.text).toContain('The password must have at least 12 characters');
    expect(res.text).toMatch(/Active from: enter a date and time such as \d\d\/\d\d\/\d{4} 14:15:00, or just the date/);
    expect(res.text).toMatch(
      /<input id="email" name="email"[^>]*value="not-an-address"[^>]*aria-describedby="email-error" aria-invalid="true"/,
    );
    expect(res.text).toMatch(/<input id="name" name="name"[^>]*value="Reader Renamed"/);
    expect((await t.deps.db('individuals').where({ id: ind.id }).first()).name).toBe('Reader One');
  });

  it('shows a View only viewer the values without any control and refuses its post with 403', async () => {
    const customer = await customerWith([readRole]);
    const reader = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const other = await createIndividual(t.deps, customer.id, {
      login: 'reader.two',
      name: 'Reader Two',
      roleId: readRole,
    });
    const { agent, csrf } = await signInPortal(t.app, reader.login, FIXTURE_PASSWORD);
    const page = await agent.get(`/individuals/${other.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('You can see this individual but not change them.');
    expect(page.text).toContain('Reader Two');
    expect(page.text).not.toContain('name="form" value="edit"');
    expect(page.text).not.toContain('name="name"');
    const post = await agent
      .post(`/individuals/${other.id}`)
      .type('form')
      .send(editForm(csrf, '', { role_id: String(readRole) }));
    expect(post.status).toBe(403);
    expect((await t.deps.db('individuals').where({ id: other.id }).first()).name).toBe('Reader Two');
  });

  it('refuses to edit someone with more permissions than the viewer with 403', async () => {
    const customer = await customerWith([readRole, managerRole, bossRole]);
    const manager = await createIndividual(t.deps, customer.id, { login: 'manager.one', roleId: managerRole });
    const boss = await createIndividual(t.deps, customer.id, { login: 'boss.one', name: 'Boss One', roleId: bossRole });
    const { agent, csrf } = await signInPortal(t.app, manager.login, FIXTURE_PASSWORD);
    const page = await agent.get(`/individuals/${boss.id}`);
    expect(page.text).toContain('You can see this individual but not change them.');
    const res = await agent
      .post(`/individuals/${boss.id}`)
      .type('form')
      .send(editForm(csrf, '', { role_id: String(readRole), activation_at: '' }));
    expect(res.status).toBe(403);
    expect(res.text).toContain('This individual has more permissions than you, so you cannot change them');
    expect((await t.deps.db('individuals').where({ id: boss.id }).first()).name).toBe('Boss One');
  });

  it('answers 404 for an individual of another customer, on the page and on the post', async () => {
    const a = await customerWith([readRole]);
    const b = await customerWith([readRole]);
    const ofB = await createIndividual(t.deps, b.id, { login: 'b.person', name: 'B Person', roleId: readRole });
    const { agent, csrf } = await signInPortal(t.app, a.login!, a.password);
    expect((await agent.get(`/individuals/${ofB.id}`)).status).toBe(404);
    expect(
      (
        await agent
          .post(`/individuals/${ofB.id}`)
          .type('form')
          .send(editForm(csrf, '', { role_id: String(readRole), activation_at: '' }))
      ).status,
    ).toBe(404);
    expect((await t.deps.db('individuals').where({ id: ofB.id }).first()).name).toBe('B Person');
  });

  it('answers 409 with the current values when someone else saved first', async () => {
    const customer = await customerWith([readRole, managerRole]);
    const ind = await createIndividual(t.deps, customer.id, {
      login: 'reader.one',
      name: 'Reader One',
      roleId: readRole,
    });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const version = String((await t.deps.db('individuals').where({ id: ind.id }).first()).version);
    expect(
      (
        await agent
          .post(`/individuals/${ind.id}`)
          .type('form')
          .send(editForm(csrf, version, { name: 'First Save', activation_at: '' }))
      ).status,
    ).toBe(303);
    const res = await agent
      .post(`/individuals/${ind.id}`)
      .type('form')
      .send(editForm(csrf, version, { name: 'Second Save', activation_at: '' }));
    expect(res.status).toBe(409);
    expect(res.text).toContain('Someone else changed this individual while you were editing.');
    expect(res.text).toMatch(/<input id="name" name="name"[^>]*value="First Save"/);
    expect((await t.deps.db('individuals').where({ id: ind.id }).first()).name).toBe('First Save');
  });
});

describe('POST /individuals/:individualId/delete', () => {
  it('asks on a confirmation page first, which deletes nothing and posts with its CSRF token', async () => {
    const customer = await customerWith([readRole]);
    const ind = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const { agent } = await signInPortal(t.app, customer.login!, customer.password);
    expect((await agent.get('/individuals')).text).toContain(`href="/individuals/${ind.id}/delete"`);
    const ask = await agent.get(`/individuals/${ind.id}/delete`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Delete reader.one? Their open sessions end at once.');
    expect(ask.text).toContain(`action="/individuals/${ind.id}/delete"`);
    expect(ask.text).toContain('<a class="button button--secondary" href="/individuals">Cancel</a>');
    expect(await t.deps.db('individuals').where({ id: ind.id }).first()).toBeDefined();
    const res = await agent
      .post(`/individuals/${ind.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(ask.text), confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(await t.deps.db('individuals').where({ id: ind.id }).first()).toBeUndefined();
  });

  it('asks again, deleting nothing, when the post lacks the confirmation', async () => {
    const customer = await customerWith([readRole]);
    const ind = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const res = await agent.post(`/individuals/${ind.id}/delete`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Delete reader.one?');
    expect(await t.deps.db('individuals').where({ id: ind.id }).first()).toBeDefined();
  });

  it("refuses the confirmation page with 403 at View only and 404 for another customer's individual", async () => {
    const customer = await customerWith([readRole]);
    const other = await customerWith([readRole]);
    const theirs = await createIndividual(t.deps, other.id, { roleId: readRole });
    const ind = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const viewer = await signInPortal(t.app, ind.login, FIXTURE_PASSWORD);
    expect((await viewer.agent.get(`/individuals/${ind.id}/delete`)).status).toBe(403);
    const { agent } = await signInPortal(t.app, customer.login!, customer.password);
    expect((await agent.get(`/individuals/${theirs.id}/delete`)).status).toBe(404);
  });

  it('deletes the individual and its open sessions end at their next request', async () => {
    const customer = await customerWith([readRole]);
    const ind = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const victim = await signInPortal(t.app, ind.login, FIXTURE_PASSWORD);
    expect((await victim.agent.get('/individuals')).status).toBe(200);
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    const res = await agent.post(`/individuals/${ind.id}/delete`).type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(303);
    const after = await victim.agent.get('/individuals');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
  });
});

describe('admin deleting an individual', () => {
  it('ends the individual’s portal sessions', async () => {
    const customer = await customerWith([readRole]);
    const ind = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const victim = await signInPortal(t.app, ind.login, FIXTURE_PASSWORD);
    const admin = await createAdmin(t.deps);
    const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
    expect(
      (
        await agent
          .post(`/admin/customers/${customer.id}/individuals/${ind.id}/delete`)
          .type('form')
          .send({ _csrf: csrf })
      ).status,
    ).toBe(303);
    const after = await victim.agent.get('/individuals');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
  });
});

describe('an individual managing individuals passes its own restrictions on', () => {
  // The test client comes from the loopback address, which this list allows.
  const LOOPBACK = '127.0.0.1;\n::1;';
  const ENDS = new Date('2031-06-01T00:00:00Z');

  async function restrictedManager() {
    const customer = await customerWith([readRole, managerRole]);
    const manager = await createIndividual(t.deps, customer.id, {
      login: 'manager.one',
      roleId: managerRole,
      ipRestriction: true,
      trustedIps: LOOPBACK,
      expirationAt: ENDS,
    });
    return { customer, manager, ...(await signInPortal(t.app, manager.login, FIXTURE_PASSWORD)) };
  }

  it('offers its own end date in the add form', async () => {
    const { agent } = await restrictedManager();
    const res = await agent.get('/individuals');
    expect(res.text).toMatch(/<input id="expiration_at" name="expiration_at"[^>]*value="2031-06-01 00:00:00"/);
  });

  it('refuses an individual without an end date, or ending later, and names its own end', async () => {
    const { agent, csrf } = await restrictedManager();
    for (const expiration of ['', '2031-06-02 00:00:00']) {
      const res = await agent
        .post('/individuals')
        .type('form')
        .send(newIndividual(csrf, { expiration_at: expiration }));
      expect(res.status).toBe(422);
      expect(res.text).toContain('Your own access ends on 2031-06-01 00:00:00: enter an end date no later than that');
      expect(res.text).toMatch(/<input id="expiration_at"[^>]*aria-invalid="true"/);
    }
    expect(await t.deps.db('individuals').where({ login: 'new.person' }).first()).toBeUndefined();
  });

  it('gives the individual it adds its own trusted networks, whatever the form says', async () => {
    const { agent, csrf } = await restrictedManager();
    const res = await agent
      .post('/individuals')
      .type('form')
      .send(
        newIndividual(csrf, { expiration_at: '2031-05-01 00:00:00', ip_restriction: '', trusted_ips: '0.0.0.0/0' }),
      );
    expect(res.status).toBe(303);
    const row = await t.deps.db('individuals').where({ login: 'new.person' }).first();
    expect(Boolean(row.ip_restriction)).toBe(true);
    expect(row.trusted_ips).toBe('127.0.0.1;\n::1;');
    expect(toDate(row.expiration_at)?.toISOString()).toBe('2031-05-01T00:00:00.000Z');
  });

  it('passes its networks and end date to an unrestricted individual whose role it changes', async () => {
    const { customer, agent, csrf } = await restrictedManager();
    const reader = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const res = await agent
      .post(`/individuals/${reader.id}`)
      .type('form')
      .send({ _csrf: csrf, role_id: String(managerRole) });
    expect(res.status).toBe(303);
    const row = await t.deps.db('individuals').where({ id: reader.id }).first();
    expect(row.role_id).toBe(managerRole);
    expect(Boolean(row.ip_restriction)).toBe(true);
    expect(row.trusted_ips).toBe('127.0.0.1;\n::1;');
    expect(toDate(row.expiration_at)?.toISOString()).toBe(ENDS.toISOString());
  });

  it('leaves the customer free to add an individual without an end date or networks', async () => {
    const customer = await createCustomer(t.deps, { roleId: fullRole, ipRestriction: true, trustedIps: LOOPBACK });
    await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: readRole });
    const { agent, csrf } = await signInPortal(t.app, customer.login!, customer.password);
    expect((await agent.post('/individuals').type('form').send(newIndividual(csrf))).status).toBe(303);
    const row = await t.deps.db('individuals').where({ login: 'new.person' }).first();
    expect(Boolean(row.ip_restriction)).toBe(false);
    expect(row.expiration_at).toBeNull();
  });
});

describe('IndividualsService with an individual as granter', () => {
  it('refuses an explicit end date past the granter’s on an edit, and overrides another network list', async () => {
    const service = new IndividualsService(t.deps);
    const customer = await customerWith([readRole, managerRole]);
    const manager = await createIndividual(t.deps, customer.id, {
      login: 'manager.one',
      roleId: managerRole,
      ipRestriction: true,
      trustedIps: '10.0.0.0/8;',
      expirationAt: new Date('2031-06-01T00:00:00Z'),
    });
    const reader = await createIndividual(t.deps, customer.id, { login: 'reader.one', roleId: readRole });
    const ctx = {
      actor: { type: 'individual' as const, id: manager.id, label: 'manager.one' },
      ip: '10.0.0.1',
      granter: {
        kind: 'individual' as const,
        id: manager.id,
        levels: effectiveLevels({ ...allAt('read'), individuals: 'modify' }),
      },
    };
    const later = service.update(customer.id, reader.id, { expirationAt: new Date('2032-01-01T00:00:00Z') }, ctx);
    await expect(later).rejects.toBeInstanceOf(ValidationError);
    await expect(later).rejects.toMatchObject({
      fields: [{ field: 'expiration_at', key: 'individuals.errors.expiration_limit' }],
    });
    const updated = await service.update(
      customer.id,
      reader.id,
      { ipRestriction: true, trustedIps: '0.0.0.0/0', expirationAt: new Date('2031-01-01T00:00:00Z') },
      ctx,
    );
    expect(updated).toMatchObject({
      ipRestriction: true,
      trustedIps: '10.0.0.0/8;',
      expirationAt: new Date('2031-01-01T00:00:00Z'),
    });
  });
});
