import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { ADMIN_PERMISSIONS } from '../../../src/access/route-permissions.ts';
import { LAST_MANAGER_MESSAGE } from '../../../src/features/admin-roles/service.ts';
import {
  administratorRoleId,
  createAdmin,
  createTestApp,
  csrfFrom,
  signInAdmin,
  TEST_SECRET,
  type TestApp,
} from '../../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../../helpers/fixtures.ts';
import { createAdminRole, enableTwoFactor, postAdminPassword } from '../../helpers/two-factor.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const ctx = { actor: { type: 'system' as const, id: null, label: 'test' }, ip: '127.0.0.1' };

/** The edit form of an admin as posted unchanged (plus overrides). */
async function editForm(agent: ReturnType<typeof request.agent>, id: number, overrides: Record<string, string> = {}) {
  const page = await agent.get(`/admin/admins/${id}`);
  const field = (name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page.text)?.[1] ?? '';
  const selected = (name: string) =>
    new RegExp(`<select id="${name}"[\\s\\S]*?<option value="([^"]*)" selected`).exec(page.text)?.[1] ?? '';
  return {
    _csrf: csrfFrom(page.text),
    version: field('version'),
    login: field('login'),
    name: field('name'),
    email: field('email'),
    password: '',
    admin_role_id: selected('admin_role_id'),
    status: selected('status'),
    ...overrides,
  };
}

describe('GET /admin/admins', () => {
  it('lists administrators with role, two-factor sign-in, status and last sign-in; searches and pages', async () => {
    const me = await createAdmin(t.deps, 'aaa-boss');
    const support = await createAdminRole(t.deps, 'Support desk', ['customers.read']);
    const ann = await createAdmin(t.deps, 'ann.support', undefined, { roleId: support });
    await enableTwoFactor(t.deps, 'admin', ann.id);
    await createAdmin(t.deps, 'bob.gone', undefined, { status: 'disabled' });
    for (let i = 0; i < 26; i += 1) await createAdmin(t.deps, `zz-filler-${String(i).padStart(2, '0')}`);
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const list = await agent.get('/admin/admins');
    expect(list.status).toBe(200);
    const annRow =
      /<tr>\s*<td><a href="\/admin\/admins\/\d+">ann\.support<\/a>[\s\S]*?<\/tr>/.exec(list.text)?.[0] ?? '';
    expect(annRow).toContain('Support desk');
    expect(annRow).toContain('<td>on</td>');
    expect(annRow).toContain('never');
    const myRow = /<tr>\s*<td><a href="\/admin\/admins\/\d+">aaa-boss<\/a>[\s\S]*?<\/tr>/.exec(list.text)?.[0] ?? '';
    const signedInAt = (await t.deps.services.admins.find(me.id))?.lastLoginAt;
    expect(signedInAt).toBeInstanceOf(Date);
    expect(myRow).toContain(`<td>${signedInAt!.toISOString().replace('T', ' ').slice(0, 16)}</td>`);
    expect(/bob\.gone[\s\S]*?disabled/.test(list.text)).toBe(true);
    expect(list.text).toContain('Next 25 administrators');
    const next = /href="(\/admin\/admins\?after=[^"]+)" rel="next"/.exec(list.text)?.[1] ?? '';
    const page2 = await agent.get(next.replace(/&amp;/g, '&'));
    expect(page2.text).toContain('zz-filler-25');
    expect(page2.text).not.toContain('ann.support');
    const found = await agent.get('/admin/admins?q=ANN');
    expect(found.text).toContain('ann.support');
    expect(found.text).not.toContain('bob.gone');
    const fragment = await agent.get('/admin/admins?q=bob').set('HX-Request', 'true');
    expect(fragment.text.trim().startsWith('<div id="admin-results">')).toBe(true);
    expect(fragment.headers.vary).toContain('HX-Request');
  });
});

