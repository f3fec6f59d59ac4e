import type { Knex } from 'knex';
import { isMysql } from './knex.ts';

type Row = Record<string, unknown>;

/**
 * A statement that every request runs, its SQL built by knex once per shape instead of on every
 * call (knex's query building was the largest part of the database client's CPU on the hottest
 * pages). `build(param)` makes the query with `param(i)` wherever the i-th value goes; the values
 * change from call to call, the shape (`shape`, e.g. which parts a role shows) does not; the
 * callers' shapes are few and fixed, so the statements kept stay few.
 *
 *   const byId = prepared(db, (param) => db('customers').where('id', param(0)).first());
 *   const rows = await byId.rows([42]);
 */
export interface Prepared {
  /** The rows of the statement of `shape` run with `values`. */
  rows(values: unknown[], shape?: string): Promise<Row[]>;
}

export function prepared(
  db: Knex,
  build: (param: (index: number) => string, shape: string) => Knex.QueryBuilder,
): Prepared {
  const compiled = new Map<
    string,
    { sql: string; bindings: unknown[]; slots: Array<[binding: number, value: number]> }
  >();
  const compile = (shape: string) => {
    let entry = compiled.get(shape);
    if (entry) return entry;
    // a marker no real value has stands for each value while knex builds the statement
    const MARK = '\u0000param:';
    const asked = new Set<number>();
    const marker = (index: number) => {
      asked.add(index);
      return `${MARK}${index}`;
    };
    const native = build(marker, shape).toSQL().toNative();
    const slots: Array<[number, number]> = [];
    native.bindings.forEach((value, at) => {
      if (typeof value === 'string' && value.startsWith(MARK)) slots.push([at, Number(value.slice(MARK.length))]);
    });
    // a value must be a binding of its own: a marker inside the SQL text (an identifier, a raw
    // fragment, a limit) would be sent as it is, not as the value
    const bound = new Set(slots.map(([, index]) => index));
    if (native.sql.includes(MARK) || [...asked].some((index) => !bound.has(index)))
      throw new Error(`prepared statement (shape "${shape}"): a value is not a binding of its own`);
    entry = { sql: native.sql, bindings: [...native.bindings], slots };
    compiled.set(shape, entry);
    return entry;
  };
  return {
    async rows(values: unknown[], shape = ''): Promise<Row[]> {
      const { sql, bindings, slots } = compile(shape);
      const bound = [...bindings];
      for (const [at, index] of slots) bound[at] = values[index];
      const result = (await db.raw(sql, bound as Knex.RawBinding[])) as unknown;
      // mysql2 answers [rows, fields]; SQLite the rows
      return (isMysql(db) ? (result as [Row[]])[0] : result) as Row[];
    },
  };
}
