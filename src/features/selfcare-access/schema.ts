/**
 * Validation shared by every form that edits self-care access: the customer's Web self-care panel
 * and an individual's credentials, own trusted list and regional overrides. Admin-only forms, so
 * field errors carry ready English text.
 */
import { z } from 'zod';
import { checkPasswordPolicy } from '../../access/passwords.ts';
import { parseTrustedNetworks, explainAddress, type ParsedTrustedNetworks, type TrustedNetworkNotice } from '../../access/trusted-networks.ts';
import { validateDateFormat, validateTimeFormat } from '../../regional/date-format.ts';
import { isLanguage, LANGUAGES } from '../../regional/languages.ts';
import { isValidTimeZone } from '../../regional/time-zones.ts';
import { parseForm, type FieldError, type FormResult } from '../../http/form.ts';
import { SELFCARE_LOGIN_PATTERN } from './service.ts';

/** A form value as one string: repeated fields keep the last value, anything else is ''. */
export function formString(value: unknown): string {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof v === 'string' ? v : '';
}

const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (big|small)|Unrecognized|Expected)/;

/**
 * parseForm for admin forms, whose schemas may carry ready English messages: a message that is
 * not a translation key (`errors.…`) is shown as it is.
 */
export function parseAdminForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.infer<S>> {
  const result = parseForm(schema, body);
  if (result.ok) return result;
  const issues = schema.safeParse(body).error?.issues ?? [];
  const errors = result.errors.map((error): FieldError => {
    const issue = issues.find((i) => (i.path.map(String).join('.') || 'form') === error.field);
    const ownText = issue && !issue.message.startsWith('errors.') && !ZOD_DEFAULT_MESSAGE.test(issue.message);
    return ownText ? { field: error.field, text: issue.message } : error;
  });
  return { ok: false, values: result.values, errors };
}

/** Raw text fields of a self-care form, bounded so a huge body cannot reach the parsers. */
export const boundedText = (max: number) => z.preprocess(formString, z.string().max(max, { error: 'errors.tooLong' }));

// ---------------------------------------------------------------------------------------------
// Login

export const LOGIN_TAKEN_MESSAGE = 'This login is already in use by another self-care account; choose a different one';

/** Null when the login is acceptable (or blank and optional). Does not check uniqueness. */
export function loginFieldError(login: string, opts: { required: boolean; field?: string }): FieldError | null {
  const field = opts.field ?? 'login';
  if (login === '') return opts.required ? { field, text: 'Enter a self-care login' } : null;
  if (!SELFCARE_LOGIN_PATTERN.test(login)) {
    return { field, text: 'Login must be 3–64 characters: letters, digits, ".", "_", "@" or "-", starting with a letter or digit' };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Password

/**
 * Null when the password may be saved. Blank keeps the current password, so it is only refused
 * when the account has none yet (`required`).
 */
export function passwordFieldError(password: string, opts: { login: string; required: boolean; field?: string }): FieldError | null {
  const field = opts.field ?? 'password';
  if (password === '') return opts.required ? { field, text: 'Enter or generate a password: this account has none yet' } : null;
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
  };
}

/** One summary entry per bad line (line number and text), plus "enabled but empty". */
export function trustedNetworksFieldErrors(check: TrustedNetworksCheck, field = 'trusted_ips'): FieldError[] {
  const errors: FieldError[] = check.parsed.errors.map((e) => ({ field, text: `Trusted IP addresses, line ${e.line}: “${e.input}” — ${e.message}` }));
  if (check.enabledButEmpty) errors.push({ field, text: 'Enter at least one trusted address or network, or turn off “Allow access only from trusted IP addresses”' });
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

export const REGIONAL_FIELDS = ['time_zone', 'language', 'out_date_format', 'out_time_format', 'in_date_format', 'in_time_format'] as const;
export type RegionalField = (typeof REGIONAL_FIELDS)[number];
export type RegionalValues = Record<RegionalField, string>;
export const FORMAT_FIELDS = ['out_date_format', 'out_time_format', 'in_date_format', 'in_time_format'] as const;
export type FormatField = (typeof FORMAT_FIELDS)[number];

/** The value of a format select that means "use the text of `<field>_custom`". */
export const CUSTOM_FORMAT = 'custom';

/**
 * Reads the six regional fields from a form body. A format select set to "custom" takes the text
 * typed in `<field>_custom`; a pattern posted directly in the field is taken as it is.
 */
export function readRegionalInput(body: Record<string, unknown>): RegionalValues {
  const values = {} as RegionalValues;
  for (const field of REGIONAL_FIELDS) {
    let value = formString(body[field]).trim();
    if (value === CUSTOM_FORMAT && (FORMAT_FIELDS as readonly string[]).includes(field)) value = formString(body[`${field}_custom`]).trim();
    values[field] = value.slice(0, 200);
  }
  return values;
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
  if (!blankOk(values.time_zone) && !isValidTimeZone(values.time_zone)) {
    errors.push({ field: 'time_zone', text: values.time_zone === '' ? 'Choose a time zone' : `“${values.time_zone}” is not an IANA time zone name; choose one from the list, e.g. Europe/Berlin` });
  }
  if (!blankOk(values.language) && !isLanguage(values.language)) {
    errors.push({ field: 'language', text: `Choose one of the interface languages: ${LANGUAGES.map((l) => l.nativeName).join(', ')}` });
  }
  for (const field of FORMAT_FIELDS) {
    const value = values[field];
    if (blankOk(value)) continue;
    const reason = value === '' ? 'enter a format' : field.endsWith('date_format') ? validateDateFormat(value) : validateTimeFormat(value);
    if (reason !== null) errors.push({ field, text: `${FORMAT_LABELS[field]}: ${reason}` });
  }
  return errors;
}

export { FORMAT_LABELS };
