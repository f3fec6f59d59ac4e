import type { Knex } from 'knex';
import { toDate } from './knex.ts';

/** Position after the last row of a page, newest-first by (time, id). */
export interface KeysetPosition {
  time: Date;
  id: number;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not valid');
    this.name = 'InvalidCursorError';
  }
}

/** Opaque to clients: base64url of `<epoch ms>.<id>`. */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.time.getTime()}.${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^(\d{1,15})\.([1-9]\d{0,15})$/.exec(text);
  if (!match) throw new InvalidCursorError();
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id)) throw new InvalidCursorError();
  return { time: new Date(Number(match[1])), id };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of `query`, newest first by (timeColumn, idColumn), starting after `after`. Fetches one
 * row more than asked to know whether another page exists. Works the same on SQLite and MySQL.
 */
export async function keysetPage<T>(
  query: Knex.QueryBuilder,
  opts: {
    timeColumn: string;
    idColumn: string;
    after: KeysetPosition | null;
    limit: number;
    map: (row: Record<string, unknown>) => T;
  },
): Promise<Page<T>> {
  const { timeColumn, idColumn, after, limit } = opts;
  if (after) {
    // The first term is the upper end of the index range read (SQLite takes no range from an OR:
    // without it, page n would walk past the n - 1 pages before it); the second drops the rows of
    // the cursor's own time up to its id.
    void query
      .where(timeColumn, '<=', after.time)
      .andWhere((w) => void w.where(timeColumn, '<', after.time).orWhere(idColumn, '<', after.id));
  }
  const rows = (await query
    .orderBy([
      { column: timeColumn, order: 'desc' },
      { column: idColumn, order: 'desc' },
    ])
    .limit(limit + 1)) as Record<string, unknown>[];
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  const timeKey = timeColumn.split('.').pop() ?? timeColumn;
  const idKey = idColumn.split('.').pop() ?? idColumn;
  const lastTime = last ? toDate(last[timeKey]) : null;
  return {
    items: pageRows.map(opts.map),
    nextCursor: more && last && lastTime ? encodeCursor({ time: lastTime, id: Number(last[idKey]) }) : null,
  };
}
