import type { Knex } from 'knex';

/**
 * A fresh install can create customers at once: when there is no self-care role yet, a default
 * "Full access" role (every portal component on Full) is made, as the reference billing system
 * ships one. Admins may rename it, change its permissions or make another role the default.
 */
const ROLE_TYPE = 'customer_selfcare';
const NAME = 'Full access';
const TOP_LEVEL_COMPONENTS = [
  'dashboard',
  'profile',
  'invoices',
  'xdrs',
  'payments',
  'individuals',
  'api_access',
  'settings',
];

export async function up(knex: Knex): Promise<void> {
  const existing = await knex('roles').where({ type: ROLE_TYPE }).first('id');
  if (existing) return;
  const now = new Date();
  const [inserted] = await knex('roles').insert(
    {
      name: NAME,
      name_lower: NAME.toLowerCase(),
      type: ROLE_TYPE,
      description: 'Everything in the self-care portal, including individuals and API access.',
      is_default: true,
      created_at: now,
      updated_at: now,
    },
    ['id'],
  );
  const roleId = Number(
    typeof inserted === 'object' && inserted !== null ? (inserted as { id: unknown }).id : inserted,
  );
  await knex('role_permissions').insert(
    TOP_LEVEL_COMPONENTS.map((component) => ({ role_id: roleId, component, level: 'modify' })),
  );
}

/** The role stays when customers use it; otherwise the one this migration made goes. */
export async function down(knex: Knex): Promise<void> {
  const role = await knex('roles')
    .where({ type: ROLE_TYPE, name_lower: NAME.toLowerCase(), is_default: true })
    .first('id');
  if (!role) return;
  const id = (role as { id: number }).id;
  const used =
    (await knex('customers').where({ role_id: id }).first('id')) ??
    (await knex('individuals').where({ role_id: id }).first('id'));
  if (used) return;
  await knex('role_permissions').where({ role_id: id }).del();
  await knex('roles').where({ id }).del();
}
