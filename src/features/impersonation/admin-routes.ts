import type { Request, Response } from 'express';
import type { AdminPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { HttpError, notFoundError } from '../../http/errors.ts';
import { parseId } from '../../http/ids.ts';
import { seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { currentCustomer } from '../../http/loaded.ts';
import { getDefaultRoleId } from '../roles/service.ts';
import { ImpersonationRefusedError, issueTicket } from './service.ts';

/**
 * The admin's side: "Log in using the assigned role" / "using the default role" on the customer,
 * and "log in as" an individual. Each creates a single-use ticket and sends the browser to the
 * portal door, which opens the session (its own cookie, so the admin session stays).
 */
export function impersonationAdminRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.accounts;
  const adminOf = (req: Request, res: Response) => {
    const admin = res.locals.admin;
    const epoch = req.session.admin?.epoch;
    if (!admin || epoch === undefined) throw new HttpError(401, 'Sign in first');
    return { id: admin.id, login: admin.login, epoch };
  };
  return [
    {
      method: 'post',
      path: '/customers/:id/impersonate',
      permission: 'selfcare.impersonate',
      loads: 'customer',
      stepUp: true,
      handler: [
        async (req: Request, res: Response) => {
          const admin = adminOf(req, res);
          const customer = await service.customer(currentCustomer(res).id);
          if (!customer) throw notFoundError();
          const mode = (req.body as Record<string, unknown>).mode;
          if (mode !== 'assigned' && mode !== 'default')
            throw new HttpError(422, 'Choose how to log in: using the assigned role or using the default role');
          if (!customer.selfcareLogin || !customer.passwordHash)
            throw new ImpersonationRefusedError(
              'This customer has no self-care credentials yet: set a login and a password first',
            );
          if (mode === 'assigned' && customer.roleId === (await getDefaultRoleId(deps.db))) {
            throw new ImpersonationRefusedError(
              'The customer has the default role: use "Log in using the default role"',
            );
          }
          const ticket = await issueTicket(deps, {
            adminId: admin.id,
            adminLogin: admin.login,
            adminEpoch: admin.epoch,
            customerId: customer.id,
            mode,
          });
          seeOther(res, `/impersonate/${ticket}`);
        },
      ],
    },
    {
      method: 'post',
      path: '/customers/:id/individuals/:individualId/impersonate',
      permission: 'selfcare.impersonate',
      loads: 'customer',
      stepUp: true,
      handler: [
        async (req: Request, res: Response) => {
          const admin = adminOf(req, res);
          const customerId = currentCustomer(res).id;
          const individualId = parseId(req.params.individualId) ?? NaN;
          const individual = Number.isNaN(individualId) ? null : await service.individual(individualId);
          if (!individual || individual.customerId !== customerId) throw notFoundError();
          if (!individual.passwordHash)
            throw new ImpersonationRefusedError('This individual has no password yet: set one first');
          const ticket = await issueTicket(deps, {
            adminId: admin.id,
            adminLogin: admin.login,
            adminEpoch: admin.epoch,
            customerId,
            individualId: individual.id,
            mode: 'individual',
          });
          seeOther(res, `/impersonate/${ticket}`);
        },
      ],
    },
  ];
}
