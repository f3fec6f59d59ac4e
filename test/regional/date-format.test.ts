import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  COMMON_DATE_FORMATS,
  COMMON_TIME_FORMATS,
  DEFAULT_DATE_FORMAT,
  DEFAULT_TIME_FORMAT,
  MAX_FORMAT_LENGTH,
  describeFormat,
  formatDateTime,
  formatInstant,
  inputExample,
  parseDateTimeInput,
  parseInput,
  validateDateFormat,
  validateFormat,
  validateTimeFormat,
} from '../../src/regional/date-format.ts';

const utc = { timeZone: 'UTC', locale: 'en' };
const iso = (text: string): Date => new Date(text);
const parsedIso = (text: string, pattern: string, opts: { timeZone: string; locale?: string }): string | null =>
  parseInput(text, pattern, opts)?.toISOString() ?? null;

describe('validateFormat', () => {
  it.each([
    'YYYY-MM-DD',
    'MM/DD/YYYY',
    'DD/MM/YYYY',
    'DD.MM.YYYY',
    'DD-MM-YYYY',
    'DD MON YYYY',
    'D MONTH YYYY',
    'DD/MM/YY',
    'HH24:MI:SS',
    'HH:MI',
    'HH12:MI:SS AM',
    'HH12:MI PM',
    'YYYY-MM-DD HH24:MI:SS',
    'YYYYMMDD',
    'HH24MISS',
    'DD, MON YYYY',
  ])('accepts %s', (pattern) => {
    expect(validateFormat(pattern)).toBeNull();
  });

  it('accepts tokens in any letter case', () => {
    expect(validateFormat('dd-Mon-yyyy hh12:mi am')).toBeNull();
  });

  it.each([
    ['', 'empty format'],
    ['   ', 'empty format'],
    ['Q', 'unknown token "Q"'],
    ['DD/MM/YYYY Q', 'unknown token "Q"'],
    ['Date', 'unknown token "ate" in "Date"'],
    ['YYYY-MM-DDTHH24:MI', 'unknown token "THH24" in "DDTHH24"'],
    ['DD/MM/2026', 'unknown token "2026"'],
    ['ß', 'unknown token "ß"'],
    ['HH12:MI', 'HH12 needs AM or PM in the same format'],
    ['HH24:MI AM', 'AM/PM needs HH12 in the same format'],
    ['HH:MI PM', 'AM/PM needs HH12 in the same format'],
    ['DD-MM-YYYY-DD', '"DD" appears more than once'],
    ['DD D MM YYYY', 'the day is given twice ("DD" and "D")'],
    ['MM MON DD YYYY', 'the month is given twice ("MM" and "MON")'],
    ['YYYY YY MM DD', 'the year is given twice ("YYYY" and "YY")'],
    ['HH HH24:MI', 'the hour is given twice ("HH" and "HH24")'],
    ['HH12:MI AM PM', 'the AM/PM marker is given twice ("AM" and "PM")'],
    ['DD-MM', 'a date needs a day, a month and a year (missing: year)'],
    ['YYYY', 'a date needs a day, a month and a year (missing: day and month)'],
    ['MI:SS', 'a time needs an hour (HH24 or HH12)'],
    ['HH24', 'a time needs minutes (MI) after the hour'],
    ['HH24:SS', 'a time needs minutes (MI) after the hour'],
    ['DD/MM/YYYY\nHH24:MI', 'format contains a control character'],
    ['--/--', 'format has no date or time fields'],
  ])('refuses %j because %s', (pattern, reason) => {
    expect(validateFormat(pattern)).toBe(reason);
  });

  it('accepts a format of exactly the maximum length and refuses a longer one', () => {
    const longest = 'YYYY-MM-DD HH24:MI:SS'.padEnd(MAX_FORMAT_LENGTH, ' ');
    expect(MAX_FORMAT_LENGTH).toBe(40);
    expect(validateFormat(longest)).toBeNull();
    expect(validateFormat(`${longest} `)).toBe('format is longer than 40 characters');
  });
});

