import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import type { Request, Response } from 'express';
import {
  COMPONENTS,
  effectiveLevels,
  LEVEL_LABELS,
  normalizePermissionInput,
  type PermissionMap,
} from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { notFoundError } from '../../http/errors.ts';
import type { FieldError } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import { parseRoleForm, permGroup, rawRoleForm, type RoleFormRaw } from './schema.ts';
import { COMPONENT_LABELS } from './labels.ts';
import {
  RoleDeleteRefusedError,
  RoleNameTakenError,
  RoleNotFoundError,
  RoleTypeInvalidError,
  ROLE_TYPE_LABELS,
  ROLE_TYPES,
  type RoleRow,
  type RoleUsage,
} from './service.ts';
import { pathId } from '../../http/ids.ts';

function rawFromRole(role: RoleRow, perms: PermissionMap): RoleFormRaw {
  const perm: Record<string, string> = {};
  for (const { key } of COMPONENTS) perm[key] = perms[key] ?? '';
  return { name: role.name, description: role.description, type: role.type, isDefault: role.isDefault, perm };
}

/** Effective levels of what the form currently says; unreadable selects count as blank. */
function treeLocals(raw: RoleFormRaw): Record<string, unknown> {
  const { perms } = normalizePermissionInput(raw.perm);
  return {
    components: COMPONENTS,
    componentLabels: COMPONENT_LABELS,
    levelLabels: LEVEL_LABELS,
    perm: raw.perm,
    effective: effectiveLevels(perms),
  };
}

const NEW_ROLE: RoleFormRaw = {
  name: '',
  description: '',
  type: 'customer_selfcare',
  isDefault: false,
  perm: Object.fromEntries(COMPONENTS.map(({ key, parent }) => [key, parent === null ? 'hidden' : ''])),
};

