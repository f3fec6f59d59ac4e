// The password field's hints tell the admin which button saves ("nothing is saved until you
// press …"): on every admin form that has the field, that must be the form's own main button.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createIndividual, createRole } from '../../helpers/fixtures.ts';
import type { Agent } from '../../helpers/portal.ts';

let t: TestApp;
let agent: Agent;
let forms: ReadonlyArray<{ name: string; page: string; generate: string; button: string }>;

beforeAll(async () => {
  t = await createTestApp();
  const me = await createAdmin(t.deps, 'boss');
  const other = await createAdmin(t.deps, 'other');
  ({ agent } = await signInAdmin(t.app, me.login, me.password));
  const customer = await createCustomer(t.deps, { login: 'acme' });
  const individual = await createIndividual(t.deps, customer.id, {
    login: 'acme-ann',
    roleId: await createRole(t.deps, 'Staff', allAt('modify')),
  });
  const individuals = `/admin/customers/${customer.id}/individuals`;
  forms = [
    {
      name: 'new administrator',
      page: '/admin/admins/new',
      generate: '/admin/admins/new/password',
      button: 'Create administrator',
    },
    {
      name: 'administrator',
      page: `/admin/admins/${other.id}`,
      generate: `/admin/admins/${other.id}/password`,
      button: 'Save',
    },
    {
      name: 'Web self-care panel',
      page: `/admin/customers/${customer.id}/self-care`,
      generate: `/admin/customers/${customer.id}/self-care/password`,
      button: 'Save',
    },
    { name: 'new individual', page: individuals, generate: `${individuals}/password`, button: 'Add individual' },
    {
      name: 'individual',
      page: `${individuals}/${individual.id}`,
      generate: `${individuals}/${individual.id}/password`,
      button: 'Save',
    },
  ];
});
afterAll(async () => {
  await t.close();
});

/** The form holding the password field, and the words its hints quote as the button to press. */
function passwordForm(html: string): { mainButtons: string[]; pressed: string[] } {
  const form = [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)]
    .map((m) => m[0])
    .find((f) => f.includes('id="password-field"'));
  if (!form) throw new Error('no form with the password field');
  return {
    mainButtons: [...form.matchAll(/<button type="submit" class="button">([^<]*)<\/button>/g)].map((m) => m[1]!.trim()),
    pressed: [...form.matchAll(/press “([^”]*)”/g)].map((m) => m[1]!),
  };
}

describe('the password hints of the admin forms', () => {
  it('name the button that saves the form, before and after “Generate password”', async () => {
    for (const form of forms) {
      const page = await agent.get(form.page);
      expect(page.status, form.name).toBe(200);
      const shown = passwordForm(page.text);
      expect(shown.mainButtons, form.name).toEqual([form.button]);
      expect(shown.pressed, form.name).toEqual([form.button]);

      const generated = await agent
        .post(form.generate)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), login: 'someone', password_action: 'generate' });
      expect(generated.status, form.name).toBe(200);
      expect(generated.text, form.name).toContain('A new password was generated');
      expect(passwordForm(generated.text).pressed, form.name).toEqual([form.button, form.button]);
    }
  });
});