describe('validateDateFormat and validateTimeFormat', () => {
  it('keeps time fields out of a date format and date fields out of a time format', () => {
    expect(validateDateFormat('DD/MM/YYYY')).toBeNull();
    expect(validateDateFormat('DD/MM/YYYY HH24:MI')).toBe('a date format cannot contain time fields');
    expect(validateDateFormat('HH24:MI')).toBe('a date format needs a day, a month and a year');
    expect(validateTimeFormat('HH12:MI AM')).toBeNull();
    expect(validateTimeFormat('DD/MM/YYYY HH24:MI')).toBe('a time format cannot contain date fields');
    expect(validateTimeFormat('DD/MM/YYYY')).toBe('a time format needs an hour and minutes');
  });

  it('passes on the general reason first', () => {
    expect(validateDateFormat('DD/MM/Q')).toBe('unknown token "Q"');
    expect(validateTimeFormat('HH12:MI')).toBe('HH12 needs AM or PM in the same format');
  });
});

describe('common formats', () => {
  it('offers the ISO, US and European date formats and the 24- and 12-hour time formats', () => {
    expect(COMMON_DATE_FORMATS.map((format) => format.pattern)).toEqual([
      'YYYY-MM-DD',
      'MM/DD/YYYY',
      'DD/MM/YYYY',
      'DD.MM.YYYY',
      'DD-MM-YYYY',
      'DD MON YYYY',
    ]);
    expect(COMMON_TIME_FORMATS.map((format) => format.pattern)).toEqual([
      'HH24:MI:SS',
      'HH24:MI',
      'HH12:MI:SS AM',
      'HH12:MI AM',
    ]);
  });

  it('offers only formats that validate as what they are listed as', () => {
    for (const { pattern, label } of COMMON_DATE_FORMATS) {
      expect(validateDateFormat(pattern), pattern).toBeNull();
      expect(label).toContain(pattern);
    }
    for (const { pattern, label } of COMMON_TIME_FORMATS) {
      expect(validateTimeFormat(pattern), pattern).toBeNull();
      expect(label).toContain(pattern);
    }
  });

  it('uses the ISO date and the 24-hour time with seconds by default', () => {
    expect(DEFAULT_DATE_FORMAT).toBe('YYYY-MM-DD');
    expect(DEFAULT_TIME_FORMAT).toBe('HH24:MI:SS');
  });
});

describe('describeFormat', () => {
  it('writes the tokens in capitals and keeps the separators', () => {
    expect(describeFormat('dd/mm/yyyy hh24:mi')).toBe('DD/MM/YYYY HH24:MI');
    expect(describeFormat('  d mon yyyy ')).toBe('D MON YYYY');
  });

  it('returns an invalid pattern as it was typed', () => {
    expect(describeFormat('dd/q')).toBe('dd/q');
  });
});

