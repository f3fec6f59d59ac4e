import { describe, expect, it } from 'vitest';
import { formatCalendarDate, formatCalendarPeriod, parseEndOfDay } from '../../src/regional/calendar-dates.ts';

describe('parseEndOfDay', () => {
  it('gives the last moment of the typed day in the given zone', () => {
    expect(parseEndOfDay('30/06/2027', 'DD/MM/YYYY', { timeZone: 'Asia/Tokyo' })?.toISOString()).toBe(
      '2027-06-30T14:59:59.999Z',
    );
    expect(parseEndOfDay(' 2027-06-30 ', 'YYYY-MM-DD', { timeZone: 'America/New_York' })?.toISOString()).toBe(
      '2027-07-01T03:59:59.999Z',
    );
    expect(parseEndOfDay('30 juin 2027', 'DD MON YYYY', { timeZone: 'UTC', locale: 'fr' })?.toISOString()).toBe(
      '2027-06-30T23:59:59.999Z',
    );
  });

  it('names no day for text in another format or an impossible date', () => {
    expect(parseEndOfDay('2027-06-30', 'DD/MM/YYYY', { timeZone: 'UTC' })).toBeNull();
    expect(parseEndOfDay('31/02/2027', 'DD/MM/YYYY', { timeZone: 'UTC' })).toBeNull();
    expect(parseEndOfDay('', 'DD/MM/YYYY', { timeZone: 'UTC' })).toBeNull();
  });
});

describe('formatCalendarDate', () => {
  it('writes the same day in every zone', () => {
    expect(formatCalendarDate('2026-10-31', 'DD MON YYYY', 'en')).toBe('31 Oct 2026');
    expect(formatCalendarDate('2026-10-01', 'MM/DD/YYYY', 'en')).toBe('10/01/2026');
  });
});

describe('formatCalendarPeriod', () => {
  it('shortens a period within one month when the pattern starts with the day', () => {
    expect(formatCalendarPeriod('2026-10-01', '2026-10-31', 'DD MON YYYY', 'fr')).toEqual({
      from: '01',
      to: '31 oct. 2026',
    });
    expect(formatCalendarPeriod('2026-10-01', '2026-10-31', 'D.MM.YYYY', 'de')).toEqual({
      from: '1',
      to: '31.10.2026',
    });
  });

  it('writes both ends in full across months or when the day is not first', () => {
    expect(formatCalendarPeriod('2026-09-15', '2026-10-14', 'DD/MM/YYYY', 'en')).toEqual({
      from: '15/09/2026',
      to: '14/10/2026',
    });
    expect(formatCalendarPeriod('2026-10-01', '2026-10-31', 'YYYY-MM-DD', 'en')).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
    });
  });
});
