import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { totpCode } from '../../../src/access/totp.ts';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { createCustomer, createIndividual, createRole, allAt } from '../../helpers/fixtures.ts';
import {
  ageLastCode,
  codeFor,
  createAdminRole,
  enableTwoFactor,
  forgetLastStep,
  postAdminCode,
  postAdminPassword,
  secretOnPage,
  signInAdminWithCode,
} from '../../helpers/two-factor.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

async function auditRows(action: string) {
  return (await t.deps.db('audit_events').where({ action }).orderBy('id')) as {
    outcome: string;
    actor_label: string;
    changes: string | null;
  }[];
}

describe('GET/POST /admin/account/two-factor (set-up)', () => {
  it('shows the secret and a QR code, turns two-factor sign-in on with a current code and shows ten recovery codes once', async () => {
    const admin = await createAdmin(t.deps);
    const { agent } = await signInAdmin(t.app, admin.login, admin.password);
    const page = await agent.get('/admin/account/two-factor');
    expect(page.status).toBe(200);
    const secret = secretOnPage(page.text);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(page.text).toMatch(/<svg role="img" aria-label="QR code of the two-factor secret"/);
    // reloading keeps the same secret (the app may have scanned it already)
    expect(secretOnPage((await agent.get('/admin/account/two-factor')).text)).toBe(secret);

    const wrong = await agent
      .post('/admin/account/two-factor')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: '000000' === totpCode(secret) ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('The code is not the current one');
    // a code of the wrong length is told so, not sent to check the phone's clock
    const short = await agent
      .post('/admin/account/two-factor')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: '12345' });
    expect(short.status).toBe(422);
    expect(short.text).toContain('A code from your app has six digits');

    const ok = await agent
      .post('/admin/account/two-factor')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: totpCode(secret) });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/admin/account/two-factor/recovery-codes');
    const codesPage = await agent.get('/admin/account/two-factor/recovery-codes');
    const codes = [...codesPage.text.matchAll(/<li>([a-z2-9]{5}-[a-z2-9]{5})<\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    // shown once
    expect((await agent.get('/admin/account/two-factor/recovery-codes')).status).toBe(303);

    const stored = await t.deps.db('two_factor_secrets').where({ account_type: 'admin', account_id: admin.id }).first();
    expect(stored.secret_sealed).not.toContain(secret);
    expect(stored.secret_sealed).toMatch(/^v1\./);
    const digests = await t.deps.db('two_factor_recovery_codes').where({ account_type: 'admin', account_id: admin.id });
    expect(digests).toHaveLength(10);
    for (const row of digests) expect(codes).not.toContain(row.code_digest);
    expect((await auditRows('two_factor.enable')).length).toBe(1);
    expect((await agent.get('/admin/account')).text).toContain('10 unused recovery codes');
  });
});

