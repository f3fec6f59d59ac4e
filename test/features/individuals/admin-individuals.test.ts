import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import { verifyPassword } from '../../../src/access/passwords.ts';

let t: TestApp;
let agent: Awaited<ReturnType<typeof signInAdmin>>['agent'];
let csrf: string;
let mainRole: number;
let staffRole: number;
let bossRole: number;

beforeEach(async () => {
  t = await createTestApp();
  const admin = await createAdmin(t.deps);
  ({ agent, csrf } = await signInAdmin(t.app, admin.login, admin.password));
  mainRole = await createRole(t.deps, 'Main', allAt('modify'), { isDefault: true });
  staffRole = await createRole(t.deps, 'Staff', allAt('read'));
  bossRole = await createRole(t.deps, 'Boss', allAt('modify'));
});
afterEach(async () => {
  await t.close();
});

/** The version an individual's forms carry. */
async function versionOf(id: number): Promise<string> {
  return String((await t.deps.db('individuals').where({ id }).first()).version);
}

async function customerAllowing(...roleIds: number[]) {
  const customer = await createCustomer(t.deps, {
    roleId: mainRole,
    name: 'Acme',
    timeZone: 'Europe/Berlin',
    inDateFormat: 'DD.MM.YYYY',
    inTimeFormat: 'HH24:MI',
    outDateFormat: 'DD.MM.YYYY',
    outTimeFormat: 'HH24:MI',
  });
  for (const roleId of roleIds)
    await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: roleId });
  return customer;
}

function individualForm(extra: Record<string, string> = {}): Record<string, string> {
  return {
    _csrf: csrf,
    login: 'jane.doe',
    password: 'violet kettle harbour lamp',
    name: 'Jane Doe',
    email: 'jane@example.com',
    role_id: String(staffRole),
    password_change_required: 'on',
    ...extra,
  };
}

