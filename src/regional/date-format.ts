/**
 * Date/time format grammar of the reference billing product (PortaBilling), rendered and parsed
 * with Luxon.
 *
 * Tokens (case-insensitive): DD D MM MON MONTH YYYY YY HH HH24 HH12 MI SS AM PM. Anything that is
 * not a letter or a digit is a literal separator. The tokenizer is greedy, longest token first, so
 * `MONTH` wins over `MON`, `HH24` over `HH`, `YYYY` over `YY` and `DD` over `D`.
 *
 * Decisions worth knowing:
 * - A format is a complete date (day, month and year), a time (hours and minutes, seconds
 *   optional), or both. `AM` and `PM` are the same token ("the marker") and only go with `HH12`.
 * - Output digits are always ASCII. Month names are the locale's "format" forms (the ones used next
 *   to a day number, e.g. Ukrainian "5 вересня"). The AM/PM marker is the locale's own day period
 *   from Intl (English "AM"/"PM", Spanish "a. m."/"p. m.", Ukrainian "дп"/"пп"), with ICU's
 *   narrow no-break space replaced by a plain one.
 * - Input separators must be non-alphanumeric but need not be the ones in the pattern: with
 *   `DD/MM/YYYY`, "05.03.2026" and "5 3 2026" are accepted. Where the pattern has no separator the
 *   input must have none either, and numbers there keep their full width.
 * - Day, month and hour may be typed with one digit when separated; minutes and seconds need two.
 * - Month names are read case-insensitively in the given locale (both the format and the
 *   standalone forms, abbreviated or full, with or without the abbreviation's dot) and in English.
 *   The AM/PM marker is read in the locale and in Latin ("am", "p.m.").
 * - `YY` reads 00–59 as 2000–2059 and 60–99 as 1960–1999 (Luxon's default cut-off).
 * - A local time that a DST jump skips is no real moment: null. A local time that happens twice
 *   (the fall-back hour) resolves to the earlier instant, i.e. the first time the clock shows it.
 * - An invalid pattern or time zone is a programming error (settings are validated on save), so
 *   `formatInstant` and `parseInput` throw a RangeError for it instead of returning null.
 */
import { Info } from 'luxon';
import type { Zone } from 'luxon';

export const MAX_FORMAT_LENGTH = 40;
export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DD';
export const DEFAULT_TIME_FORMAT = 'HH24:MI:SS';

export interface FormatChoice {
  readonly pattern: string;
  readonly label: string;
}

export const COMMON_DATE_FORMATS: readonly FormatChoice[] = Object.freeze([
  { pattern: 'YYYY-MM-DD', label: 'ISO 8601 (YYYY-MM-DD)' },
  { pattern: 'MM/DD/YYYY', label: 'US (MM/DD/YYYY)' },
  { pattern: 'DD/MM/YYYY', label: 'European (DD/MM/YYYY)' },
  { pattern: 'DD.MM.YYYY', label: 'European with dots (DD.MM.YYYY)' },
  { pattern: 'DD-MM-YYYY', label: 'European with dashes (DD-MM-YYYY)' },
  { pattern: 'DD MON YYYY', label: 'Day, month name, year (DD MON YYYY)' },
]);

export const COMMON_TIME_FORMATS: readonly FormatChoice[] = Object.freeze([
  { pattern: 'HH24:MI:SS', label: '24-hour with seconds (HH24:MI:SS)' },
  { pattern: 'HH24:MI', label: '24-hour (HH24:MI)' },
  { pattern: 'HH12:MI:SS AM', label: '12-hour with seconds (HH12:MI:SS AM)' },
  { pattern: 'HH12:MI AM', label: '12-hour (HH12:MI AM)' },
]);

export interface FormatInstantOptions {
  timeZone: string;
  locale: string;
}

export interface ParseInputOptions {
  timeZone: string;
  /** Language of month names and the AM/PM marker; English is always understood too. */
  locale?: string;
}

export interface DateTimeSettings {
  dateFormat: string;
  timeFormat: string;
  timeZone: string;
  locale: string;
}

