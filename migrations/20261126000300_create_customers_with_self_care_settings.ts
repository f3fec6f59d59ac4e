import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('customers', (t) => {
    t.increments('id').primary();
    t.string('name', 160).notNullable();
    t.string('name_lower', 160).notNullable();
    t.string('email', 254).notNullable().defaultTo('');
    t.string('email_lower', 254).notNullable().defaultTo('');
    t.string('currency', 3).notNullable().defaultTo('USD');
    t.string('status', 20).notNullable().defaultTo('active');
    t.decimal('balance', 14, 2).notNullable().defaultTo(0);
    t.decimal('credit_limit', 14, 2).notNullable().defaultTo(0);
    // Profile (portal component "profile": contacts and address)
    t.string('company_name', 160).notNullable().defaultTo('');
    t.string('contact_name', 160).notNullable().defaultTo('');
    t.string('phone', 40).notNullable().defaultTo('');
    t.string('address_line1', 160).notNullable().defaultTo('');
    t.string('address_line2', 160).notNullable().defaultTo('');
    t.string('city', 80).notNullable().defaultTo('');
    t.string('postal_code', 20).notNullable().defaultTo('');
    t.string('country', 2).notNullable().defaultTo('');
    // Web self-care
    t.integer('role_id').unsigned().notNullable().references('id').inTable('roles');
    t.string('selfcare_login', 64).nullable();
    t.string('selfcare_login_lower', 64).nullable();
    t.string('password_hash', 100).nullable();
    t.boolean('password_change_required').notNullable().defaultTo(false);
    t.boolean('ip_restriction').notNullable().defaultTo(false);
    t.text('trusted_ips').notNullable().defaultTo('');
    t.string('time_zone', 64).notNullable().defaultTo('UTC');
    t.string('language', 8).notNullable().defaultTo('en');
    t.string('out_date_format', 40).notNullable().defaultTo('YYYY-MM-DD');
    t.string('out_time_format', 40).notNullable().defaultTo('HH24:MI:SS');
    t.string('in_date_format', 40).notNullable().defaultTo('YYYY-MM-DD');
    t.string('in_time_format', 40).notNullable().defaultTo('HH24:MI:SS');
    t.integer('version').notNullable().defaultTo(1);
    t.integer('session_epoch').notNullable().defaultTo(0);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.datetime('last_login_at', { precision: 3 }).nullable();
    // Customer search: prefix on name, e-mail or login, keyset-paginated by (column, id)
    t.index(['name_lower', 'id'], 'customers_name_search');
    t.index(['email_lower', 'id'], 'customers_email_search');
    t.index(['selfcare_login_lower', 'id'], 'customers_login_search');
    t.index(['role_id'], 'customers_role');
  });
  await knex.schema.createTable('customer_allowed_roles', (t) => {
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.integer('role_id').unsigned().notNullable().references('id').inTable('roles');
    t.primary(['customer_id', 'role_id']);
    t.index(['role_id'], 'customer_allowed_roles_role');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('customer_allowed_roles');
  await knex.schema.dropTable('customers');
}
