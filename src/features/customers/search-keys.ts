/**
 * The customers repo's search keys (`customer_search_keys`, see the migration that creates it):
 * per customer, each distinct first one, two and three characters of its lowercase name, e-mail and
 * login, with the values the list sorts by beside it. A prefix of up to three characters is then
 * one equality on `search_key`, and each sort order has its (search_key, column, customer_id)
 * index: a page reads one short index range, however common the prefix.
 *
 * The keys are derived from the customers table by the database itself (SUBSTR counts characters
 * and DISTINCT compares with the columns' own collation, as the search does), and kept in step by
 * the repo in the transaction of every write of a customer. A bulk load rebuilds them whole.
 */
import type { Knex } from 'knex';
import { isMysql } from '../../db/knex.ts';
import { CUSTOMER_SORTS, type CustomerSort } from './schema.ts';

const TABLE = 'customer_search_keys';
const REBUILT = 'customer_search_keys_rebuilt';
const LENGTH = 3;
const COLUMNS = 'customer_id, search_key, name_lower, selfcare_login_lower, created_at, balance';
/** Customers per statement of a rebuild. */
const REBUILD_RANGE = 50_000;

/** The column of each sort order, the same in `customers` and in the search keys. */
export const SORT_COLUMNS: Readonly<Record<CustomerSort, string>> = {
  name: 'name_lower',
  login: 'selfcare_login_lower',
  created: 'created_at',
  balance: 'balance',
};

/** The search keys' index for each sort order. */
export const SEARCH_KEY_INDEX: Readonly<Record<CustomerSort, string>> = {
  name: 'customer_search_keys_by_name',
  login: 'customer_search_keys_by_login',
  created: 'customer_search_keys_by_created',
  balance: 'customer_search_keys_by_balance',
};

/** A prefix the search keys answer alone (counted in characters, as the database counts them). */
export function isKeyPrefix(prefix: string): boolean {
  return prefix !== '' && [...prefix].length <= LENGTH;
}

/** The search keys of the customers `condition` (on `c`, the customers table) picks, without duplicates. */
function keysOf(condition: string): string {
  const lengths = Array.from({ length: LENGTH }, (_, i) => `SELECT ${i + 1} AS n`).join(' UNION ALL ');
  const searched = 'CASE f.n WHEN 1 THEN c.name_lower WHEN 2 THEN c.email_lower ELSE c.selfcare_login_lower END';
  return `SELECT DISTINCT ${COLUMNS} FROM (
      SELECT c.id AS customer_id, SUBSTR(${searched}, 1, l.n) AS search_key,
             c.name_lower, c.selfcare_login_lower, c.created_at, c.balance
      FROM customers c
      CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) f
      CROSS JOIN (${lengths}) l
      WHERE ${condition}
    ) k WHERE search_key <> ''`;
}

type KeyRow = Record<string, unknown> & { search_key: string };

/** Rows of a raw SELECT, as either client answers it. */
function rowsOf(db: Knex, result: unknown): KeyRow[] {
  return (isMysql(db) ? (result as [KeyRow[]])[0] : result) as KeyRow[];
}

/** The same sort value as the database gives it back (a Date on MySQL, epoch milliseconds on SQLite). */
function sameValue(a: unknown, b: unknown): boolean {
  const plain = (v: unknown) => (v instanceof Date ? v.getTime() : v === null || v === undefined ? null : String(v));
  return plain(a) === plain(b);
}

const SORT_VALUES = ['name_lower', 'selfcare_login_lower', 'created_at', 'balance'] as const;

/**
 * Brings one customer's keys in step with its row, in the transaction that wrote it: keys it no
 * longer has removed, new ones added, sort values updated in place (an unchanged customer changes
 * nothing). Every statement names whole primary keys, and the reads take no locks: a range
 * statement would lock the gap after the customer's keys, and two admins creating customers at the
 * same moment would each wait for the other's gap (MySQL's deadlock). The writers of one customer
 * are kept apart by its row, which the transaction has written first.
 */
export async function syncSearchKeys(trx: Knex.Transaction, id: number): Promise<void> {
  const wanted = rowsOf(trx, await trx.raw(keysOf('c.id = ?'), [id]));
  const existing = (await trx(TABLE)
    .select('search_key', ...SORT_VALUES)
    .where({ customer_id: id })) as KeyRow[];
  const wantedKeys = new Set(wanted.map((k) => k.search_key));
  const existingKeys = new Set(existing.map((k) => k.search_key));
  const stale = existing.filter((k) => !wantedKeys.has(k.search_key));
  // one at a time: each DELETE names a whole primary key
  for (const k of stale) await trx(TABLE).where({ customer_id: id, search_key: k.search_key }).del();
  const values = wanted[0];
  const kept = existing.filter((k) => wantedKeys.has(k.search_key));
  if (values && kept.some((k) => SORT_VALUES.some((column) => !sameValue(k[column], values[column]))))
    await trx(TABLE)
      .where({ customer_id: id })
      .whereIn(
        'search_key',
        kept.map((k) => k.search_key),
      )
      .update(Object.fromEntries(SORT_VALUES.map((column) => [column, values[column]])));
  const missing = wanted.filter((k) => !existingKeys.has(k.search_key));
  if (missing.length > 0) await trx(TABLE).insert(missing);
}

