import type { Knex } from 'knex';

/** Audit events become a hash chain: each row's digest covers its content and the previous digest. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_events', (t) => {
    t.string('prev_digest', 64).nullable();
    t.string('digest', 64).nullable();
  });
  // One row: the newest chained event, locked while an event is appended so the chain never forks.
  await knex.schema.createTable('audit_chain_head', (t) => {
    t.integer('id').primary();
    t.bigInteger('last_id').notNullable();
    t.string('last_digest', 64).notNullable();
  });
  await knex('audit_chain_head').insert({ id: 1, last_id: 0, last_digest: '0'.repeat(64) });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_chain_head');
  await knex.schema.alterTable('audit_events', (t) => {
    t.dropColumn('digest');
    t.dropColumn('prev_digest');
  });
}
