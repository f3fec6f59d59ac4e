import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../../helpers/fixtures.ts';
import { postPortalLogin, signInPortal } from '../../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  await createRole(t.deps, 'Full', allAt('modify'), { isDefault: true });
});
afterEach(async () => {
  await t.close();
});

describe('a password its owner sets must differ from the current one', () => {
  it('refuses the current password at the forced change after sign-in, and keeps the flag', async () => {
    const c = await createCustomer(t.deps, { passwordChangeRequired: true });
    const { agent } = await postPortalLogin(t.app, c.login ?? '', c.password);
    const page = await agent.get('/change-password');
    const res = await agent
      .post('/change-password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), new_password: c.password, new_password_confirm: c.password });
    expect(res.status).toBe(422);
    expect(res.text).toContain('The new password must be different from the current one');
    const row = await t.deps.db('customers').where({ id: c.id }).first();
    expect(Boolean(row.password_change_required)).toBe(true);
    expect((await agent.get('/')).headers.location).toBe('/change-password');
  });

  it('refuses it on the settings password page too, in the viewer’s language', async () => {
    const c = await createCustomer(t.deps, { language: 'fr' });
    const { agent, csrf } = await signInPortal(t.app, c.login ?? '', c.password);
    const res = await agent
      .post('/settings/password')
      .type('form')
      .send({ _csrf: csrf, current_password: c.password, new_password: c.password, new_password_confirm: c.password });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Le nouveau mot de passe doit être différent de l’actuel');
  });
});