describe('formatInstant', () => {
  const morning = iso('2026-09-05T07:08:09Z');

  it.each([
    ['DD.MM.YYYY', '05.09.2026'],
    ['D.MM.YYYY', '5.09.2026'],
    ['DD MON YYYY', '05 Sep 2026'],
    ['DD MONTH YYYY', '05 September 2026'],
    ['DD/MM/YY', '05/09/26'],
    ['HH:MI:SS', '07:08:09'],
    ['HH24:MI:SS', '07:08:09'],
    ['HH12:MI:SS AM', '07:08:09 AM'],
    ['HH12:MI PM', '07:08 AM'],
    ['YYYYMMDDHH24MISS', '20260905070809'],
    ['dd-mon-yyyy hh24:mi', '05-Sep-2026 07:08'],
  ])('renders %s as %s', (pattern, expected) => {
    expect(formatInstant(morning, pattern, utc)).toBe(expected);
  });

  it('pads a two-digit day for DD and leaves it alone for D', () => {
    const ides = iso('2026-03-15T00:00:00Z');
    expect(formatInstant(ides, 'DD.MM.YYYY', utc)).toBe('15.03.2026');
    expect(formatInstant(ides, 'D.MM.YYYY', utc)).toBe('15.03.2026');
  });

  it.each([
    ['2026-09-05T00:15:00Z', '12:15 AM', '00:15'],
    ['2026-09-05T11:59:00Z', '11:59 AM', '11:59'],
    ['2026-09-05T12:15:00Z', '12:15 PM', '12:15'],
    ['2026-09-05T23:15:00Z', '11:15 PM', '23:15'],
  ])('shows %s as %s on a 12-hour clock and %s on a 24-hour clock', (instant, twelve, twentyFour) => {
    expect(formatInstant(iso(instant), 'HH12:MI AM', utc)).toBe(twelve);
    expect(formatInstant(iso(instant), 'HH24:MI', utc)).toBe(twentyFour);
  });

  describe('in three time zones', () => {
    // Late evening in UTC: already the next day in Kolkata, still afternoon in New York (EDT).
    const evening = iso('2026-07-15T20:04:05Z');

    it.each([
      ['UTC', '2026-07-15 20:04:05', '15/07/2026 08:04 PM', '15 Jul 26'],
      ['America/New_York', '2026-07-15 16:04:05', '15/07/2026 04:04 PM', '15 Jul 26'],
      ['Asia/Kolkata', '2026-07-16 01:34:05', '16/07/2026 01:34 AM', '16 Jul 26'],
    ])('renders the same instant in %s', (timeZone, isoLike, european, short) => {
      const opts = { timeZone, locale: 'en' };
      expect(formatInstant(evening, 'YYYY-MM-DD HH24:MI:SS', opts)).toBe(isoLike);
      expect(formatInstant(evening, 'DD/MM/YYYY HH12:MI AM', opts)).toBe(european);
      expect(formatInstant(evening, 'D MON YY', opts)).toBe(short);
    });

    it('shows Kyiv time under its current name', () => {
      expect(formatInstant(evening, 'YYYY-MM-DD HH24:MI', { timeZone: 'Europe/Kyiv', locale: 'en' })).toBe(
        '2026-07-15 23:04',
      );
    });
  });

  describe('around a daylight saving change', () => {
    const pattern = 'YYYY-MM-DD HH24:MI:SS';

    it('jumps from 01:59:59 to 03:00:00 in New York on 8 March 2026', () => {
      const opts = { timeZone: 'America/New_York', locale: 'en' };
      expect(formatInstant(iso('2026-03-08T06:59:59Z'), pattern, opts)).toBe('2026-03-08 01:59:59');
      expect(formatInstant(iso('2026-03-08T07:00:00Z'), pattern, opts)).toBe('2026-03-08 03:00:00');
    });

    it('shows 01:30 twice in New York on 1 November 2026', () => {
      const opts = { timeZone: 'America/New_York', locale: 'en' };
      expect(formatInstant(iso('2026-11-01T05:30:00Z'), pattern, opts)).toBe('2026-11-01 01:30:00');
      expect(formatInstant(iso('2026-11-01T06:30:00Z'), pattern, opts)).toBe('2026-11-01 01:30:00');
      expect(formatInstant(iso('2026-11-01T07:30:00Z'), pattern, opts)).toBe('2026-11-01 02:30:00');
    });

    it('jumps from 01:59:59 to 03:00:00 in Berlin on 29 March 2026', () => {
      const opts = { timeZone: 'Europe/Berlin', locale: 'de' };
      expect(formatInstant(iso('2026-03-29T00:59:59Z'), pattern, opts)).toBe('2026-03-29 01:59:59');
      expect(formatInstant(iso('2026-03-29T01:00:00Z'), pattern, opts)).toBe('2026-03-29 03:00:00');
    });
  });

  describe('month names and the AM/PM marker', () => {
    const september = iso('2026-09-05T15:00:00Z');
    const march = iso('2026-03-05T15:00:00Z');

    it.each([
      ['es', '05 septiembre 2026', '05 sept 2026', '05 marzo 2026'],
      ['fr', '05 septembre 2026', '05 sept. 2026', '05 mars 2026'],
      ['de', '05 September 2026', '05 Sept. 2026', '05 März 2026'],
      ['pt-BR', '05 setembro 2026', '05 set. 2026', '05 março 2026'],
      ['uk', '05 вересня 2026', '05 вер. 2026', '05 березня 2026'],
    ])('names the months in %s', (locale, full, short, fullMarch) => {
      const opts = { timeZone: 'UTC', locale };
      expect(formatInstant(september, 'DD MONTH YYYY', opts)).toBe(full);
      expect(formatInstant(september, 'DD MON YYYY', opts)).toBe(short);
      expect(formatInstant(march, 'DD MONTH YYYY', opts)).toBe(fullMarch);
    });

    it('does not double the abbreviation dot when the pattern already has one', () => {
      expect(formatInstant(september, 'DD MON. YYYY', { timeZone: 'UTC', locale: 'de' })).toBe('05 Sept. 2026');
    });

    it.each([
      ['en', '03:00 PM'],
      ['es', '03:00 p. m.'],
      ['de', '03:00 PM'],
      ['uk', '03:00 пп'],
    ])('writes the marker the way %s does', (locale, expected) => {
      expect(formatInstant(september, 'HH12:MI AM', { timeZone: 'UTC', locale })).toBe(expected);
    });

    it.each(['en', 'fr', 'de', 'es', 'pt-BR', 'uk'])(
      'takes the %s marker from the locale data (CLDR), not from a translation',
      (locale) => {
        const cldr = new Intl.DateTimeFormat(locale, { hour: 'numeric', hour12: true, timeZone: 'UTC' })
          .formatToParts(september)
          .find((part) => part.type === 'dayPeriod')?.value;
        expect(cldr).toBeTruthy();
        // ICU's narrow no-break spaces become plain spaces in our output (see the top of date-format.ts)
        const marker = (cldr ?? '').replace(/[\u00a0\u202f]/g, ' ');
        expect(formatInstant(september, 'HH12:MI PM', { timeZone: 'UTC', locale })).toBe(`03:00 ${marker}`);
      },
    );

    it('writes digits in ASCII whatever the locale', () => {
      expect(formatInstant(september, 'DD.MM.YYYY', { timeZone: 'UTC', locale: 'ar-EG' })).toBe('05.09.2026');
    });
  });

  it('throws on an invalid pattern, an unknown time zone or an invalid date', () => {
    expect(() => formatInstant(new Date(), 'DD/Q', utc)).toThrow(/unknown token "Q"/);
    expect(() => formatInstant(new Date(), 'DD/MM/YYYY', { timeZone: 'Mars/Olympus', locale: 'en' })).toThrow(
      /unknown time zone/,
    );
    expect(() => formatInstant(new Date(Number.NaN), 'DD/MM/YYYY', utc)).toThrow(RangeError);
  });
});