export function rolesRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.roles;

  const renderForm = (
    req: Request,
    res: Response,
    opts: {
      role: RoleRow | null;
      raw: RoleFormRaw;
      errors: FieldError[];
      status?: number;
      usage?: RoleUsage;
      refusal?: RoleDeleteRefusedError;
    },
  ) =>
    renderPage(req, res, {
      view: 'admin/roles/form',
      status: opts.status ?? (opts.errors.length > 0 ? 422 : 200),
      locals: {
        title: opts.role ? `Role ${opts.role.name}` : 'New role',
        nav: 'roles',
        role: opts.role,
        values: opts.raw,
        errors: opts.errors,
        usage: opts.usage ?? null,
        refusal: opts.refusal ?? null,
        roleTypes: ROLE_TYPES,
        roleTypeLabels: ROLE_TYPE_LABELS,
        ...treeLocals(opts.raw),
      },
    });

  const loadRole = async (raw: unknown) => {
    try {
      return await service.get(pathId(raw));
    } catch (err) {
      if (err instanceof RoleNotFoundError) throw notFoundError();
      throw err;
    }
  };

  const askToDelete = (req: Request, res: Response, role: { id: number; name: string }, status: number) =>
    renderConfirmation(
      req,
      res,
      'admin',
      {
        question: `Delete the role “${role.name}”?`,
        detail: 'A role in use or the default role is not deleted; the role page then lists what holds it.',
        action: `/admin/roles/${role.id}/delete`,
        button: 'Delete role',
        cancelHref: `/admin/roles/${role.id}`,
        cancel: 'Cancel',
      },
      status,
    );

  return [
    {
      method: 'get',
      path: '/roles',
      permission: 'roles.manage',
      handler: async (req, res) => {
        const roles = await service.list();
        await renderPage(req, res, {
          view: 'admin/roles/index',
          locals: { title: 'Roles', nav: 'roles', roles, roleTypeLabels: ROLE_TYPE_LABELS },
        });
      },
    },
    {
      method: 'get',
      path: '/roles/new',
      permission: 'roles.manage',
      handler: async (req, res) => {
        await renderForm(req, res, { role: null, raw: NEW_ROLE, errors: [] });
      },
    },
    {
      method: 'post',
      path: '/roles',
      permission: 'roles.manage',
      handler: async (req, res) => {
        const raw = rawRoleForm(req.body);
        const form = parseRoleForm(req.body);
        if (!form.ok) return renderForm(req, res, { role: null, raw, errors: form.errors });
        try {
          const id = await service.create(form.values, auditContext(req, res));
          req.session.flash = { kind: 'info', message: `Role “${form.values.name}” created.` };
          seeOther(res, `/admin/roles/${id}`);
        } catch (err) {
          if (err instanceof RoleNameTakenError)
            return renderForm(req, res, {
              role: null,
              raw,
              errors: [{ field: 'name', text: 'A role of this type with this name already exists' }],
            });
          if (err instanceof RoleTypeInvalidError)
            return renderForm(req, res, { role: null, raw, errors: [{ field: 'type', text: 'Choose a role type' }] });
          throw err;
        }
      },
    },
    {
      // Re-renders the permission tree with the effective levels of what the form says (htmx, no state change).
      method: 'post',
      path: '/roles/permission-tree',
      permission: 'roles.manage',
      handler: async (req, res) => {
        const raw = rawRoleForm({ perm: permGroup(req.body) });
        await renderPage(req, res, {
          view: 'admin/roles/tree',
          fragment: 'admin/roles/_permission-tree',
          locals: { title: 'Permissions', nav: 'roles', errors: [], ...treeLocals(raw) },
        });
      },
    },
    {
      method: 'get',
      path: '/roles/:id',
      permission: 'roles.manage',
      handler: async (req, res) => {
        const detail = await loadRole(req.params.id);
        const usage = await service.usage(detail.role.id);
        await renderForm(req, res, {
          role: detail.role,
          raw: rawFromRole(detail.role, detail.perms),
          errors: [],
          usage,
        });
      },
    },
    {
      method: 'post',
      path: '/roles/:id',
      permission: 'roles.manage',
      handler: async (req, res) => {
        const detail = await loadRole(req.params.id);
        const raw = { ...rawRoleForm(req.body), type: detail.role.type };
        const form = parseRoleForm({ ...(req.body as object), type: detail.role.type });
        const usage = await service.usage(detail.role.id);
        if (!form.ok) return renderForm(req, res, { role: detail.role, raw, errors: form.errors, usage });
        try {
          await service.update(detail.role.id, form.values, auditContext(req, res));
          req.session.flash = {
            kind: 'info',
            message: 'Role saved. Open sessions use the new permissions from their next request.',
          };
          seeOther(res, `/admin/roles/${detail.role.id}`);
        } catch (err) {
          if (err instanceof RoleNameTakenError)
            return renderForm(req, res, {
              role: detail.role,
              raw,
              errors: [{ field: 'name', text: 'A role of this type with this name already exists' }],
              usage,
            });
          if (err instanceof RoleNotFoundError) throw notFoundError();
          throw err;
        }
      },
    },
    {
      method: 'get',
      path: '/roles/:id/delete',
      permission: 'roles.manage',
      handler: async (req, res) => askToDelete(req, res, (await loadRole(req.params.id)).role, 200),
    },
    {
      method: 'post',
      path: '/roles/:id/delete',
      permission: 'roles.manage',
      handler: async (req, res) => {
        const detail = await loadRole(req.params.id);
        if (!confirmed(req)) return askToDelete(req, res, detail.role, 422);
        try {
          const role = await service.delete(detail.role.id, auditContext(req, res));
          req.session.flash = { kind: 'info', message: `Role “${role.name}” deleted.` };
          seeOther(res, '/admin/roles');
        } catch (err) {
          if (err instanceof RoleDeleteRefusedError) {
            return renderForm(req, res, {
              role: detail.role,
              raw: rawFromRole(detail.role, detail.perms),
              errors: [],
              usage: err.usage,
              refusal: err,
              status: 409,
            });
          }
          if (err instanceof RoleNotFoundError) throw notFoundError();
          throw err;
        }
      },
    },
  ];
}