describe('POST /admin/login/two-factor (second step)', () => {
  it('asks for a code after the password, refuses every other page until then, and signs in with a code', async () => {
    const admin = await createAdmin(t.deps);
    const { secret } = await enableTwoFactor(t.deps, 'admin', admin.id);
    const { agent, res } = await postAdminPassword(t.app, admin.login, admin.password);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/login/two-factor');
    for (const path of ['/admin', '/admin/customers', '/admin/account']) {
      const refused = await agent.get(path);
      expect(refused.status).toBe(303);
      expect(refused.headers.location).toBe('/admin/login/two-factor');
    }
    const done = await postAdminCode(agent, codeFor(secret));
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin');
    expect((await agent.get('/admin/customers')).status).toBe(200);
    const [login] = await auditRows('admin.login');
    expect(login?.outcome).toBe('success');
    expect(JSON.parse(login?.changes ?? '{}').second_factor.new).toBe('authenticator code');
  });

  it('refuses a replayed code inside its window', async () => {
    const admin = await createAdmin(t.deps);
    const { secret } = await enableTwoFactor(t.deps, 'admin', admin.id);
    const code = codeFor(secret);
    const first = await postAdminPassword(t.app, admin.login, admin.password);
    expect((await postAdminCode(first.agent, code)).status).toBe(303);
    const second = await postAdminPassword(t.app, admin.login, admin.password);
    const replay = await postAdminCode(second.agent, code);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('The code is wrong or was used already');
    expect((await second.agent.get('/admin')).headers.location).toBe('/admin/login/two-factor');
  });

  it('signs in with a recovery code once; the same code is then spent', async () => {
    const admin = await createAdmin(t.deps);
    const { recoveryCodes } = await enableTwoFactor(t.deps, 'admin', admin.id);
    const code = recoveryCodes[3]!;
    const first = await postAdminPassword(t.app, admin.login, admin.password);
    expect((await postAdminCode(first.agent, code.toUpperCase().replace('-', ' '))).status).toBe(303);
    const [login] = await auditRows('admin.login');
    expect(JSON.parse(login?.changes ?? '{}').second_factor.new).toBe('recovery code');
    const second = await postAdminPassword(t.app, admin.login, admin.password);
    expect((await postAdminCode(second.agent, code)).status).toBe(401);
    expect((await postAdminCode(second.agent, recoveryCodes[4]!)).status).toBe(303);
  });

  it('throttles wrong codes like wrong passwords, and audits each failure', async () => {
    const admin = await createAdmin(t.deps);
    const { secret } = await enableTwoFactor(t.deps, 'admin', admin.id);
    const { agent } = await postAdminPassword(t.app, admin.login, admin.password);
    const wrong = totpCode(secret, new Date(Date.now() + 10 * 60_000));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await postAdminCode(agent, wrong)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    // even the right code waits now
    const right = await postAdminCode(agent, codeFor(secret));
    expect(right.status).toBe(429);
    expect(right.headers['retry-after']).toBeDefined();
    // Entering the password again does not start the count afresh.
    const again = await postAdminPassword(t.app, admin.login, admin.password);
    expect(again.res.headers.location).toBe('/admin/login/two-factor');
    expect((await postAdminCode(again.agent, codeFor(secret))).status).toBe(429);
    const failures = await auditRows('admin.login');
    expect(failures.filter((r) => r.outcome === 'failure')).toHaveLength(4);
    expect(failures.some((r) => r.outcome === 'refused')).toBe(true);
  });

  it('refuses the second step without a pending sign-in', async () => {
    const agent = request.agent(t.app);
    expect((await agent.get('/admin/login/two-factor')).headers.location).toBe('/admin/login');
  });
});

describe('an admin role that requires two-factor sign-in', () => {
  it('sends a member without it to the set-up after the password, lets it do nothing else, then signs it in', async () => {
    const roleId = await createAdminRole(t.deps, 'Strict', ['customers.read'], { requireTwoFactor: true });
    const admin = await createAdmin(t.deps, 'strict-admin', undefined, { roleId });
    const { agent, res } = await postAdminPassword(t.app, admin.login, admin.password);
    expect(res.headers.location).toBe('/admin/account/two-factor');
    for (const path of ['/admin', '/admin/customers', '/admin/account', '/admin/login/two-factor']) {
      const refused = await agent.get(path);
      expect(refused.status, path).toBe(303);
      expect(['/admin/account/two-factor', '/admin/login']).toContain(refused.headers.location);
    }
    expect((await agent.get('/admin/customers')).headers.location).toBe('/admin/account/two-factor');
    const page = await agent.get('/admin/account/two-factor');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Your role requires two-factor sign-in');
    expect(page.text).not.toContain('aria-label="Main"');
    const done = await agent
      .post('/admin/account/two-factor')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: totpCode(secretOnPage(page.text)) });
    expect(done.headers.location).toBe('/admin/account/two-factor/recovery-codes');
    const codes = await agent.get('/admin/account/two-factor/recovery-codes');
    expect(codes.text).toContain('href="/admin"');
    expect((await agent.get('/admin/customers')).status).toBe(200);
    const [login] = await auditRows('admin.login');
    expect(JSON.parse(login?.changes ?? '{}').second_factor.new).toContain('set up now');
  });

  it('asks the member to set it up again after another admin reset it (audited)', async () => {
    const roleId = await createAdminRole(t.deps, 'Strict', ['customers.read'], { requireTwoFactor: true });
    const member = await createAdmin(t.deps, 'member', undefined, { roleId });
    await enableTwoFactor(t.deps, 'admin', member.id);
    const boss = await createAdmin(t.deps, 'boss');
    const { agent, csrf } = await signInAdmin(t.app, boss.login, boss.password);
    const page = await agent.get(`/admin/admins/${member.id}`);
    expect(page.text).toContain('Reset two-factor sign-in');
    const ask = await agent.get(`/admin/admins/${member.id}/two-factor/reset`);
    expect(ask.text).toContain('Reset the two-factor sign-in of member?');
    const reset = await agent
      .post(`/admin/admins/${member.id}/two-factor/reset`)
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes' });
    expect(reset.status).toBe(303);
    const [event] = await auditRows('two_factor.reset');
    expect(event?.actor_label).toBe('boss');
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'admin', id: member.id })).toBe(false);
    const next = await postAdminPassword(t.app, member.login, member.password);
    expect(next.res.headers.location).toBe('/admin/account/two-factor');
  });
});