/** The options of a select on a page: value, text and whether it is selected. */
function optionsOf(html: string, id: string): Array<{ value: string; text: string; selected: boolean }> {
  const select = new RegExp(`<select[^>]*\\sid="${id}"[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
  return [...select.matchAll(/<option value="([^"]*)"([^>]*)>([^<]*)<\/option>/g)].map((m) => ({
    value: m[1]!,
    text: m[3]!,
    selected: /\sselected\b/.test(m[2]!),
  }));
}

describe('GET /admin/admins/new', () => {
  it('starts the admin role on “Choose a role…” with no role chosen, and asks for one', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const page = await agent.get('/admin/admins/new');
    expect(page.status).toBe(200);
    const options = optionsOf(page.text, 'admin_role_id');
    expect(options[0]).toEqual({ value: '', text: 'Choose a role…', selected: true });
    expect(options.filter((o) => o.selected)).toHaveLength(1);
    expect(options.map((o) => o.text)).toContain('Administrator');
    expect(/<select[^>]*\sid="admin_role_id"[^>]*\srequired/.test(page.text)).toBe(true);
  });

  it('shows the role of an existing administrator on its form', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const support = await createAdminRole(t.deps, 'Support desk', ['customers.read']);
    const ann = await createAdmin(t.deps, 'ann', undefined, { roleId: support });
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const options = optionsOf((await agent.get(`/admin/admins/${ann.id}`)).text, 'admin_role_id');
    expect(options.filter((o) => o.selected)).toEqual([
      { value: String(support), text: 'Support desk', selected: true },
    ]);
    expect(options.map((o) => o.value)).not.toContain('');
  });
});

describe('POST /admin/admins and /admin/admins/:id', () => {
  it('refuses a new administrator without an admin role, naming the field and keeping what was typed', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const page = await agent.get('/admin/admins/new');
    const res = await agent
      .post('/admin/admins')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        login: 'dora',
        name: 'Dora Explorer',
        email: 'dora@example.com',
        password: 'a long enough passphrase for dora',
        password_change_required: 'on',
        admin_role_id: '',
        status: 'disabled',
      });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<a href="#admin_role_id">Choose an admin role</a>');
    expect(res.text).toMatch(/id="admin_role_id-error" class="field-error">[\s\S]*?Choose an admin role/);
    expect(res.text).toContain('value="dora"');
    expect(res.text).toContain('value="Dora Explorer"');
    expect(res.text).toContain('value="dora@example.com"');
    expect(res.text).toContain('value="a long enough passphrase for dora"');
    expect(optionsOf(res.text, 'admin_role_id').find((o) => o.selected)?.value).toBe('');
    expect(optionsOf(res.text, 'status').find((o) => o.selected)?.value).toBe('disabled');
    expect(await t.deps.db('admins').where({ login_lower: 'dora' }).first()).toBeUndefined();
  });

  it('creates an administrator with a generated password who must change it at first sign-in', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const page = await agent.get('/admin/admins/new');
    const support = await createAdminRole(t.deps, 'Support desk', ['customers.read', 'selfcare.impersonate']);
    const generated = await agent
      .post('/admin/admins/new/password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: 'carol', name: 'Carol', password_action: 'generate' });
    expect(generated.status).toBe(200);
    const password = /id="password" name="password" type="text" value="([^"]+)"/.exec(generated.text)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(generated.text).toContain('value="carol"');
    const created = await agent
      .post('/admin/admins')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        login: 'carol',
        name: 'Carol',
        email: 'carol@example.com',
        password,
        password_change_required: 'on',
        admin_role_id: String(support),
        status: 'active',
      });
    expect(created.status).toBe(303);
    const [event] = await t.deps.db('audit_events').where({ action: 'admin.create' });
    expect(event.changes).not.toContain(password);

    const { agent: carolAgent, res } = await postAdminPassword(t.app, 'carol', password);
    expect(res.headers.location).toBe('/admin');
    const home = await carolAgent.get('/admin');
    expect(home.headers.location).toBe('/admin/account');
    const account = await carolAgent.get('/admin/account');
    expect(account.text).toContain('Choose a new password');
    const changed = await carolAgent
      .post('/admin/account/password')
      .type('form')
      .send({
        _csrf: csrfFrom(account.text),
        current_password: password,
        new_password: 'a fresh passphrase for carol',
        new_password_confirm: 'a fresh passphrase for carol',
      });
    expect(changed.status).toBe(303);
    expect((await carolAgent.get('/admin/customers')).status).toBe(200);
  });

  it('refuses a taken login, a weak password and a missing role with the form kept', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const { agent, csrf } = await signInAdmin(t.app, me.login, me.password);
    const res = await agent.post('/admin/admins').type('form').send({
      _csrf: csrf,
      login: 'BOSS',
      name: 'Other',
      password: 'password',
      admin_role_id: '999999',
      status: 'active',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Another administrator has this login');
    expect(res.text).toContain('href="#password"');
    expect(res.text).toContain('Choose one of the admin roles');
    expect(res.text).toContain('value="BOSS"');
  });

  it('tells every problem of the form in one answer, when a field is also refused by its shape', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const { agent, csrf } = await signInAdmin(t.app, me.login, me.password);
    // No role chosen (the schema's refusal) with a taken login and a short password (the service's).
    const missingRole = await agent
      .post('/admin/admins')
      .type('form')
      .send({ _csrf: csrf, login: 'BOSS', name: 'Other', password: 'short', admin_role_id: '', status: 'active' });
    expect(missingRole.status).toBe(422);
    expect(missingRole.text).toContain('Choose an admin role');
    expect(missingRole.text).toContain('Another administrator has this login');
    expect(missingRole.text).toContain('Password must be at least');
    // A login of the wrong shape still leaves the password's problem told.
    const badLogin = await agent.post('/admin/admins').type('form').send({
      _csrf: csrf,
      login: 'bad login!',
      name: 'Other',
      password: 'short',
      admin_role_id: '',
      status: 'active',
    });
    expect(badLogin.text).toContain('Login must be 3–64 characters');
    expect(badLogin.text).toContain('Password must be at least');
  });

  it('answers 409 on a stale form', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const other = await createAdmin(t.deps, 'other');
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const form = await editForm(agent, other.id, { name: 'First edit' });
    expect((await agent.post(`/admin/admins/${other.id}`).type('form').send(form)).status).toBe(303);
    const stale = await agent
      .post(`/admin/admins/${other.id}`)
      .type('form')
      .send({ ...form, name: 'Second edit' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Someone else changed this administrator');
    expect(stale.text).toContain('value="First edit"');
  });

  it('disables an administrator: its sessions and the customer sessions it opened end, and it cannot sign in', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const victim = await createAdmin(t.deps, 'leaver');
    await createRole(t.deps, 'Default', allAt('read'), { isDefault: true });
    const customer = await createCustomer(t.deps);
    const victimSession = await signInAdmin(t.app, victim.login, victim.password);
    const started = await victimSession.agent
      .post(`/admin/customers/${customer.id}/impersonate`)
      .type('form')
      .send({ _csrf: victimSession.csrf, mode: 'default' });
    const portal = request.agent(t.app);
    await portal.get(String(started.headers.location));
    expect((await portal.get('/')).status).toBe(200);

    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const saved = await agent
      .post(`/admin/admins/${victim.id}`)
      .type('form')
      .send(await editForm(agent, victim.id, { status: 'disabled' }));
    expect(saved.status).toBe(303);
    expect((await agent.get(`/admin/admins/${victim.id}`)).text).toContain('its sessions and the customer sessions');

    const after = await victimSession.agent.get('/admin/customers');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/admin\/login/);
    const portalAfter = await portal.get('/');
    expect(portalAfter.status).toBe(303);
    expect(portalAfter.headers.location).toBe('/login');
    const again = await postAdminPassword(t.app, victim.login, victim.password);
    expect(again.res.status).toBe(403);
    expect(again.res.text).toContain('This administrator account is disabled');
    const [disable] = await t.deps.db('audit_events').where({ action: 'admin.disable' });
    expect(JSON.parse(disable.changes).status).toEqual({ old: 'active', new: 'disabled' });
    expect(await t.deps.db('audit_events').where({ action: 'portal.impersonation.end' })).toHaveLength(1);
  });
});

describe('the last active admin who may manage admins', () => {
  it('cannot move itself to a role without admins.manage, and is told why', async () => {
    const me = await createAdmin(t.deps, 'only-boss');
    const readers = await createAdminRole(t.deps, 'Readers', ['customers.read']);
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const res = await agent
      .post(`/admin/admins/${me.id}`)
      .type('form')
      .send(await editForm(agent, me.id, { admin_role_id: String(readers) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('At least one active administrator must keep');
    expect(res.text).toContain('href="#admin_role_id"');
    expect((await t.deps.db('admins').where({ id: me.id }).first()).admin_role_id).toBe(
      await administratorRoleId(t.deps),
    );
  });

  it('may move once another active manager remains', async () => {
    const me = await createAdmin(t.deps, 'boss');
    await createAdmin(t.deps, 'second-boss');
    const readers = await createAdminRole(t.deps, 'Readers', ['customers.read']);
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const res = await agent
      .post(`/admin/admins/${me.id}`)
      .type('form')
      .send(await editForm(agent, me.id, { admin_role_id: String(readers) }));
    expect(res.status).toBe(303);
  });

  it('cannot be disabled (the service refuses even when the caller is someone else)', async () => {
    const only = await createAdmin(t.deps, 'only-boss');
    const row = await t.deps.services.admins.find(only.id);
    await expect(
      t.deps.services.admins.update(
        only.id,
        {
          login: only.login,
          name: only.login,
          email: '',
          password: '',
          password_change_required: false,
          admin_role_id: row!.adminRoleId,
          status: 'disabled',
          version: row!.version,
        },
        { ...ctx, selfId: 0 },
      ),
    ).rejects.toMatchObject({ errors: [{ field: 'status', text: LAST_MANAGER_MESSAGE }] });
    expect((await t.deps.services.admins.find(only.id))?.status).toBe('active');
  });

  it('stays when the last two managers disable each other at the same moment', async () => {
    const ann = await createAdmin(t.deps, 'ann-boss');
    const bob = await createAdmin(t.deps, 'bob-boss');
    const annSide = await signInAdmin(t.app, ann.login, ann.password);
    const bobSide = await signInAdmin(t.app, bob.login, bob.password);
    const annForm = await editForm(annSide.agent, bob.id, { status: 'disabled' });
    const bobForm = await editForm(bobSide.agent, ann.id, { status: 'disabled' });
    const [byAnn, byBob] = await Promise.all([
      annSide.agent.post(`/admin/admins/${bob.id}`).type('form').send(annForm),
      bobSide.agent.post(`/admin/admins/${ann.id}`).type('form').send(bobForm),
    ]);
    const answers = [byAnn, byBob];
    expect(
      answers.filter((res) => res.status === 303 && res.headers.location?.startsWith('/admin/admins/')),
    ).toHaveLength(1);
    const refused = answers.find((res) => res.status === 422);
    if (refused) expect(refused.text).toContain(LAST_MANAGER_MESSAGE.slice(0, 40));
    const statuses = (await t.deps.db('admins').whereIn('id', [ann.id, bob.id]).select('status')).map((r) => r.status);
    expect(statuses.sort()).toEqual(['active', 'disabled']);
  });

  it('keeps its role from losing admins.manage', async () => {
    const managers = await createAdminRole(t.deps, 'Managers', ['admins.manage']);
    const me = await createAdmin(t.deps, 'manager', undefined, { roleId: managers });
    await createAdmin(t.deps, 'gone', undefined, { status: 'disabled' });
    const { agent, csrf } = await signInAdmin(t.app, me.login, me.password);
    const res = await agent
      .post(`/admin/admin-roles/${managers}`)
      .type('form')
      .send({ _csrf: csrf, name: 'Managers', 'perm[customers.read]': 'on' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('At least one active administrator must keep');
    expect((await t.deps.services.adminRoles.get(managers)).permissions).toEqual(['admins.manage']);
  });
});

describe('/admin/admin-roles', () => {
  it('creates a role from the form, lists it and edits it', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const { agent, csrf } = await signInAdmin(t.app, me.login, me.password);
    const created = await agent.post('/admin/admin-roles').type('form').send({
      _csrf: csrf,
      name: 'Support desk',
      description: 'First line',
      require_two_factor: 'on',
      'perm[customers.read]': 'on',
      'perm[selfcare.impersonate]': 'on',
      'perm[not.a.permission]': 'on',
    });
    expect(created.status).toBe(303);
    const id = Number(String(created.headers.location).split('/').pop());
    const role = await t.deps.services.adminRoles.get(id);
    expect(role.permissions.sort()).toEqual(['customers.read', 'selfcare.impersonate']);
    expect(role.requireTwoFactor).toBe(true);
    const list = await agent.get('/admin/admin-roles');
    expect(list.text).toContain('Support desk');
    expect(list.text).toContain('Read customers, Log in as customer');
    const form = await agent.get(`/admin/admin-roles/${id}`);
    for (const p of ADMIN_PERMISSIONS) expect(form.text).toContain(`name="perm[${p}]"`);
    const taken = await agent.post('/admin/admin-roles').type('form').send({ _csrf: csrf, name: 'support DESK' });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('An admin role with this name exists already');
  });

  it('creates roles that several admins save at the same moment, each with its permissions', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const { agent, csrf } = await signInAdmin(t.app, me.login, me.password);
    const names = ['Desk 1', 'Desk 2', 'Desk 3', 'Desk 4', 'Desk 5', 'Desk 6'];
    const answers = await Promise.all(
      names.map((name) =>
        agent
          .post('/admin/admin-roles')
          .type('form')
          .send({ _csrf: csrf, name, 'perm[customers.read]': 'on', 'perm[selfcare.impersonate]': 'on' }),
      ),
    );
    expect(answers.map((res) => res.status)).toEqual(names.map(() => 303));
    for (const res of answers) {
      const role = await t.deps.services.adminRoles.get(Number(String(res.headers.location).split('/').pop()));
      expect(role.permissions.sort()).toEqual(['customers.read', 'selfcare.impersonate']);
    }
  });

  it('refuses to delete a role in use and the built-in role; deletes an unused one', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const used = await createAdminRole(t.deps, 'Used', ['customers.read']);
    await createAdmin(t.deps, 'user-of-role', undefined, { roleId: used });
    const unused = await createAdminRole(t.deps, 'Unused', []);
    const { agent, csrf } = await signInAdmin(t.app, me.login, me.password);
    const inUse = await agent
      .post(`/admin/admin-roles/${used}/delete`)
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes' });
    expect(inUse.status).toBe(409);
    expect(inUse.text).toContain('in use by 1 administrator');
    // A role in use offers no Delete; an unused one does.
    expect((await agent.get(`/admin/admin-roles/${used}`)).text).not.toContain(`/admin/admin-roles/${used}/delete`);
    expect((await agent.get(`/admin/admin-roles/${unused}`)).text).toContain(`/admin/admin-roles/${unused}/delete`);
    const builtin = await administratorRoleId(t.deps);
    const refused = await agent
      .post(`/admin/admin-roles/${builtin}/delete`)
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('The built-in Administrator role cannot be deleted');
    // The Delete control leads to a confirmation page; a post that does not confirm only asks again.
    const ask = await agent.get(`/admin/admin-roles/${unused}/delete`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Delete the admin role “Unused”?');
    expect(ask.text).toContain('Delete admin role');
    expect(ask.text).toContain(`href="/admin/admin-roles/${unused}"`);
    const unconfirmed = await agent.post(`/admin/admin-roles/${unused}/delete`).type('form').send({ _csrf: csrf });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('Delete the admin role “Unused”?');
    expect(await t.deps.services.adminRoles.find(unused)).not.toBeNull();
    const deleted = await agent
      .post(`/admin/admin-roles/${unused}/delete`)
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes' });
    expect(deleted.status).toBe(303);
    expect((await agent.get(String(deleted.headers.location))).text).toContain('Admin role “Unused” deleted.');
    expect(await t.deps.services.adminRoles.find(unused)).toBeNull();
  });

  it('keeps every permission on the built-in Administrator role whatever the form says', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const { agent, csrf } = await signInAdmin(t.app, me.login, me.password);
    const builtin = await administratorRoleId(t.deps);
    const res = await agent
      .post(`/admin/admin-roles/${builtin}`)
      .type('form')
      .send({ _csrf: csrf, name: 'Administrator', require_two_factor: 'on' });
    expect(res.status).toBe(303);
    const role = await t.deps.services.adminRoles.get(builtin);
    expect(role.permissions.sort()).toEqual([...ADMIN_PERMISSIONS].sort());
    expect(role.requireTwoFactor).toBe(true);
  });
});

describe('the CLI admin-create', () => {
  it('gives the new admin the built-in Administrator role', async () => {
    const run = spawnSync(
      path.resolve('node_modules/.bin/tsx'),
      ['src/cli.ts', 'admin-create', '--login', 'cli-admin', '--password', 'a long passphrase for the cli'],
      {
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATA_DIR: t.config.dataDir,
          SECRET_KEY: TEST_SECRET,
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
        timeout: 30000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Administrator "cli-admin" created');
    const row = await t.deps.db('admins').where({ login_lower: 'cli-admin' }).first();
    expect(row.admin_role_id).toBe(await administratorRoleId(t.deps));
    // and it may do everything, managing administrators included
    const { agent } = await signInAdmin(t.app, 'cli-admin', 'a long passphrase for the cli');
    expect((await agent.get('/admin/admins')).status).toBe(200);
  });
});

describe('/admin/account', () => {
  it('names the browser and system of each of its sessions, not the raw user agent', async () => {
    const me = await createAdmin(t.deps, 'ua-boss');
    const agent = request.agent(t.app);
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    const login = await agent.get('/admin/login').set('User-Agent', firefox);
    await agent
      .post('/admin/login')
      .set('User-Agent', firefox)
      .type('form')
      .send({ _csrf: csrfFrom(login.text), login: me.login, password: me.password });
    await agent.get('/admin').set('User-Agent', firefox);
    const page = await agent.get('/admin/account').set('User-Agent', firefox);
    expect(page.text).toContain('<td>Firefox 128 on Linux</td>');
    expect(page.text).not.toContain('Mozilla/5.0');
  });

  it('lists the admin’s own sessions and signs out the others', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const first = await signInAdmin(t.app, me.login, me.password);
    const second = await signInAdmin(t.app, me.login, me.password);
    const page = await first.agent.get('/admin/account');
    expect(page.text.match(/<td>(This|Other) session<\/td>/g)).toEqual([
      '<td>This session</td>',
      '<td>Other session</td>',
    ]);
    expect(page.text).toContain('href="/admin/account/sessions/sign-out-others"');
    const ask = await first.agent.get('/admin/account/sessions/sign-out-others');
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Sign out your other sessions?');
    expect(ask.text).toContain('One other browser');
    expect(ask.text).toContain('name="confirm" value="yes"');
    expect(ask.text).toContain('href="/admin/account"');
    // Asking (and Cancel, a link back) changes nothing; nor does a post without the confirmation.
    expect((await second.agent.get('/admin')).status).toBe(200);
    const unconfirmed = await first.agent
      .post('/admin/account/sessions/sign-out-others')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('Sign out your other sessions?');
    expect((await second.agent.get('/admin')).status).toBe(200);
    const noCsrf = await first.agent
      .post('/admin/account/sessions/sign-out-others')
      .type('form')
      .send({ confirm: 'yes' });
    expect(noCsrf.status).toBe(403);
    expect((await second.agent.get('/admin')).status).toBe(200);
    const res = await first.agent
      .post('/admin/account/sessions/sign-out-others')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), confirm: 'yes' });
    expect(res.status).toBe(303);
    expect((await second.agent.get('/admin')).headers.location).toMatch(/^\/admin\/login/);
    expect((await first.agent.get('/admin')).status).toBe(200);
    expect((await first.agent.get('/admin/account')).text.match(/<td>(This|Other) session<\/td>/g)).toEqual([
      '<td>This session</td>',
    ]);
    // Nothing left to sign out: no button, and the confirmation leads back.
    expect((await first.agent.get('/admin/account')).text).not.toContain('/admin/account/sessions/sign-out-others');
    expect((await first.agent.get('/admin/account/sessions/sign-out-others')).headers.location).toBe('/admin/account');
    expect((await request.agent(t.app).get('/admin/account/sessions/sign-out-others')).headers.location).toMatch(
      /^\/admin\/login/,
    );
  });

  it('asks an administrator whose password another set to choose a new one, once', async () => {
    const me = await createAdmin(t.deps, 'newcomer');
    await t.deps.db('admins').where({ id: me.id }).update({ password_change_required: true });
    const { agent, res } = await postAdminPassword(t.app, me.login, me.password);
    expect(res.headers.location).toBe('/admin');
    const home = await agent.get('/admin');
    expect(home.headers.location).toBe('/admin/account');
    const account = await agent.get('/admin/account');
    expect(account.text.match(/Choose a new password/g)).toHaveLength(1);
    // Every other page still leads back here, and the page still says why.
    expect((await agent.get('/admin/customers')).headers.location).toBe('/admin/account');
    expect((await agent.get('/admin/account')).text.match(/Choose a new password/g)).toHaveLength(1);
    // The password another admin set is not a new one: refused, and the requirement stays.
    const same = await agent
      .post('/admin/account/password')
      .type('form')
      .send({
        _csrf: csrfFrom(account.text),
        current_password: me.password,
        new_password: me.password,
        new_password_confirm: me.password,
      });
    expect(same.status).toBe(422);
    expect(same.text).toContain('The new password must be different from the current one');
    expect((await agent.get('/admin/customers')).headers.location).toBe('/admin/account');
  });

  it('changes the password only with the current one, ending the other sessions', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const first = await signInAdmin(t.app, me.login, me.password);
    const second = await signInAdmin(t.app, me.login, me.password);
    const page = await first.agent.get('/admin/account');
    const wrong = await first.agent
      .post('/admin/account/password')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        current_password: 'not it at all',
        new_password: 'another long passphrase',
        new_password_confirm: 'another long passphrase',
      });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Your current password is not right');
    const same = await first.agent
      .post('/admin/account/password')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        current_password: me.password,
        new_password: me.password,
        new_password_confirm: me.password,
      });
    expect(same.status).toBe(422);
    expect(same.text).toContain('The new password must be different from the current one');
    expect((await second.agent.get('/admin')).status).toBe(200);
    const ok = await first.agent
      .post('/admin/account/password')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        current_password: me.password,
        new_password: 'another long passphrase',
        new_password_confirm: 'another long passphrase',
      });
    expect(ok.status).toBe(303);
    expect((await first.agent.get('/admin')).status).toBe(200);
    expect((await second.agent.get('/admin')).status).toBe(303);
  });

  it('keeps the session of an admin who sets its own new password on its administrator form', async () => {
    const me = await createAdmin(t.deps, 'boss');
    const other = await signInAdmin(t.app, me.login, me.password);
    const { agent } = await signInAdmin(t.app, me.login, me.password);
    const saved = await agent
      .post(`/admin/admins/${me.id}`)
      .type('form')
      .send(await editForm(agent, me.id, { password: 'my own brand new passphrase' }));
    expect(saved.status).toBe(303);
    expect((await agent.get('/admin/admins')).status).toBe(200);
    expect((await other.agent.get('/admin')).status).toBe(303);
  });
});
