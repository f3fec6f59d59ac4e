import { z } from 'zod';
import { boundedText, checkbox, formString } from '../../http/form.ts';
import { parseId } from '../../http/ids.ts';

export const ADMIN_LOGIN_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;
export const ADMIN_LOGIN_MESSAGE = 'Login must be 3–64 characters: letters, digits, ".", "_", "@" or "-"';

const trimmed = (max: number, message: string) =>
  z.preprocess((v) => formString(v).trim(), z.string().max(max, { error: message }));

/** The administrator form (new and edit); the password rules are the service's. */
export const adminFormSchema = z.object({
  login: trimmed(64, ADMIN_LOGIN_MESSAGE).pipe(z.string().regex(ADMIN_LOGIN_PATTERN, { error: ADMIN_LOGIN_MESSAGE })),
  name: trimmed(120, 'The name is at most 120 characters').pipe(
    z.string().min(1, { error: 'Enter the administrator’s name' }),
  ),
  email: trimmed(254, 'The e-mail address is at most 254 characters').pipe(
    z.string().refine((v) => v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
      error: 'Enter an e-mail address like name@example.com, or leave it blank',
    }),
  ),
  password: boundedText(1024),
  password_change_required: z.preprocess(checkbox, z.boolean()),
  admin_role_id: z.preprocess((v) => parseId(formString(v).trim()), z.number({ error: 'Choose an admin role' })),
  status: z.preprocess((v) => formString(v).trim(), z.enum(['active', 'disabled'], { error: 'Choose a status' })),
});
export type AdminForm = z.infer<typeof adminFormSchema>;

export const adminEditSchema = adminFormSchema.extend({
  version: z.preprocess(
    (v) => formString(v).trim(),
    z
      .string()
      .regex(/^\d{1,9}$/, { error: 'The form is incomplete: reload the page and try again' })
      .transform(Number),
  ),
});

/** The list: `q` (login or name prefix) and the keyset cursor `after` (the last login shown). */
export const adminSearchSchema = z.object({
  q: z.preprocess((v) => formString(v).trim().toLowerCase(), z.string().max(64, { error: 'errors.tooLong' })),
  after: z.preprocess((v) => formString(v).trim().toLowerCase(), z.string().max(64).catch('')),
});

/** The administrator's own password change. */
export const ownPasswordSchema = z.object({
  current_password: z.preprocess(formString, z.string().min(1, { error: 'Enter your current password' }).max(1024)),
  new_password: z.preprocess(formString, z.string().min(1, { error: 'Enter a new password' }).max(1024)),
  new_password_confirm: z.preprocess(formString, z.string().min(1, { error: 'Repeat the new password' }).max(1024)),
});
