import { z } from 'zod';
import { boundedText } from '../../http/form.ts';

/** "Forgot your password?": a self-care login or an e-mail address. */
export const forgotPasswordSchema = z.object({
  login: boundedText(254).pipe(z.string().trim().min(1, { error: 'errors.required' })),
});

const secret = z.preprocess(
  (v) => (typeof v === 'string' ? v : ''),
  z.string().min(1, { error: 'errors.required' }).max(1024, { error: 'errors.tooLong' }),
);

/** The new password, twice. */
export const resetPasswordSchema = z.object({ new_password: secret, new_password_confirm: secret });
