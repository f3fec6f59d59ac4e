import { z } from 'zod';
import { ADMIN_PERMISSIONS, type AdminPermissionName } from '../../access/route-permissions.ts';
import { checkbox, formString, parseAdminForm, type FormResult } from '../../http/form.ts';

export interface AdminRoleForm {
  name: string;
  description: string;
  require_two_factor: boolean;
  permissions: AdminPermissionName[];
}

const roleFields = z.object({
  name: z.preprocess(
    (v) => formString(v).trim(),
    z.string().min(1, { error: 'Enter a name for the role' }).max(80, { error: 'The name is at most 80 characters' }),
  ),
  description: z.preprocess(
    (v) => formString(v).trim(),
    z.string().max(500, { error: 'The description is at most 500 characters' }),
  ),
  require_two_factor: z.preprocess(checkbox, z.boolean()),
});

/** The ticked `perm[<permission>]` boxes; unknown names are ignored. */
export function permissionsOf(body: unknown): AdminPermissionName[] {
  const raw = (typeof body === 'object' && body !== null ? (body as Record<string, unknown>).perm : undefined) ?? {};
  const perm = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return ADMIN_PERMISSIONS.filter((p) => checkbox(perm[p]));
}

export function parseAdminRoleForm(body: unknown): FormResult<AdminRoleForm> {
  const form = parseAdminForm(roleFields, body);
  if (!form.ok) return form;
  return { ok: true, values: { ...form.values, permissions: permissionsOf(body) } };
}

/** The form as posted, to show it again after a refusal. */
export function rawAdminRoleForm(body: unknown): AdminRoleForm {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    name: formString(raw.name),
    description: formString(raw.description),
    require_two_factor: checkbox(raw.require_two_factor),
    permissions: permissionsOf(body),
  };
}
