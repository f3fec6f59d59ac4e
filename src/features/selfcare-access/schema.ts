/**
 * Validation shared by every form that edits self-care access: the customer's Web self-care panel
 * and an individual's credentials, own trusted list and regional overrides. Admin-only forms, so
 * field errors carry ready English text.
 */
import { checkPasswordPolicy } from '../../access/passwords.ts';
import {
  parseTrustedNetworks,
  describeTrustedNetworkProblem,
  explainAddress,
  type ParsedTrustedNetworks,
  type TrustedNetworkNotice,
} from '../../access/trusted-networks.ts';
import {
  COMMON_DATE_FORMATS,
  COMMON_TIME_FORMATS,
  formatInstant,
  validateDateFormat,
  validateTimeFormat,
  type FormatChoice,
} from '../../regional/date-format.ts';
import { isLanguage, LANGUAGES } from '../../regional/languages.ts';
import { REGIONAL_FIELDS, type RegionalValues } from '../../regional/settings.ts';
import { isValidTimeZone, listTimeZones, lookUpTimeZone, type TimeZoneOption } from '../../regional/time-zones.ts';
import { formString, type FieldError } from '../../http/form.ts';
import { SELFCARE_LOGIN_PATTERN } from './service.ts';

// ---------------------------------------------------------------------------------------------
// Login

export const LOGIN_TAKEN_MESSAGE = 'This login is already in use by another self-care account; choose a different one';

