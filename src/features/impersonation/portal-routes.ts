import { homePath } from '../../access/portal-navigation.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { HttpError, notFoundError } from '../../http/errors.ts';
import { seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { destroySession } from '../../http/session.ts';
import { openSession } from '../../http/sign-in.ts';
import { adminReturnPath, auditImpersonationEnd, rememberImpersonation, takeTicket } from './service.ts';

/** The portal's side: take the ticket once, open the marked session; exit ends it. */
export function impersonationPortalRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const service = deps.services.accounts;
  return [
    {
      method: 'get',
      path: '/impersonate/:ticket',
      permission: 'public',
      handler: async (req, res) => {
        const ticket = await takeTicket(deps, req.params.ticket);
        if (!ticket)
          throw new HttpError(
            410,
            res.locals.t?.('portal.impersonation.ticketExpired') ?? 'This link has expired or was already used.',
            'gone',
          );
        const account = await service.loadAccount(
          ticket.individualId
            ? { kind: 'individual', id: ticket.individualId, customerId: ticket.customerId }
            : { kind: 'customer', id: ticket.customerId, customerId: ticket.customerId },
        );
        if (!account) throw notFoundError();
        const impersonation = {
          adminId: ticket.adminId,
          adminLogin: ticket.adminLogin,
          adminEpoch: ticket.adminEpoch,
          mode: ticket.mode,
        };
        await openSession(req, res, (session) => {
          session.portal = { ...service.sessionUser(account), impersonation };
        });
        await rememberImpersonation(deps, ticket.adminId, req.sessionID);
        const target = account.individual ?? account.customer;
        await deps.audit.record({
          actor: { type: 'admin', id: ticket.adminId, label: ticket.adminLogin, impersonatorAdminId: ticket.adminId },
          ip: clientIp(req),
          action: 'portal.impersonation.start',
          entityType: account.individual ? 'individual' : 'customer',
          entityId: target.id,
          customerId: account.customer.id,
          changes: { mode: { old: null, new: ticket.mode } },
        });
        seeOther(res, homePath(await service.levels(account, impersonation)));
      },
    },
    {
      method: 'post',
      path: '/impersonation/end',
      permission: 'signed-in',
      handler: async (req, res) => {
        const viewer = res.locals.viewer;
        const impersonation = viewer?.impersonation;
        if (!viewer || !impersonation) return seeOther(res, '/');
        await auditImpersonationEnd(deps, clientIp(req), viewer, impersonation);
        await destroySession(req);
        seeOther(
          res,
          adminReturnPath({
            customerId: viewer.customerId,
            individualId: viewer.kind === 'individual' ? viewer.id : undefined,
          }),
        );
      },
    },
  ];
}
