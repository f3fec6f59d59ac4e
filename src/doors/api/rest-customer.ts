import type { z } from 'zod';
import type { EffectiveLevels } from '../../access/permissions.ts';
import { visibleGroups, type ProfilePatch } from '../../features/accounts/service.ts';
import type { CustomerAccount } from '../../features/customers/schema.ts';
import { isLanguage, toILang } from '../../regional/languages.ts';
import { fault } from './rest-faults.ts';
import { CUSTOMER_INFO_CHANGEABLE, type customerInfo } from './rest-schema.ts';
import { customerPatchBody } from './schema.ts';

// The customer as the reference API's `customer_info` shows it, and the way back: a
// `customer_info` change → the profile patch the portal and /api/v1 apply with the same rules.

export type CustomerInfo = z.output<typeof customerInfo>;

const BILL_STATUS: Record<string, CustomerInfo['bill_status']> = { suspended: 'S', closed: 'C' };

export function customerInfoOf(account: CustomerAccount, levels: EffectiveLevels): CustomerInfo {
  const groups = visibleGroups(levels);
  const contact = (value: string): string => (groups.contacts ? value : '');
  const address = (value: string): string => (groups.address ? value : '');
  return {
    i_customer: account.id,
    login: account.selfcareLogin ?? '',
    name: account.name,
    companyname: account.companyName,
    email: contact(account.email),
    cont1: contact(account.contactName),
    phone1: contact(account.phone),
    baddr1: address(account.addressLine1),
    address_line_2: address(account.addressLine2),
    city: address(account.city),
    zip: address(account.postalCode),
    country: address(account.country),
    balance: account.balance,
    credit_limit: account.creditLimit,
    iso_4217: account.currency,
    bill_status: BILL_STATUS[account.status] ?? 'O',
    i_office_type: 1,
    i_lang: toILang(isLanguage(account.language) ? account.language : 'en'),
    time_zone_name: account.timeZone,
    time_zone: account.timeZone,
    out_date_format: account.outDateFormat,
    out_time_format: account.outTimeFormat,
    out_date_time_format: `${account.outDateFormat} ${account.outTimeFormat}`,
    in_date_format: account.inDateFormat,
    in_time_format: account.inTimeFormat,
  };
}

/** Whether a customer id sent as a number or a string of digits is this one. */
export function sameCustomerId(sent: number | string, id: number): boolean {
  return Number(sent) === id;
}

/** A name pattern of the reference API (`%` any run, `_` one character), case-insensitive. */
export function matchesNamePattern(name: string, pattern: string): boolean {
  const source = [...pattern]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'isu').test(name);
}

type Changeable = (typeof CUSTOMER_INFO_CHANGEABLE)[number];

const PATCH_PATH: Record<Changeable, [group: 'company_name'] | [group: 'contacts' | 'address', field: string]> = {
  companyname: ['company_name'],
  cont1: ['contacts', 'contact_name'],
  email: ['contacts', 'email'],
  phone1: ['contacts', 'phone'],
  baddr1: ['address', 'address_line1'],
  address_line_2: ['address', 'address_line2'],
  city: ['address', 'city'],
  zip: ['address', 'postal_code'],
  country: ['address', 'country'],
};

const FIELD_OF_PATH = new Map(Object.entries(PATCH_PATH).map(([field, path]) => [path.join('.'), field]));

const isChangeable = (key: string): key is Changeable => (CUSTOMER_INFO_CHANGEABLE as readonly string[]).includes(key);
const same = (a: unknown, b: unknown): boolean =>
  (a === null || a === undefined ? '' : typeof a === 'object' ? JSON.stringify(a) : String(a)) ===
  (b === null || b === undefined ? '' : typeof b === 'object' ? JSON.stringify(b) : String(b));

/**
 * The profile patch a `customer_info` asks for. Fields equal to what Customer/get_customer_info
 * shows the caller are left alone, so a client may send back what it read; a different value for
 * a field this door cannot change, or a field it does not know, is refused rather than dropped.
 */
export function profilePatchOf(info: Record<string, unknown>, shown: CustomerInfo): ProfilePatch {
  const patch: { company_name?: unknown; contacts?: Record<string, unknown>; address?: Record<string, unknown> } = {};
  const refused: string[] = [];
  for (const [key, value] of Object.entries(info)) {
    if (key === 'i_customer') continue;
    if (isChangeable(key)) {
      if (same(value, shown[key])) continue;
      const [group, field] = PATCH_PATH[key];
      if (group === 'company_name') patch.company_name = value;
      else (patch[group] ??= {})[field!] = value;
    } else if (!Object.prototype.hasOwnProperty.call(shown, key)) {
      refused.push(`${key} is not a customer_info field`);
    } else if (!same(value, shown[key as keyof CustomerInfo])) {
      refused.push(`${key} cannot be changed through this API`);
    }
  }
  if (refused.length > 0) throw fault('invalidParams', refused.join('; '));
  const parsed = customerPatchBody.safeParse(patch);
  if (!parsed.success) {
    throw fault(
      'invalidParams',
      parsed.error.issues
        .map(
          (issue) =>
            `${FIELD_OF_PATH.get(issue.path.join('.')) ?? (issue.path.join('.') || 'customer_info')}: ${issue.message}`,
        )
        .join('; '),
    );
  }
  return parsed.data;
}
