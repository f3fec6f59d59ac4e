import type { Knex } from 'knex';
import { DateTime } from 'luxon';

/**
 * A billing period and a due date are calendar days, not moments: "1–31 October" is the same
 * whatever the reader's time zone. The three columns become DATE; each stored moment becomes the
 * day it fell on in its customer's time zone (invoices were written at local midnight, the end of
 * the local month and 06:00 local), so nothing shifts by a day.
 */
const COLUMNS = ['period_from', 'period_to', 'due_at'] as const;
const BATCH = 500;

function toMoment(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && value !== '') {
    const parsed = new Date(
      /^\d+$/.test(value) ? Number(value) : value.includes('T') ? value : `${value.replace(' ', 'T')}Z`,
    );
    return Number.isNaN(parsed.getTime()) ? null : parsed;
  }
  return null;
}

function localDay(value: unknown, zone: string): string | null {
  const moment = toMoment(value);
  if (moment === null) return null;
  const local = DateTime.fromJSDate(moment, { zone });
  return (local.isValid ? local : DateTime.fromJSDate(moment, { zone: 'utc' })).toISODate();
}

async function isDateColumn(knex: Knex, column: string): Promise<boolean> {
  const info = (await knex('invoices').columnInfo(column)) as unknown as { type?: string };
  return String(info.type ?? '').toLowerCase() === 'date';
}

export async function up(knex: Knex): Promise<void> {
  if (await isDateColumn(knex, 'period_from')) return;
  // The days, worked out before the columns change type (MySQL would cut a datetime at UTC).
  const days = new Map<number, Record<(typeof COLUMNS)[number], string | null>>();
  let lastId = 0;
  for (;;) {
    const rows = (await knex('invoices')
      .join('customers', 'customers.id', 'invoices.customer_id')
      .where('invoices.id', '>', lastId)
      .orderBy('invoices.id')
      .limit(BATCH)
      .select(
        'invoices.id',
        'invoices.period_from',
        'invoices.period_to',
        'invoices.due_at',
        'customers.time_zone',
      )) as Array<Record<string, unknown>>;
    if (rows.length === 0) break;
    for (const row of rows) {
      const zone = String(row.time_zone ?? 'UTC');
      days.set(Number(row.id), {
        period_from: localDay(row.period_from, zone),
        period_to: localDay(row.period_to, zone),
        due_at: localDay(row.due_at, zone),
      });
      lastId = Number(row.id);
    }
  }
  await knex.schema.alterTable('invoices', (t) => {
    for (const column of COLUMNS) t.date(column).nullable().alter();
  });
  for (const [id, values] of days) await knex('invoices').where({ id }).update(values);
  await knex.schema.alterTable('invoices', (t) => {
    for (const column of COLUMNS) t.date(column).notNullable().alter();
  });
}

/** Back to moments: the start of each day in UTC (the local hour is not known any more). */
export async function down(knex: Knex): Promise<void> {
  const rows = (await knex('invoices').select('id', ...COLUMNS)) as Array<Record<string, unknown>>;
  await knex.schema.alterTable('invoices', (t) => {
    for (const column of COLUMNS) t.datetime(column, { precision: 3 }).nullable().alter();
  });
  for (const row of rows) {
    const values: Record<string, Date | null> = {};
    for (const column of COLUMNS) {
      const value = row[column];
      const day =
        value instanceof Date
          ? value.toISOString().slice(0, 10)
          : typeof value === 'string'
            ? value.slice(0, 10)
            : null;
      values[column] = day ? new Date(`${day}T00:00:00Z`) : null;
    }
    await knex('invoices').where({ id: row.id }).update(values);
  }
  await knex.schema.alterTable('invoices', (t) => {
    for (const column of COLUMNS) t.datetime(column, { precision: 3 }).notNullable().alter();
  });
}
