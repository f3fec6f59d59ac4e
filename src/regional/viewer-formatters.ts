import { formatCalendarDate, formatCalendarPeriod } from './calendar-dates.ts';
import { formatDateTime, formatInstant, inputExample } from './date-format.ts';
import { formatMoney } from './money.ts';
import type { RegionalSettings } from './settings.ts';

/** The template helpers (`fmt.*`) that make every page follow the viewer's regional settings. */
export interface ViewerFormatters {
  /** a moment in the viewer's time zone and output date + time formats */
  dateTime(instant: Date): string;
  /** the date part only, in the viewer's output date format */
  date(instant: Date): string;
  /** a calendar day (`YYYY-MM-DD`: a due date) in the output date format, whatever the zone */
  day(isoDate: string): string;
  /** first and last day of a period, as short as the output date format allows ("01 – 31 Oct 2026") */
  period(from: string, to: string): { from: string; to: string };
  /** an amount in the customer's currency, written the way the viewer's language writes it */
  money(amount: number, currency?: string): string;
  /** a count in the viewer's language */
  number(value: number): string;
  /** seconds as h:mm:ss */
  duration(seconds: number): string;
  /** what to show as "For example …" next to a date input: a date and time near `near`, as the viewer types them */
  inputExample(near: Date): string;
}

const cachedFormatters = new Map<string, ViewerFormatters>();
const MAX_CACHED_FORMATTERS = 1000;

/**
 * The helpers for these settings and currency. They are pure and building them costs more than
 * a small page (Intl formats), so they are kept per distinct settings (bounded; emptied when full).
 */
export function viewerFormatters(regional: RegionalSettings, currency: string): ViewerFormatters {
  const key = [
    regional.timeZone,
    regional.language,
    regional.outDateFormat,
    regional.outTimeFormat,
    regional.inDateFormat,
    regional.inTimeFormat,
    currency,
  ].join('\u0000');
  let formatters = cachedFormatters.get(key);
  if (!formatters) {
    if (cachedFormatters.size >= MAX_CACHED_FORMATTERS) cachedFormatters.clear();
    formatters = buildFormatters(regional, currency);
    cachedFormatters.set(key, formatters);
  }
  return formatters;
}

function buildFormatters(regional: RegionalSettings, currency: string): ViewerFormatters {
  const zone = { timeZone: regional.timeZone, locale: regional.language };
  const numbers = new Intl.NumberFormat(regional.language);
  return {
    dateTime: (instant) =>
      formatDateTime(instant, { dateFormat: regional.outDateFormat, timeFormat: regional.outTimeFormat, ...zone }),
    date: (instant) => formatInstant(instant, regional.outDateFormat, zone),
    day: (isoDate) => formatCalendarDate(isoDate, regional.outDateFormat, regional.language),
    period: (from, to) => formatCalendarPeriod(from, to, regional.outDateFormat, regional.language),
    money: (amount, code = currency) => formatMoney(amount, code, regional.language),
    number: (value) => numbers.format(value),
    duration: (seconds) => {
      const s = Math.max(0, Math.round(seconds));
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    },
    inputExample: (near) =>
      inputExample(near, { dateFormat: regional.inDateFormat, timeFormat: regional.inTimeFormat, ...zone }),
  };
}
