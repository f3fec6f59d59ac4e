import type { Knex } from 'knex';

/**
 * The admin customer list filters by a prefix of the name, e-mail or self-care login and sorts by
 * name, login, creation time or balance, paging by keyset both ways. No index of `customers` serves
 * "starts with m, in balance order": the database either sorts every match (a fifth of a million
 * rows for one letter) or walks the balance index testing each row (the whole table for a rare
 * prefix). A one-letter search sorted by balance took 3–5 s at 360,000 customers.
 *
 * `customer_search_keys` holds, per customer, each distinct first one, two and three characters
 * of its lowercase name, e-mail and login, with the values the list sorts by. A prefix of up to
 * three characters is then one equality on `search_key`, and each sort has its
 * (search_key, column, customer_id) index: a page reads 26 index entries whatever the table's size,
 * and the capped count reads at most its cap. The customers repo keeps the rows in step with every
 * write of a customer, in the same transaction; longer prefixes are rarer and still read the
 * prefix indexes of `customers`.
 */
const TABLE = 'customer_search_keys';
const BATCH = 20_000;

/** Each customer's distinct keys with its sort values (the customers repo builds the same). */
const KEYS_OF_RANGE = `
  SELECT DISTINCT customer_id, search_key, name_lower, selfcare_login_lower, created_at, balance FROM (
    SELECT c.id AS customer_id,
           SUBSTR(CASE f.n WHEN 1 THEN c.name_lower WHEN 2 THEN c.email_lower ELSE c.selfcare_login_lower END, 1, l.n)
             AS search_key,
           c.name_lower, c.selfcare_login_lower, c.created_at, c.balance
    FROM customers c
    CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) f
    CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) l
    WHERE c.id > ? AND c.id <= ?
  ) k
  WHERE search_key <> ''`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(TABLE, (t) => {
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
    // the database's collation, as the customers' columns: a key equals a prefix as LIKE finds it
    t.string('search_key', 3).notNullable();
    t.string('name_lower', 160).notNullable();
    t.string('selfcare_login_lower', 64).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.decimal('balance', 14, 2).notNullable();
    t.primary(['customer_id', 'search_key']);
  });
  // Existing customers first, the sort indexes after: one sorted build each instead of millions of
  // random inserts.
  const top = Number(((await knex('customers').max({ top: 'id' }).first()) as { top: unknown } | undefined)?.top ?? 0);
  const columns = 'customer_id, search_key, name_lower, selfcare_login_lower, created_at, balance';
  for (let from = 0; from < top; from += BATCH)
    await knex.raw(`INSERT INTO ${TABLE} (${columns}) ${KEYS_OF_RANGE}`, [from, from + BATCH]);
  await knex.schema.alterTable(TABLE, (t) => {
    t.index(['search_key', 'name_lower', 'customer_id'], 'customer_search_keys_by_name');
    t.index(['search_key', 'selfcare_login_lower', 'customer_id'], 'customer_search_keys_by_login');
    t.index(['search_key', 'created_at', 'customer_id'], 'customer_search_keys_by_created');
    t.index(['search_key', 'balance', 'customer_id'], 'customer_search_keys_by_balance');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(TABLE);
}
