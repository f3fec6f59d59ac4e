import { z } from 'zod';
import { boundedText } from '../../http/form.ts';

/** "Forgot your password?": a self-care login or an e-mail address. */
export const forgotPasswordSchema = z.object({
  login: boundedText(254).pipe(z.string().trim().min(1, { error: 'passwordReset.forgot.required' })),
});