export type DateTimeInputSettings = Omit<DateTimeSettings, 'locale'> & { locale?: string };

// Longest first: the tokenizer takes the first entry that matches.
const TOKENS = ['MONTH', 'HH24', 'HH12', 'YYYY', 'MON', 'DD', 'MM', 'HH', 'MI', 'SS', 'YY', 'AM', 'PM', 'D'] as const;
type Token = (typeof TOKENS)[number];
type Field = 'day' | 'month' | 'year' | 'hour' | 'minute' | 'second' | 'meridiem';

const FIELD_OF: Record<Token, Field> = {
  D: 'day',
  DD: 'day',
  MM: 'month',
  MON: 'month',
  MONTH: 'month',
  YY: 'year',
  YYYY: 'year',
  HH: 'hour',
  HH24: 'hour',
  HH12: 'hour',
  MI: 'minute',
  SS: 'second',
  AM: 'meridiem',
  PM: 'meridiem',
};

const FIELD_NAME: Record<Field, string> = {
  day: 'day',
  month: 'month',
  year: 'year',
  hour: 'hour',
  minute: 'minutes',
  second: 'seconds',
  meridiem: 'AM/PM marker',
};

const NAMED_TOKENS: ReadonlySet<Token> = new Set<Token>(['MON', 'MONTH', 'AM', 'PM']);
const DATE_FIELDS: readonly Field[] = ['day', 'month', 'year'];
const TIME_FIELDS: readonly Field[] = ['hour', 'minute', 'second', 'meridiem'];

type FormatNode = { kind: 'token'; token: Token } | { kind: 'separator'; text: string };

interface CompiledFormat {
  readonly nodes: readonly FormatNode[];
  readonly fields: ReadonlySet<Field>;
}

const ALPHANUMERIC = /[\p{L}\p{N}\p{M}]/u;
const CONTROL = /\p{Cc}/u;

// ASCII only: "ß".toUpperCase() is "SS" and Turkish "ı" upper-cases to "I", neither is a token.
function isTokenAt(pattern: string, index: number, token: Token): boolean {
  const segment = pattern.slice(index, index + token.length);
  return /^[A-Za-z0-9]+$/u.test(segment) && segment.toUpperCase() === token;
}

function analyse(pattern: string): CompiledFormat | string {
  if (pattern.trim() === '') return 'empty format';
  if (CONTROL.test(pattern)) return 'format contains a control character';

  const nodes: FormatNode[] = [];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern.charAt(i);
    if (!ALPHANUMERIC.test(char)) {
      const last = nodes.at(-1);
      if (last?.kind === 'separator') last.text += char;
      else nodes.push({ kind: 'separator', text: char });
      i += 1;
      continue;
    }
    const token = TOKENS.find((candidate) => isTokenAt(pattern, i, candidate));
    if (token === undefined) {
      let start = i;
      while (start > 0 && ALPHANUMERIC.test(pattern.charAt(start - 1))) start -= 1;
      let end = i;
      while (end < pattern.length && ALPHANUMERIC.test(pattern.charAt(end))) end += 1;
      const unknown = `unknown token "${pattern.slice(i, end)}"`;
      return start < i ? `${unknown} in "${pattern.slice(start, end)}"` : unknown;
    }
    nodes.push({ kind: 'token', token });
    i += token.length;
  }

  const seen = new Map<Field, Token>();
  for (const node of nodes) {
    if (node.kind !== 'token') continue;
    const field = FIELD_OF[node.token];
    const earlier = seen.get(field);
    if (earlier === node.token) return `"${node.token}" appears more than once`;
    if (earlier !== undefined) return `the ${FIELD_NAME[field]} is given twice ("${earlier}" and "${node.token}")`;
    seen.set(field, node.token);
  }

  const hourToken = seen.get('hour');
  if (hourToken === 'HH12' && !seen.has('meridiem')) return 'HH12 needs AM or PM in the same format';
  if (seen.has('meridiem') && hourToken !== 'HH12') return 'AM/PM needs HH12 in the same format';

  const dateFields = DATE_FIELDS.filter((field) => seen.has(field));
  if (dateFields.length > 0 && dateFields.length < DATE_FIELDS.length) {
    const missing = DATE_FIELDS.filter((field) => !seen.has(field)).join(' and ');
    return `a date needs a day, a month and a year (missing: ${missing})`;
  }
  const hasTimeField = TIME_FIELDS.some((field) => seen.has(field));
  if (hasTimeField && hourToken === undefined) return 'a time needs an hour (HH24 or HH12)';
  if (hasTimeField && !seen.has('minute')) return 'a time needs minutes (MI) after the hour';
  if (dateFields.length === 0 && !hasTimeField) return 'format has no date or time fields';

  return { nodes, fields: new Set(seen.keys()) };
}

