import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoices', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('number', 40).notNullable();
    t.datetime('period_from', { precision: 3 }).notNullable();
    t.datetime('period_to', { precision: 3 }).notNullable();
    t.datetime('issued_at', { precision: 3 }).notNullable();
    t.datetime('due_at', { precision: 3 }).notNullable();
    t.decimal('amount', 14, 2).notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 20).notNullable(); // open | paid | overdue | void
    t.index(['customer_id', 'issued_at', 'id'], 'invoices_customer_time');
  });
  await knex.schema.createTable('xdrs', (t) => {
    t.bigIncrements('id').primary();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.datetime('connect_time', { precision: 3 }).notNullable();
    t.string('cli', 40).notNullable().defaultTo('');
    t.string('cld', 40).notNullable().defaultTo('');
    t.string('description', 120).notNullable().defaultTo('');
    t.integer('duration_seconds').unsigned().notNullable().defaultTo(0);
    t.decimal('charged_amount', 14, 5).notNullable().defaultTo(0);
    t.index(['customer_id', 'connect_time', 'id'], 'xdrs_customer_time');
  });
  await knex.schema.createTable('payments', (t) => {
    t.increments('id').primary();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.datetime('paid_at', { precision: 3 }).notNullable();
    t.decimal('amount', 14, 2).notNullable();
    t.string('currency', 3).notNullable();
    t.string('method', 30).notNullable();
    t.string('reference', 60).notNullable().defaultTo('');
    t.index(['customer_id', 'paid_at', 'id'], 'payments_customer_time');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payments');
  await knex.schema.dropTable('xdrs');
  await knex.schema.dropTable('invoices');
}