function outbox(): string[] {
  const dir = path.join(t.config.dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

/** The text part of an .eml file, decoded from quoted-printable. */
function mailText(eml: string): string {
  const unfolded = eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => `%${hex}`);
  try {
    return decodeURIComponent(unfolded.replace(/%(?![0-9A-F]{2})/g, '%25'));
  } catch {
    return unfolded;
  }
}

describe('GET /admin/customers/:id/individuals', () => {
  it('explains that a role must be allowed first and links to Allowed roles', async () => {
    const customer = await customerAllowing();
    const res = await agent.get(`/admin/customers/${customer.id}/individuals`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('No role is allowed for this customer’s individuals yet');
    expect(res.text).toContain(`href="/admin/customers/${customer.id}/allowed-roles"`);
    expect(res.text).not.toContain('Add an individual');
  });

  it('lists individuals with role, status and last login in the customer’s formats', async () => {
    const customer = await customerAllowing(staffRole);
    await createIndividual(t.deps, customer.id, { login: 'active.one', roleId: staffRole });
    await createIndividual(t.deps, customer.id, {
      login: 'future.one',
      roleId: staffRole,
      activationAt: new Date(Date.now() + 86_400_000 * 30),
    });
    await createIndividual(t.deps, customer.id, {
      login: 'past.one',
      roleId: staffRole,
      expirationAt: new Date('2020-01-01T00:00:00Z'),
    });
    await t.deps
      .db('individuals')
      .where({ login: 'active.one' })
      .update({ last_login_at: new Date('2026-03-05T10:30:00Z') });
    const res = await agent.get(`/admin/customers/${customer.id}/individuals`);
    const row = (login: string) =>
      new RegExp(`<tr id="individual-\\d+">[\\s\\S]*?${login.replace('.', '\\.')}[\\s\\S]*?</tr>`).exec(
        res.text,
      )?.[0] ?? '';
    expect(row('active.one')).toContain('Active');
    expect(row('active.one')).toContain('05.03.2026 11:30');
    expect(row('future.one')).toContain('Not yet active');
    expect(row('past.one')).toContain('Expired');
    expect(row('past.one')).toContain('since 01.01.2020 01:00');
    expect(row('active.one')).toMatch(/<option value="\d+" selected>Staff<\/option>/);
  });
});

describe('POST /admin/customers/:id/individuals', () => {
  it('creates an individual with a hashed password, its login taken in the shared namespace, and audits it', async () => {
    const customer = await customerAllowing(staffRole);
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ send_credentials: '' }));
    expect(res.status).toBe(303);
    const row = await t.deps.db('individuals').where({ customer_id: customer.id, login: 'jane.doe' }).first();
    expect(row).toBeDefined();
    expect(await verifyPassword('violet kettle harbour lamp', String(row.password_hash))).toBe(true);
    expect(await t.deps.db('selfcare_logins').where({ login_lower: 'jane.doe' }).first()).toMatchObject({
      individual_id: row.id,
    });
    const [event] = await t.deps.db('audit_events').where({ action: 'individual.create' });
    const changes = JSON.parse(String(event.changes));
    expect(changes.password).toEqual({ old: 'changed', new: 'changed' });
    expect(changes.login).toEqual({ old: null, new: 'jane.doe' });
    expect(event.customer_id).toBe(customer.id);
    expect(outbox()).toHaveLength(0);
  });

  it('reads the activation date in the individual’s time zone with the customer’s input format', async () => {
    const customer = await customerAllowing(staffRole);
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(
        individualForm({
          activation_at: '01.07.2030 09:00',
          expiration_at: '02.07.2030',
          time_zone: 'America/New_York',
          send_credentials: '',
        }),
      );
    expect(res.status).toBe(303);
    const row = await t.deps.db('individuals').where({ login: 'jane.doe' }).first();
    const { toDate } = await import('../../../src/db/knex.ts');
    expect(toDate(row.activation_at)?.toISOString()).toBe('2030-07-01T13:00:00.000Z');
    expect(toDate(row.expiration_at)?.toISOString()).toBe('2030-07-02T04:00:00.000Z');
    const page = await agent.get(`/admin/customers/${customer.id}/individuals/${row.id}`);
    expect(page.text).toContain('value="01.07.2030 09:00"');
  });

  it('hints at the dates with an example in the format the form reads, which is accepted typed back', async () => {
    const customer = await customerAllowing(staffRole);
    const page = await agent.get(`/admin/customers/${customer.id}/individuals`);
    const hint = /<p class="hint" id="dates-hint">([^<]*)<\/p>/.exec(page.text)?.[1] ?? '';
    expect(hint).not.toMatch(/\b(YYYY|YY|MM|DD|MON|MONTH|HH12|HH24|HH|MI|SS)\b/);
    const example = /For example (\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}) \(/.exec(hint)?.[1];
    expect(example, hint).toBeDefined();
    expect(hint).toContain('Europe/Berlin');
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ activation_at: example!, send_credentials: '' }));
    expect(res.status).toBe(303);
    const row = await t.deps.db('individuals').where({ login: 'jane.doe' }).first();
    const edit = await agent.get(`/admin/customers/${customer.id}/individuals/${row.id}`);
    expect(edit.text).toContain(`value="${example}"`);
    expect(edit.text).toMatch(/id="dates-hint">Optional\. For example \d{2}\.\d{2}\.\d{4} \d{2}:\d{2} \(/);
  });

  it('writes the example of a 12-hour clock as the form reads it', async () => {
    const customer = await createCustomer(t.deps, {
      roleId: mainRole,
      timeZone: 'America/New_York',
      inDateFormat: 'MM/DD/YYYY',
      inTimeFormat: 'HH12:MI AM',
    });
    await t.deps.db('customer_allowed_roles').insert({ customer_id: customer.id, role_id: staffRole });
    const page = await agent.get(`/admin/customers/${customer.id}/individuals`);
    expect(page.text).toMatch(/id="dates-hint">Optional\. For example \d{2}\/\d{2}\/\d{4} 02:15 PM \(/);
    expect(page.text).toContain('in the time zone America/New_York');
  });

  it('refuses a date in the wrong format and says which format is expected', async () => {
    const customer = await customerAllowing(staffRole);
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ activation_at: '2030-07-01' }));
    expect(res.status).toBe(422);
    // what to type, as an example in the customer's input format, not format codes
    expect(res.text).toMatch(
      /Activation: enter a date and time such as \d\d\.\d\d\.\d{4} 14:15 \(the time may be left out\)/,
    );
    expect(res.text).toContain('href="#activation_at"');
    expect(res.text).toContain('value="2030-07-01"');
  });

  it('refuses a role outside the allowed list, also when the POST is crafted', async () => {
    const customer = await customerAllowing(staffRole);
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ role_id: String(bossRole) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose one of the customer’s allowed roles');
    expect(res.text).toContain('aria-describedby="role_id-hint role_id-error" aria-invalid="true"');
    expect(await t.deps.db('individuals').where({ customer_id: customer.id })).toHaveLength(0);
  });

  it('refuses a login already used by a customer, whatever the case, as a field error', async () => {
    const customer = await customerAllowing(staffRole);
    await createCustomer(t.deps, { login: 'Taken.Login' });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ login: 'taken.LOGIN' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('This login is already in use');
    expect(res.text).toContain('href="#login"');
  });

  it('reports a taken login in the same round as the other problems', async () => {
    const customer = await customerAllowing(staffRole);
    await createCustomer(t.deps, { login: 'Taken.Login' });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ login: 'taken.LOGIN', email: 'not-an-address' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('This login is already in use');
    expect(res.text).toContain('Enter an e-mail address like name@example.com');
  });

  it('lists every problem at once and keeps the typed values', async () => {
    const customer = await customerAllowing(staffRole);
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(
        individualForm({
          login: 'x',
          password: 'short',
          email: 'not-an-email',
          role_id: '',
          trusted_ips: '10.1',
          ip_restriction: 'on',
        }),
      );
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<title>Error:/);
    for (const field of ['login', 'password', 'email', 'role_id', 'trusted_ips'])
      expect(res.text).toContain(`href="#${field}"`);
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('line 1');
  });

  it('e-mails the sign-in details in the individual’s language, never with the password', async () => {
    const customer = await customerAllowing(staffRole);
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ send_credentials: 'on' }));
    expect(res.status).toBe(303);
    const mails = outbox();
    expect(mails).toHaveLength(1);
    const mail = mailText(mails[0]!);
    expect(mail).toMatch(/^To: jane@example\.com/m);
    expect(mail).toContain('Subject: Your sign-in details for the Acme self-care portal');
    expect(mail).toContain('Login: jane.doe');
    expect(mail).toContain(`${t.config.publicUrl}/login`);
    expect(mail).toContain('E-mail never carries your password');
    expect(mail).toContain(`${t.config.publicUrl}/forgot-password`);
    expect(mail).not.toContain('violet kettle harbour lamp');
    expect(mail).not.toMatch(/Password: /);
  });

  it('writes the e-mail in the individual’s own language, else the customer’s', async () => {
    const customer = await customerAllowing(staffRole);
    await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ send_credentials: 'on', language: 'de' }));
    await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ send_credentials: 'on', login: 'bob.roe', email: 'bob@example.com' }));
    const mails = outbox().map(mailText);
    const jane = mails.find((m) => /^To: jane@example\.com/m.test(m));
    const bob = mails.find((m) => /^To: bob@example\.com/m.test(m));
    expect(jane).toContain('<html lang="de">');
    expect(bob).toContain('<html lang="en">');
  });

  it('never puts the password in an e-mail, even when the old “include the password” field is posted', async () => {
    const customer = await customerAllowing(staffRole);
    await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ send_credentials: 'on', include_password: 'on' }));
    const mails = outbox().map(mailText);
    expect(mails).toHaveLength(1);
    expect(mails[0]).not.toContain('violet kettle harbour lamp');
  });

  it('sends a 24-hour link to choose a password when the admin asks for one', async () => {
    const customer = await customerAllowing(staffRole);
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ send_credentials: 'on', send_reset_link: 'on' }));
    expect(res.status).toBe(303);
    const mails = outbox().map(mailText);
    expect(mails).toHaveLength(2);
    const link = mails.find((m) => m.includes('/reset-password/'));
    expect(link).toMatch(/^To: jane@example\.com/m);
    expect(link).not.toContain('violet kettle harbour lamp');
    const [row] = await t.deps.db('password_reset_links');
    expect(row.purpose).toBe('admin');
    expect(new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()).toBe(24 * 3_600_000);
  });

  it('sends nothing when no e-mail address is given', async () => {
    const customer = await customerAllowing(staffRole);
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals`)
      .type('form')
      .send(individualForm({ email: '', send_credentials: 'on' }));
    expect(res.status).toBe(303);
    expect(outbox()).toHaveLength(0);
  });

  it('answers the generate button with the password field fragment for htmx and the whole form without JS', async () => {
    const customer = await customerAllowing(staffRole);
    const frag = await agent
      .post(`/admin/customers/${customer.id}/individuals/password`)
      .set('HX-Request', 'true')
      .type('form')
      .send(individualForm({ password: '', password_action: 'generate' }));
    expect(frag.status).toBe(200);
    expect(frag.headers.vary).toMatch(/HX-Request/);
    expect(frag.text).not.toContain('<html');
    expect(frag.text).toMatch(/id="password" name="password" type="text" value="[A-Za-z2-9]{20}"/);
    const page = await agent
      .post(`/admin/customers/${customer.id}/individuals/password`)
      .type('form')
      .send(individualForm({ password: '', password_action: 'generate' }));
    expect(page.text).toContain('<html');
    expect(page.text).toContain('value="jane.doe"');
    expect(page.text).toContain('not saved yet');
    expect(await t.deps.db('individuals')).toHaveLength(0);
  });
});

describe('POST /admin/customers/:id/individuals/:individualId', () => {
  it('changes the role inline and answers htmx with the row fragment', async () => {
    const customer = await customerAllowing(staffRole, bossRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}`)
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', csrf)
      .type('form')
      .send({ inline: 'role', role_id: String(bossRole), version: await versionOf(ind.id) });
    expect(res.status).toBe(200);
    expect(res.headers.vary).toMatch(/HX-Request/);
    expect(res.text.trim()).toMatch(/^<tr id="individual-\d+">/);
    expect(res.text).toMatch(new RegExp(`<option value="${bossRole}" selected>Boss`));
    expect(res.text).toContain('Saved');
    expect((await t.deps.db('individuals').where({ id: ind.id }).first()).role_id).toBe(bossRole);
    const [event] = await t.deps.db('audit_events').where({ action: 'individual.update' });
    expect(JSON.parse(String(event.changes))).toEqual({ role_id: { old: staffRole, new: bossRole } });
  });

  it('changes the role inline without JavaScript and returns to the list', async () => {
    const customer = await customerAllowing(staffRole, bossRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}`)
      .type('form')
      .send({ _csrf: csrf, inline: 'role', role_id: String(bossRole), version: await versionOf(ind.id) });
    expect(res.status).toBe(303);
    const list = await agent.get(res.headers.location as string);
    expect(list.text).toContain('Role of jane.doe changed to Boss.');
  });

  it('refuses an inline change to a role outside the allowed list with a 422 row', async () => {
    const customer = await customerAllowing(staffRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}`)
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', csrf)
      .type('form')
      .send({ inline: 'role', role_id: String(bossRole), version: await versionOf(ind.id) });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose one of the customer’s allowed roles');
    expect(res.text).toMatch(new RegExp(`<option value="${staffRole}" selected>Staff`));
    expect((await t.deps.db('individuals').where({ id: ind.id }).first()).role_id).toBe(staffRole);
  });

  it('saves the edit form, keeps the password when blank, and records only what changed', async () => {
    const customer = await customerAllowing(staffRole);
    const ind = await createIndividual(t.deps, customer.id, {
      login: 'jane.doe',
      roleId: staffRole,
      email: 'jane@example.com',
    });
    const page = await agent.get(`/admin/customers/${customer.id}/individuals/${ind.id}`);
    const version = /name="version" value="(\d+)"/.exec(page.text)?.[1] ?? '';
    const before = await t.deps.db('individuals').where({ id: ind.id }).first();
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        version,
        login: 'jane.doe',
        password: '',
        name: 'Jane Q. Doe',
        email: 'jane@example.com',
        role_id: String(staffRole),
      });
    expect(res.status).toBe(303);
    const after = await t.deps.db('individuals').where({ id: ind.id }).first();
    expect(after.name).toBe('Jane Q. Doe');
    expect(after.password_hash).toBe(before.password_hash);
    expect(after.session_epoch).toBe(before.session_epoch);
    const [event] = await t.deps.db('audit_events').where({ action: 'individual.update' });
    expect(Object.keys(JSON.parse(String(event.changes)))).toEqual(['name']);
  });

  it('refuses a save whose version is missing or malformed, inline or from the edit form', async () => {
    const customer = await customerAllowing(staffRole, bossRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const url = `/admin/customers/${customer.id}/individuals/${ind.id}`;
    for (const version of [undefined, '', 'abc', '1e3', '-1', ' ']) {
      const form = await agent
        .post(url)
        .type('form')
        .send({ _csrf: csrf, version, login: 'jane.doe', name: 'Changed', role_id: String(staffRole) });
      expect(form.status).toBe(422);
      expect(form.text).toContain('The form is incomplete: reload the page and try again.');
      const inline = await agent
        .post(url)
        .set('HX-Request', 'true')
        .set('X-CSRF-Token', csrf)
        .type('form')
        .send({ inline: 'role', role_id: String(bossRole), version });
      expect(inline.status).toBe(422);
      expect(inline.text).toContain('The form is incomplete');
    }
    const row = await t.deps.db('individuals').where({ id: ind.id }).first();
    expect(row.name).not.toBe('Changed');
    expect(row.role_id).toBe(staffRole);
    expect(await t.deps.db('audit_events').where({ action: 'individual.update' })).toHaveLength(0);
  });

  it('answers 409 and shows the current values when another admin saved first', async () => {
    const customer = await customerAllowing(staffRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}`)
      .type('form')
      .send({ _csrf: csrf, version: '999', login: 'jane.doe', name: 'Other', role_id: String(staffRole) });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Someone else changed this individual');
  });

  it('answers 404 for an individual of another customer, on every route', async () => {
    const a = await customerAllowing(staffRole);
    const b = await createCustomer(t.deps, { roleId: mainRole });
    await t.deps.db('customer_allowed_roles').insert({ customer_id: b.id, role_id: staffRole });
    const ofA = await createIndividual(t.deps, a.id, { login: 'jane.doe', roleId: staffRole });
    const under = `/admin/customers/${b.id}/individuals/${ofA.id}`;
    expect((await agent.get(under)).status).toBe(404);
    expect(
      (
        await agent
          .post(under)
          .type('form')
          .send({ _csrf: csrf, inline: 'role', role_id: String(staffRole) })
      ).status,
    ).toBe(404);
    expect(
      (
        await agent
          .post(under)
          .type('form')
          .send({ ...individualForm(), login: 'stolen' })
      ).status,
    ).toBe(404);
    expect((await agent.get(`${under}/delete`)).status).toBe(404);
    expect((await agent.post(`${under}/delete`).type('form').send({ _csrf: csrf })).status).toBe(404);
    expect((await agent.post(`${under}/send-credentials`).type('form').send({ _csrf: csrf })).status).toBe(404);
    expect(await t.deps.db('individuals').where({ id: ofA.id }).first()).toMatchObject({ login: 'jane.doe' });
  });

  it('ends the individual’s sessions when the admin sets a new password', async () => {
    const customer = await customerAllowing(staffRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const before = await t.deps.db('individuals').where({ id: ind.id }).first();
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}`)
      .type('form')
      .send({
        _csrf: csrf,
        version: await versionOf(ind.id),
        login: 'jane.doe',
        password: 'amber window copper field',
        role_id: String(staffRole),
      });
    expect(res.status).toBe(303);
    const after = await t.deps.db('individuals').where({ id: ind.id }).first();
    expect(after.session_epoch).toBe(before.session_epoch + 1);
  });
});

