import type { Request, Response } from 'express';
import { z } from 'zod';
import { generateTicketId } from '../../access/api-tokens.ts';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { refreshCsrfToken } from '../../http/csrf.ts';
import { HttpError, notFoundError } from '../../http/errors.ts';
import { seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { destroySession, regenerateSession, saveSession } from '../../http/session.ts';
import type { ImpersonationMode } from '../../http/types.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import { currentCustomer } from '../customers/service.ts';
import { getDefaultRoleId } from '../roles/service.ts';
import { homePath } from '../../access/portal-navigation.ts';
import { auditImpersonationEnd, rememberImpersonation } from './service.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import { PortalService } from '../accounts/service.ts';

/** A "log in as" ticket lives at most this long and opens one session. */
export const TICKET_TTL_SECONDS = 60;

export interface ImpersonationTicket {
  adminId: number;
  adminLogin: string;
  adminEpoch: number;
  customerId: number;
  individualId?: number;
  mode: ImpersonationMode;
}

const ticketKey = (id: string): string => `ticket:${id}`;

const ticketSchema = z.object({
  adminId: z.number().int().positive(),
  adminLogin: z.string(),
  adminEpoch: z.number().int(),
  customerId: z.number().int().positive(),
  individualId: z.number().int().positive().optional(),
  mode: z.enum(['assigned', 'default', 'individual']),
});

export class ImpersonationRefusedError extends HttpError {
  constructor(message: string) {
    super(409, message, 'conflict');
    this.name = 'ImpersonationRefusedError';
  }
}

/** Where the admin returns when the impersonated session ends. */
export function adminReturnPath(user: { customerId: number; individualId?: number | undefined }): string {
  return user.individualId ? `/admin/customers/${user.customerId}/individuals` : `/admin/customers/${user.customerId}/self-care`;
}

async function issueTicket(deps: Deps, ticket: ImpersonationTicket): Promise<string> {
  const id = generateTicketId();
  await deps.kv.set(ticketKey(id), JSON.stringify(ticket), TICKET_TTL_SECONDS);
  return id;
}

function positiveId(raw: unknown): number {
  return typeof raw === 'string' && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : NaN;
}

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
      permission: 'admin',
      loads: 'customer',
        handler: [
        async (req: Request, res: Response) => {
          const admin = adminOf(req, res);
          const customer = await service.repo.customer(currentCustomer(res).id);
          if (!customer) throw notFoundError();
          const mode = (req.body as Record<string, unknown>).mode;
          if (mode !== 'assigned' && mode !== 'default') throw new HttpError(422, 'Choose how to log in: using the assigned role or using the default role');
          if (!customer.selfcareLogin || !customer.passwordHash) throw new ImpersonationRefusedError('This customer has no self-care credentials yet: set a login and a password first');
          if (mode === 'assigned' && customer.roleId === (await getDefaultRoleId(deps.db))) {
            throw new ImpersonationRefusedError('The customer has the default role: use "Log in using the default role"');
          }
          const ticket = await issueTicket(deps, { adminId: admin.id, adminLogin: admin.login, adminEpoch: admin.epoch, customerId: customer.id, mode });
          seeOther(res, `/impersonate/${ticket}`);
        },
      ],
    },
    {
      method: 'post',
      path: '/customers/:id/individuals/:individualId/impersonate',
      permission: 'admin',
      loads: 'customer',
        handler: [
        async (req: Request, res: Response) => {
          const admin = adminOf(req, res);
          const customerId = currentCustomer(res).id;
          const individualId = positiveId(req.params.individualId);
          const individual = Number.isNaN(individualId) ? null : await service.repo.individual(individualId);
          if (!individual || individual.customerId !== customerId) throw notFoundError();
          if (!individual.passwordHash) throw new ImpersonationRefusedError('This individual has no password yet: set one first');
          const ticket = await issueTicket(deps, { adminId: admin.id, adminLogin: admin.login, adminEpoch: admin.epoch, customerId, individualId: individual.id, mode: 'individual' });
          seeOther(res, `/impersonate/${ticket}`);
        },
      ],
    },
  ];
}

/** The portal's side: take the ticket once, open the marked session; exit ends it. */
export function impersonationPortalRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const service = deps.services.accounts;
  return [
    {
      method: 'get',
      path: '/impersonate/:ticket',
      permission: 'public',
      handler: async (req, res) => {
        const raw = typeof req.params.ticket === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(req.params.ticket) ? await deps.kv.take(ticketKey(req.params.ticket)) : null;
        const parsed = raw ? ticketSchema.safeParse(JSON.parse(raw)) : null;
        if (!parsed?.success) throw new HttpError(410, res.locals.t?.('portal.impersonation.ticketExpired') ?? 'This link has expired or was already used.', 'gone');
        const ticket = parsed.data;
        const account = await service.loadAccount(
          ticket.individualId ? { kind: 'individual', id: ticket.individualId, customerId: ticket.customerId } : { kind: 'customer', id: ticket.customerId, customerId: ticket.customerId },
        );
        if (!account) throw notFoundError();
        await regenerateSession(req);
        const impersonation = { adminId: ticket.adminId, adminLogin: ticket.adminLogin, adminEpoch: ticket.adminEpoch, mode: ticket.mode };
        req.session.portal = { ...service.sessionUser(account), impersonation };
        refreshCsrfToken(req, res);
        await saveSession(req);
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
        seeOther(res, adminReturnPath({ customerId: viewer.customerId, individualId: viewer.kind === 'individual' ? viewer.id : undefined }));
      },
    },
  ];
}