/** Null when the login is acceptable (or blank and optional). Does not check uniqueness. */
export function loginFieldError(login: string, opts: { required: boolean; field?: string }): FieldError | null {
  const field = opts.field ?? 'login';
  if (login === '') return opts.required ? { field, text: 'Enter a self-care login' } : null;
  if (!SELFCARE_LOGIN_PATTERN.test(login)) {
    return {
      field,
      text: 'Login must be 3–64 characters: letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Password

/**
 * Null when the password may be saved. Blank keeps the current password, so it is only refused
 * when the account has none yet (`required`).
 */
export function passwordFieldError(
  password: string,
  opts: { login: string; required: boolean; field?: string },
): FieldError | null {
  const field = opts.field ?? 'password';
  if (password === '')
    return opts.required ? { field, text: 'Enter or generate a password: this account has none yet' } : null;
  const policy = checkPasswordPolicy(password, { login: opts.login });
  return policy.ok ? null : { field, text: policy.message };
}

// ---------------------------------------------------------------------------------------------
// Trusted networks

export interface TrustedNetworksCheck {
  enabled: boolean;
  text: string;
  parsed: ParsedTrustedNetworks;
  /** accepted but the admin should know (host bits cleared, duplicates, …) */
  notices: TrustedNetworkNotice[];
  /** the list lets every address in (`0.0.0.0/0`, `::/0`) */
  allowsEveryone: boolean;
  /** restriction on with no entry: nobody could ever sign in */
  enabledButEmpty: boolean;
  /** each bad line as shown: its number and the problem, the entry quoted once */
  problems: Array<{ line: number; text: string }>;
}

export function checkTrustedNetworks(enabled: boolean, text: string): TrustedNetworksCheck {
  const parsed = parseTrustedNetworks(text);
  return {
    enabled,
    text,
    parsed,
    notices: parsed.notices,
    allowsEveryone: parsed.notices.some((n) => n.code === 'allows-everyone'),
    enabledButEmpty: enabled && parsed.errors.length === 0 && parsed.networks.length === 0,
    problems: parsed.errors.map((e) => ({ line: e.line, text: describeTrustedNetworkProblem(e) })),
  };
}

/** One summary entry per bad line (line number and text), plus "enabled but empty". */
export function trustedNetworksFieldErrors(check: TrustedNetworksCheck, field = 'trusted_ips'): FieldError[] {
  const errors: FieldError[] = check.problems.map((p) => ({
    field,
    text: `Trusted IP addresses, line ${p.line}: ${p.text}`,
  }));
  if (check.enabledButEmpty)
    errors.push({
      field,
      text: 'Enter at least one trusted address or network, or turn off “Allow access only from trusted IP addresses”',
    });
  return errors;
}

export interface AddressTest {
  address: string;
  valid: boolean;
  allowed: boolean;
  /** the entry that lets the address in */
  entry: string | null;
  line: number | null;
}

const EVERY_ADDRESS = parseTrustedNetworks('0.0.0.0/0\n::/0').networks;

/** "Would this address be let in?" for the admin's test box; null when no address was typed. */
export function testTrustedAddress(check: TrustedNetworksCheck, rawAddress: string): AddressTest | null {
  const address = rawAddress.trim();
  if (address === '') return null;
  const valid = explainAddress(EVERY_ADDRESS, address) !== null;
  const entry = valid ? explainAddress(check.parsed.networks, address) : null;
  if (!valid) return { address, valid, allowed: false, entry: null, line: null };
  if (!check.enabled) return { address, valid, allowed: true, entry: null, line: null };
  return { address, valid, allowed: entry !== null, entry: entry?.text ?? null, line: entry?.line ?? null };
}

// ---------------------------------------------------------------------------------------------
// Regional settings

export const FORMAT_FIELDS = ['out_date_format', 'out_time_format', 'in_date_format', 'in_time_format'] as const;
export type FormatField = (typeof FORMAT_FIELDS)[number];

/** The value of a format select that means "use the text of `<field>_custom`". */
export const CUSTOM_FORMAT = 'custom';

/**
 * Reads the six regional fields from a form body. A format select set to "custom" takes the text
 * typed in `<field>_custom`; a pattern posted directly in the field is taken as it is. A time zone
 * typed as a city or in another letter case ("tokyo") becomes the one zone it names (Asia/Tokyo).
 */
export function readRegionalInput(body: Record<string, unknown>): RegionalValues {
  const values = {} as RegionalValues;
  for (const field of REGIONAL_FIELDS) {
    let value = formString(body[field]).trim();
    if (value === CUSTOM_FORMAT && (FORMAT_FIELDS as readonly string[]).includes(field))
      value = formString(body[`${field}_custom`]).trim();
    values[field] = value.slice(0, 200);
  }
  if (values.time_zone !== '' && !isValidTimeZone(values.time_zone))
    values.time_zone = lookUpTimeZone(values.time_zone).zone ?? values.time_zone;
  return values;
}

/**
 * The time-zone error of a value no zone answers to: the candidates when the text is part of
 * some zone names (`params.matches`), else what to type (`params.value` only).
 */
function timeZoneError(value: string): FieldError {
  if (value === '') return { field: 'time_zone', text: 'Choose a time zone' };
  const lookup = lookUpTimeZone(value);
  const matches = lookup.zone === null ? lookup.matches : [lookup.zone];
  if (matches.length > 0)
    return {
      field: 'time_zone',
      params: { value, matches: matches.join(', ') },
      text: `Time zone: “${value}” could be ${matches.join(', ')}; type or choose one of them`,
    };
  return {
    field: 'time_zone',
    params: { value },
    text: `Time zone: no zone is called “${value}”; type a city such as Tokyo or a zone name such as Asia/Tokyo`,
  };
}

const FORMAT_LABELS: Record<FormatField, string> = {
  out_date_format: 'Output date format',
  out_time_format: 'Output time format',
  in_date_format: 'Input date format',
  in_time_format: 'Input time format',
};

/**
 * Field errors for the regional settings. With `allowInherit` (an individual's overrides) a blank
 * field means "same as the customer" and is accepted.
 */
export function regionalFieldErrors(values: RegionalValues, opts: { allowInherit?: boolean } = {}): FieldError[] {
  const errors: FieldError[] = [];
  const blankOk = (v: string) => v === '' && opts.allowInherit === true;
  if (!blankOk(values.time_zone) && !isValidTimeZone(values.time_zone)) errors.push(timeZoneError(values.time_zone));
  if (!blankOk(values.language) && !isLanguage(values.language)) {
    errors.push({
      field: 'language',
      text: `Choose one of the interface languages: ${LANGUAGES.map((l) => l.nativeName).join(', ')}`,
    });
  }
  for (const field of FORMAT_FIELDS) {
    const value = values[field];
    if (blankOk(value)) continue;
    const reason =
      value === ''
        ? 'enter a format'
        : field.endsWith('date_format')
          ? validateDateFormat(value)
          : validateTimeFormat(value);
    if (reason !== null) errors.push({ field, text: `${FORMAT_LABELS[field]}: ${reason}` });
  }
  return errors;
}

export { FORMAT_LABELS };

// ---------------------------------------------------------------------------------------------
// View models of the shared self-care partials (views/partials/): the customer panel and the
// individuals' forms render the same fields the same way.

/** Locals of `_password-field.ejs` (as `password`). */
export interface PasswordFieldModel {
  /** what the field shows: the typed or generated password ('' = keep the current one) */
  value: string;
  /** render as a visible text input (after "Generate" or "Show password") */
  visible: boolean;
  /** the value was just generated and is not saved yet */
  generated: boolean;
  /** the account already has a password, so blank keeps it */
  hasCurrent: boolean;
  /** state of the "must change at next login" checkbox (`password_change_required`) */
  changeRequired: boolean;
  /** POST URL answering "generate" (and the no-JS "show"), given the whole form */
  generateAction: string;
  /** the words of the form's main button, which saves: its hints tell to press it */
  saveButton: string;
}

/** Locals of `_trusted-networks-field.ejs` (as `trusted`). */
export interface TrustedFieldModel {
  enabled: boolean;
  text: string;
  /** POST URL that validates the list as typed and tests an address (`test_address`) */
  checkAction: string;
  check: TrustedNetworksCheck;
  testAddress: string;
  test: AddressTest | null;
  /** show the live checker's result (errors, notices) — after a check request or a failed save */
  showCheck: boolean;
}

export function trustedFieldModel(input: {
  enabled: boolean;
  text: string;
  checkAction: string;
  testAddress?: string;
  showCheck?: boolean;
}): TrustedFieldModel {
  const check = checkTrustedNetworks(input.enabled, input.text);
  const testAddress = (input.testAddress ?? '').slice(0, 100);
  return {
    enabled: input.enabled,
    text: input.text,
    checkAction: input.checkAction,
    check,
    testAddress,
    test: testTrustedAddress(check, testAddress),
    showCheck: input.showCheck ?? false,
  };
}

export interface RegionalPreview {
  timeZone: string;
  /** "(UTC+09:00) Asia/Tokyo": the zone with its offset now */
  timeZoneLabel: string;
  /** "2026-11-26 14:03:00" in the output formats, or null when a setting is invalid */
  output: string | null;
  /** the current moment written in the input formats: what the user would type */
  input: string | null;
  /** why there is no preview, as the door words them */
  problems: FieldError[];
}

/** The current moment in the chosen zone and formats, rendered on the server. */
export function regionalPreview(
  values: RegionalValues,
  inherited: RegionalValues | null = null,
  now: Date = new Date(),
  describe: (e: FieldError) => FieldError = (e) => e,
): RegionalPreview {
  const effective = { ...values };
  if (inherited)
    for (const key of Object.keys(effective) as (keyof RegionalValues)[])
      if (effective[key] === '') effective[key] = inherited[key];
  const problems = regionalFieldErrors(effective).map(describe);
  const timeZoneLabel = listTimeZones(now).find((z) => z.id === effective.time_zone)?.label ?? effective.time_zone;
  if (problems.length > 0) return { timeZone: effective.time_zone, timeZoneLabel, output: null, input: null, problems };
  const opts = { timeZone: effective.time_zone, locale: effective.language };
  return {
    timeZone: effective.time_zone,
    timeZoneLabel,
    output: `${formatInstant(now, effective.out_date_format, opts)} ${formatInstant(now, effective.out_time_format, opts)}`,
    input: `${formatInstant(now, effective.in_date_format, opts)} ${formatInstant(now, effective.in_time_format, opts)}`,
    problems,
  };
}

export interface FormatSelect {
  field: FormatField;
  /** the common patterns, each with the current moment written in it (the option shows both) */
  choices: ReadonlyArray<{ pattern: string; example: string }>;
  /** the option to select: a common pattern, 'custom', or '' (inherit) */
  selected: string;
  /** text of the custom pattern input */
  custom: string;
}

/** Locals of `_regional-fields.ejs` (as `regional`). */
export interface RegionalFieldModel {
  values: RegionalValues;
  /** individuals: a blank field means "same as the customer"; `inherited` names those values */
  allowInherit: boolean;
  /** whose settings a blank field inherits, as the door calls it: `customer` (admin) or `company` */
  owner: 'customer' | 'company';
  inherited: RegionalValues | null;
  /** POST URL answering the preview fragment for the whole form */
  previewAction: string;
  preview: RegionalPreview;
  timeZones: readonly TimeZoneOption[];
  languages: typeof LANGUAGES;
  formats: FormatSelect[];
}

export function regionalFieldModel(input: {
  values: RegionalValues;
  previewAction: string;
  inherited?: RegionalValues | null;
  owner?: 'customer' | 'company';
  /** words a preview problem for the door (the portal's translated messages) */
  describe?: (e: FieldError) => FieldError;
  now?: Date;
}): RegionalFieldModel {
  const now = input.now ?? new Date();
  const inherited = input.inherited ?? null;
  const timeZones = listTimeZones(now);
  const zone = input.values.time_zone || inherited?.time_zone || '';
  const language = input.values.language || inherited?.language || '';
  const exampleOpts = {
    timeZone: isValidTimeZone(zone) ? zone : 'UTC',
    locale: isLanguage(language) ? language : 'en',
  };
  const formats = FORMAT_FIELDS.map((field): FormatSelect => {
    const common: readonly FormatChoice[] = field.endsWith('date_format') ? COMMON_DATE_FORMATS : COMMON_TIME_FORMATS;
    const choices = common.map((c) => ({ pattern: c.pattern, example: formatInstant(now, c.pattern, exampleOpts) }));
    const value = input.values[field];
    const chosen = choices.find((c) => c.pattern === value);
    const selected = value === '' && inherited ? '' : chosen ? chosen.pattern : 'custom';
    return {
      field,
      choices,
      selected,
      custom: chosen || value === '' ? '' : value,
    };
  });
  return {
    values: input.values,
    allowInherit: inherited !== null,
    owner: input.owner ?? 'customer',
    inherited,
    previewAction: input.previewAction,
    preview: regionalPreview(input.values, inherited, now, input.describe),
    timeZones,
    languages: LANGUAGES,
    formats,
  };
}