const compiledCache = new Map<string, CompiledFormat | string>();

function compile(pattern: string): CompiledFormat | string {
  const cached = compiledCache.get(pattern);
  if (cached !== undefined) return cached;
  const result = analyse(pattern);
  // Patterns come from a handful of settings; the bound only guards against unbounded growth.
  if (compiledCache.size >= 500) compiledCache.clear();
  compiledCache.set(pattern, result);
  return result;
}

function compileOrThrow(pattern: string, caller: string): CompiledFormat {
  const compiled = compile(pattern);
  if (typeof compiled === 'string') throw new RangeError(`${caller}: invalid format "${pattern}": ${compiled}`);
  return compiled;
}

function zoneOrThrow(timeZone: string, caller: string): Zone {
  const zone = Info.normalizeZone(timeZone);
  if (timeZone.trim() === '' || !zone.isValid) throw new RangeError(`${caller}: unknown time zone "${timeZone}"`);
  return zone;
}

/** Null when `pattern` is a valid format, otherwise the reason in plain English. */
export function validateFormat(pattern: string): string | null {
  if (pattern.length > MAX_FORMAT_LENGTH) return `format is longer than ${MAX_FORMAT_LENGTH} characters`;
  const compiled = compile(pattern);
  return typeof compiled === 'string' ? compiled : null;
}

/** Like validateFormat, and the format must be a date without time fields. */
export function validateDateFormat(pattern: string): string | null {
  const reason = validateFormat(pattern);
  if (reason !== null) return reason;
  const { fields } = compileOrThrow(pattern, 'validateDateFormat');
  if (!fields.has('day')) return 'a date format needs a day, a month and a year';
  if (TIME_FIELDS.some((field) => fields.has(field))) return 'a date format cannot contain time fields';
  return null;
}

/** Like validateFormat, and the format must be a time without date fields. */
export function validateTimeFormat(pattern: string): string | null {
  const reason = validateFormat(pattern);
  if (reason !== null) return reason;
  const { fields } = compileOrThrow(pattern, 'validateTimeFormat');
  if (!fields.has('hour')) return 'a time format needs an hour and minutes';
  if (DATE_FIELDS.some((field) => fields.has(field))) return 'a time format cannot contain date fields';
  return null;
}

