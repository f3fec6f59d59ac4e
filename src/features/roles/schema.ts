import { z } from 'zod';
import { normalizePermissionInput, type PermissionMap } from '../../access/permissions.ts';
import { checkbox, parseForm, type FieldError } from '../../http/form.ts';
import { ROLE_TYPES } from './repo.ts';

const roleFields = z.object({
  name: z
    .string({ error: 'errors.required' })
    .trim()
    .min(1, { error: 'errors.required' })
    .max(80, { error: 'errors.tooLong' }),
  description: z.string().trim().max(500, { error: 'errors.tooLong' }).optional().default(''),
  type: z.enum(ROLE_TYPES, { error: 'Choose a role type' }).optional().default('customer_selfcare'),
});

export interface RoleFormValues {
  name: string;
  description: string;
  type: string;
  isDefault: boolean;
  perms: PermissionMap;
}

/** What the form re-renders with: the raw text typed and the raw select values. */
export interface RoleFormRaw {
  name: string;
  description: string;
  type: string;
  isDefault: boolean;
  perm: Record<string, string>;
}

export function permGroup(body: unknown): Record<string, unknown> {
  const perm = (body as { perm?: unknown } | null)?.perm;
  return typeof perm === 'object' && perm !== null && !Array.isArray(perm) ? (perm as Record<string, unknown>) : {};
}

export function rawRoleForm(body: unknown): RoleFormRaw {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const perm: Record<string, string> = {};
  for (const [k, v] of Object.entries(permGroup(body))) perm[k] = str(v);
  return {
    name: str(b.name),
    description: str(b.description),
    type: str(b.type) || 'customer_selfcare',
    isDefault: checkbox(b.is_default),
    perm,
  };
}

/** The role form: name, description, type, default flag and the `perm[<component>]` selects. */
export function parseRoleForm(
  body: unknown,
): { ok: true; values: RoleFormValues } | { ok: false; errors: FieldError[] } {
  const fields = parseForm(roleFields, body);
  const perms = normalizePermissionInput(permGroup(body));
  const errors: FieldError[] = [
    ...(fields.ok
      ? []
      : fields.errors.map((e) => (e.field === 'type' ? { field: 'type', text: 'Choose a role type' } : e))),
    ...perms.errors,
  ];
  if (!fields.ok || errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    values: { ...fields.values, isDefault: checkbox((body as Record<string, unknown>).is_default), perms: perms.perms },
  };
}
