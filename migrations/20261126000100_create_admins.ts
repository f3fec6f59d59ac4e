import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('admins', (t) => {
    t.increments('id').primary();
    t.string('login', 64).notNullable();
    t.string('login_lower', 64).notNullable().unique();
    t.string('password_hash', 100).notNullable();
    t.string('name', 120).notNullable().defaultTo('');
    t.string('email', 254).notNullable().defaultTo('');
    t.integer('session_epoch').notNullable().defaultTo(0);
    t.boolean('password_change_required').notNullable().defaultTo(false);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.datetime('last_login_at', { precision: 3 }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('admins');
}
