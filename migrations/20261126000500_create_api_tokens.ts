import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('name', 80).notNullable();
    t.string('prefix', 16).notNullable();
    t.string('digest', 64).notNullable().unique();
    t.integer('created_by_admin_id').unsigned().nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).nullable();
    t.datetime('last_used_at', { precision: 3 }).nullable();
    t.string('last_used_ip', 45).nullable();
    t.datetime('revoked_at', { precision: 3 }).nullable();
    t.index(['customer_id', 'id'], 'api_tokens_customer');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_tokens');
}
