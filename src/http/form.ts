import { z } from 'zod';

import type { FieldError } from '../access/field-error.ts';

export type { FieldError };

export type FormResult<T> =
  { ok: true; values: T } | { ok: false; values: Record<string, unknown>; errors: FieldError[] };

/** A schema message that names a translation (`errors.required`, `portal.profile.errors.email`), not a sentence. */
const MESSAGE_KEY = /^[A-Za-z]\w*(\.\w+)+$/;

/**
 * Runs a zod schema over a form body. Schema messages are translation keys (`errors.required`,
 * or a field's own such as `portal.profile.errors.email`); anything else falls back to
 * `errors.invalid`. Raw values are kept to re-render the form.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.infer<S>> {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, values: result.data };
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    if (seen.has(field)) continue;
    seen.add(field);
    const key = MESSAGE_KEY.test(issue.message) ? issue.message : 'errors.invalid';
    const params: Record<string, unknown> = {};
    if ('minimum' in issue) params.min = issue.minimum;
    if ('maximum' in issue) params.max = issue.maximum;
    errors.push({ field, key, params });
  }
  return { ok: false, values: raw, errors };
}

/** Checkbox semantics for HTML forms: present with "on"/"1"/"true" means checked. */
export function checkbox(value: unknown): boolean {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return v === 'on' || v === '1' || v === 'true' || v === true;
}

/** A form field that may arrive once or repeated (`role_ids`): always an array of strings. */
export function repeated(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** A form value as one string: repeated fields keep the last value, anything else is ''. */
export function formString(value: unknown): string {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof v === 'string' ? v : '';
}

/**
 * The no-JavaScript show/hide buttons of a password field post the form with
 * `password_action=show|hide`: the handler re-renders the form that way and saves nothing.
 */
export function passwordVisibilityAction(body: unknown): 'show' | 'hide' | null {
  const action = formString(
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).password_action : '',
  );
  return action === 'show' || action === 'hide' ? action : null;
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
    const ownText = issue && !MESSAGE_KEY.test(issue.message) && !ZOD_DEFAULT_MESSAGE.test(issue.message);
    return ownText ? { field: error.field, text: issue.message } : error;
  });
  return { ok: false, values: result.values, errors };
}

/**
 * Raw text fields of a self-care form, bounded so a huge body cannot reach the parsers. Too long
 * is `errors.tooLong` (named after the field's label), or the field's own message when it says
 * what fits (a two-letter code).
 */
export const boundedText = (max: number, error = 'errors.tooLong') =>
  z.preprocess(formString, z.string().max(max, { error }));