/** The pattern with its tokens in upper case, for hints such as "expected format: DD/MM/YYYY". */
export function describeFormat(pattern: string): string {
  const compiled = compile(pattern);
  if (typeof compiled === 'string') return pattern.trim();
  return compiled.nodes
    .map((node) => (node.kind === 'token' ? node.token : node.text))
    .join('')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Locale data

interface LocaleNames {
  shortMonths: readonly string[];
  longMonths: readonly string[];
  meridiems: readonly string[];
  /** normalized month name → month number 1–12 */
  monthByName: ReadonlyMap<string, number>;
  monthAlternation: string;
  /** normalized marker → 0 for AM, 1 for PM */
  meridiemByName: ReadonlyMap<string, number>;
  meridiemAlternation: string;
}

const localeCache = new Map<string, LocaleNames>();

function normalizeMonthName(name: string): string {
  return name.normalize('NFC').toLowerCase().replace(/\.$/u, '');
}

function normalizeMeridiem(name: string): string {
  return name.normalize('NFC').toLowerCase().replace(/[.\s]/gu, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');
}

function alternation(names: Iterable<string>, toPattern: (name: string) => string): string {
  return [...names]
    .sort((a, b) => b.length - a.length)
    .map(toPattern)
    .join('|');
}

// "pm" also matches "p.m.", "p. m." and "P M".
function meridiemPattern(key: string): string {
  return [...key].map(escapeRegExp).join('\\.?\\s*') + '\\.?';
}

function localeNames(locale: string): LocaleNames {
  const cached = localeCache.get(locale);
  if (cached !== undefined) return cached;

  const opts = { locale };
  const shortMonths = Info.monthsFormat('short', opts);
  const longMonths = Info.monthsFormat('long', opts);
  // ICU puts a narrow no-break space inside "p. m."; a plain space survives copy and paste.
  const meridiems = Info.meridiems(opts).map((name) => name.replace(/\s/gu, ' '));

  const monthByName = new Map<string, number>();
  const addMonths = (names: readonly string[]): void => {
    names.forEach((name, index) => {
      const key = normalizeMonthName(name);
      if (key !== '' && !monthByName.has(key)) monthByName.set(key, index + 1);
    });
  };
  addMonths(longMonths);
  addMonths(shortMonths);
  addMonths(Info.months('long', opts));
  addMonths(Info.months('short', opts));
  addMonths(Info.monthsFormat('long', { locale: 'en' }));
  addMonths(Info.monthsFormat('short', { locale: 'en' }));
  if (!monthByName.has('sept')) monthByName.set('sept', 9);

  const meridiemByName = new Map<string, number>([
    ['am', 0],
    ['pm', 1],
  ]);
  meridiems.forEach((name, index) => {
    const key = normalizeMeridiem(name);
    if (key !== '' && !meridiemByName.has(key)) meridiemByName.set(key, index);
  });

  const names: LocaleNames = {
    shortMonths,
    longMonths,
    meridiems,
    monthByName,
    monthAlternation: alternation(monthByName.keys(), escapeRegExp),
    meridiemByName,
    meridiemAlternation: alternation(meridiemByName.keys(), meridiemPattern),
  };
  if (localeCache.size >= 50) localeCache.clear();
  localeCache.set(locale, names);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** The wall-clock fields a pattern shows (a Luxon DateTime has them too). */
interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const DAY_MS = 86_400_000;
const MAX_CACHED_OFFSETS = 10_000;
/** `zone|UTC day number` → the zone's offset in minutes for that whole day. */
const dayOffsets = new Map<string, number>();

/**
 * The zone's UTC offset at `ms`, in minutes. Asking the zone costs an Intl call, and a page shows
 * many moments of the same few days, so the offset is kept per zone and UTC day when it is the
 * same at the day's first and last millisecond (no day holds two transitions that cancel out);
 * a day with a transition asks the zone every time.
 */
function offsetAt(zone: Zone, ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  const key = `${zone.name}|${day}`;
  const known = dayOffsets.get(key);
  if (known !== undefined) return known;
  const first = zone.offset(day * DAY_MS);
  if (first !== zone.offset(day * DAY_MS + DAY_MS - 1)) return zone.offset(ms);
  if (dayOffsets.size >= MAX_CACHED_OFFSETS) dayOffsets.clear();
  dayOffsets.set(key, first);
  return first;
}

function wallClock(instant: Date, zone: Zone): WallClock {
  const local = new Date(instant.getTime() + offsetAt(zone, instant.getTime()) * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

function render(dateTime: WallClock, nodes: readonly FormatNode[], locale: string): string {
  const names = localeNames(locale);
  return nodes
    .map((node, index) => {
      if (node.kind === 'separator') return node.text;
      switch (node.token) {
        case 'DD':
          return pad(dateTime.day, 2);
        case 'D':
          return String(dateTime.day);
        case 'MM':
          return pad(dateTime.month, 2);
        case 'MON': {
          const name = names.shortMonths[dateTime.month - 1] ?? pad(dateTime.month, 2);
          const next = nodes[index + 1];
          // "DD MON. YYYY" should not print "Sept.." in German.
          return next?.kind === 'separator' && next.text.startsWith('.') ? name.replace(/\.$/u, '') : name;
        }
        case 'MONTH':
          return names.longMonths[dateTime.month - 1] ?? pad(dateTime.month, 2);
        case 'YYYY':
          return pad(dateTime.year, 4);
        case 'YY':
          return pad(((dateTime.year % 100) + 100) % 100, 2);
        case 'HH':
        case 'HH24':
          return pad(dateTime.hour, 2);
        case 'HH12':
          return pad(dateTime.hour % 12 === 0 ? 12 : dateTime.hour % 12, 2);
        case 'MI':
          return pad(dateTime.minute, 2);
        case 'SS':
          return pad(dateTime.second, 2);
        case 'AM':
        case 'PM':
          return names.meridiems[dateTime.hour < 12 ? 0 : 1] ?? (dateTime.hour < 12 ? 'AM' : 'PM');
      }
    })
    .join('');
}

/** Renders `instant` in `timeZone` using `pattern`; month names and AM/PM follow `locale`. */
export function formatInstant(instant: Date, pattern: string, opts: FormatInstantOptions): string {
  const format = compileOrThrow(pattern, 'formatInstant');
  return render(wallClockOrThrow(instant, opts.timeZone, 'formatInstant'), format.nodes, opts.locale);
}

/** The date and the time, joined by a space. */
export function formatDateTime(instant: Date, settings: DateTimeSettings): string {
  const date = compileOrThrow(settings.dateFormat, 'formatDateTime');
  const time = compileOrThrow(settings.timeFormat, 'formatDateTime');
  const clock = wallClockOrThrow(instant, settings.timeZone, 'formatDateTime');
  return `${render(clock, date.nodes, settings.locale)} ${render(clock, time.nodes, settings.locale)}`;
}

function wallClockOrThrow(instant: Date, timeZone: string, caller: string): WallClock {
  const zone = zoneOrThrow(timeZone, caller);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`${caller}: invalid Date`);
  return wallClock(instant, zone);
}

// ---------------------------------------------------------------------------------------------
// Parsing

const SEPARATOR_RUN = '[^\\p{L}\\p{N}\\p{M}]';
const TWO_DIGIT_YEAR_CUTOFF = 60;
// Longer than any date and time a person types; keeps the regular expressions' work bounded.
const MAX_INPUT_LENGTH = 100;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

interface Matcher {
  regex: RegExp;
  tokens: readonly Token[];
}

const matcherCache = new Map<string, Matcher>();

function isDelimited(neighbour: FormatNode | undefined): boolean {
  return neighbour === undefined || neighbour.kind === 'separator' || NAMED_TOKENS.has(neighbour.token);
}

function buildMatcher(nodes: readonly FormatNode[], names: LocaleNames): Matcher {
  const tokens: Token[] = [];
  const parts = nodes.map((node, index) => {
    if (node.kind === 'separator') {
      const atEdge = index === 0 || index === nodes.length - 1;
      return atEdge ? `${SEPARATOR_RUN}*` : `${SEPARATOR_RUN}+`;
    }
    tokens.push(node.token);
    // One digit is fine where nothing else could claim the next digit.
    const flexible = isDelimited(nodes[index - 1]) && isDelimited(nodes[index + 1]);
    switch (node.token) {
      case 'DD':
      case 'MM':
      case 'HH':
      case 'HH24':
      case 'HH12':
        return flexible ? '([0-9]{1,2})' : '([0-9]{2})';
      case 'D':
        return '([0-9]{1,2})';
      case 'YYYY':
        return '([0-9]{4})';
      case 'YY':
      case 'MI':
      case 'SS':
        return '([0-9]{2})';
      case 'MON':
      case 'MONTH':
        return `(${names.monthAlternation})\\.?`;
      case 'AM':
      case 'PM':
        return `(${names.meridiemAlternation})`;
    }
  });
  return { regex: new RegExp(`^${parts.join('')}$`, 'iu'), tokens };
}

function matcherFor(nodes: readonly FormatNode[], locale: string): Matcher {
  const shape = nodes.map((node) => (node.kind === 'token' ? node.token : `'${node.text}'`)).join('\u0000');
  const key = `${locale}\u0000${shape}`;
  const cached = matcherCache.get(key);
  if (cached !== undefined) return cached;
  const matcher = buildMatcher(nodes, localeNames(locale));
  if (matcherCache.size >= 500) matcherCache.clear();
  matcherCache.set(key, matcher);
  return matcher;
}

interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function readFields(match: RegExpExecArray, tokens: readonly Token[], names: LocaleNames): LocalFields | null {
  const fields: LocalFields = { year: NaN, month: NaN, day: NaN, hour: 0, minute: 0, second: 0 };
  let hour12: number | null = null;
  let meridiem: number | null = null;
  for (const [index, token] of tokens.entries()) {
    const text = match[index + 1] ?? '';
    const number = Number(text);
    switch (token) {
      case 'D':
      case 'DD':
        fields.day = number;
        break;
      case 'MM':
        fields.month = number;
        break;
      case 'MON':
      case 'MONTH':
        fields.month = names.monthByName.get(normalizeMonthName(text)) ?? NaN;
        break;
      case 'YYYY':
        fields.year = number;
        break;
      case 'YY':
        fields.year = number < TWO_DIGIT_YEAR_CUTOFF ? 2000 + number : 1900 + number;
        break;
      case 'HH':
      case 'HH24':
        fields.hour = number;
        break;
      case 'HH12':
        hour12 = number;
        break;
      case 'MI':
        fields.minute = number;
        break;
      case 'SS':
        fields.second = number;
        break;
      case 'AM':
      case 'PM':
        meridiem = names.meridiemByName.get(normalizeMeridiem(text)) ?? null;
        break;
    }
  }
  if (hour12 !== null) {
    if (meridiem === null || hour12 < 1 || hour12 > 12) return null;
    fields.hour = (hour12 % 12) + meridiem * 12;
  }
  const inRange =
    fields.year >= 1 &&
    fields.month >= 1 &&
    fields.month <= 12 &&
    fields.day >= 1 &&
    fields.hour <= 23 &&
    fields.minute <= 59 &&
    fields.second <= 59;
  return inRange ? fields : null;
}

/** The wall-clock time as if it were UTC, or null for dates such as 30 February. */
function wallClockMillis(fields: LocalFields): number | null {
  const date = new Date(0);
  date.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  date.setUTCHours(fields.hour, fields.minute, fields.second, 0);
  const exists =
    date.getUTCFullYear() === fields.year &&
    date.getUTCMonth() === fields.month - 1 &&
    date.getUTCDate() === fields.day;
  return exists ? date.getTime() : null;
}

/**
 * The instant at which clocks in `zone` show `wallMs`: null when a DST jump skips it, the earlier
 * one when the fall-back hour shows it twice. Luxon alone would silently shift a skipped time and
 * pick the later instant of an ambiguous one, hence the explicit search over nearby offsets.
 */
function resolveWallClock(wallMs: number, zone: Zone): number | null {
  const offsets = new Set<number>();
  for (let step = -4; step <= 4; step += 1) offsets.add(zone.offset(wallMs + step * 6 * HOUR_MS));
  let earliest: number | null = null;
  for (const offset of offsets) {
    const candidate = wallMs - offset * MINUTE_MS;
    if (zone.offset(candidate) === offset && (earliest === null || candidate < earliest)) earliest = candidate;
  }
  return earliest;
}

function parseNodes(text: string, nodes: readonly FormatNode[], zone: Zone, locale: string): Date | null {
  const trimmed = text.normalize('NFC').trim();
  if (trimmed.length > MAX_INPUT_LENGTH) return null;
  const matcher = matcherFor(nodes, locale);
  const match = matcher.regex.exec(trimmed);
  if (match === null) return null;
  const fields = readFields(match, matcher.tokens, localeNames(locale));
  if (fields === null) return null;
  const wallMs = wallClockMillis(fields);
  if (wallMs === null) return null;
  const instant = resolveWallClock(wallMs, zone);
  return instant === null ? null : new Date(instant);
}

/**
 * Reads `text` typed in `pattern` as a moment in `timeZone`; null when it does not fit the pattern
 * or names no real moment. A date-only pattern gives local midnight.
 */
export function parseInput(text: string, pattern: string, opts: ParseInputOptions): Date | null {
  const format = compileOrThrow(pattern, 'parseInput');
  if (!format.fields.has('day')) throw new RangeError(`parseInput: format "${pattern}" has no date`);
  const zone = zoneOrThrow(opts.timeZone, 'parseInput');
  return parseNodes(text, format.nodes, zone, opts.locale ?? 'en');
}

function withoutSeconds(nodes: readonly FormatNode[]): FormatNode[] | null {
  const index = nodes.findIndex((node) => node.kind === 'token' && node.token === 'SS');
  if (index < 0) return null;
  const before = nodes[index - 1];
  const after = nodes[index + 1];
  if (before?.kind === 'separator') return [...nodes.slice(0, index - 1), ...nodes.slice(index + 1)];
  if (after?.kind === 'separator') return [...nodes.slice(0, index), ...nodes.slice(index + 2)];
  return [...nodes.slice(0, index), ...nodes.slice(index + 1)];
}

/** A 12-hour time format read as 24-hour: HH12 → HH24, without the AM/PM marker. Null for 24-hour formats. */
function as24Hour(nodes: readonly FormatNode[]): FormatNode[] | null {
  if (!nodes.some((node) => node.kind === 'token' && node.token === 'HH12')) return null;
  const out: FormatNode[] = [];
  for (const node of nodes) {
    if (node.kind === 'token' && (node.token === 'AM' || node.token === 'PM')) {
      if (out.at(-1)?.kind === 'separator') out.pop();
      continue;
    }
    out.push(node.kind === 'token' && node.token === 'HH12' ? { kind: 'token', token: 'HH24' } : node);
  }
  while (out.at(-1)?.kind === 'separator') out.pop();
  return out;
}

/**
 * Reads "date time" or just "date" (local midnight). When the time format has seconds, the time may
 * also be typed without them; a 12-hour time format also takes a 24-hour time without AM/PM.
 */
export function parseDateTimeInput(text: string, settings: DateTimeInputSettings): Date | null {
  const date = compileOrThrow(settings.dateFormat, 'parseDateTimeInput');
  const time = compileOrThrow(settings.timeFormat, 'parseDateTimeInput');
  if (!date.fields.has('day')) throw new RangeError(`parseDateTimeInput: format "${settings.dateFormat}" has no date`);
  const zone = zoneOrThrow(settings.timeZone, 'parseDateTimeInput');
  const locale = settings.locale ?? 'en';
  const space: FormatNode = { kind: 'separator', text: ' ' };
  const join = (timeNodes: readonly FormatNode[]): FormatNode[] => {
    const last = date.nodes.at(-1);
    const first = timeNodes[0];
    // Merge adjacent separators so the joint stays one separator run.
    const left = last?.kind === 'separator' ? date.nodes.slice(0, -1) : date.nodes;
    const right = first?.kind === 'separator' ? timeNodes.slice(1) : timeNodes;
    return [...left, space, ...right];
  };

  const candidates: FormatNode[][] = [join(time.nodes)];
  const shortTime = withoutSeconds(time.nodes);
  if (shortTime !== null) candidates.push(join(shortTime));
  // A 12-hour format still takes a 24-hour time typed without AM/PM ("08:00", "17:30").
  const dayTime = as24Hour(time.nodes);
  if (dayTime !== null) {
    candidates.push(join(dayTime));
    const shortDayTime = withoutSeconds(dayTime);
    if (shortDayTime !== null) candidates.push(join(shortDayTime));
  }
  candidates.push([...date.nodes]);

  for (const nodes of candidates) {
    const parsed = parseNodes(text, nodes, zone, locale);
    if (parsed !== null) return parsed;
  }
  return null;
}
