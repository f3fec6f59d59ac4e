import { z } from 'zod';
import { boundedText, formString, parseForm, passwordVisibilityAction, type FieldError } from '../../http/form.ts';

/**
 * A text that must not be empty: `missing` is the field's own message, which names it and says
 * what to type ("Enter the company name").
 */
const required = (max: number, missing: string) => boundedText(max).pipe(z.string().trim().min(1, { error: missing }));
/** A password as typed (never trimmed). */
const secret = (missing: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v : ''),
    z.string().min(1, { error: missing }).max(1024, { error: 'errors.tooLong' }),
  );

export const signInSchema = z.object({
  login: required(64, 'portal.signIn.errors.login'),
  password: secret('portal.signIn.errors.password'),
});

/** A two-factor code (six digits) or a recovery code: signing in, turning two-factor sign-in off. */
export const codeSchema = z.object({ code: required(64, 'twoFactor.errors.code') });

/**
 * A code from the authenticator itself: the first one, which confirms its set-up (a recovery code
 * does not exist yet), or the one that asks for new recovery codes (a recovery code does not do).
 */
export const setupCodeSchema = z.object({ code: required(64, 'twoFactor.errors.setupCode') });

/** The two new-password fields of every password form (a forced change, a reset link). */
const newPasswordSchema = z.object({
  new_password: secret('portal.password.errors.new_password'),
  new_password_confirm: secret('portal.password.errors.new_password_confirm'),
});

/** The settings page's form, which asks for the current password too. */
const passwordChangeSchema = newPasswordSchema.extend({
  current_password: secret('portal.password.errors.current_password'),
});

/** What a password form sends: the current password (null where the form has none), the new one twice. */
export interface PasswordForm {
  current: string | null;
  next: string;
  confirm: string;
}

/** A password form as typed, and the fields its schema refused (left empty, too long). */
export function readPasswordForm(body: unknown, withCurrent: boolean): { typed: PasswordForm; refused: FieldError[] } {
  const form = parseForm(withCurrent ? passwordChangeSchema : newPasswordSchema, body);
  const raw = form.values as Record<string, unknown>;
  return {
    typed: {
      current: withCurrent ? formString(raw.current_password) : null,
      next: formString(raw.new_password),
      confirm: formString(raw.new_password_confirm),
    },
    refused: form.ok ? [] : form.errors,
  };
}

export const companySchema = z.object({ company_name: required(160, 'portal.profile.errors.company_name') });

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
  country: boundedText(2, 'portal.profile.errors.country')
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
