import type { Knex } from 'knex';

/**
 * The e-mail and login searches list matches in name order. With (column, id) indexes MySQL walks
 * the name index and looks up every row to test the e-mail or login — most of the table for a
 * short prefix at a million customers. Covering (column, name_lower, id) indexes let it read just
 * the matching range and sort those few entries instead.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.index(['email_lower', 'name_lower', 'id'], 'customers_email_search_by_name');
    t.index(['selfcare_login_lower', 'name_lower', 'id'], 'customers_login_search_by_name');
  });
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(['email_lower', 'id'], 'customers_email_search');
    t.dropIndex(['selfcare_login_lower', 'id'], 'customers_login_search');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.index(['email_lower', 'id'], 'customers_email_search');
    t.index(['selfcare_login_lower', 'id'], 'customers_login_search');
  });
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(['email_lower', 'name_lower', 'id'], 'customers_email_search_by_name');
    t.dropIndex(['selfcare_login_lower', 'name_lower', 'id'], 'customers_login_search_by_name');
  });
}
