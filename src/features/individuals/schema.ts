import { z } from 'zod';
import { nullableTimestamp } from '../../http/api-schema.ts';
import { checkbox, type FieldError } from '../../http/form.ts';
import { DEFAULT_DATE_FORMAT, formatInstant, inputExample, parseDateTimeInput } from '../../regional/date-format.ts';
import { isValidTimeZone } from '../../regional/time-zones.ts';
import { readRegionalInput } from '../selfcare-access/schema.ts';
import { REGIONAL_FIELDS, regionalValuesOf, type RegionalValues } from '../../regional/settings.ts';
import { formString } from '../../http/form.ts';
import {
  NO_REGIONAL_OVERRIDES,
  regionalOf,
  type CustomerDefaults,
  type Individual,
  type IndividualFields,
} from './service.ts';
import { parseId } from '../../http/ids.ts';

/** The individual form exactly as typed, to re-render it. */
export interface IndividualForm {
  login: string;
  name: string;
  email: string;
  role_id: string;
  password: string;
  password_change_required: boolean;
  show_password: boolean;
  activation_at: string;
  expiration_at: string;
  regional: RegionalValues;
  ip_restriction: boolean;
  trusted_ips: string;
  test_address: string;
  send_credentials: boolean;
  send_reset_link: boolean;
  version: string;
}

export function emptyIndividualForm(): IndividualForm {
  return {
    login: '',
    name: '',
    email: '',
    role_id: '',
    password: '',
    password_change_required: true,
    show_password: false,
    activation_at: '',
    expiration_at: '',
    regional: regionalValuesOf(NO_REGIONAL_OVERRIDES),
    ip_restriction: false,
    trusted_ips: '',
    test_address: '',
    send_credentials: true,
    send_reset_link: false,
    version: '',
  };
}

const bounded = (value: unknown, max: number): string => formString(value).slice(0, max);

export function readIndividualForm(body: unknown): IndividualForm {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    login: bounded(b.login, 200).trim(),
    name: bounded(b.name, 400).trim(),
    email: bounded(b.email, 400).trim(),
    role_id: bounded(b.role_id, 20).trim(),
    password: bounded(b.password, 1024),
    password_change_required: checkbox(b.password_change_required),
    show_password: checkbox(b.show_password),
    activation_at: bounded(b.activation_at, 100).trim(),
    expiration_at: bounded(b.expiration_at, 100).trim(),
    regional: readRegionalInput(b),
    ip_restriction: checkbox(b.ip_restriction),
    trusted_ips: bounded(b.trusted_ips, 100_000),
    test_address: bounded(b.test_address, 100),
    send_credentials: checkbox(b.send_credentials),
    send_reset_link: checkbox(b.send_reset_link),
    version: bounded(b.version, 20).trim(),
  };
}

/** How dates are typed and shown for one individual: the customer's formats, in its own zone. */
export interface DateSettings {
  timeZone: string;
  inPattern: string;
  outDateFormat: string;
  outTimeFormat: string;
  inDateFormat: string;
  inTimeFormat: string;
}

export function dateSettings(customer: CustomerDefaults, timeZoneOverride: string | null): DateSettings {
  const timeZone = timeZoneOverride && isValidTimeZone(timeZoneOverride) ? timeZoneOverride : customer.timeZone;
  return {
    timeZone,
    inPattern: `${customer.inDateFormat} ${customer.inTimeFormat}`,
    outDateFormat: customer.outDateFormat,
    outTimeFormat: customer.outTimeFormat,
    inDateFormat: customer.inDateFormat,
    inTimeFormat: customer.inTimeFormat,
  };
}

/** A moment written as the admin types it (the customer's input formats). */
export function toInputText(date: Date | null, s: DateSettings): string {
  if (!date) return '';
  const opts = { timeZone: s.timeZone, locale: 'en' };
  return `${formatInstant(date, s.inDateFormat, opts)} ${formatInstant(date, s.inTimeFormat, opts)}`;
}

/** A moment as shown (the customer's output formats) in the individual's zone. */
export function toOutputText(date: Date | null, s: DateSettings, locale = 'en'): string {
  if (!date) return '';
  const opts = { timeZone: s.timeZone, locale };
  return `${formatInstant(date, s.outDateFormat || DEFAULT_DATE_FORMAT, opts)} ${formatInstant(date, s.outTimeFormat, opts)}`;
}

export function formFromIndividual(individual: Individual, customer: CustomerDefaults): IndividualForm {
  const s = dateSettings(customer, individual.timeZone);
  return {
    ...emptyIndividualForm(),
    login: individual.login,
    name: individual.name,
    email: individual.email,
    role_id: String(individual.roleId),
    password_change_required: individual.passwordChangeRequired,
    activation_at: toInputText(individual.activationAt, s),
    expiration_at: toInputText(individual.expirationAt, s),
    regional: regionalValuesOf(regionalOf(individual)),
    ip_restriction: individual.ipRestriction,
    trusted_ips: individual.trustedIps,
    send_credentials: false,
    version: String(individual.version),
  };
}