describe('formatDateTime', () => {
  it('joins the date and the time with a space', () => {
    const settings = { dateFormat: 'DD.MM.YYYY', timeFormat: 'HH12:MI AM', timeZone: 'America/New_York', locale: 'es' };
    expect(formatDateTime(iso('2026-09-05T13:04:05Z'), settings)).toBe('05.09.2026 09:04 a. m.');
  });
});

describe('wall clock around daylight-saving changes', () => {
  // Offsets are kept per zone and UTC day; a day with a change must still show every moment right.
  const zones = [
    'America/New_York',
    'Europe/Kyiv',
    'Australia/Lord_Howe',
    'America/St_Johns',
    'Asia/Tokyo',
    'Pacific/Apia',
  ];
  const days = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2011-12-29'];
  it.each(zones)('shows the same local time as the zone database in %s', (timeZone) => {
    for (const day of days) {
      const start = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
      for (let ms = start; ms < start + 3 * 86_400_000; ms += 7 * 60_000 + 13_000) {
        const instant = new Date(ms);
        const expected = DateTime.fromMillis(ms, { zone: timeZone }).toFormat('dd.MM.yyyy HH:mm:ss');
        expect(
          formatInstant(instant, 'DD.MM.YYYY HH24:MI:SS', { timeZone, locale: 'en' }),
          `${instant.toISOString()}`,
        ).toBe(expected);
      }
    }
  });
});

