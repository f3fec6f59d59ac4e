import { z } from 'zod';
import { idString } from '../../http/ids.ts';

/**
 * The "Generate token" form (admin tab and portal page): `name`, optional `expires_on`. The date
 * is read by the handler in the viewer's input format and time zone.
 */
export const tokenCreateSchema = z.object({
  name: z
    .string({ error: 'errors.apiTokens.name' })
    .trim()
    .min(1, { error: 'errors.apiTokens.name' })
    .max(80, { error: 'errors.tooLong' }),
  expires_on: z.string().trim().max(40, { error: 'errors.tooLong' }).optional().default(''),
});

export const tokenIdSchema = idString;
