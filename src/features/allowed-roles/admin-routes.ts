import type { Request, Response } from 'express';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { repeated, type FieldError } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import { currentCustomer } from '../../http/loaded.ts';
import { AllowedRoleInUseError, UnknownRoleError } from './service.ts';

function holderNames(holders: { login: string; name: string }[]): string {
  return holders.map((h) => (h.name && h.name !== h.login ? `${h.login} (${h.name})` : h.login)).join(', ');
}

export function allowedRolesRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.allowedRoles;

  const render = async (req: Request, res: Response, opts: { checkedIds?: number[]; errors?: FieldError[] } = {}) => {
    const customer = currentCustomer(res);
    const { roles, allowedIds } = await service.get(customer.id);
    const errors = opts.errors ?? [];
    await renderPage(req, res, {
      view: 'admin/allowed-roles/index',
      status: errors.length > 0 ? 422 : 200,
      locals: {
        title: `Allowed roles – ${customer.name}`,
        nav: 'customers',
        customer,
        tab: 'allowed-roles',
        roles,
        checkedIds: opts.checkedIds ?? allowedIds,
        errors,
      },
    });
  };

  return [
    {
      method: 'get',
      path: '/customers/:id/allowed-roles',
      permission: 'roles.manage',
      loads: 'customer',
      handler: async (req, res) => render(req, res),
    },
    {
      method: 'post',
      path: '/customers/:id/allowed-roles',
      permission: 'roles.manage',
      loads: 'customer',
      handler: [
        async (req, res) => {
          const customer = currentCustomer(res);
          const raw = repeated((req.body as Record<string, unknown>).role_ids);
          const ids = raw.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
          if (ids.length !== raw.length)
            return render(req, res, {
              checkedIds: ids,
              errors: [{ field: 'role_ids', text: 'Choose roles from the list' }],
            });
          try {
            await service.set(customer.id, ids, auditContext(req, res));
          } catch (err) {
            if (err instanceof UnknownRoleError)
              return render(req, res, {
                checkedIds: ids,
                errors: [
                  {
                    field: 'role_ids',
                    text: 'Choose roles from the list: only customer self-care roles can be allowed',
                  },
                ],
              });
            if (err instanceof AllowedRoleInUseError) {
              const errors = err.refused.map(({ role, holders }) => ({
                field: `role_ids-${role.id}`,
                text: `“${role.name}” cannot be removed: ${holders.length === 1 ? 'individual' : 'individuals'} ${holderNames(holders)} ${holders.length === 1 ? 'has' : 'have'} it. Give ${holders.length === 1 ? 'this individual' : 'them'} another role first.`,
              }));
              return render(req, res, { checkedIds: ids, errors });
            }
            throw err;
          }
          req.session.flash = { kind: 'info', message: 'Allowed roles saved.' };
          seeOther(res, `/admin/customers/${customer.id}/allowed-roles`);
        },
      ],
    },
  ];
}
