import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    t.datetime('occurred_at', { precision: 3 }).notNullable();
    t.string('actor_type', 20).notNullable(); // admin | customer | individual | api | system | anonymous
    t.integer('actor_id').unsigned().nullable();
    t.string('actor_label', 120).notNullable().defaultTo('');
    t.integer('impersonator_admin_id').unsigned().nullable();
    t.string('ip', 45).notNullable().defaultTo('');
    t.string('action', 60).notNullable();
    t.string('entity_type', 30).notNullable().defaultTo('');
    t.integer('entity_id').unsigned().nullable();
    t.integer('customer_id').unsigned().nullable();
    t.text('changes').nullable(); // JSON: { property: { old, new } }, secrets masked
    t.string('outcome', 20).notNullable().defaultTo('success');
    t.index(['occurred_at', 'id'], 'audit_time');
    t.index(['entity_type', 'entity_id', 'id'], 'audit_entity');
    t.index(['customer_id', 'id'], 'audit_customer');
    t.index(['actor_type', 'actor_id', 'id'], 'audit_actor');
    t.index(['ip', 'id'], 'audit_ip');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
