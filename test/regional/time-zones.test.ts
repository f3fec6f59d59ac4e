import { describe, expect, it } from 'vitest';
import { isValidTimeZone, listTimeZones, lookUpTimeZone } from '../../src/regional/time-zones.ts';

const winter = new Date('2026-01-15T12:00:00Z');
const summer = new Date('2026-07-15T12:00:00Z');

const find = (id: string, now: Date) => listTimeZones(now).find((zone) => zone.id === id);

describe('listTimeZones', () => {
  it('lists every zone Intl knows plus UTC, each once', () => {
    const ids = listTimeZones(winter).map((zone) => zone.id);
    const intl = Intl.supportedValuesOf('timeZone');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('UTC');
    expect(ids).toEqual(expect.arrayContaining(intl));
  });

  it('offers the current names of renamed zones even where the runtime lists the former ones', () => {
    const ids = listTimeZones(winter).map((zone) => zone.id);
    expect(ids).toContain('Europe/Kyiv');
    expect(ids).toContain('Asia/Kolkata');
    expect(isValidTimeZone('Europe/Kyiv')).toBe(true);
    expect(find('Europe/Kyiv', winter)?.offsetMinutes).toBe(120);
  });

  it('labels each zone with its offset at the given moment', () => {
    expect(find('UTC', winter)?.label).toBe('(UTC+00:00) UTC');
    expect(find('Europe/Berlin', winter)).toEqual({
      id: 'Europe/Berlin',
      offsetMinutes: 60,
      label: '(UTC+01:00) Europe/Berlin',
    });
    expect(find('Europe/Berlin', summer)?.label).toBe('(UTC+02:00) Europe/Berlin');
    expect(find('America/New_York', winter)?.label).toBe('(UTC-05:00) America/New_York');
    expect(find('America/New_York', summer)?.offsetMinutes).toBe(-240);
    expect(find('America/St_Johns', winter)?.label).toBe('(UTC-03:30) America/St_Johns');
    expect(find('Asia/Tokyo', summer)?.label).toBe('(UTC+09:00) Asia/Tokyo');
    expect(find('Pacific/Chatham', winter)?.label).toBe('(UTC+13:45) Pacific/Chatham');
  });

  it('sorts by offset, then by name', () => {
    const list = listTimeZones(summer);
    for (const [index, zone] of list.entries()) {
      const next = list[index + 1];
      if (next === undefined) break;
      const inOrder =
        zone.offsetMinutes < next.offsetMinutes || (zone.offsetMinutes === next.offsetMinutes && zone.id < next.id);
      expect(inOrder, `${zone.label} before ${next.label}`).toBe(true);
    }
    expect(list[0]?.offsetMinutes).toBeLessThan(0);
    expect(list.at(-1)?.offsetMinutes).toBeGreaterThan(0);
  });

  it('reuses the list within a minute and rebuilds it for another minute', () => {
    const first = listTimeZones(new Date('2026-01-15T12:00:05Z'));
    expect(listTimeZones(new Date('2026-01-15T12:00:55Z'))).toBe(first);
    const later = listTimeZones(new Date('2026-07-15T12:00:05Z'));
    expect(later).not.toBe(first);
    expect(later.find((zone) => zone.id === 'Europe/Berlin')?.offsetMinutes).toBe(120);
  });

  it('hands out a list nobody can change', () => {
    const list = listTimeZones(winter) as TimeZoneListForMutation;
    expect(() => list.push({ id: 'Mars/Olympus', offsetMinutes: 0, label: 'x' })).toThrow(TypeError);
    expect(() => {
      const first = list[0];
      if (first !== undefined) first.label = 'changed';
    }).toThrow(TypeError);
  });
});

type TimeZoneListForMutation = { id: string; offsetMinutes: number; label: string }[];

describe('isValidTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'])('accepts %s', (id) => {
    expect(isValidTimeZone(id)).toBe(true);
  });

  it('accepts every zone in the list', () => {
    expect(listTimeZones(winter).every((zone) => isValidTimeZone(zone.id))).toBe(true);
  });

  it.each(['+05:00', 'UTC+5', 'GMT+2', 'europe/berlin', 'Europe/Berlin ', 'Mars/Olympus', '', 'garbage'])(
    'refuses %j',
    (id) => {
      expect(isValidTimeZone(id)).toBe(false);
    },
  );

  it('refuses values that are not strings', () => {
    expect(isValidTimeZone(undefined)).toBe(false);
    expect(isValidTimeZone(60)).toBe(false);
  });
});

describe('lookUpTimeZone', () => {
  it('takes a city typed in any case as the one zone it names', () => {
    expect(lookUpTimeZone('tokyo')).toEqual({ zone: 'Asia/Tokyo' });
    expect(lookUpTimeZone('  TOKYO ')).toEqual({ zone: 'Asia/Tokyo' });
    expect(lookUpTimeZone('new york')).toEqual({ zone: 'America/New_York' });
    expect(lookUpTimeZone('Sao_Paulo')).toEqual({ zone: 'America/Sao_Paulo' });
    expect(lookUpTimeZone('kyiv')).toEqual({ zone: 'Europe/Kyiv' });
  });

  it('takes a whole zone name in any case and writes it the way the list does', () => {
    expect(lookUpTimeZone('asia/tokyo')).toEqual({ zone: 'Asia/Tokyo' });
    expect(lookUpTimeZone('Europe/Berlin')).toEqual({ zone: 'Europe/Berlin' });
    expect(lookUpTimeZone('utc')).toEqual({ zone: 'UTC' });
    expect(lookUpTimeZone('america/argentina/ushuaia')).toEqual({ zone: 'America/Argentina/Ushuaia' });
  });

  it('lists the zones a partial or ambiguous entry could mean, and names none', () => {
    const result = lookUpTimeZone('new');
    expect(result.zone).toBeNull();
    const matches = 'matches' in result ? result.matches : [];
    expect(matches).toContain('America/New_York');
    expect(matches.every((id) => id.toLowerCase().includes('new'))).toBe(true);
    expect(matches.length).toBeLessThanOrEqual(8);
  });

  it('finds nothing for text that is in no zone name', () => {
    expect(lookUpTimeZone('Atlantis')).toEqual({ zone: null, matches: [] });
    expect(lookUpTimeZone('')).toEqual({ zone: null, matches: [] });
    expect(lookUpTimeZone('+05:00')).toEqual({ zone: null, matches: [] });
  });

  it('answers only names that isValidTimeZone accepts', () => {
    for (const text of ['tokyo', 'berlin', 'LONDON', 'america/chicago', 'kolkata'])
      expect(isValidTimeZone(lookUpTimeZone(text).zone)).toBe(true);
  });
});