const orNull = (v: string): string | null => (v === '' ? null : v);

/** Form → service fields; dates are read in the individual's zone with the customer's input format. */
/** The admin form's labels of the two dates, which their errors name. */
const DATE_LABELS = { activation_at: 'Activation', expiration_at: 'Expiration' } as const;

export function fieldsFromForm(
  form: IndividualForm,
  customer: CustomerDefaults,
): { fields: IndividualFields; errors: FieldError[] } {
  const s = dateSettings(customer, orNull(form.regional.time_zone));
  const errors: FieldError[] = [];
  const readDate = (field: 'activation_at' | 'expiration_at'): Date | null => {
    const text = form[field];
    if (text === '') return null;
    const date = parseDateTimeInput(text, {
      dateFormat: s.inDateFormat,
      timeFormat: s.inTimeFormat,
      timeZone: s.timeZone,
      locale: 'en',
    });
    if (!date)
      errors.push({
        field,
        text: `${DATE_LABELS[field]}: enter a date and time such as ${inputExample(new Date(), {
          dateFormat: s.inDateFormat,
          timeFormat: s.inTimeFormat,
          timeZone: s.timeZone,
          locale: 'en',
        })} (the time may be left out)`,
      });
    return date;
  };
  const activationAt = readDate('activation_at');
  const expirationAt = readDate('expiration_at');
  const roleId = parseId(form.role_id) ?? 0;
  const fields: IndividualFields = {
    login: form.login,
    name: form.name,
    email: form.email,
    roleId,
    password: form.password,
    passwordChangeRequired: form.password_change_required,
    activationAt,
    expirationAt,
    regional: {
      timeZone: orNull(form.regional.time_zone),
      language: orNull(form.regional.language),
      outDateFormat: orNull(form.regional.out_date_format),
      outTimeFormat: orNull(form.regional.out_time_format),
      inDateFormat: orNull(form.regional.in_date_format),
      inTimeFormat: orNull(form.regional.in_time_format),
    },
    ipRestriction: form.ip_restriction,
    trustedIps: form.trusted_ips,
  };
  return { fields, errors };
}

/** Service field errors as admin form errors (ready English text). */
export function adminFieldErrors(errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({ field: e.field, text: e.text }));
}

/** Date problems and service problems in form order, one per field (dates first win). */
export function mergeErrors(first: FieldError[], second: FieldError[]): FieldError[] {
  const ORDER = [
    'login',
    'password',
    'name',
    'email',
    'role_id',
    'activation_at',
    'expiration_at',
    ...REGIONAL_FIELDS,
    'trusted_ips',
  ];
  const seen = new Set(first.map((e) => e.field));
  const all = [...first, ...second.filter((e) => e.field === 'trusted_ips' || !seen.has(e.field))];
  return all.sort((a, b) => ORDER.indexOf(a.field) - ORDER.indexOf(b.field));
}

// ---- the API's individuals ---------------------------------------------------------------------

const override = (max: number) => z.string().max(max).nullable().describe("null = inherit the customer's");
const moment = z.iso.datetime({ offset: true }).nullable();

export const individualRegional = z.strictObject({
  time_zone: override(64),
  language: override(8),
  out_date_format: override(40),
  out_time_format: override(40),
  in_date_format: override(40),
  in_time_format: override(40),
});

export const individualCreateBody = z.strictObject({
  login: z.string().max(64).describe('Unique among all self-care logins, ignoring case'),
  password: z.string().max(1024).describe('12–72 bytes of UTF-8, not a common password'),
  role_id: z.number().int().positive().describe("One of the customer's allowed roles"),
  name: z.string().max(160).optional(),
  email: z.string().max(254).optional(),
  password_change_required: z.boolean().optional(),
  activation_at: moment.optional(),
  expiration_at: moment.optional(),
  regional: individualRegional.partial().optional(),
  ip_restriction: z.boolean().optional(),
  trusted_ips: z.string().max(50_000).optional().describe('Entries separated by new lines or ";"'),
});

export const individualPatchBody = individualCreateBody.partial().extend({
  password: z.string().max(1024).optional().describe("A new password; ends the individual's sessions"),
  version: z.number().int().optional().describe('The version you read; a stale one answers 409'),
});

export const individualResponse = z.strictObject({
  id: z.number().int(),
  login: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.strictObject({ id: z.number().int(), name: z.string() }),
  status: z.enum(['active', 'not_yet_active', 'expired']),
  password_change_required: z.boolean(),
  activation_at: nullableTimestamp,
  expiration_at: nullableTimestamp,
  regional: individualRegional,
  ip_restriction: z.boolean(),
  trusted_ips: z.string(),
  version: z.number().int(),
  created_at: nullableTimestamp,
  updated_at: nullableTimestamp,
  last_login_at: nullableTimestamp,
});