describe('parseInput', () => {
  it.each([
    ['2026-09-05', 'YYYY-MM-DD', '2026-09-05T00:00:00.000Z'],
    ['5.09.2026', 'D.MM.YYYY', '2026-09-05T00:00:00.000Z'],
    ['05 Sep 2026', 'DD MON YYYY', '2026-09-05T00:00:00.000Z'],
    ['05 September 2026', 'DD MONTH YYYY', '2026-09-05T00:00:00.000Z'],
    ['05/09/26', 'DD/MM/YY', '2026-09-05T00:00:00.000Z'],
    ['2026-09-05 07:08:09', 'YYYY-MM-DD HH:MI:SS', '2026-09-05T07:08:09.000Z'],
    ['2026-09-05 19:08', 'YYYY-MM-DD HH24:MI', '2026-09-05T19:08:00.000Z'],
    ['2026-09-05 07:08:09 PM', 'YYYY-MM-DD HH12:MI:SS AM', '2026-09-05T19:08:09.000Z'],
    ['2026-09-05 07:08 am', 'YYYY-MM-DD HH12:MI PM', '2026-09-05T07:08:00.000Z'],
    ['20260905070809', 'YYYYMMDDHH24MISS', '2026-09-05T07:08:09.000Z'],
  ])('reads %j with %s', (text, pattern, expected) => {
    expect(parsedIso(text, pattern, { timeZone: 'UTC' })).toBe(expected);
  });

  it.each([
    ['12:15 AM', '00:15'],
    ['12:15 PM', '12:15'],
    ['11:15 pm', '23:15'],
    ['1:05 P.M.', '13:05'],
  ])('reads %s on a 12-hour clock as %s', (time, expected) => {
    expect(parsedIso(`2026-09-05 ${time}`, 'YYYY-MM-DD HH12:MI AM', { timeZone: 'UTC' })).toBe(
      `2026-09-05T${expected}:00.000Z`,
    );
  });

  it('reads the text as local time in the given zone', () => {
    expect(parsedIso('2026-07-15 16:04:05', 'YYYY-MM-DD HH24:MI:SS', { timeZone: 'America/New_York' })).toBe(
      '2026-07-15T20:04:05.000Z',
    );
    expect(parsedIso('16/07/2026 01:34 AM', 'DD/MM/YYYY HH12:MI AM', { timeZone: 'Asia/Kolkata' })).toBe(
      '2026-07-15T20:04:00.000Z',
    );
  });

  it('takes local midnight for a date-only pattern', () => {
    expect(parsedIso('15/07/2026', 'DD/MM/YYYY', { timeZone: 'Europe/Berlin' })).toBe('2026-07-14T22:00:00.000Z');
  });

  it('ignores whitespace around the text', () => {
    expect(parsedIso('  2026-09-05 \t', 'YYYY-MM-DD', { timeZone: 'UTC' })).toBe('2026-09-05T00:00:00.000Z');
  });

  it('accepts a one-digit day, month and hour where a separator follows', () => {
    expect(parsedIso('1/2/2026', 'DD/MM/YYYY', { timeZone: 'UTC' })).toBe('2026-02-01T00:00:00.000Z');
    expect(parsedIso('1/2/2026 7:05', 'DD/MM/YYYY HH24:MI', { timeZone: 'UTC' })).toBe('2026-02-01T07:05:00.000Z');
  });

  it('keeps the full width of numbers where the pattern has no separator', () => {
    expect(parsedIso('20260305', 'YYYYMMDD', { timeZone: 'UTC' })).toBe('2026-03-05T00:00:00.000Z');
    expect(parsedIso('2026035', 'YYYYMMDD', { timeZone: 'UTC' })).toBeNull();
    expect(parsedIso('2026-03-05', 'YYYYMMDD', { timeZone: 'UTC' })).toBeNull();
  });

  it('accepts any non-alphanumeric separators, not only the ones in the pattern', () => {
    for (const text of ['05/09/2026', '05.09.2026', '05-09-2026', '05 09 2026', '05, 09 / 2026']) {
      expect(parsedIso(text, 'DD/MM/YYYY', { timeZone: 'UTC' }), text).toBe('2026-09-05T00:00:00.000Z');
    }
  });

  it('refuses letters or digits where the pattern has a separator, and missing separators', () => {
    expect(parsedIso('05x09x2026', 'DD/MM/YYYY', { timeZone: 'UTC' })).toBeNull();
    expect(parsedIso('05092026', 'DD/MM/YYYY', { timeZone: 'UTC' })).toBeNull();
  });

  it.each([
    ['30/02/2026', '30 February'],
    ['29/02/2026', '29 February of a common year'],
    ['31/04/2026', '31 April'],
    ['01/13/2026', 'a 13th month'],
    ['00/01/2026', 'day zero'],
    ['32/01/2026', 'day 32'],
    ['01/00/2026', 'month zero'],
    ['01/01/0000', 'year zero'],
    ['01/01/26', 'a two-digit year for YYYY'],
    ['01/01/02026', 'a five-digit year'],
    ['', 'nothing'],
    ['01/01', 'a missing year'],
    ['01/01/2026 extra', 'trailing text'],
    ['O1/01/2026', 'a letter O for a zero'],
  ])('refuses %j (%s)', (text) => {
    expect(parsedIso(text, 'DD/MM/YYYY', { timeZone: 'UTC' })).toBeNull();
  });

  it('refuses text far longer than any date without looking at it', () => {
    expect(parsedIso(`01/01/2026${' '.repeat(100)}`, 'DD/MM/YYYY', { timeZone: 'UTC' })).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(parsedIso(`01/${'/'.repeat(100)}01/2026`, 'DD/MM/YYYY', { timeZone: 'UTC' })).toBeNull();
  });

  it('reads 29 February of a leap year', () => {
    expect(parsedIso('29/02/2028', 'DD/MM/YYYY', { timeZone: 'UTC' })).toBe('2028-02-29T00:00:00.000Z');
  });

  it.each([
    ['2026-01-01 24:00', 'YYYY-MM-DD HH24:MI'],
    ['2026-01-01 10:60', 'YYYY-MM-DD HH24:MI'],
    ['2026-01-01 10:5', 'YYYY-MM-DD HH24:MI'],
    ['2026-01-01 10:05:60', 'YYYY-MM-DD HH24:MI:SS'],
    ['2026-01-01 13:05 PM', 'YYYY-MM-DD HH12:MI AM'],
    ['2026-01-01 00:05 AM', 'YYYY-MM-DD HH12:MI AM'],
    ['2026-01-01 10:05', 'YYYY-MM-DD HH12:MI AM'],
    ['2026-01-01 10:05 XM', 'YYYY-MM-DD HH12:MI AM'],
  ])('refuses the time in %j for %s', (text, pattern) => {
    expect(parsedIso(text, pattern, { timeZone: 'UTC' })).toBeNull();
  });

  it('reads two-digit years 00–59 as 2000–2059 and 60–99 as 1960–1999', () => {
    expect(parsedIso('01/01/59', 'DD/MM/YY', { timeZone: 'UTC' })).toBe('2059-01-01T00:00:00.000Z');
    expect(parsedIso('01/01/60', 'DD/MM/YY', { timeZone: 'UTC' })).toBe('1960-01-01T00:00:00.000Z');
  });

  describe('month names', () => {
    it.each([
      ['5 mars 2026', 'fr', 3],
      ['5 MÄRZ 2026', 'de', 3],
      ['5 märz 2026', 'de', 3],
      ['5 Sept. 2026', 'de', 9],
      ['5 sept 2026', 'es', 9],
      ['5 septiembre 2026', 'es', 9],
      ['5 set. 2026', 'pt-BR', 9],
      ['5 março 2026', 'pt-BR', 3],
      ['5 вересня 2026', 'uk', 9],
      ['5 ВЕРЕСЕНЬ 2026', 'uk', 9],
      ['5 вер 2026', 'uk', 9],
      ['5 September 2026', 'uk', 9],
      ['5 sep 2026', 'fr', 9],
    ])('reads %j in %s as month %i', (text, locale, month) => {
      const parsed = parseInput(text, 'D MONTH YYYY', { timeZone: 'UTC', locale });
      expect(parsed?.getUTCMonth()).toBe(month - 1);
      expect(parsed?.getUTCDate()).toBe(5);
    });

    it('reads English names when no locale is given, and only those', () => {
      expect(parsedIso('5 sept 2026', 'D MON YYYY', { timeZone: 'UTC' })).toBe('2026-09-05T00:00:00.000Z');
      expect(parsedIso('5 septiembre 2026', 'D MON YYYY', { timeZone: 'UTC' })).toBeNull();
    });

    it('refuses a word that is no month', () => {
      expect(parsedIso('5 Smarch 2026', 'D MON YYYY', { timeZone: 'UTC' })).toBeNull();
    });
  });

  it.each([
    ['es', '05/09/2026 03:00 p. m.'],
    ['es', '05/09/2026 03:00 pm'],
    ['uk', '05/09/2026 03:00 пп'],
    ['uk', '05/09/2026 03:00 PM'],
  ])('reads the marker of %s and the Latin one: %j', (locale, text) => {
    expect(parsedIso(text, 'DD/MM/YYYY HH12:MI AM', { timeZone: 'UTC', locale })).toBe('2026-09-05T15:00:00.000Z');
  });

  describe('around a daylight saving change', () => {
    const pattern = 'YYYY-MM-DD HH24:MI';

    it('returns null for a time skipped by the spring-forward jump', () => {
      expect(parsedIso('2026-03-29 02:30', pattern, { timeZone: 'Europe/Berlin' })).toBeNull();
      expect(parsedIso('2026-03-29 02:00', pattern, { timeZone: 'Europe/Berlin' })).toBeNull();
      expect(parsedIso('2026-03-08 02:30', pattern, { timeZone: 'America/New_York' })).toBeNull();
    });

    it('reads the minutes either side of the jump', () => {
      expect(parsedIso('2026-03-29 01:59', pattern, { timeZone: 'Europe/Berlin' })).toBe('2026-03-29T00:59:00.000Z');
      expect(parsedIso('2026-03-29 03:00', pattern, { timeZone: 'Europe/Berlin' })).toBe('2026-03-29T01:00:00.000Z');
      expect(parsedIso('2026-03-08 03:00', pattern, { timeZone: 'America/New_York' })).toBe('2026-03-08T07:00:00.000Z');
    });

    it('picks the earlier instant for a time shown twice when clocks fall back', () => {
      expect(parsedIso('2026-11-01 01:30', pattern, { timeZone: 'America/New_York' })).toBe('2026-11-01T05:30:00.000Z');
      expect(parsedIso('2026-10-25 02:30', pattern, { timeZone: 'Europe/Berlin' })).toBe('2026-10-25T00:30:00.000Z');
    });

    it('reads the hour after the repeated one unambiguously', () => {
      expect(parsedIso('2026-11-01 02:30', pattern, { timeZone: 'America/New_York' })).toBe('2026-11-01T07:30:00.000Z');
    });
  });

  it('throws on an invalid pattern, a pattern without a date or an unknown time zone', () => {
    expect(() => parseInput('2026', 'Q', { timeZone: 'UTC' })).toThrow(RangeError);
    expect(() => parseInput('10:00', 'HH24:MI', { timeZone: 'UTC' })).toThrow(/has no date/);
    expect(() => parseInput('2026-01-01', 'YYYY-MM-DD', { timeZone: '+05:00' })).toThrow(/unknown time zone/);
  });
});

