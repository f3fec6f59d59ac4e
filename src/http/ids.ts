import { z } from 'zod';
import { notFoundError } from './errors.ts';

/** Ids in URLs and forms: a positive decimal integer without leading zeros, at most ten digits. */
const ID_PATTERN = /^[1-9]\d{0,9}$/;

/** The id a path or form value names, or null for anything else (`0`, `01`, `1e3`, arrays). */
export function parseId(raw: unknown): number | null {
  return typeof raw === 'string' && ID_PATTERN.test(raw) ? Number(raw) : null;
}

/** The same rule as a schema, for zod-validated input (API paths, form fields). */
export const idString = z.string().regex(ID_PATTERN);

/** The id a path names; anything else answers 404 (never a database error for "abc"). */
export function pathId(raw: unknown): number {
  const id = parseId(raw);
  if (id === null) throw notFoundError();
  return id;
}
