import type { Knex } from 'knex';

/**
 * The customer list sorts by name, self-care login, creation time or balance, and pages by keyset
 * on (sort column, id) both ways. Each sort needs its (column, id) index so that a page — and the
 * capped count of the rows before it — reads one index range instead of sorting a million rows.
 * Name already has one (customers_name_search); the login's went with the search-index migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.index(['selfcare_login_lower', 'id'], 'customers_login_sort');
    t.index(['created_at', 'id'], 'customers_created_sort');
    t.index(['balance', 'id'], 'customers_balance_sort');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.dropIndex(['selfcare_login_lower', 'id'], 'customers_login_sort');
    t.dropIndex(['created_at', 'id'], 'customers_created_sort');
    t.dropIndex(['balance', 'id'], 'customers_balance_sort');
  });
}