describe('POST /admin/customers/:id/individuals/:individualId/send-credentials', () => {
  it('sends the credentials again, never with a password', async () => {
    const customer = await customerAllowing(staffRole);
    const ind = await createIndividual(t.deps, customer.id, {
      login: 'jane.doe',
      roleId: staffRole,
      email: 'jane@example.com',
    });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}/send-credentials`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(303);
    const mail = mailText(outbox()[0]!);
    expect(mail).toContain('Login: jane.doe');
    expect(mail).not.toMatch(/Password: /);
    expect(await t.deps.db('audit_events').where({ action: 'individual.credentials_sent' })).toHaveLength(1);
  });

  it('refuses when the individual has no e-mail address', async () => {
    const customer = await customerAllowing(staffRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}/send-credentials`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(422);
    expect(res.text).toContain('This individual has no e-mail address');
    expect(outbox()).toHaveLength(0);
  });
});

describe('POST /admin/customers/:id/individuals/:individualId/delete', () => {
  it('asks for confirmation on a page that works without JavaScript', async () => {
    const customer = await customerAllowing(staffRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const res = await agent.get(`/admin/customers/${customer.id}/individuals/${ind.id}/delete`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Delete the individual jane.doe?');
    expect(res.text).toContain(`action="/admin/customers/${customer.id}/individuals/${ind.id}/delete"`);
  });

  it('deletes the individual, frees its login and records it', async () => {
    const customer = await customerAllowing(staffRole);
    const ind = await createIndividual(t.deps, customer.id, { login: 'jane.doe', roleId: staffRole });
    const res = await agent
      .post(`/admin/customers/${customer.id}/individuals/${ind.id}/delete`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(await t.deps.db('individuals').where({ id: ind.id }).first()).toBeUndefined();
    expect(await t.deps.db('selfcare_logins').where({ login_lower: 'jane.doe' }).first()).toBeUndefined();
    const [event] = await t.deps.db('audit_events').where({ action: 'individual.delete' });
    expect(JSON.parse(String(event.changes)).login).toEqual({ old: 'jane.doe', new: null });
  });
});
