import { z } from 'zod';
import { checkbox } from '../../http/form.ts';
import { boundedText, formString } from '../selfcare-access/schema.ts';

export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'NZD', 'CHF', 'JPY', 'CNY', 'INR', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'RON', 'UAH', 'TRY', 'BRL', 'MXN', 'ARS', 'CLP', 'COP', 'ZAR', 'NGN', 'KES', 'AED', 'SAR', 'ILS', 'SGD', 'HKD', 'KRW', 'THB', 'IDR', 'PHP', 'MYR'] as const;

const trimmed = (max: number) => z.preprocess((v) => formString(v).trim(), z.string().max(max, { error: 'errors.tooLong' }));

/** The customer's basics: the create form and the General tab's edit form. */
export const customerBasicsSchema = z.object({
  name: trimmed(160).pipe(z.string().min(1, { error: 'Enter the customer’s name' })),
  email: trimmed(254).pipe(z.string().min(1, { error: 'Enter an e-mail address' }).pipe(z.email({ error: 'Enter an e-mail address like name@example.com' }))),
  currency: trimmed(3).pipe(z.enum(CURRENCIES, { error: 'Choose a currency from the list' })),
  credit_limit: trimmed(20).pipe(
    z
      .string()
      .regex(/^(\d{1,12}(\.\d{1,2})?)?$/, { error: 'Enter the credit limit as an amount like 500 or 1250.50' })
      .transform((v) => (v === '' ? 0 : Number(v))),
  ),
  company_name: trimmed(160),
  contact_name: trimmed(160),
  phone: trimmed(40).pipe(z.string().regex(/^[0-9+()./ -]*$/, { error: 'Enter a phone number with digits, spaces and + ( ) - . / only' })),
  address_line1: trimmed(160),
  address_line2: trimmed(160),
  city: trimmed(80),
  postal_code: trimmed(20),
  country: trimmed(2)
    .transform((v) => v.toUpperCase())
    .pipe(z.string().regex(/^([A-Z]{2})?$/, { error: 'Enter a two-letter country code like DE or US, or leave it blank' })),
});
export type CustomerBasicsForm = z.infer<typeof customerBasicsSchema>;

export const versionField = z.preprocess((v) => formString(v).trim(), z.string().regex(/^\d{1,9}$/, { error: 'The form is incomplete: reload the page and try again' }).transform(Number));

export const customerEditSchema = customerBasicsSchema.extend({ version: versionField });

/** The customer list: `q` (prefix) and the keyset cursor `after` (the last id shown). */
export const customerSearchSchema = z.object({
  q: z.preprocess((v) => formString(v).trim().toLowerCase(), z.string().max(100, { error: 'errors.tooLong' })),
  after: z.preprocess(
    (v) => formString(v),
    z
      .string()
      .regex(/^([1-9]\d{0,9})?$/)
      .catch('')
      .transform((v) => (v === '' ? null : Number(v))),
  ),
});

/**
 * The Web self-care panel's own fields (the regional ones are read by readRegionalInput). Only
 * the shape is checked here; the rules live in the service and the shared selfcare-settings.
 */
export const selfCareFormSchema = z.object({
  login: z.preprocess((v) => formString(v).trim(), z.string().max(64, { error: 'Login must be 3–64 characters' })),
  password: boundedText(1024),
  password_change_required: z.preprocess(checkbox, z.boolean()),
  ip_restriction: z.preprocess(checkbox, z.boolean()),
  trusted_ips: boundedText(60_000),
  role_id: z.preprocess((v) => formString(v).trim(), z.string().max(12)),
  version: versionField,
});
export type SelfCareForm = z.infer<typeof selfCareFormSchema>;
