import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('individuals', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('login', 64).notNullable();
    t.string('login_lower', 64).notNullable();
    t.string('password_hash', 100).nullable();
    t.boolean('password_change_required').notNullable().defaultTo(false);
    t.string('name', 160).notNullable().defaultTo('');
    t.string('email', 254).notNullable().defaultTo('');
    t.integer('role_id').unsigned().notNullable().references('id').inTable('roles');
    t.datetime('activation_at', { precision: 3 }).nullable();
    t.datetime('expiration_at', { precision: 3 }).nullable();
    // Regional overrides: null = inherit the customer's
    t.string('time_zone', 64).nullable();
    t.string('language', 8).nullable();
    t.string('out_date_format', 40).nullable();
    t.string('out_time_format', 40).nullable();
    t.string('in_date_format', 40).nullable();
    t.string('in_time_format', 40).nullable();
    t.boolean('ip_restriction').notNullable().defaultTo(false);
    t.text('trusted_ips').notNullable().defaultTo('');
    t.integer('version').notNullable().defaultTo(1);
    t.integer('session_epoch').notNullable().defaultTo(0);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.datetime('last_login_at', { precision: 3 }).nullable();
    t.index(['customer_id', 'login_lower'], 'individuals_customer_login');
    t.index(['role_id'], 'individuals_role');
  });
  // One namespace for customer and individual self-care logins, unique case-insensitively,
  // enforced by the database: every login in use has exactly one row here.
  await knex.schema.createTable('selfcare_logins', (t) => {
    t.string('login_lower', 64).primary();
    t.integer('customer_id').unsigned().nullable().references('id').inTable('customers').onDelete('CASCADE');
    t.integer('individual_id').unsigned().nullable().references('id').inTable('individuals').onDelete('CASCADE');
    t.index(['customer_id'], 'selfcare_logins_customer');
    t.index(['individual_id'], 'selfcare_logins_individual');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('selfcare_logins');
  await knex.schema.dropTable('individuals');
}
