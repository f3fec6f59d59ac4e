import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { verifyPassword } from '../../../src/access/passwords.ts';
import { createAdmin, createTestApp, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole, defaultRoleId } from '../../helpers/fixtures.ts';
import { formFields } from './form-fields.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let adminLogin: string;

beforeEach(async () => {
  t = await createTestApp();
  const admin = await createAdmin(t.deps);
  adminLogin = admin.login;
  ({ agent } = await signInAdmin(t.app, admin.login, admin.password));
});
afterEach(async () => {
  await t.close();
});

const panelUrl = (id: number) => `/admin/customers/${id}/self-care`;

/** Opens the panel as a browser would and returns what its form would submit. */
async function openPanel(id: number, who = agent): Promise<Record<string, string>> {
  const page = await who.get(panelUrl(id));
  expect(page.status).toBe(200);
  return formFields(page.text, 'self-care-form');
}

async function save(id: number, changes: Record<string, string | undefined>, who = agent) {
  const fields = { ...(await openPanel(id, who)), ...changes };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) delete fields[k];
  return who.post(panelUrl(id)).type('form').send(fields);
}

async function row(id: number): Promise<Record<string, unknown>> {
  return (await t.deps.db('customers').where({ id }).first()) as Record<string, unknown>;
}

function summaryOf(html: string): string {
  return /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
}

describe('GET /admin/customers/:id/self-care', () => {
  it('shows every field of the panel with the customer’s current values', async () => {
    await defaultRoleId(t.deps);
    const other = await createRole(t.deps, 'Viewer', allAt('read'));
    const c = await createCustomer(t.deps, {
      login: 'acme-portal',
      roleId: other,
      timeZone: 'Europe/Berlin',
      language: 'de',
      outTimeFormat: 'HH12:MI AM',
      inDateFormat: 'DD/MM/YY',
      ipRestriction: true,
      trustedIps: '10.0.0.0/8;',
    });
    const page = await agent.get(panelUrl(c.id));
    expect(page.status).toBe(200);
    const fields = formFields(page.text, 'self-care-form');
    expect(fields).toMatchObject({
      login: 'acme-portal',
      password: '',
      ip_restriction: 'on',
      trusted_ips: '10.0.0.0/8;',
      role_id: String(other),
      time_zone: 'Europe/Berlin',
      language: 'de',
      out_date_format: 'YYYY-MM-DD',
      out_time_format: 'HH12:MI AM',
      in_date_format: 'custom',
      in_date_format_custom: 'DD/MM/YY',
      in_time_format: 'HH24:MI:SS',
      version: '1',
    });
    expect(fields.password_change_required).toBeUndefined();
    expect(page.text).toMatch(/Default \(default\)<\/option>/);
    expect(page.text).toContain('>Українська</option>');
    expect(page.text).toContain('>Português (Brasil)</option>');
    expect(page.text).toMatch(/<option value="Asia\/Kolkata" label="\(UTC\+05:30\) Asia\/Kolkata">/);
    expect(page.text).toContain('list="time-zone-options"');
    expect(page.text).toContain('Shown to the user');
    expect(page.text).toContain('data-toggle-password="password"');
  });

  it('answers 404 for an unknown or malformed customer id', async () => {
    expect((await agent.get(panelUrl(999999))).status).toBe(404);
    expect((await agent.get('/admin/customers/abc/self-care')).status).toBe(404);
    expect((await agent.post(panelUrl(999999)).type('form').send({})).status).toBe(403);
  });

  it('offers both log-in-as modes once the customer has credentials and a non-default role', async () => {
    const role = await createRole(t.deps, 'Restricted', allAt('read'));
    const c = await createCustomer(t.deps, { roleId: role });
    const page = await agent.get(panelUrl(c.id));
    expect(page.text).toContain(`action="/admin/customers/${c.id}/impersonate"`);
    expect(page.text).toContain('name="mode" value="assigned"');
    expect(page.text).toContain('name="mode" value="default"');
  });

  it('offers only the default-role mode when the customer has the default role', async () => {
    const c = await createCustomer(t.deps);
    const page = await agent.get(panelUrl(c.id));
    expect(page.text).not.toContain('name="mode" value="assigned"');
    expect(page.text).toContain('name="mode" value="default"');
  });

  it('offers no log-in-as before the customer has self-care credentials', async () => {
    const c = await createCustomer(t.deps, { login: null });
    const page = await agent.get(panelUrl(c.id));
    expect(page.text).not.toContain('/impersonate');
    expect(page.text).toContain('Available once the customer has a self-care login and password');
  });

  it('counts the active API tokens and links to the tokens tab', async () => {
    const c = await createCustomer(t.deps);
    const now = new Date();
    const token = (n: number, extra: Record<string, unknown>) => ({
      customer_id: c.id,
      name: `t${n}`,
      prefix: `p${n}`,
      digest: `d${n}`.padEnd(64, '0'),
      created_at: now,
      ...extra,
    });
    await t.deps
      .db('api_tokens')
      .insert([
        token(1, {}),
        token(2, {}),
        token(3, { revoked_at: now }),
        token(4, { expires_at: new Date(Date.now() - 1000) }),
      ]);
    const page = await agent.get(panelUrl(c.id));
    expect(page.text).toContain('2 active API tokens.');
    expect(page.text).toContain(`href="/admin/customers/${c.id}/api-tokens"`);
  });
});

