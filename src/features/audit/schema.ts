import { z } from 'zod';
import { formString } from '../../http/form.ts';

const DATETIME_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,3})?)?$/;

/** A `datetime-local` value read as UTC; `end` widens a minute- or second-precision value to its last millisecond. */
function utcInstant(value: string, end: boolean): Date | null {
  const m = DATETIME_LOCAL.exec(value);
  if (!m) return null;
  const d = new Date(`${value}Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 16) !== value.slice(0, 16)) return null;
  if (end) d.setTime(d.getTime() + (m[7] === undefined ? 59_999 : m[8] === undefined ? 999 : 0));
  return d;
}

const text = (max: number) =>
  z.preprocess((v) => formString(v).trim(), z.string().max(max, { error: 'errors.tooLong' }));
const when = (end: boolean, message: string) =>
  text(30).transform((v, ctx) => {
    if (v === '') return null;
    const d = utcInstant(v, end);
    if (!d) ctx.addIssue({ code: 'custom', message });
    return d;
  });

/** Filters of the audit pages; every one optional. Times are UTC. */
export const auditFilterSchema = z
  .object({
    from: when(false, 'Enter the start as a date and time, like 2026-11-26T09:00'),
    to: when(true, 'Enter the end as a date and time, like 2026-11-26T18:00'),
    entity_type: text(30).pipe(
      z.string().regex(/^[a-z_.-]*$/i, { error: 'Enter an entity type like customer, individual, role or api_token' }),
    ),
    entity_id: text(10).pipe(z.string().regex(/^(\d{1,10})?$/, { error: 'Enter the entity id as a number' })),
    actor: text(120),
    ip: text(45).pipe(
      z.string().regex(/^[0-9A-Fa-f:.]*$/, { error: 'Enter an IP address such as 192.0.2.10 or 2001:db8::1' }),
    ),
    before: z.preprocess(
      (v) => formString(v),
      z
        .string()
        .regex(/^([1-9]\d{0,18})?$/)
        .catch(''),
    ),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from.getTime() > v.to.getTime())
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'The end must be after the start' });
  });

export type AuditFilterForm = z.infer<typeof auditFilterSchema>;
