import type { Knex } from 'knex';

/**
 * Password-reset links (stored only as keyed digests, single use, voided by a newer link or a
 * password change), the accounts that asked for an e-mail on a sign-in from a new address, and an
 * index to find individuals by e-mail address ("forgot password" accepts a login or an e-mail).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('password_reset_links', (t) => {
    t.increments('id').primary();
    t.string('digest', 64).notNullable().unique('password_reset_links_digest');
    // `c:<customer id>` or `i:<individual id>`: the account whose password the link sets
    t.string('account_key', 24).notNullable();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.integer('individual_id').unsigned().nullable().references('id').inTable('individuals').onDelete('CASCADE');
    t.string('purpose', 10).notNullable(); // forgot | admin
    // keyed digest of the password hash when the link was made: a changed password voids it
    t.string('password_fingerprint', 64).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.datetime('used_at', { precision: 3 }).nullable();
    t.datetime('voided_at', { precision: 3 }).nullable();
    t.index(['account_key', 'id'], 'password_reset_links_account');
    t.index(['customer_id'], 'password_reset_links_customer');
    t.index(['individual_id'], 'password_reset_links_individual');
  });
  await knex.schema.createTable('sign_in_alerts', (t) => {
    t.string('account_key', 24).primary();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.integer('individual_id').unsigned().nullable().references('id').inTable('individuals').onDelete('CASCADE');
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['customer_id'], 'sign_in_alerts_customer');
    t.index(['individual_id'], 'sign_in_alerts_individual');
  });
  if (knex.client.config.client === 'mysql2') {
    // MySQL's collations compare case-insensitively already
    await knex.schema.alterTable('individuals', (t) => t.index(['email'], 'individuals_email'));
  } else {
    await knex.raw('create index individuals_email on individuals (email collate nocase)');
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('individuals', (t) => t.dropIndex(['email'], 'individuals_email'));
  await knex.schema.dropTable('sign_in_alerts');
  await knex.schema.dropTable('password_reset_links');
}
