import type { Request, Response } from 'express';
import type { AuditActor } from '../features/audit/audit-log.ts';
import { clientIp } from './client-ip.ts';

/** Who is acting in this request, for the audit trail (admin, or a portal user, maybe impersonated). */
export function auditActor(req: Request, res: Response): AuditActor {
  const admin = res.locals.admin;
  if (admin) return { type: 'admin', id: admin.id, label: admin.login };
  const viewer = res.locals.viewer;
  if (viewer) {
    return {
      type: viewer.kind,
      id: viewer.id,
      label: viewer.impersonation ? `${viewer.login} (as admin ${viewer.impersonation.adminLogin})` : viewer.login,
      impersonatorAdminId: viewer.impersonation?.adminId ?? null,
    };
  }
  return { type: 'anonymous', id: null, label: '' };
}

export function auditContext(req: Request, res: Response): { actor: AuditActor; ip: string } {
  return { actor: auditActor(req, res), ip: clientIp(req) };
}