describe('parseDateTimeInput', () => {
  const settings = { dateFormat: 'DD.MM.YYYY', timeFormat: 'HH24:MI:SS', timeZone: 'Europe/Berlin' };

  it('reads a date and a time', () => {
    expect(parseDateTimeInput('05.09.2026 14:30:15', settings)?.toISOString()).toBe('2026-09-05T12:30:15.000Z');
  });

  it('reads a date alone as the start of that day', () => {
    expect(parseDateTimeInput('05.09.2026', settings)?.toISOString()).toBe('2026-09-04T22:00:00.000Z');
  });

  it('lets the seconds be left out', () => {
    expect(parseDateTimeInput('05.09.2026 14:30', settings)?.toISOString()).toBe('2026-09-05T12:30:00.000Z');
    const twelveHour = { ...settings, timeFormat: 'HH12:MI:SS AM', locale: 'en' };
    expect(parseDateTimeInput('05.09.2026 2:30 PM', twelveHour)?.toISOString()).toBe('2026-09-05T12:30:00.000Z');
  });

  it('reads back what formatDateTime wrote', () => {
    const full = { dateFormat: 'DD MON YYYY', timeFormat: 'HH12:MI:SS AM', timeZone: 'Asia/Kolkata', locale: 'uk' };
    const instant = iso('2026-12-31T20:15:45Z');
    const text = formatDateTime(instant, full);
    expect(text).toBe('01 січ. 2027 01:45:45 дп');
    expect(parseDateTimeInput(text, full)?.toISOString()).toBe(instant.toISOString());
  });

  it('returns null for text that is neither a date nor a date and time', () => {
    expect(parseDateTimeInput('05.09.2026 14', settings)).toBeNull();
    expect(parseDateTimeInput('tomorrow', settings)).toBeNull();
    expect(parseDateTimeInput('31.09.2026 10:00:00', settings)).toBeNull();
  });
});