/**
 * Adds the keys of the customers above `afterId` that have none yet (customers just loaded by a
 * seed; its locking reads would make app writes of the same moment wait).
 */
export async function addSearchKeys(trx: Knex.Transaction, afterId: number): Promise<void> {
  await trx.raw(
    `INSERT INTO ${TABLE} (${COLUMNS})
     SELECT ${COLUMNS} FROM (${keysOf('c.id > ?')}) wanted
     WHERE NOT EXISTS (SELECT 1 FROM ${TABLE} k WHERE k.customer_id = wanted.customer_id)`,
    [afterId],
  );
}

/** Whether some customer has no search key (a bulk load stopped before its rebuild). */
export async function searchKeysMissing(db: Knex): Promise<boolean> {
  const row = (await db('customers as c')
    .whereNotExists(db(`${TABLE} as k`).select(db.raw('1')).whereRaw('k.customer_id = c.id'))
    .first('c.id')) as { id: unknown } | undefined;
  return row !== undefined;
}

/** The table as the migration made it, under `name`, without the sort indexes. */
async function createKeyTable(db: Knex, name: string, foreignKey: string): Promise<void> {
  await db.schema.createTable(name, (t) => {
    t.integer('customer_id').unsigned().notNullable();
    t.foreign('customer_id', foreignKey).references('id').inTable('customers').onDelete('CASCADE');
    t.string('search_key', LENGTH).notNullable();
    t.string('name_lower', 160).notNullable();
    t.string('selfcare_login_lower', 64).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.decimal('balance', 14, 2).notNullable();
    t.primary(['customer_id', 'search_key']);
  });
}

async function createSortIndexes(db: Knex, table: string): Promise<void> {
  for (const sort of CUSTOMER_SORTS)
    await db.schema.alterTable(table, (t) =>
      t.index(['search_key', SORT_COLUMNS[sort], 'customer_id'], SEARCH_KEY_INDEX[sort]),
    );
}

/**
 * Every customer's keys written anew into a fresh table, then swapped in: the rows in customer
 * order and each sort index built once from them, instead of millions of inserts at random places
 * of four indexes (a million customers: minutes instead of hours). For bulk loads: writes of
 * customers made meanwhile are not carried over.
 */
export async function rebuildSearchKeys(db: Knex, onProgress?: (done: number, total: number) => void): Promise<void> {
  // MySQL names foreign keys per database: the new table takes the name the live one does not use.
  const foreignKeys = [`${TABLE}_customer_id_foreign`, `${TABLE}_customer_id_fk`];
  let foreignKey = foreignKeys[0]!;
  if (isMysql(db)) {
    const [live] = (await db.raw(
      `SELECT constraint_name AS name FROM information_schema.table_constraints
       WHERE table_schema = DATABASE() AND table_name = ? AND constraint_type = 'FOREIGN KEY'`,
      [TABLE],
    )) as [{ name: string }[]];
    foreignKey = foreignKeys.find((name) => !live.some((l) => l.name === name)) ?? foreignKey;
  }
  // what a rebuild stopped half-way may have left
  await db.schema.dropTableIfExists(REBUILT);
  await db.schema.dropTableIfExists(`${TABLE}_old`);
  await createKeyTable(db, REBUILT, foreignKey);
  const top = Number(((await db('customers').max({ top: 'id' }).first()) as { top: unknown } | undefined)?.top ?? 0);
  for (let from = 0; from < top; from += REBUILD_RANGE) {
    await db.raw(`INSERT INTO ${REBUILT} (${COLUMNS}) ${keysOf('c.id > ? AND c.id <= ?')}`, [
      from,
      from + REBUILD_RANGE,
    ]);
    onProgress?.(Math.min(from + REBUILD_RANGE, top), top);
  }
  if (isMysql(db)) {
    // index names are per table in MySQL: built under their final names, then one atomic rename
    await createSortIndexes(db, REBUILT);
    await db.raw(`RENAME TABLE ${TABLE} TO ${TABLE}_old, ${REBUILT} TO ${TABLE}`);
    await db.schema.dropTable(`${TABLE}_old`);
  } else {
    // SQLite names indexes per database, and its schema changes are transactional
    await db.transaction(async (trx) => {
      await trx.schema.dropTable(TABLE);
      await trx.schema.renameTable(REBUILT, TABLE);
      await createSortIndexes(trx, TABLE);
    });
  }
}
