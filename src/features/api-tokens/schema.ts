import { DateTime } from 'luxon';
import { z } from 'zod';
import { idString } from '../../http/ids.ts';

/** `YYYY-MM-DD` → the end of that day in UTC; the token works through the whole day. */
export function endOfUtcDay(isoDate: string): Date {
  return DateTime.fromISO(isoDate, { zone: 'utc' }).endOf('day').toJSDate();
}

const expiresOn = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined))
  .refine(
    (value) =>
      value === undefined || (/^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid),
    { error: 'errors.apiTokens.dateFormat' },
  )
  .refine(
    (value) => value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value) || endOfUtcDay(value).getTime() > Date.now(),
    { error: 'errors.apiTokens.datePast' },
  );

/** The "Generate token" form (admin tab and portal page): `name`, optional `expires_on`. */
export const tokenCreateSchema = z.object({
  name: z
    .string({ error: 'errors.required' })
    .trim()
    .min(1, { error: 'errors.required' })
    .max(80, { error: 'errors.tooLong' }),
  expires_on: expiresOn,
});

export const tokenIdSchema = idString;
