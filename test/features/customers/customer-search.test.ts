import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';
import { formFields } from './form-fields.ts';

let t: TestApp;
let admin: ReturnType<typeof request.agent>;

beforeEach(async () => {
  t = await createTestApp();
  const a = await createAdmin(t.deps);
  ({ agent: admin } = await signInAdmin(t.app, a.login, a.password));
});
afterEach(async () => {
  await t.close();
});

const namesIn = (html: string) =>
  [...html.matchAll(/<td><a href="\/admin\/customers\/\d+">([^<]+)<\/a><\/td>/g)].map((m) => m[1] ?? '');
const nextOf = (html: string) => /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replace(/&amp;/g, '&');

/** Every name the list shows for `url`, following Next to the end. */
async function walk(url: string): Promise<string[]> {
  const names: string[] = [];
  for (let next: string | undefined = url; next;) {
    const res = await admin.get(next);
    expect(res.status).toBe(200);
    names.push(...namesIn(res.text));
    next = nextOf(res.text);
  }
  return names;
}

const search = async (q: string) => namesIn((await admin.get(`/admin/customers?q=${encodeURIComponent(q)}`)).text);

describe('GET /admin/customers with one to three characters typed', () => {
  it('lists every match once in each sort order, both ways, across pages', async () => {
    interface Made {
      id: number;
      name: string;
      login: string | null;
      balance: number;
    }
    const made: Made[] = [];
    const add = async (name: string, email: string, login: string | null, balance: number) => {
      const c = await createCustomer(t.deps, { name, email, login, balance });
      made.push({ id: c.id, name, login, balance });
    };
    // name, e-mail and login all start with "k": listed once
    await add('kappa', 'kappa@example.test', 'kappa-portal', 5);
    await add('alpha', 'kilo@example.test', null, 7); // the e-mail only
    await add('beta', 'b@example.test', 'kbeta', 5); // the login only
    for (let i = 1; i <= 30; i++) await add(`k${String(i).padStart(2, '0')}`, '', i % 4 === 0 ? null : `kl${i}`, i % 6);
    await add('zulu', 'zulu@example.test', 'zulu', 1); // no match
    const matches = made.filter((m) => m.name !== 'zulu');

    const by = (value: (m: Made) => string | number | null) => (a: Made, b: Made) => {
      const [x, y] = [value(a), value(b)];
      if (x === y) return a.id - b.id;
      if (x === null) return -1;
      if (y === null) return 1;
      return x < y ? -1 : 1;
    };
    const orders = {
      name: by((m) => m.name),
      login: by((m) => m.login),
      created: by((m) => m.id),
      balance: by((m) => m.balance),
    };
    for (const [sort, compare] of Object.entries(orders))
      for (const dir of ['asc', 'desc']) {
        const expected = [...matches].sort(compare).map((m) => m.name);
        if (dir === 'desc') expected.reverse();
        expect(await walk(`/admin/customers?q=K&sort=${sort}&dir=${dir}`), `${sort} ${dir}`).toEqual(expected);
      }
    expect(await search('kl1')).toEqual(['k01', 'k10', 'k11', 'k13', 'k14', 'k15', 'k17', 'k18', 'k19']);
    expect(await search('kap')).toEqual(['kappa']);
  });

  it('creates and renames customers that several admins save at the same moment, each found by its name', async () => {
    await createRole(t.deps, 'Everything', allAt('modify'), { isDefault: true });
    const page = await admin.get('/admin/customers/new');
    const csrf = csrfFrom(page.text);
    const names = ['Mango 1', 'Mango 2', 'Mango 3', 'Mango 4', 'Mango 5', 'Mango 6'];
    const created = await Promise.all(
      names.map((name, i) =>
        admin
          .post('/admin/customers')
          .type('form')
          .send({ _csrf: csrf, name, email: `fruit${i}@example.test`, currency: 'EUR' }),
      ),
    );
    expect(created.map((res) => res.status)).toEqual(names.map(() => 303));
    expect(await search('man')).toEqual(names);
    const ids = created.map((res) => Number(String(res.headers.location).split('/').pop()));
    const forms = await Promise.all(
      ids.map(async (id) => formFields((await admin.get(`/admin/customers/${id}`)).text, 'edit-title')),
    );
    const renamed = await Promise.all(
      ids.map((id, i) =>
        admin
          .post(`/admin/customers/${id}`)
          .type('form')
          .send({ ...forms[i], name: `Melon ${i + 1}` }),
      ),
    );
    expect(renamed.map((res) => res.status)).toEqual(names.map(() => 303));
    expect(await search('man')).toEqual([]);
    expect(await search('mel')).toEqual(names.map((_, i) => `Melon ${i + 1}`));
  });

  it('finds a customer by its new name, e-mail and login as soon as they change, and no longer by the old ones', async () => {
    const role = await createRole(t.deps, 'Everything', allAt('modify'), { isDefault: true });
    const c = await createCustomer(t.deps, {
      name: 'Quokka Traders',
      email: 'qt@example.test',
      login: 'qtportal',
      roleId: role,
    });
    expect(await search('quo')).toEqual(['Quokka Traders']);

    const general = formFields((await admin.get(`/admin/customers/${c.id}`)).text, 'edit-title');
    const renamed = await admin
      .post(`/admin/customers/${c.id}`)
      .type('form')
      .send({ ...general, name: 'Wombat Works' });
    expect(renamed.status).toBe(303);
    expect(await search('quo')).toEqual([]);
    expect(await search('wom')).toEqual(['Wombat Works']);

    const panel = formFields((await admin.get(`/admin/customers/${c.id}/self-care`)).text, 'self-care-form');
    const relogged = await admin
      .post(`/admin/customers/${c.id}/self-care`)
      .type('form')
      .send({ ...panel, login: 'xylo-portal' });
    expect(relogged.status).toBe(303);
    expect(await search('qtp')).toEqual([]);
    expect(await search('xyl')).toEqual(['Wombat Works']);

    const portal = await signInPortal(t.app, 'xylo-portal', c.password);
    const profile = await portal.agent
      .post('/profile/contacts')
      .type('form')
      .send({ _csrf: csrfFrom((await portal.agent.get('/profile')).text), email: 'jet@example.test' });
    expect(profile.status).toBe(303);
    expect(await search('qt')).toEqual([]);
    expect(await search('je')).toEqual(['Wombat Works']);
    expect(await search('w')).toEqual(['Wombat Works']);
  });
});
