import { z } from 'zod';
import { checkbox } from '../../http/form.ts';
import { boundedText, formString } from '../../http/form.ts';
import { parseId } from '../../http/ids.ts';
import type { RegionalSettings } from '../../regional/settings.ts';

export const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'NZD',
  'CHF',
  'JPY',
  'CNY',
  'INR',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'RON',
  'UAH',
  'TRY',
  'BRL',
  'MXN',
  'ARS',
  'CLP',
  'COP',
  'ZAR',
  'NGN',
  'KES',
  'AED',
  'SAR',
  'ILS',
  'SGD',
  'HKD',
  'KRW',
  'THB',
  'IDR',
  'PHP',
  'MYR',
] as const;

const trimmed = (max: number) =>
  z.preprocess((v) => formString(v).trim(), z.string().max(max, { error: 'errors.tooLong' }));

/** The customer's basics: the create form and the General tab's edit form. */
export const customerBasicsSchema = z.object({
  name: trimmed(160).pipe(z.string().min(1, { error: 'Enter the customer’s name' })),
  email: trimmed(254).pipe(
    z
      .string()
      .min(1, { error: 'Enter an e-mail address' })
      .pipe(z.email({ error: 'Enter an e-mail address like name@example.com' })),
  ),
  currency: trimmed(3).pipe(z.enum(CURRENCIES, { error: 'Choose a currency from the list' })),
  credit_limit: trimmed(20).pipe(
    z
      .string()
      .regex(/^(\d{1,12}(\.\d{1,2})?)?$/, { error: 'Enter the credit limit as an amount like 500 or 1250.50' })
      .transform((v) => (v === '' ? 0 : Number(v))),
  ),
  company_name: trimmed(160),
  contact_name: trimmed(160),
  phone: trimmed(40).pipe(
    z.string().regex(/^[0-9+()./ -]*$/, { error: 'Enter a phone number with digits, spaces and + ( ) - . / only' }),
  ),
  address_line1: trimmed(160),
  address_line2: trimmed(160),
  city: trimmed(80),
  postal_code: trimmed(20),
  country: trimmed(2)
    .transform((v) => v.toUpperCase())
    .pipe(
      z.string().regex(/^([A-Z]{2})?$/, { error: 'Enter a two-letter country code like DE or US, or leave it blank' }),
    ),
});
export type CustomerBasicsForm = z.infer<typeof customerBasicsSchema>;

export const versionField = z.preprocess(
  (v) => formString(v).trim(),
  z
    .string()
    .regex(/^\d{1,9}$/, { error: 'The form is incomplete: reload the page and try again' })
    .transform(Number),
);

export const customerEditSchema = customerBasicsSchema.extend({ version: versionField });

/** The customer list: `q` (prefix) and the keyset cursor `after` (the last id shown). */
/** The columns the customer list sorts by. */
export const CUSTOMER_SORTS = ['name', 'login', 'created', 'balance'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

const cursorId = z.preprocess(
  (v) => formString(v),
  z
    .string()
    .transform((v) => parseId(v))
    .catch(null),
);

/** The customer list's query: search prefix, sort, and where the page starts (all but `q` fall back quietly). */
export const customerSearchSchema = z.object({
  q: z.preprocess((v) => formString(v).trim().toLowerCase(), z.string().max(100, { error: 'errors.tooLong' })),
  sort: z.preprocess((v) => formString(v), z.enum(CUSTOMER_SORTS).catch('name')),
  dir: z.preprocess((v) => formString(v), z.enum(['asc', 'desc']).catch('asc')),
  after: cursorId,
  before: cursorId,
  page: z.preprocess((v) => formString(v), z.enum(['last', '']).catch('')),
});
export type CustomerListForm = z.infer<typeof customerSearchSchema>;

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
  two_factor_required: z.preprocess(checkbox, z.boolean()),
  role_id: z.preprocess((v) => formString(v).trim(), z.string().max(12)),
  version: versionField,
});
export type SelfCareForm = z.infer<typeof selfCareFormSchema>;

/** A customer's row as the admin panels, the portal and the API read it. */
export interface CustomerRecord extends RegionalSettings {
  id: number;
  name: string;
  email: string;
  currency: string;
  status: string;
  balance: number;
  creditLimit: number;
  companyName: string;
  contactName: string;
  phone: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  postalCode: string;
  country: string;
  roleId: number;
  selfcareLogin: string | null;
  passwordHash: string | null;
  passwordChangeRequired: boolean;
  ipRestriction: boolean;
  trustedIps: string;
  /** the customer and its individuals must use two-factor sign-in at the portal */
  twoFactorRequired: boolean;
  version: number;
  /** moves on when the self-care password changes: every older session ends */
  sessionEpoch: number;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
}

export interface CustomerListItem {
  id: number;
  name: string;
  email: string;
  selfcareLogin: string | null;
  currency: string;
  balance: number;
  status: string;
  createdAt: Date;
}

export type ProfileSource = Pick<
  CustomerRecord,
  | 'email'
  | 'companyName'
  | 'contactName'
  | 'phone'
  | 'addressLine1'
  | 'addressLine2'
  | 'city'
  | 'postalCode'
  | 'country'
>;

/** The profile a customer edits itself (portal, API), named by its form fields and columns. */
export function profileValuesOf(c: ProfileSource) {
  return {
    company_name: c.companyName,
    contact_name: c.contactName,
    email: c.email,
    phone: c.phone,
    address_line1: c.addressLine1,
    address_line2: c.addressLine2,
    city: c.city,
    postal_code: c.postalCode,
    country: c.country,
  };
}

export type CustomerBasics = ProfileSource & Pick<CustomerRecord, 'name' | 'currency' | 'creditLimit'>;

export type NewCustomer = CustomerBasics & { roleId: number };

/** The self-care columns the panel writes (password hash only when it changes). */
export type SelfCareUpdate = Pick<
  CustomerRecord,
  | 'selfcareLogin'
  | 'passwordChangeRequired'
  | 'ipRestriction'
  | 'trustedIps'
  | 'twoFactorRequired'
  | 'roleId'
  | 'timeZone'
  | 'language'
  | 'outDateFormat'
  | 'outTimeFormat'
  | 'inDateFormat'
  | 'inTimeFormat'
> & { passwordHash?: string };

/** Columns the customer changes itself (portal, API), by column name. */
export type SelfServiceColumns = Partial<{
  company_name: string;
  contact_name: string;
  email: string;
  phone: string;
  address_line1: string;
  address_line2: string;
  city: string;
  postal_code: string;
  country: string;
  time_zone: string;
  language: string;
  out_date_format: string;
  out_time_format: string;
  in_date_format: string;
  in_time_format: string;
  password_hash: string;
  password_change_required: boolean;
}>;

/** The customer as the API shows it: its row and the name of its role. */
export type CustomerAccount = CustomerRecord & { roleName: string };