describe('step-up before "log in as customer"', () => {
  async function world() {
    const role = await createRole(t.deps, 'Default', allAt('modify'), { isDefault: true });
    const customer = await createCustomer(t.deps, { roleId: role });
    const admin = await createAdmin(t.deps);
    const { secret } = await enableTwoFactor(t.deps, 'admin', admin.id);
    await forgetLastStep(t.deps, 'admin', admin.id);
    const signedIn = await signInAdminWithCode(t.app, admin.login, admin.password, secret);
    return { customer, admin, secret, ...signedIn };
  }

  it('lets an admin whose code is fresh log in as the customer at once', async () => {
    const { agent, csrf, customer } = await world();
    const res = await agent
      .post(`/admin/customers/${customer.id}/impersonate`)
      .type('form')
      .send({ _csrf: csrf, mode: 'default' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/impersonate\//);
  });

  it('asks for a fresh code when the last one is older than ten minutes, then goes ahead', async () => {
    const { agent, csrf, customer, secret, admin } = await world();
    await ageLastCode(t.deps, agent, 11);
    const prompt = await agent
      .post(`/admin/customers/${customer.id}/impersonate`)
      .type('form')
      .send({ _csrf: csrf, mode: 'default' });
    expect(prompt.status).toBe(200);
    expect(prompt.text).toContain('Confirm it is you');
    expect(prompt.text).toContain('name="mode" value="default"');
    const wrong = await agent
      .post(`/admin/customers/${customer.id}/impersonate`)
      .type('form')
      .send({ _csrf: csrf, mode: 'default', code: '12345' });
    expect(wrong.status).toBe(422);
    await forgetLastStep(t.deps, 'admin', admin.id);
    const ok = await agent
      .post(`/admin/customers/${customer.id}/impersonate`)
      .type('form')
      .send({ _csrf: csrf, mode: 'default', code: codeFor(secret) });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toMatch(/^\/impersonate\//);
    const steps = await auditRows('admin.step_up');
    expect(steps.map((s) => s.outcome)).toEqual(['failure', 'success']);
    // fresh again: no prompt for the next ten minutes
    const again = await agent
      .post(`/admin/customers/${customer.id}/impersonate`)
      .type('form')
      .send({ _csrf: csrf, mode: 'default' });
    expect(again.status).toBe(303);
  });

  it('asks the same before logging in as an individual', async () => {
    const { agent, csrf, customer, secret, admin } = await world();
    const individual = await createIndividual(t.deps, customer.id);
    await ageLastCode(t.deps, agent, 11);
    const path = `/admin/customers/${customer.id}/individuals/${individual.id}/impersonate`;
    const prompt = await agent.post(path).type('form').send({ _csrf: csrf });
    expect(prompt.status).toBe(200);
    expect(prompt.text).toContain('Confirm it is you');
    await forgetLastStep(t.deps, 'admin', admin.id);
    const ok = await agent
      .post(path)
      .type('form')
      .send({ _csrf: csrf, code: codeFor(secret) });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toMatch(/^\/impersonate\//);
  });

  it('does not ask an admin without two-factor sign-in', async () => {
    await createRole(t.deps, 'Default', allAt('modify'), { isDefault: true });
    const customer = await createCustomer(t.deps);
    const admin = await createAdmin(t.deps);
    const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
    const res = await agent
      .post(`/admin/customers/${customer.id}/impersonate`)
      .type('form')
      .send({ _csrf: csrf, mode: 'default' });
    expect(res.status).toBe(303);
  });
});

describe('turning two-factor sign-in off', () => {
  async function signedInWithRecoveryCode(roleId?: number) {
    const admin = await createAdmin(t.deps, 'off-admin', undefined, roleId ? { roleId } : {});
    const { recoveryCodes } = await enableTwoFactor(t.deps, 'admin', admin.id);
    const { agent } = await postAdminPassword(t.app, admin.login, admin.password);
    expect((await postAdminCode(agent, recoveryCodes[0]!)).status).toBe(303);
    const csrf = csrfFrom((await agent.get('/admin/account')).text);
    return { admin, agent, csrf, recoveryCodes };
  }

  it('asks on a page of its own with a Cancel that changes nothing', async () => {
    const { admin, agent } = await signedInWithRecoveryCode();
    const manage = await agent.get('/admin/account/two-factor');
    expect(manage.text).toContain('href="/admin/account/two-factor/disable"');
    expect(manage.text).not.toContain('action="/admin/account/two-factor/disable"');
    const ask = await agent.get('/admin/account/two-factor/disable');
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Turn off two-factor sign-in?');
    expect(ask.text).toContain('name="confirm" value="yes"');
    expect(ask.text).toMatch(/<input[^>]*name="code"/);
    expect(ask.text).toContain('href="/admin/account/two-factor"');
    expect((await agent.get('/admin/account/two-factor')).status).toBe(200);
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'admin', id: admin.id })).toBe(true);
  });

  it('answers a post without the confirmation with the page again and keeps it on, the code unspent', async () => {
    const { admin, agent, csrf, recoveryCodes } = await signedInWithRecoveryCode();
    const res = await agent
      .post('/admin/account/two-factor/disable')
      .type('form')
      .send({ _csrf: csrf, code: recoveryCodes[1] });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Turn off two-factor sign-in?');
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'admin', id: admin.id })).toBe(true);
    const off = await agent
      .post('/admin/account/two-factor/disable')
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes', code: recoveryCodes[1] });
    expect(off.status).toBe(303);
  });

  it('needs a current code on the confirmation page, then removes the seed and the recovery codes (audited)', async () => {
    const { admin, agent, csrf, recoveryCodes } = await signedInWithRecoveryCode();
    const empty = await agent
      .post('/admin/account/two-factor/disable')
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes', code: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Turn off two-factor sign-in?');
    expect(empty.text).toContain('Enter the six-digit code from your app');
    const wrong = await agent
      .post('/admin/account/two-factor/disable')
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes', code: 'nope' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Turn off two-factor sign-in?');
    expect(wrong.text).toContain('The code is not the current one');
    expect(wrong.text).toContain('aria-invalid="true"');
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'admin', id: admin.id })).toBe(true);
    const off = await agent
      .post('/admin/account/two-factor/disable')
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes', code: recoveryCodes[1] });
    expect(off.status).toBe(303);
    expect(off.headers.location).toBe('/admin/account');
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'admin', id: admin.id })).toBe(false);
    expect(await t.deps.db('two_factor_recovery_codes').where({ account_id: admin.id })).toHaveLength(0);
    expect((await auditRows('two_factor.disable')).length).toBe(1);
    // With it off there is nothing to confirm.
    expect((await agent.get('/admin/account/two-factor/disable')).headers.location).toBe('/admin/account/two-factor');
  });

  it('is refused without the CSRF token or a signed-in admin', async () => {
    const { admin, agent, recoveryCodes } = await signedInWithRecoveryCode();
    const noCsrf = await agent
      .post('/admin/account/two-factor/disable')
      .type('form')
      .send({ confirm: 'yes', code: recoveryCodes[1] });
    expect(noCsrf.status).toBe(403);
    const anonymous = request.agent(t.app);
    expect((await anonymous.get('/admin/account/two-factor/disable')).headers.location).toMatch(/^\/admin\/login/);
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'admin', id: admin.id })).toBe(true);
  });

  it('is refused when the admin role requires two-factor sign-in', async () => {
    const roleId = await createAdminRole(t.deps, 'Strict', ['customers.read'], { requireTwoFactor: true });
    const { admin, agent, csrf, recoveryCodes } = await signedInWithRecoveryCode(roleId);
    const page = await agent.get('/admin/account/two-factor');
    expect(page.text).not.toContain('Turn off two-factor sign-in');
    expect((await agent.get('/admin/account/two-factor/disable')).headers.location).toBe('/admin/account/two-factor');
    const refused = await agent
      .post('/admin/account/two-factor/disable')
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes', code: recoveryCodes[1] });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Your role requires two-factor sign-in');
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'admin', id: admin.id })).toBe(true);
  });
});

