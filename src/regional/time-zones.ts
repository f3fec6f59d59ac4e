/**
 * The time zones a customer or an individual may choose: every IANA zone the runtime's Intl knows
 * (its canonical names, e.g. "Europe/Kiev" on Node 20's ICU) plus "UTC".
 */
import { IANAZone } from 'luxon';

export interface TimeZoneOption {
  readonly id: string;
  /** Offset from UTC at the moment the list was built, in minutes (east positive). */
  readonly offsetMinutes: number;
  /** "(UTC+01:00) Europe/Berlin" */
  readonly label: string;
}

const UTC = 'UTC';
const MINUTE_MS = 60_000;

let zoneIds: ReadonlySet<string> | undefined;

/**
 * Current IANA names that older ICU builds (Node 20) list only under their former names; offered
 * too whenever the runtime can compute them, so "Europe/Kyiv" is as valid as "Europe/Kiev".
 */
const RENAMED_ZONES = [
  'Europe/Kyiv',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Yangon',
  'Asia/Ho_Chi_Minh',
  'America/Nuuk',
  'Atlantic/Faroe',
  'Pacific/Kanton',
  'Pacific/Chuuk',
  'Pacific/Pohnpei',
  'America/Ciudad_Juarez',
];

function knownZoneIds(): ReadonlySet<string> {
  zoneIds ??= new Set([
    ...Intl.supportedValuesOf('timeZone'),
    ...RENAMED_ZONES.filter((id) => IANAZone.isValidZone(id)),
    UTC,
  ]);
  return zoneIds;
}

function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const hours = String(Math.floor(absolute / 60)).padStart(2, '0');
  const minutes = String(absolute % 60).padStart(2, '0');
  return `UTC${sign}${hours}:${minutes}`;
}

// Offsets change only at DST transitions, so a list built within the same minute is still right.
let cache: { minute: number; list: readonly TimeZoneOption[] } | undefined;

/** Every selectable zone with its current offset, sorted by offset and then by name. */
export function listTimeZones(now: Date = new Date()): readonly TimeZoneOption[] {
  const minute = Math.floor(now.getTime() / MINUTE_MS);
  if (cache?.minute === minute) return cache.list;

  const list = [...knownZoneIds()]
    .map((id): TimeZoneOption => {
      const offsetMinutes = Math.round(IANAZone.create(id).offset(now.getTime()));
      return Object.freeze({ id, offsetMinutes, label: `(${formatOffset(offsetMinutes)}) ${id}` });
    })
    .sort((a, b) => a.offsetMinutes - b.offsetMinutes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const frozen = Object.freeze(list);
  cache = { minute, list: frozen };
  return frozen;
}

/**
 * True only for a name in the list: fixed offsets such as "+05:00", aliases the runtime does not
 * list and wrong capitalisation are refused, so a stored value always matches an option.
 */
export function isValidTimeZone(id: unknown): id is string {
  return typeof id === 'string' && knownZoneIds().has(id) && IANAZone.isValidZone(id);
}

/** What a typed time zone names: one zone, or the zones it could mean (none when nothing fits). */
export type TimeZoneLookup = { zone: string } | { zone: null; matches: string[] };

/** How many candidate zones an ambiguous entry lists. */
const MAX_MATCHES = 8;

/** "new york", "New_York" and "NEW-YORK" compare alike. */
function normalizeZoneText(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

/**
 * The zone a person means by what it typed: a zone name in any letter case ("asia/tokyo"), or a
 * city / last part of exactly one zone name ("tokyo", "New York", "sao_paulo"). Anything else
 * names no zone unambiguously: the answer then lists the zones whose names contain the text (or
 * that share the city), so the form can offer them.
 */
export function lookUpTimeZone(text: string): TimeZoneLookup {
  const wanted = normalizeZoneText(text);
  if (wanted === '') return { zone: null, matches: [] };
  const ids = [...knownZoneIds()].sort();
  const exact = ids.find((id) => normalizeZoneText(id) === wanted);
  if (exact !== undefined) return { zone: exact };
  const byCity = ids.filter((id) => normalizeZoneText(id.slice(id.lastIndexOf('/') + 1)) === wanted);
  if (byCity.length === 1 && byCity[0] !== undefined) return { zone: byCity[0] };
  if (byCity.length > 1) return { zone: null, matches: byCity.slice(0, MAX_MATCHES) };
  const containing = ids.filter((id) => normalizeZoneText(id).includes(wanted));
  return { zone: null, matches: containing.slice(0, MAX_MATCHES) };
}
