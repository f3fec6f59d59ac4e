import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  await createAdmin(t.deps, 'operator', 'correct horse battery');
});
afterEach(async () => {
  await t.close();
});

async function signInWithNext(next: string): Promise<string> {
  const agent = request.agent(t.app);
  const page = await agent.get(`/admin/login?next=${encodeURIComponent(next)}`);
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), login: 'operator', password: 'correct horse battery', next });
  expect(res.status).toBe(303);
  return String(res.headers.location);
}

describe('the page an admin returns to after signing in', () => {
  it('goes back to the admin page that was asked for', async () => {
    expect(await signInWithNext('/admin/customers?q=acme')).toBe('/admin/customers?q=acme');
  });

  it.each([
    '/admin/../login',
    '/admin/./customers',
    '/admin//evil.example',
    '/admin/customers/..',
    '//evil.example/admin',
    '/login',
    'https://evil.example/admin',
  ])('refuses %s and goes to the admin home instead', async (next) => {
    expect(await signInWithNext(next)).toBe('/admin');
  });
});
