/**
 * Calendar dates (an expiry day, a billing period, a due date) as opposed to moments: a date is
 * typed and shown as a day, whatever the hour.
 */
import { DateTime } from 'luxon';
import { parseInput } from './date-format.ts';

/**
 * The last moment (23:59:59.999) of the day that `text`, typed in the date `pattern`, names in
 * `timeZone`: a date that is valid "through the end of that day" where its reader lives. Null when
 * the text names no day.
 */
export function parseEndOfDay(text: string, pattern: string, opts: { timeZone: string; locale?: string }): Date | null {
  const start = parseInput(text.trim(), pattern, opts);
  if (start === null) return null;
  return DateTime.fromJSDate(start, { zone: opts.timeZone }).endOf('day').toJSDate();
}
