import { z } from 'zod';
import { boundedText, formString, passwordVisibilityAction } from '../../http/form.ts';

const required = (max: number) => boundedText(max).pipe(z.string().trim().min(1, { error: 'errors.required' }));
const secret = z.preprocess(
  (v) => (typeof v === 'string' ? v : ''),
  z.string().min(1, { error: 'errors.required' }).max(1024, { error: 'errors.tooLong' }),
);

export const signInSchema = z.object({ login: required(64), password: secret });

/** A two-factor code (six digits) or a recovery code. */
export const codeSchema = z.object({ code: required(64) });

export const forcedPasswordSchema = z.object({ new_password: secret, new_password_confirm: secret });

export const passwordChangeSchema = z.object({
  current_password: secret,
  new_password: secret,
  new_password_confirm: secret,
});

export const companySchema = z.object({ company_name: required(160) });

export const contactsSchema = z.object({
  contact_name: boundedText(160).pipe(z.string().trim()),
  email: boundedText(254)
    .pipe(z.string().trim())
    .refine((v) => v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), { error: 'portal.profile.errors.email' }),
  phone: boundedText(40)
    .pipe(z.string().trim())
    .refine((v) => /^[0-9+()./\s-]*$/.test(v), { error: 'portal.profile.errors.phone' }),
});

export const addressSchema = z.object({
  address_line1: boundedText(160).pipe(z.string().trim()),
  address_line2: boundedText(160).pipe(z.string().trim()),
  city: boundedText(80).pipe(z.string().trim()),
  postal_code: boundedText(20).pipe(z.string().trim()),
  country: boundedText(2)
    .pipe(z.string().trim().toUpperCase())
    .refine((v) => v === '' || /^[A-Z]{2}$/.test(v), { error: 'portal.profile.errors.country' }),
});

/** Filters of the call history: raw text, read later in the viewer's input format and zone. */
export const xdrFilterSchema = z.object({
  from: boundedText(100).pipe(z.string().trim()),
  to: boundedText(100).pipe(z.string().trim()),
  cursor: boundedText(64),
});

export const cursorSchema = z.object({ cursor: boundedText(64) });

export type AccountRef = { kind: 'customer'; id: number } | { kind: 'individual'; id: number };

/** Profile columns a self-care user may edit, by form field. */
export const PROFILE_COLUMNS = {
  company_name: 'company_name',
  contact_name: 'contact_name',
  email: 'email',
  phone: 'phone',
  address_line1: 'address_line1',
  address_line2: 'address_line2',
  city: 'city',
  postal_code: 'postal_code',
  country: 'country',
} as const;
export type ProfileField = keyof typeof PROFILE_COLUMNS;

export const REGIONAL_COLUMNS = [
  'time_zone',
  'language',
  'out_date_format',
  'out_time_format',
  'in_date_format',
  'in_time_format',
] as const;
export type RegionalColumn = (typeof REGIONAL_COLUMNS)[number];

/** A customer's version before and after a change, as the audit trail records it. */
export type VersionStep = { old: number; new: number };

/** What the password forms re-render after a no-JavaScript “Show / Hide the new password”. */
export interface NewPasswordsShown {
  visible: boolean;
  values: { current_password: string; new_password: string; new_password_confirm: string };
}

/** Null unless the post is a show/hide of the new password (nothing is changed then). */
export function newPasswordsShown(body: unknown): NewPasswordsShown | null {
  const action = passwordVisibilityAction(body);
  if (action === null) return null;
  const raw = body as Record<string, unknown>;
  return {
    visible: action === 'show',
    values: {
      current_password: formString(raw.current_password),
      new_password: formString(raw.new_password),
      new_password_confirm: formString(raw.new_password_confirm),
    },
  };
}
