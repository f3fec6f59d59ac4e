import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { COMMON_DATE_FORMATS, COMMON_TIME_FORMATS, formatInstant, parseInput } from '../../src/regional/date-format.ts';

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Europe/Kyiv',
  'Asia/Kolkata',
  'America/St_Johns',
  // Half-hour daylight saving.
  'Australia/Lord_Howe',
  'Pacific/Chatham',
];
const LOCALES = ['en', 'es', 'fr', 'de', 'pt-BR', 'uk'];

// Every common date format with a full year joined to every common time format with seconds: the
// text then names a second exactly, so reading it back must give the same instant.
const FULL_PATTERNS = COMMON_DATE_FORMATS.filter(({ pattern }) => pattern.includes('YYYY')).flatMap((date) =>
  COMMON_TIME_FORMATS.filter(({ pattern }) => pattern.includes('SS')).map((time) => `${date.pattern} ${time.pattern}`),
);

const zones = fc.constantFrom(...ZONES);
const locales = fc.constantFrom(...LOCALES);
const patterns = fc.constantFrom(...FULL_PATTERNS);

const wholeSecond = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);

const instants = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true })
  .map(wholeSecond);

/** Luxon's wall clock, independent of the module under test. */
const wallClock = (instant: Date, timeZone: string): string =>
  DateTime.fromJSDate(instant, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm:ss');

/**
 * The earlier instant showing the same wall clock when `instant` falls in the second pass of a
 * fall-back hour; null when that wall clock happens only once.
 */
function earlierTwin(instant: Date, timeZone: string): Date | null {
  for (const minutes of [30, 60, 120]) {
    const candidate = new Date(instant.getTime() - minutes * 60_000);
    if (wallClock(candidate, timeZone) === wallClock(instant, timeZone)) return candidate;
  }
  return null;
}

describe('parseInput(formatInstant(x))', () => {
  it('has twelve common patterns with a full year and seconds to check', () => {
    expect(FULL_PATTERNS).toHaveLength(12);
  });

  it('gives back every instant that its zone shows only once', () => {
    fc.assert(
      fc.property(instants, zones, locales, patterns, (instant, timeZone, locale, pattern) => {
        fc.pre(earlierTwin(instant, timeZone) === null);
        const text = formatInstant(instant, pattern, { timeZone, locale });
        expect(parseInput(text, pattern, { timeZone, locale })?.toISOString()).toBe(instant.toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  // The fall-back hours of 2026; random instants above hit them only by luck.
  const FALL_BACKS: readonly (readonly [string, string])[] = [
    ['America/New_York', '2026-11-01T06:00:00Z'],
    ['Europe/Berlin', '2026-10-25T01:00:00Z'],
    ['Europe/Kyiv', '2026-10-25T01:00:00Z'],
    ['America/St_Johns', '2026-11-01T04:30:00Z'],
    ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
    ['Pacific/Chatham', '2026-04-04T14:00:00Z'],
  ];

  it('reads a repeated wall-clock time as its earlier instant and every other time exactly', () => {
    const aroundFallBack = fc
      .tuple(fc.constantFrom(...FALL_BACKS), fc.integer({ min: -3 * 3600, max: 3 * 3600 }))
      .map(([[timeZone, transition], seconds]) => ({
        timeZone,
        instant: new Date(new Date(transition).getTime() + seconds * 1000),
      }));
    let repeated = 0;
    fc.assert(
      fc.property(aroundFallBack, locales, patterns, ({ timeZone, instant }, locale, pattern) => {
        const text = formatInstant(instant, pattern, { timeZone, locale });
        const twin = earlierTwin(instant, timeZone);
        if (twin !== null) repeated += 1;
        expect(parseInput(text, pattern, { timeZone, locale })?.toISOString()).toBe((twin ?? instant).toISOString());
      }),
      { numRuns: 1000 },
    );
    expect(repeated).toBeGreaterThan(0);
  });
});
