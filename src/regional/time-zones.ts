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
