import type { Knex } from 'knex';

/** Everything the built-in Administrator role holds (the list of src/access/route-permissions.ts). */
const ALL_PERMISSIONS = [
  'customers.read',
  'customers.modify',
  'selfcare.credentials',
  'selfcare.impersonate',
  'api_tokens.manage',
  'roles.manage',
  'individuals.manage',
  'audit.read',
  'admins.manage',
];

/**
 * Admin roles and their permissions (a built-in Administrator role holding all of them, given to
 * every existing admin), the admin's status and form version, two-factor sign-in (sealed TOTP
 * seeds and recovery-code digests for admins, customers and individuals alike) and the Web
 * self-care panel's "two-factor sign-in required".
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('admin_roles', (t) => {
    t.increments('id').primary();
    t.string('name', 80).notNullable();
    t.string('name_lower', 80).notNullable().unique();
    t.string('description', 500).notNullable().defaultTo('');
    t.boolean('require_two_factor').notNullable().defaultTo(false);
    t.boolean('is_builtin').notNullable().defaultTo(false);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });
  await knex.schema.createTable('admin_role_permissions', (t) => {
    t.integer('admin_role_id').unsigned().notNullable().references('id').inTable('admin_roles').onDelete('CASCADE');
    t.string('permission', 40).notNullable();
    t.primary(['admin_role_id', 'permission']);
  });
  const now = new Date();
  const [inserted] = await knex('admin_roles').insert(
    {
      name: 'Administrator',
      name_lower: 'administrator',
      description: 'Everything, including administrators and admin roles.',
      is_builtin: true,
      created_at: now,
      updated_at: now,
    },
    ['id'],
  );
  const roleId = Number(
    typeof inserted === 'object' && inserted !== null ? (inserted as { id: unknown }).id : inserted,
  );
  await knex('admin_role_permissions').insert(
    ALL_PERMISSIONS.map((permission) => ({ admin_role_id: roleId, permission })),
  );

  await knex.schema.alterTable('admins', (t) => {
    t.integer('admin_role_id').unsigned().nullable().references('id').inTable('admin_roles');
    t.string('status', 16).notNullable().defaultTo('active');
    t.integer('version').notNullable().defaultTo(0);
  });
  await knex('admins').update({ admin_role_id: roleId });

  await knex.schema.createTable('two_factor_secrets', (t) => {
    t.string('account_type', 16).notNullable();
    t.integer('account_id').unsigned().notNullable();
    t.string('secret_sealed', 255).notNullable();
    t.bigInteger('last_step').nullable();
    t.datetime('enabled_at', { precision: 3 }).notNullable();
    t.primary(['account_type', 'account_id']);
  });
  await knex.schema.createTable('two_factor_recovery_codes', (t) => {
    t.increments('id').primary();
    t.string('account_type', 16).notNullable();
    t.integer('account_id').unsigned().notNullable();
    t.string('code_digest', 64).notNullable();
    t.datetime('used_at', { precision: 3 }).nullable();
    t.index(['account_type', 'account_id']);
  });

  await knex.schema.alterTable('customers', (t) => {
    t.boolean('two_factor_required').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('two_factor_required');
  });
  await knex.schema.dropTable('two_factor_recovery_codes');
  await knex.schema.dropTable('two_factor_secrets');
  await knex.schema.alterTable('admins', (t) => {
    t.dropForeign(['admin_role_id']);
  });
  await knex.schema.alterTable('admins', (t) => {
    t.dropColumn('admin_role_id');
    t.dropColumn('status');
    t.dropColumn('version');
  });
  await knex.schema.dropTable('admin_role_permissions');
  await knex.schema.dropTable('admin_roles');
}