describe('inputExample', () => {
  const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Pacific/Chatham'];
  const LOCALES = ['en', 'es', 'fr', 'de', 'pt-BR', 'uk'];
  // early and late days of every other month, and days of daylight-saving changes
  const NEAR = [
    ...Array.from({ length: 6 }, (_, i) => new Date(Date.UTC(2026, i * 2, i % 2 === 0 ? 2 : 27, 3))),
    iso('2026-03-29T00:30:00Z'),
    iso('2026-10-25T00:30:00Z'),
    iso('2026-04-05T01:00:00Z'),
  ];

  it('shows a day after the 12th at a quarter past two in the afternoon, in the viewer’s own formats', () => {
    const near = iso('2026-09-03T08:00:00Z');
    const us = { dateFormat: 'MM/DD/YYYY', timeFormat: 'HH12:MI AM', timeZone: 'America/New_York', locale: 'en' };
    expect(inputExample(near, us)).toBe('09/13/2026 02:15 PM');
    const de = { dateFormat: 'DD.MM.YYYY', timeFormat: 'HH24:MI:SS', timeZone: 'Europe/Berlin', locale: 'de' };
    expect(inputExample(iso('2026-09-30T08:00:00Z'), de)).toBe('30.09.2026 14:15:00');
    const uk = { dateFormat: 'DD MON YYYY', timeFormat: 'HH12:MI AM', timeZone: 'Europe/Kyiv', locale: 'uk' };
    expect(inputExample(iso('2026-09-30T08:00:00Z'), uk)).toBe('30 вер. 2026 02:15 пп');
    expect(inputExample(near, { dateFormat: 'DD/MM/YYYY', timeZone: 'UTC', locale: 'fr' })).toBe('13/09/2026');
  });

  it('is read back as the moment it shows, for every common format, language and zone', () => {
    const problems: string[] = [];
    for (const { pattern: dateFormat } of COMMON_DATE_FORMATS)
      for (const { pattern: timeFormat } of COMMON_TIME_FORMATS)
        for (const timeZone of ZONES)
          for (const locale of LOCALES)
            for (const near of NEAR) {
              const settings = { dateFormat, timeFormat, timeZone, locale };
              const text = inputExample(near, settings);
              const read = parseDateTimeInput(text, settings);
              const wall = read && DateTime.fromJSDate(read, { zone: timeZone });
              if (!wall || wall.hour !== 14 || wall.minute !== 15 || wall.day < 13)
                problems.push(`${dateFormat} ${timeFormat} ${timeZone} ${locale}: “${text}” → ${read?.toISOString()}`);
              const day = inputExample(near, { dateFormat, timeZone, locale });
              if (parseInput(day, dateFormat, { timeZone, locale }) === null)
                problems.push(`${dateFormat} ${timeZone} ${locale}: “${day}” is not read as a date`);
            }
    expect(problems).toEqual([]);
  });

  it('stays within a fortnight of the moment it is near', () => {
    const iso8601 = { dateFormat: 'YYYY-MM-DD', timeFormat: 'HH24:MI', timeZone: 'UTC', locale: 'en' };
    for (const near of NEAR) {
      const shown = parseDateTimeInput(inputExample(near, iso8601), iso8601);
      expect(Math.abs(shown!.getTime() - near.getTime())).toBeLessThan(14 * 86_400_000);
    }
  });
});