describe('POST /admin/customers/:id/self-care', () => {
  it('saves every field, answers 303 and shows the saved values', async () => {
    const role = await createRole(t.deps, 'Billing only', allAt('read'));
    const c = await createCustomer(t.deps, { login: null });
    const res = await save(c.id, {
      login: 'New.Login',
      password: 'plum orchard wind 42',
      password_change_required: 'on',
      ip_restriction: 'on',
      trusted_ips: '10.0.0.0/8\r\n2001:db8::/32 ; 192.168.1.7',
      role_id: String(role),
      time_zone: 'America/New_York',
      language: 'pt-BR',
      out_date_format: 'MM/DD/YYYY',
      out_time_format: 'HH12:MI:SS AM',
      in_date_format: 'custom',
      in_date_format_custom: 'dd.mm.yy',
      in_time_format: 'HH24:MI',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(panelUrl(c.id));
    const r = await row(c.id);
    expect(r).toMatchObject({
      selfcare_login: 'New.Login',
      selfcare_login_lower: 'new.login',
      trusted_ips: '10.0.0.0/8;\n2001:db8::/32;\n192.168.1.7;',
      role_id: role,
      time_zone: 'America/New_York',
      language: 'pt-BR',
      out_date_format: 'MM/DD/YYYY',
      out_time_format: 'HH12:MI:SS AM',
      in_date_format: 'dd.mm.yy',
      in_time_format: 'HH24:MI',
      version: 2,
    });
    expect(Boolean(r.password_change_required)).toBe(true);
    expect(Boolean(r.ip_restriction)).toBe(true);
    expect(await verifyPassword('plum orchard wind 42', String(r.password_hash))).toBe(true);
    expect(String(r.password_hash)).toMatch(/^\$2[aby]\$04\$/);
    expect(
      await t.deps.db('selfcare_logins').where({ login_lower: 'new.login', customer_id: c.id }).first(),
    ).toBeTruthy();
    const page = await agent.get(panelUrl(c.id));
    expect(page.text).toContain('Web self-care settings saved.');
    expect(formFields(page.text, 'self-care-form')).toMatchObject({
      login: 'New.Login',
      in_date_format: 'custom',
      in_date_format_custom: 'dd.mm.yy',
      version: '2',
    });
  });

  it('turns the restriction and the must-change flag off when their boxes are unticked', async () => {
    const c = await createCustomer(t.deps, {
      ipRestriction: true,
      trustedIps: '10.0.0.1;',
      passwordChangeRequired: true,
    });
    expect((await save(c.id, { ip_restriction: undefined, password_change_required: undefined })).status).toBe(303);
    const r = await row(c.id);
    expect(Boolean(r.ip_restriction)).toBe(false);
    expect(Boolean(r.password_change_required)).toBe(false);
    expect(r.trusted_ips).toBe('10.0.0.1;');
  });

  describe('login', () => {
    it('refuses a login with characters outside the allowed set, with a summary linked to the field', async () => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { login: 'bad login!' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('href="#login"');
      expect(res.text).toMatch(/<title>Error:/);
      expect(res.text).toMatch(/id="login"[^>]*aria-describedby="login-hint login-error"[^>]*aria-invalid="true"/);
      expect(res.text).toContain('value="bad login!"');
    });

    it('refuses logins shorter than 3 and longer than 64 characters and accepts both bounds', async () => {
      const c = await createCustomer(t.deps);
      expect((await save(c.id, { login: 'ab' })).status).toBe(422);
      expect((await save(c.id, { login: 'a'.repeat(65) })).status).toBe(422);
      expect((await save(c.id, { login: 'abc' })).status).toBe(303);
      expect((await save(c.id, { login: 'b'.repeat(64) })).status).toBe(303);
    });

    it('refuses a login another customer holds in a different case, without saying who holds it', async () => {
      await createCustomer(t.deps, { name: 'Secret Holder Ltd', login: 'shared-name' });
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { login: 'SHARED-Name' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('already in use');
      expect(res.text).not.toContain('Secret Holder');
      expect((await row(c.id)).selfcare_login).not.toBe('SHARED-Name');
    });

    it('refuses a login an individual holds in a different case', async () => {
      const holder = await createCustomer(t.deps);
      await createIndividual(t.deps, holder.id, { login: 'Desk.Clerk' });
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { login: 'desk.CLERK' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('already in use');
    });

    it('lets a customer keep its own login in another letter case', async () => {
      const c = await createCustomer(t.deps, { login: 'myshop' });
      expect((await save(c.id, { login: 'MyShop' })).status).toBe(303);
      expect((await row(c.id)).selfcare_login).toBe('MyShop');
    });

    it('releases the old login when it changes, so someone else can take it', async () => {
      const c = await createCustomer(t.deps, { login: 'old-name' });
      expect((await save(c.id, { login: 'new-name' })).status).toBe(303);
      const other = await createCustomer(t.deps);
      expect((await save(other.id, { login: 'old-name' })).status).toBe(303);
    });

    it('refuses to remove the login of a customer that has one', async () => {
      const c = await createCustomer(t.deps, { login: 'keeper' });
      const res = await save(c.id, { login: '' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('Enter a self-care login');
    });
  });

  describe('password', () => {
    it('keeps the current password when the field is left blank', async () => {
      const c = await createCustomer(t.deps);
      const before = (await row(c.id)).password_hash;
      expect((await save(c.id, { password: '', language: 'fr' })).status).toBe(303);
      const r = await row(c.id);
      expect(r.password_hash).toBe(before);
      expect(r.session_epoch).toBe(0);
    });

    it('refuses a password shorter than 12 characters', async () => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { password: 'short pw 1' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('at least 12 characters');
      expect(summaryOf(res.text)).toContain('href="#password"');
    });

    it('refuses a password of 73 bytes and accepts one of exactly 72', async () => {
      const c = await createCustomer(t.deps);
      const tooLong = 'é' + 'q7Lm'.repeat(17) + 'xyz';
      expect(Buffer.byteLength(tooLong)).toBe(73);
      const refused = await save(c.id, { password: tooLong });
      expect(refused.status).toBe(422);
      expect(summaryOf(refused.text)).toContain('at most 72 bytes');
      const exact = 'é' + 'q7Lm'.repeat(17) + 'xy';
      expect(Buffer.byteLength(exact)).toBe(72);
      expect((await save(c.id, { password: exact })).status).toBe(303);
    });

    it('refuses a very common password', async () => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { password: 'password1234' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('too common');
    });

    it('asks for a password when a login is given to a customer that has none', async () => {
      const c = await createCustomer(t.deps, { login: null });
      const res = await save(c.id, { login: 'fresh-login', password: '' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('Enter or generate a password');
    });

    it('ends the customer’s open sessions when an admin sets a new password', async () => {
      const c = await createCustomer(t.deps);
      expect((await save(c.id, { password: 'granite comet 77 tulip' })).status).toBe(303);
      expect((await row(c.id)).session_epoch).toBe(1);
    });
  });

  describe('trusted IP addresses', () => {
    it('refuses bad entries, names each line and its text in the summary and keeps what was typed', async () => {
      const c = await createCustomer(t.deps);
      const typed = '10.0.0.0/8\n10.1\n192.168.0.0/255.0.255.0';
      const res = await save(c.id, { ip_restriction: 'on', trusted_ips: typed });
      expect(res.status).toBe(422);
      const summary = summaryOf(res.text);
      expect(summary).toContain('line 2: “10.1” is not a full IPv4 address');
      expect(summary).toContain('line 3: “192.168.0.0/255.0.255.0”: “255.0.255.0” is not a contiguous netmask');
      // the entry is quoted once, in one style
      expect(summary).not.toContain('— “10.1”');
      expect(summary).not.toContain('"10.1"');
      expect(summary.match(/href="#trusted_ips"/g)).toHaveLength(2);
      expect(formFields(res.text, 'self-care-form').trusted_ips).toBe(typed);
      expect(res.text).toMatch(/id="trusted_ips"[^>]*aria-invalid="true"/);
      expect((await row(c.id)).trusted_ips).toBe('');
    });

    it('writes back the canonical list and shows the notices once after saving', async () => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, {
        ip_restriction: 'on',
        trusted_ips: ' 10.0.0.5/8 ; 192.168.192.0/255.255.255.0\n\n10.0.0.0/8;',
      });
      expect(res.status).toBe(303);
      expect((await row(c.id)).trusted_ips).toBe('10.0.0.0/8;\n192.168.192.0/24;');
      const page = await agent.get(panelUrl(c.id));
      expect(page.text).toContain('saved in its canonical form');
      expect(page.text).toContain('host bits set');
      expect(page.text).toContain('repeats 10.0.0.0/8');
      expect(page.text).toContain('Line 1: “192.168.192.0/255.255.255.0” will be saved as 192.168.192.0/24');
      expect(formFields(page.text, 'self-care-form').trusted_ips).toBe('10.0.0.0/8;\n192.168.192.0/24;');
      expect((await agent.get(panelUrl(c.id))).text).not.toContain('saved in its canonical form');
    });

    it('refuses to turn the restriction on with an empty list', async () => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { ip_restriction: 'on', trusted_ips: ' \n ; \n' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('Enter at least one trusted address');
      expect(Boolean((await row(c.id)).ip_restriction)).toBe(false);
    });

    it('accepts an empty list while the restriction is off', async () => {
      const c = await createCustomer(t.deps, { trustedIps: '10.0.0.1;' });
      expect((await save(c.id, { ip_restriction: undefined, trusted_ips: '' })).status).toBe(303);
      expect((await row(c.id)).trusted_ips).toBe('');
    });

    it('accepts 0.0.0.0/0 and ::/0 with a warning that the list allows everyone', async () => {
      const c = await createCustomer(t.deps);
      expect((await save(c.id, { ip_restriction: 'on', trusted_ips: '0.0.0.0/0\n::/0' })).status).toBe(303);
      const page = await agent.get(panelUrl(c.id));
      expect(page.text).toContain('this list allows every address');
    });
  });

  describe('role', () => {
    it('refuses a role that does not exist', async () => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { role_id: '999999' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('href="#role_id"');
    });

    it('refuses a role of another type', async () => {
      const c = await createCustomer(t.deps);
      const reseller = await createRole(t.deps, 'Reseller admin', allAt('modify'), { type: 'reseller' });
      const res = await save(c.id, { role_id: String(reseller) });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('Choose one of the customer self-care roles');
      expect((await row(c.id)).role_id).toBe(await defaultRoleId(t.deps));
    });
  });

  describe('regional settings', () => {
    it('refuses a time zone that names no zone', async () => {
      const c = await createCustomer(t.deps);
      for (const zone of ['Mars/Olympus', '+05:00', '']) {
        const res = await save(c.id, { time_zone: zone });
        expect(res.status, zone).toBe(422);
        expect(summaryOf(res.text)).toContain('href="#time_zone"');
      }
      expect(summaryOf((await save(c.id, { time_zone: 'Mars/Olympus' })).text)).toContain(
        'Time zone: no zone is called “Mars/Olympus”; type a city such as Tokyo or a zone name such as Asia/Tokyo',
      );
      expect((await save(c.id, { time_zone: 'Asia/Kathmandu' })).status).toBe(303);
    });

    it('takes a city or a zone name typed in any case as the zone it names', async () => {
      const c = await createCustomer(t.deps);
      expect((await save(c.id, { time_zone: 'tokyo' })).status).toBe(303);
      expect((await row(c.id)).time_zone).toBe('Asia/Tokyo');
      expect((await save(c.id, { time_zone: 'europe/berlin' })).status).toBe(303);
      expect((await row(c.id)).time_zone).toBe('Europe/Berlin');
    });

    it('lists the zones an ambiguous entry could mean', async () => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { time_zone: 'america/new' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toMatch(/Time zone: “america\/new” could be [^<]*America\/New_York/);
    });

    it('refuses a language outside the six interface languages', async () => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { language: 'it' });
      expect(res.status).toBe(422);
      expect(summaryOf(res.text)).toContain('Choose one of the interface languages');
      for (const lang of ['en', 'es', 'fr', 'de', 'pt-BR', 'uk'])
        expect((await save(c.id, { language: lang })).status, lang).toBe(303);
    });

    it.each([
      ['out_time_format', 'HH12:MI', 'HH12 needs AM or PM'],
      ['out_date_format', 'DD/MM', 'missing: year'],
      ['in_date_format', 'YYYY-MM-DD HH24:MI', 'cannot contain time'],
      ['in_time_format', 'HH24:XX', 'unknown token'],
      ['out_date_format', 'YYYY-MM-DD'.padEnd(41, '-'), 'longer than 40'],
    ])('refuses the %s pattern %j and says why', async (field, pattern, reason) => {
      const c = await createCustomer(t.deps);
      const res = await save(c.id, { [field]: 'custom', [`${field}_custom`]: pattern });
      expect(res.status).toBe(422);
      const summary = summaryOf(res.text);
      expect(summary).toContain(`href="#${field}"`);
      expect(summary).toContain(reason);
      expect(formFields(res.text, 'self-care-form')[`${field}_custom`]).toBe(pattern);
    });

    it('accepts a pattern posted directly in the field', async () => {
      const c = await createCustomer(t.deps);
      expect((await save(c.id, { out_date_format: 'D MONTH YYYY' })).status).toBe(303);
      expect((await row(c.id)).out_date_format).toBe('D MONTH YYYY');
    });
  });

  describe('concurrent edits', () => {
    it('answers 409 to a stale form, shows what changed meanwhile and re-applies the admin’s values on top', async () => {
      const second = await createAdmin(t.deps, 'second-admin', 'another long passphrase');
      const { agent: other } = await signInAdmin(t.app, second.login, second.password);
      const c = await createCustomer(t.deps, { language: 'en', timeZone: 'UTC' });
      const mine = await openPanel(c.id);
      const theirs = await openPanel(c.id, other);
      expect(
        (
          await other
            .post(panelUrl(c.id))
            .type('form')
            .send({ ...theirs, language: 'de', password: 'sunlit harbor 93 moss' })
        ).status,
      ).toBe(303);

      const stale = await agent
        .post(panelUrl(c.id))
        .type('form')
        .send({ ...mine, time_zone: 'Europe/Paris' });
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('Someone else changed this customer');
      expect(stale.text).toMatch(/Web interface language<\/th><td>English<\/td><td>German<\/td>/);
      expect(stale.text).toMatch(
        /Password<\/th><td>the one before \(not shown\)<\/td><td>a new one someone else set \(not shown\)<\/td>/,
      );
      expect(stale.text).toContain('second-admin');
      const r = await row(c.id);
      expect(r).toMatchObject({ language: 'de', time_zone: 'UTC', version: 2 });

      const reapply = formFields(stale.text, 'self-care-form');
      expect(reapply).toMatchObject({ version: '2', language: 'de', time_zone: 'Europe/Paris' });
      expect((await agent.post(panelUrl(c.id)).type('form').send(reapply)).status).toBe(303);
      expect(await row(c.id)).toMatchObject({ language: 'de', time_zone: 'Europe/Paris', version: 3 });
    });

    it('flags a property both admins changed and keeps this admin’s value in the form', async () => {
      const c = await createCustomer(t.deps);
      const mine = await openPanel(c.id);
      expect((await save(c.id, { language: 'es' })).status).toBe(303);
      const stale = await agent
        .post(panelUrl(c.id))
        .type('form')
        .send({ ...mine, language: 'uk' });
      expect(stale.status).toBe(409);
      expect(stale.text).toContain('you changed it too');
      expect(formFields(stale.text, 'self-care-form').language).toBe('uk');
    });
  });

  it('records the change in the audit log with the password masked', async () => {
    const c = await createCustomer(t.deps);
    expect((await save(c.id, { password: 'copper lantern 58 ridge', language: 'uk' })).status).toBe(303);
    const event = await t.deps
      .db('audit_events')
      .where({ action: 'customer.self_care.update', entity_id: c.id })
      .first();
    expect(event).toMatchObject({
      actor_type: 'admin',
      actor_label: adminLogin,
      entity_type: 'customer',
      customer_id: c.id,
      outcome: 'success',
    });
    const changes = JSON.parse(String(event.changes));
    expect(changes.password).toEqual({ old: 'changed', new: 'changed' });
    expect(changes.language).toEqual({ old: 'en', new: 'uk' });
    expect(changes.version).toEqual({ old: 1, new: 2 });
    expect(String(event.changes)).not.toContain('copper lantern');
    expect(String(event.changes)).not.toContain('$2');
  });

  it('refuses a post without the CSRF token and changes nothing', async () => {
    const c = await createCustomer(t.deps);
    const fields = await openPanel(c.id);
    delete fields._csrf;
    expect(
      (
        await agent
          .post(panelUrl(c.id))
          .type('form')
          .send({ ...fields, language: 'de' })
      ).status,
    ).toBe(403);
    expect((await row(c.id)).language).toBe('en');
  });
});

describe('POST /admin/customers/:id/self-care/password', () => {
  it('generates a password, shows it in a visible field and saves nothing', async () => {
    const c = await createCustomer(t.deps);
    const before = (await row(c.id)).password_hash;
    const fields = await openPanel(c.id);
    const res = await agent
      .post(`${panelUrl(c.id)}/password`)
      .type('form')
      .send({ ...fields, login: 'typed-but-unsaved', password_action: 'generate' });
    expect(res.status).toBe(200);
    expect(res.headers.vary).toContain('HX-Request');
    const input = /<input id="password" name="password" type="text" value="([^"]+)"/.exec(res.text);
    expect(input?.[1]).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(res.text).toContain('not saved yet');
    expect(formFields(res.text, 'self-care-form').login).toBe('typed-but-unsaved');
    expect((await row(c.id)).password_hash).toBe(before);
  });

  it('answers an htmx request with the password field fragment only', async () => {
    const c = await createCustomer(t.deps);
    const fields = await openPanel(c.id);
    const res = await agent
      .post(`${panelUrl(c.id)}/password`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ ...fields, password_action: 'generate' });
    expect(res.status).toBe(200);
    expect(res.headers.vary).toContain('HX-Request');
    expect(res.text.trimStart()).toMatch(/^(<%#[\s\S]*?%>)?\s*<div id="password-field"/);
    expect(res.text).not.toContain('<html');
    expect(res.text).toMatch(/type="text" value="[A-HJ-NP-Za-km-z2-9]{20}"/);
  });

  it('shows the typed password without generating one when asked to (no JavaScript)', async () => {
    const c = await createCustomer(t.deps);
    const fields = await openPanel(c.id);
    const res = await agent
      .post(`${panelUrl(c.id)}/password`)
      .type('form')
      .send({ ...fields, password: 'my typed secret 1', password_action: 'show' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('type="text" value="my typed secret 1"');
    expect(res.text).not.toContain('not saved yet');
  });
});

describe('POST /admin/customers/:id/self-care/trusted-ips/check', () => {
  it('answers htmx with the check fragment: the errors by line and the address test', async () => {
    const c = await createCustomer(t.deps);
    const fields = await openPanel(c.id);
    const res = await agent
      .post(`${panelUrl(c.id)}/trusted-ips/check`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ ...fields, ip_restriction: 'on', trusted_ips: '10.0.0.0/8\n300.1.1.1', test_address: '10.20.30.40' });
    expect(res.status).toBe(200);
    expect(res.headers.vary).toContain('HX-Request');
    expect(res.text).not.toContain('<html');
    expect(res.text).toContain('id="trusted-ips-check"');
    expect(res.text).toContain('Line 2: “300.1.1.1”');
    expect(res.text).toContain('10.20.30.40 would be let in by “10.0.0.0/8” (line 1)');
  });

  it('says an address outside the list would be refused, and re-renders the whole panel without htmx', async () => {
    const c = await createCustomer(t.deps);
    const fields = await openPanel(c.id);
    const res = await agent
      .post(`${panelUrl(c.id)}/trusted-ips/check`)
      .type('form')
      .send({ ...fields, ip_restriction: 'on', trusted_ips: '10.0.0.0/8', test_address: '::ffff:192.0.2.1' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html');
    expect(res.text).toContain('::ffff:192.0.2.1 would be refused');
    expect(formFields(res.text, 'self-care-form').trusted_ips).toBe('10.0.0.0/8');
  });
});

describe('POST /admin/customers/:id/self-care/preview', () => {
  it('answers htmx with the preview of the current moment in the chosen zone and formats', async () => {
    const c = await createCustomer(t.deps);
    const fields = await openPanel(c.id);
    const res = await agent
      .post(`${panelUrl(c.id)}/preview`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ ...fields, time_zone: 'Asia/Tokyo', out_date_format: 'DD MON YYYY', out_time_format: 'HH12:MI AM' });
    expect(res.status).toBe(200);
    expect(res.headers.vary).toContain('HX-Request');
    expect(res.text).toContain('id="regional-preview"');
    expect(res.text).toMatch(/<dd>\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} [AP]M<\/dd>/);
    expect(res.text).toContain('<dd>(UTC+09:00) Asia/Tokyo</dd>');
  });

  it('explains in the preview why an invalid pattern cannot be shown', async () => {
    const c = await createCustomer(t.deps);
    const fields = await openPanel(c.id);
    const res = await agent
      .post(`${panelUrl(c.id)}/preview`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ ...fields, out_time_format: 'custom', out_time_format_custom: 'HH12:MI' });
    expect(res.text).toContain('HH12 needs AM or PM');
  });
});
