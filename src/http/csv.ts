import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';

/** One column of a CSV download: its header and how a row fills it. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number;
}

/**
 * A cell a spreadsheet would run as a formula (`=…`, `@…`, `+…`/`-…` that is not a number or a
 * phone number) gets a leading apostrophe, so a downloaded call list cannot carry a formula.
 */
export function safeCell(value: string | number): string | number {
  if (typeof value === 'number') return value;
  if (/^[=@\t\r]/.test(value) || (/^[+-]/.test(value) && !/^[+-][\d\s().-]*$/.test(value))) return `'${value}`;
  return value;
}

/**
 * Streams `rows` as a CSV attachment named `filename`: UTF-8 with a byte order mark (so that
 * spreadsheet programs read the accents right), one header line, rows as they come (the whole
 * list never sits in memory).
 */
export async function sendCsv<T>(
  res: Response,
  filename: string,
  columns: readonly CsvColumn<T>[],
  rows: AsyncIterable<T>,
): Promise<void> {
  res.attachment(filename);
  res.type('text/csv; charset=utf-8');
  async function* records(): AsyncGenerator<(string | number)[]> {
    yield columns.map((column) => column.header);
    for await (const row of rows) yield columns.map((column) => safeCell(column.value(row)));
  }
  await pipeline(Readable.from(records()), stringify({ bom: true, record_delimiter: 'windows' }), res);
}
