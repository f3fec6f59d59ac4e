/**
 * Calendar dates (an expiry day, a billing period, a due date) as opposed to moments: a date is
 * typed and shown as a day, whatever the hour.
 */
import { DateTime } from 'luxon';
import { describeFormat, formatInstant, parseInput } from './date-format.ts';

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

/** A calendar date (`YYYY-MM-DD`) written in a date pattern: the same day in every time zone. */
export function formatCalendarDate(isoDate: string, pattern: string, locale: string): string {
  return formatInstant(new Date(`${isoDate}T12:00:00Z`), pattern, { timeZone: 'UTC', locale });
}

/**
 * The two ends of a period of days. When both fall in the same month and the pattern starts with
 * the day ("DD MON YYYY", "DD/MM/YYYY"), the first end is the day alone: "01 – 31 Oct 2026".
 */
export function formatCalendarPeriod(
  from: string,
  to: string,
  pattern: string,
  locale: string,
): { from: string; to: string } {
  const end = formatCalendarDate(to, pattern, locale);
  const dayToken = /^(DD|D)(?![A-Z])/.exec(describeFormat(pattern))?.[1];
  if (dayToken !== undefined && from.slice(0, 7) === to.slice(0, 7))
    return { from: dayToken === 'DD' ? from.slice(8, 10) : String(Number(from.slice(8, 10))), to: end };
  return { from: formatCalendarDate(from, pattern, locale), to: end };
}
