/**
 * View models of the shared self-care partials (views/partials/). Build them here so the
 * customer panel and the individuals' forms render the same fields the same way.
 */
import { COMMON_DATE_FORMATS, COMMON_TIME_FORMATS, formatInstant, type FormatChoice } from '../../regional/date-format.ts';
import { LANGUAGES } from '../../regional/languages.ts';
import { listTimeZones, type TimeZoneOption } from '../../regional/time-zones.ts';
import {
  checkTrustedNetworks,
  FORMAT_FIELDS,
  regionalFieldErrors,
  testTrustedAddress,
  type AddressTest,
  type FormatField,
  type RegionalValues,
  type TrustedNetworksCheck,
} from './schema.ts';

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

export function trustedFieldModel(input: { enabled: boolean; text: string; checkAction: string; testAddress?: string; showCheck?: boolean }): TrustedFieldModel {
  const check = checkTrustedNetworks(input.enabled, input.text);
  const testAddress = (input.testAddress ?? '').slice(0, 100);
  return { enabled: input.enabled, text: input.text, checkAction: input.checkAction, check, testAddress, test: testTrustedAddress(check, testAddress), showCheck: input.showCheck ?? false };
}

export interface RegionalPreview {
  timeZone: string;
  /** "(UTC+09:00) Asia/Tokyo": the zone with its offset now */
  timeZoneLabel: string;
  /** "2026-11-26 14:03:00" in the output formats, or null when a setting is invalid */
  output: string | null;
  /** the current moment written in the input formats: what the user would type */
  input: string | null;
  problems: string[];
}

/** The current moment in the chosen zone and formats, rendered on the server. */
export function regionalPreview(values: RegionalValues, inherited: RegionalValues | null = null, now: Date = new Date()): RegionalPreview {
  const effective = { ...values };
  if (inherited) for (const key of Object.keys(effective) as (keyof RegionalValues)[]) if (effective[key] === '') effective[key] = inherited[key];
  const problems = regionalFieldErrors(effective).map((e) => e.text ?? '');
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
  label: string;
  choices: readonly FormatChoice[];
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
  inherited: RegionalValues | null;
  /** POST URL answering the preview fragment for the whole form */
  previewAction: string;
  preview: RegionalPreview;
  timeZones: readonly TimeZoneOption[];
  languages: typeof LANGUAGES;
  formats: FormatSelect[];
  /** "(UTC+01:00) Europe/Berlin" of the chosen zone, when it is a known one */
  timeZoneLabel: string | null;
}

const FORMAT_SELECT_LABELS: Record<FormatField, string> = {
  out_date_format: 'Output date format',
  out_time_format: 'Output time format',
  in_date_format: 'Input date format',
  in_time_format: 'Input time format',
};

export function regionalFieldModel(input: { values: RegionalValues; previewAction: string; inherited?: RegionalValues | null; now?: Date }): RegionalFieldModel {
  const now = input.now ?? new Date();
  const inherited = input.inherited ?? null;
  const timeZones = listTimeZones(now);
  const formats = FORMAT_FIELDS.map((field): FormatSelect => {
    const choices = field.endsWith('date_format') ? COMMON_DATE_FORMATS : COMMON_TIME_FORMATS;
    const value = input.values[field];
    const common = choices.find((c) => c.pattern === value);
    const selected = value === '' && inherited ? '' : common ? common.pattern : 'custom';
    return { field, label: FORMAT_SELECT_LABELS[field], choices, selected, custom: common || value === '' ? '' : value };
  });
  const zone = input.values.time_zone || inherited?.time_zone || '';
  return {
    values: input.values,
    allowInherit: inherited !== null,
    inherited,
    previewAction: input.previewAction,
    preview: regionalPreview(input.values, inherited, now),
    timeZones,
    languages: LANGUAGES,
    formats,
    timeZoneLabel: timeZones.find((z) => z.id === zone)?.label ?? null,
  };
}
