// Schema pieces every API operation shares: timestamps, pages, ids.
import { z } from 'zod';
import { idString } from './ids.ts';

export const timestamp = z.iso.datetime().describe('ISO 8601, UTC');
export const nullableTimestamp = timestamp.nullable();
/** A day, the same everywhere: billing periods and due dates. */
export const calendarDate = z.iso.date().describe('ISO 8601 calendar date (YYYY-MM-DD), the same in every time zone');

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('Items per page, 1–100'),
  cursor: z.string().max(100).optional().describe('The `next_cursor` of the previous page'),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  });

export const idParams = z.object({ id: idString.describe('Numeric id') });
