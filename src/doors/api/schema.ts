// The API's contract: every request is validated with these schemas and the OpenAPI document is
// generated from them (openapi.ts), so the two cannot drift apart.
import { z } from 'zod';
import { COMPONENT_KEYS, LEVELS } from '../../access/permissions.ts';
import { calendarDate, idParams, page, pageQuery, timestamp } from '../../http/api-schema.ts';

export const ERROR_CODES = [
  'invalid_credentials',
  'ip_not_allowed',
  'forbidden',
  'not_found',
  'conflict',
  'invalid_input',
  'rate_limited',
  'method_not_allowed',
  'unavailable',
  'internal_error',
] as const;

export const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    fields: z
      .array(z.strictObject({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Each invalid field (422 only)'),
  }),
});

// ---- sessions ----------------------------------------------------------------------------------

export const sessionCreateBody = z.object({
  login: z.string().min(1).max(64).describe("The customer's self-care login"),
  token: z.string().min(1).max(200).describe('An API token generated for the customer'),
});

export const sessionCreated = z.strictObject({
  session_id: z.string().describe('Send as `Authorization: Bearer <session_id>`'),
  expires_at: timestamp.describe('Absolute expiry; the session also ends after the idle timeout without requests'),
});

// ---- lists -------------------------------------------------------------------------------------

export { idParams, pageQuery };

// ---- me ----------------------------------------------------------------------------------------

export const regionalSettings = z.strictObject({
  time_zone: z.string(),
  language: z.string(),
  out_date_format: z.string(),
  out_time_format: z.string(),
  in_date_format: z.string(),
  in_time_format: z.string(),
});

export const meResponse = z.strictObject({
  kind: z.literal('customer'),
  customer_id: z.number().int(),
  login: z.string(),
  name: z.string(),
  role: z.strictObject({ id: z.number().int(), name: z.string() }),
  permissions: z
    .record(z.enum(COMPONENT_KEYS), z.enum(LEVELS))
    .describe('Effective level per component: hidden (Forbidden), read (View only), modify (Full)'),
  regional: regionalSettings,
  session: z.strictObject({ expires_at: timestamp }),
});

// ---- customer profile --------------------------------------------------------------------------

const line = (max: number) => z.string().trim().max(max);

// The same rules as the portal's profile forms (src/features/portal/schema.ts), with types enforced.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const contactsFields = z.strictObject({
  contact_name: line(160),
  email: line(254).refine((v) => v === '' || EMAIL.test(v), {
    error: 'Enter an e-mail address like name@example.com, or nothing',
  }),
  phone: line(40).regex(/^[0-9+()./\s-]*$/, { error: 'Only digits, spaces and + ( ) . / -' }),
});

export const addressFields = z.strictObject({
  address_line1: line(160),
  address_line2: line(160),
  city: line(80),
  postal_code: line(20),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^([A-Z]{2})?$/, { error: 'Two letters (ISO 3166-1 alpha-2) or empty' }),
});

export const customerResponse = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  company_name: z.string(),
  currency: z.string(),
  status: z.string(),
  balance: z.number(),
  credit_limit: z.number(),
  updated_at: timestamp,
  contacts: contactsFields.optional().describe('Present when the role may see contacts'),
  address: addressFields.optional().describe('Present when the role may see the address'),
});

export const customerPatchBody = z.strictObject({
  company_name: line(160).min(1).optional().describe('Needs Full access to profile; not empty'),
  contacts: contactsFields.partial().optional().describe('Needs Full access to profile.contacts'),
  address: addressFields.partial().optional().describe('Needs Full access to profile.address'),
});

// ---- billing -----------------------------------------------------------------------------------

export const invoiceResponse = z.strictObject({
  id: z.number().int(),
  number: z.string(),
  period_from: calendarDate.describe('First day of the billing period'),
  period_to: calendarDate.describe('Last day of the billing period'),
  issued_at: timestamp,
  due_at: calendarDate.describe('Day the invoice is due'),
  amount: z.number(),
  currency: z.string(),
  status: z.string().describe('open, paid, overdue or void'),
});
export const invoicePage = page(invoiceResponse);

/** A billing list: a page as JSON, or every matching row as CSV (`format=csv` or `Accept: text/csv`). */
export const listQuery = pageQuery.extend({
  format: z
    .enum(['json', 'csv'])
    .optional()
    .describe(
      'csv answers every matching row (limit and cursor ignored) as text/csv, UTF-8 with a byte order mark, one column per JSON field; so does Accept: text/csv',
    ),
});

export const xdrQuery = listQuery.extend({
  from: z.iso.datetime({ offset: true }).optional().describe('Calls connected at or after this moment (ISO 8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Calls connected before this moment (ISO 8601)'),
});

export const xdrResponse = z.strictObject({
  id: z.number().int(),
  connect_time: timestamp,
  cli: z.string(),
  cld: z.string(),
  description: z.string(),
  duration_seconds: z.number().int(),
  charged_amount: z.number(),
});
export const xdrPage = page(xdrResponse);

export const paymentResponse = z.strictObject({
  id: z.number().int(),
  paid_at: timestamp,
  amount: z.number(),
  currency: z.string(),
  method: z.string(),
  reference: z.string(),
});
export const paymentPage = page(paymentResponse);

export const openApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
