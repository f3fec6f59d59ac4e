import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('roles', (t) => {
    t.increments('id').primary();
    t.string('name', 80).notNullable();
    t.string('name_lower', 80).notNullable();
    t.string('type', 40).notNullable().defaultTo('customer_selfcare');
    t.string('description', 500).notNullable().defaultTo('');
    t.boolean('is_default').notNullable().defaultTo(false);
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.unique(['type', 'name_lower']);
  });
  await knex.schema.createTable('role_permissions', (t) => {
    t.integer('role_id').unsigned().notNullable().references('id').inTable('roles').onDelete('CASCADE');
    t.string('component', 40).notNullable();
    t.string('level', 10).notNullable();
    t.primary(['role_id', 'component']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('role_permissions');
  await knex.schema.dropTable('roles');
}
