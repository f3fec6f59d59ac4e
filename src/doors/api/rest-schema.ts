import type { Request } from 'express';
// The contract of the `/rest` door: the params each method reads and the answers it gives. The
// handlers validate with these schemas and the door's OpenAPI document (rest-openapi.ts) is
// generated from them. Params are loose objects: clients of the reference product send fields
// this door does not use (`limit`, `skip_exported`, …), and those are ignored, not refused.
import { z } from 'zod';
import { FAULT_CODES, type FaultKey } from './rest-faults.ts';

const id = z
  .union([z.number().int().positive(), z.string().regex(/^\d{1,10}$/)])
  .describe('A customer id, as a number or a string of digits');

export const authInfo = z
  .object({
    session_id: z.string().nullable().optional().describe('The `session_id` of Session/login; null is ignored'),
    access_token: z.string().optional().describe('The `access_token` of Session/login or Session/refresh_access_token'),
  })
  .describe('Where the session goes, unless it is sent as `Authorization: Bearer <session_id or access_token>`');

export const loginParams = z
  .object({
    login: z.string().min(1).max(64).describe("The customer's self-care login"),
    token: z.string().min(1).max(200).optional().describe('An API token generated for the customer'),
    password: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Also read as the API token, for clients that send `{login, password}`; never the self-care password'),
  })
  .refine((p) => p.token !== undefined || p.password !== undefined, { error: 'token (or password) is required' });

export const refreshParams = z.object({
  refresh_token: z
    .string()
    .min(1)
    .max(200)
    .describe('The `refresh_token` of the last Session/login or Session/refresh_access_token'),
});

export const sessionParams = z.object({
  session_id: z.string().optional().describe('The session to end or check (else `auth_info` or the Bearer header)'),
  access_token: z.string().optional().describe('The access token of the session to end or check'),
});

export const customerInfoParams = z.object({
  i_customer: id.optional().describe("Must be the caller's own id"),
  login: z.string().max(64).optional().describe("Must be the caller's own login"),
});

export const customerListParams = z.object({
  i_customer: id.optional(),
  login: z.string().max(64).optional(),
  name: z.string().max(200).optional().describe('Name pattern; `%` and `_` are wildcards'),
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(0).optional(),
  get_total: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
});

export const CUSTOMER_INFO_CHANGEABLE = [
  'companyname',
  'cont1',
  'email',
  'phone1',
  'baddr1',
  'address_line_2',
  'city',
  'zip',
  'country',
] as const;

export const updateCustomerParams = z.object({
  customer_info: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      `The fields to change, among ${CUSTOMER_INFO_CHANGEABLE.map((f) => `\`${f}\``).join(', ')}; \`i_customer\` (the caller's own) and unchanged fields of Customer/get_customer_info may be sent back as they are`,
    ),
});

// ---- answers -----------------------------------------------------------------------------------

export const sessionAnswer = z.strictObject({
  session_id: z.string().describe('The API session id; also the `jti` of the access token'),
  access_token: z
    .string()
    .describe(
      'A JWT (HS256) with `sub`, `i_customer`, `login`, `realm`, `iat`, `exp`, `jti`; send as `Authorization: Bearer …` here and on /api/v1',
    ),
  refresh_token: z.string().describe('Single use, for Session/refresh_access_token'),
  expires_at: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    .describe(
      "The session's absolute expiry (= `exp`), `YYYY-MM-DD HH:MM:SS` UTC; the session also ends after the idle timeout without requests",
    ),
  expires_in: z.number().int().min(0).describe('Seconds until `expires_at`'),
});

export const logoutAnswer = z.strictObject({ success: z.literal(1) });
export const pingAnswer = z.strictObject({
  user_id: z.number().int().min(0).describe('The customer id of a live session; 0 for none or an ended one'),
});

export const customerInfo = z.strictObject({
  i_customer: z.number().int(),
  login: z.string(),
  name: z.string(),
  companyname: z.string(),
  email: z.string().describe('Empty when the role hides contacts'),
  cont1: z.string().describe('Contact name; empty when the role hides contacts'),
  phone1: z.string().describe('Empty when the role hides contacts'),
  baddr1: z.string().describe('Address line 1; empty when the role hides the address'),
  address_line_2: z.string(),
  city: z.string(),
  zip: z.string(),
  country: z.string(),
  balance: z.number(),
  credit_limit: z.number(),
  iso_4217: z.string().describe('Currency'),
  bill_status: z.enum(['O', 'S', 'C']).describe('O open, S suspended, C closed'),
  i_office_type: z.literal(1).describe('1: no office hierarchy'),
  i_lang: z.string().describe('Interface language: en, es, fr, de, pt-br, uk'),
  time_zone_name: z.string().describe('IANA time zone'),
  time_zone: z.string().describe('The same IANA time zone (the name earlier versions of this door used)'),
  out_date_format: z.string(),
  out_time_format: z.string(),
  out_date_time_format: z.string(),
  in_date_format: z.string(),
  in_time_format: z.string(),
});

export const customerInfoAnswer = z.strictObject({ customer_info: customerInfo });
export const customerListAnswer = z.strictObject({
  customer_list: z.array(customerInfo).max(1).describe("The caller's own customer, when it matches the filters"),
  total: z.number().int().optional().describe('With `get_total`'),
});
export const updateCustomerAnswer = z.strictObject({ i_customer: z.number().int() });

export const faultAnswer = z.strictObject({
  faultcode: z.enum(FAULT_CODES as [string, ...string[]]),
  faultstring: z.string(),
});

/** Where a method takes its session from: nowhere, the usual places, or `params` first. */
export type SessionSource = 'none' | 'auth' | 'params-or-auth';

export interface RestMethod {
  name: `${string}/${string}`;
  summary: string;
  session: SessionSource;
  params: z.ZodType;
  /** the fault for params that do not fit (default invalidParams) */
  paramsFault?: FaultKey;
  answer: z.ZodType;
  faults: FaultKey[];
  handle(req: Request, params: never): Promise<unknown>;
}
