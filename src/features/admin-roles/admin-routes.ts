import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import type { Request, Response } from 'express';
import { ADMIN_PERMISSION_LABELS, ADMIN_PERMISSIONS, type AdminPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { notFoundError } from '../../http/errors.ts';
import type { FieldError } from '../../http/form.ts';
import { pathId } from '../../http/ids.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { parseAdminRoleForm, rawAdminRoleForm, type AdminRoleForm } from './schema.ts';
import {
  AdminRoleNameTakenError,
  AdminRoleNotFoundError,
  AdminRoleRefusedError,
  LastManagerError,
  type AdminRoleRow,
} from './service.ts';

const NAME_TAKEN: FieldError = { field: 'name', text: 'An admin role with this name exists already' };

function formOf(role: AdminRoleRow): AdminRoleForm {
  return {
    name: role.name,
    description: role.description,
    require_two_factor: role.requireTwoFactor,
    permissions: role.permissions,
  };
}

/** Admin roles: what each administrator may do, and whether it must use two-factor sign-in. */
export function adminRolesRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.adminRoles;

  const renderForm = async (
    req: Request,
    res: Response,
    opts: {
      role: AdminRoleRow | null;
      values: AdminRoleForm;
      errors?: FieldError[];
      status?: number;
      refusal?: string;
    },
  ) =>
    renderPage(req, res, {
      view: 'admin/admin-roles/form',
      status: opts.status ?? ((opts.errors ?? []).length > 0 ? 422 : 200),
      locals: {
        title: opts.role ? `Admin role ${opts.role.name}` : 'New admin role',
        nav: 'admins',
        role: opts.role,
        values: opts.values,
        errors: opts.errors ?? [],
        refusal: opts.refusal ?? null,
        adminCount: opts.role ? await service.adminCount(opts.role.id) : 0,
        permissions: ADMIN_PERMISSIONS,
        labels: ADMIN_PERMISSION_LABELS,
      },
    });

  const load = async (raw: unknown): Promise<AdminRoleRow> => {
    const role = await service.find(pathId(raw));
    if (!role) throw notFoundError();
    return role;
  };

  const askToDelete = (req: Request, res: Response, role: { id: number; name: string }, status: number) =>
    renderConfirmation(
      req,
      res,
      'admin',
      {
        question: `Delete the admin role “${role.name}”?`,
        detail: 'An admin role that administrators still hold is not deleted.',
        action: `/admin/admin-roles/${role.id}/delete`,
        button: 'Delete admin role',
        cancelHref: `/admin/admin-roles/${role.id}`,
        cancel: 'Cancel',
      },
      status,
    );

  return [
    {
      method: 'get',
      path: '/admin-roles',
      permission: 'admins.manage',
      handler: async (req, res) => {
        await renderPage(req, res, {
          view: 'admin/admin-roles/index',
          locals: { title: 'Admin roles', nav: 'admins', roles: await service.list(), labels: ADMIN_PERMISSION_LABELS },
        });
      },
    },
    {
      method: 'get',
      path: '/admin-roles/new',
      permission: 'admins.manage',
      handler: (req, res) =>
        renderForm(req, res, {
          role: null,
          values: { name: '', description: '', require_two_factor: false, permissions: [] },
        }),
    },
    {
      method: 'post',
      path: '/admin-roles',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const values = rawAdminRoleForm(req.body);
        const form = parseAdminRoleForm(req.body);
        if (!form.ok) return renderForm(req, res, { role: null, values, errors: form.errors });
        try {
          const id = await service.create(form.values, auditContext(req, res));
          req.session.flash = { kind: 'info', message: `Admin role “${form.values.name}” created.` };
          seeOther(res, `/admin/admin-roles/${id}`);
        } catch (err) {
          if (err instanceof AdminRoleNameTakenError)
            return renderForm(req, res, { role: null, values, errors: [NAME_TAKEN] });
          throw err;
        }
      },
    },
    {
      method: 'get',
      path: '/admin-roles/:id',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const role = await load(req.params.id);
        await renderForm(req, res, { role, values: formOf(role) });
      },
    },
    {
      method: 'post',
      path: '/admin-roles/:id',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const role = await load(req.params.id);
        const values = rawAdminRoleForm(req.body);
        const form = parseAdminRoleForm(req.body);
        if (!form.ok) return renderForm(req, res, { role, values, errors: form.errors });
        try {
          await service.update(role.id, form.values, auditContext(req, res));
        } catch (err) {
          if (err instanceof AdminRoleNameTakenError)
            return renderForm(req, res, { role, values, errors: [NAME_TAKEN] });
          if (err instanceof LastManagerError)
            return renderForm(req, res, {
              role,
              values,
              errors: [{ field: 'perm-admins-manage', text: err.message }],
              status: 409,
            });
          if (err instanceof AdminRoleNotFoundError) throw notFoundError();
          throw err;
        }
        req.session.flash = {
          kind: 'info',
          message: 'Admin role saved. Signed-in administrators have the new permissions from their next request.',
        };
        seeOther(res, `/admin/admin-roles/${role.id}`);
      },
    },
    {
      method: 'get',
      path: '/admin-roles/:id/delete',
      permission: 'admins.manage',
      handler: async (req, res) => askToDelete(req, res, await load(req.params.id), 200),
    },
    {
      method: 'post',
      path: '/admin-roles/:id/delete',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const role = await load(req.params.id);
        if (!confirmed(req)) return askToDelete(req, res, role, 422);
        try {
          await service.delete(role.id, auditContext(req, res));
        } catch (err) {
          if (err instanceof AdminRoleRefusedError)
            return renderForm(req, res, { role, values: formOf(role), refusal: err.message, status: 409 });
          if (err instanceof AdminRoleNotFoundError) throw notFoundError();
          throw err;
        }
        req.session.flash = { kind: 'info', message: `Admin role “${role.name}” deleted.` };
        seeOther(res, '/admin/admin-roles');
      },
    },
  ];
}