describe('new recovery codes', () => {
  /** An admin whose role requires two-factor sign-in, signed in with a code from the app. */
  async function signedIn() {
    const roleId = await createAdminRole(t.deps, 'Strict', ['customers.read', 'audit.read'], {
      requireTwoFactor: true,
    });
    const admin = await createAdmin(t.deps, 'renewer', undefined, { roleId });
    const { secret, recoveryCodes } = await enableTwoFactor(t.deps, 'admin', admin.id);
    const { agent } = await postAdminPassword(t.app, admin.login, admin.password);
    const signInCode = codeFor(secret);
    expect((await postAdminCode(agent, signInCode)).status).toBe(303);
    const csrf = csrfFrom((await agent.get('/admin/account')).text);
    return { admin, agent, csrf, secret, recoveryCodes, signInCode };
  }
  const unusedCodes = (adminId: number) =>
    t.deps.db('two_factor_recovery_codes').where({ account_type: 'admin', account_id: adminId }).whereNull('used_at');

  it('asks on a page of its own for a code from the app, then shows ten new codes once; the old ones stop working (audited)', async () => {
    const { admin, agent, secret, recoveryCodes } = await signedIn();
    const manage = await agent.get('/admin/account/two-factor');
    expect(manage.text).toContain('href="/admin/account/two-factor/recovery-codes/new"');
    expect(manage.text).not.toContain('action="/admin/account/two-factor/recovery-codes/new"');
    const ask = await agent.get('/admin/account/two-factor/recovery-codes/new');
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Generate new recovery codes?');
    expect(ask.text).toContain('<form method="post" action="/admin/account/two-factor/recovery-codes/new"');
    expect(ask.text).toMatch(/<input[^>]*name="code"/);
    expect(ask.text).toContain('href="/admin/account/two-factor"');

    // the sign-in spent this time step's code
    await forgetLastStep(t.deps, 'admin', admin.id);
    const done = await agent
      .post('/admin/account/two-factor/recovery-codes/new')
      .type('form')
      .send({ _csrf: csrfFrom(ask.text), confirm: 'yes', code: codeFor(secret, 0) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin/account/two-factor/recovery-codes');
    const shown = await agent.get('/admin/account/two-factor/recovery-codes');
    expect(shown.text).toContain('New recovery codes: the old ones no longer work.');
    expect(shown.text).toContain('href="/admin/account/two-factor"');
    const codes = [...shown.text.matchAll(/<li>([a-z2-9]{5}-[a-z2-9]{5})<\/li>/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(10);
    expect(codes.some((c) => recoveryCodes.includes(c))).toBe(false);
    // shown once
    expect((await agent.get('/admin/account/two-factor/recovery-codes')).headers.location).toBe(
      '/admin/account/two-factor',
    );
    expect(await unusedCodes(admin.id)).toHaveLength(10);
    expect((await agent.get('/admin/account/two-factor')).text).toContain('10 unused recovery codes left');
    const [audited] = await auditRows('two_factor.recovery_codes.renew');
    expect(audited?.outcome).toBe('success');
    expect(audited?.actor_label).toBe('renewer');
    const log = await agent.get('/admin/audit');
    expect(log.text).toContain('Admin renewer generated new recovery codes for the administrator renewer');
    expect(await t.deps.services.twoFactor.isEnabled({ type: 'admin', id: admin.id })).toBe(true);

    const old = await postAdminPassword(t.app, admin.login, admin.password);
    expect((await postAdminCode(old.agent, recoveryCodes[0]!)).status).toBe(401);
    expect((await postAdminCode(old.agent, codes[0]!)).status).toBe(303);
    expect((await old.agent.get('/admin')).status).toBe(200);
  });

  it('refuses a wrong code, a replayed one and a recovery code with 422, and keeps the old codes', async () => {
    const { admin, agent, csrf, secret, recoveryCodes, signInCode } = await signedIn();
    const post = (body: Record<string, string>) =>
      agent
        .post('/admin/account/two-factor/recovery-codes/new')
        .type('form')
        .send({ _csrf: csrf, ...body });
    const unconfirmed = await post({ code: codeFor(secret, 0) });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('Generate new recovery codes?');
    const empty = await post({ confirm: 'yes', code: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Enter the six-digit code from your app');
    const wrong = await post({ confirm: 'yes', code: totpCode(secret, new Date(Date.now() + 10 * 60_000)) });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('The code is not the current one');
    expect(wrong.text).toContain('aria-invalid="true"');
    // the code the sign-in used a moment ago
    const replayed = await post({ confirm: 'yes', code: signInCode });
    expect(replayed.status).toBe(422);
    expect(replayed.text).toContain('Generate new recovery codes?');
    const recovery = await post({ confirm: 'yes', code: recoveryCodes[0]! });
    expect(recovery.status).toBe(422);
    expect(await auditRows('two_factor.recovery_codes.renew')).toHaveLength(0);
    expect(await unusedCodes(admin.id)).toHaveLength(10);
    // the recovery code typed there was not spent
    const again = await postAdminPassword(t.app, admin.login, admin.password);
    expect((await postAdminCode(again.agent, recoveryCodes[0]!)).status).toBe(303);
  });

  it('counts wrong codes with the sign-in’s second step', async () => {
    const { admin, agent, csrf, secret } = await signedIn();
    const wrong = totpCode(secret, new Date(Date.now() + 10 * 60_000));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push(
        (
          await agent
            .post('/admin/account/two-factor/recovery-codes/new')
            .type('form')
            .send({ _csrf: csrf, confirm: 'yes', code: wrong })
        ).status,
      );
    expect(statuses).toEqual([422, 422, 422, 422, 429]);
    const next = await postAdminPassword(t.app, admin.login, admin.password);
    await forgetLastStep(t.deps, 'admin', admin.id);
    expect((await postAdminCode(next.agent, codeFor(secret, 0))).status).toBe(429);
  });

  it('is refused without the CSRF token', async () => {
    const { admin, agent, secret } = await signedIn();
    await forgetLastStep(t.deps, 'admin', admin.id);
    const noCsrf = await agent
      .post('/admin/account/two-factor/recovery-codes/new')
      .type('form')
      .send({ confirm: 'yes', code: codeFor(secret, 0) });
    expect(noCsrf.status).toBe(403);
    expect(await auditRows('two_factor.recovery_codes.renew')).toHaveLength(0);
  });

  it('is not offered to an admin without two-factor sign-in', async () => {
    const admin = await createAdmin(t.deps);
    const { agent, csrf } = await signInAdmin(t.app, admin.login, admin.password);
    const page = await agent.get('/admin/account/two-factor');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Generate new recovery codes');
    expect(page.text).not.toContain('/admin/account/two-factor/recovery-codes/new');
    expect((await agent.get('/admin/account/two-factor/recovery-codes/new')).headers.location).toBe(
      '/admin/account/two-factor',
    );
    const refused = await agent
      .post('/admin/account/two-factor/recovery-codes/new')
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes', code: '123456' });
    expect(refused.status).toBe(422);
    expect(await t.deps.db('two_factor_recovery_codes').where({ account_id: admin.id })).toHaveLength(0);
  });
});
