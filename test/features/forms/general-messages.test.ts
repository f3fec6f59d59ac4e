// A general message ("Enter a value", "Too long") says which field it is about, in the summary
// as next to the field, in the viewer's language.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const summaryOf = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';

describe('general field messages', () => {
  it('name the field on the portal sign-in form', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: 'l'.repeat(65), password: 'p' });
    expect(res.status).toBe(422);
    expect(summaryOf(res.text)).toContain('Login: Too long: at most 64 characters');
  });

  it('name the field in the viewer’s language', async () => {
    const role = await createRole(t.deps, 'Everything', allAt('modify'));
    const c = await createCustomer(t.deps, { roleId: role, language: 'fr' });
    const { agent, csrf } = await signInPortal(t.app, c.login ?? '', c.password);
    const res = await agent
      .post('/api-tokens')
      .type('form')
      .send({ _csrf: csrf, name: 'n'.repeat(81) });
    expect(res.status).toBe(422);
    expect(summaryOf(res.text)).toContain('Nom\u00a0: Trop long\u00a0: 80 caractères au maximum');
  });

  it('name the field on the admin forms', async () => {
    const admin = await createAdmin(t.deps, 'labels-admin');
    const { agent } = await signInAdmin(t.app, admin.login, admin.password);
    const page = await agent.get('/admin/roles/new');
    const res = await agent
      .post('/admin/roles')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: '', description: 'd'.repeat(501) });
    expect(res.status).toBe(422);
    expect(summaryOf(res.text)).toContain('Name: Enter a value');
    expect(summaryOf(res.text)).toContain('Description: Too long: at most 500 characters');
  });
});
