import type { Request, Response } from 'express';
import { clientIp } from './client-ip.ts';

export type ActorType = 'admin' | 'customer' | 'individual' | 'api' | 'system' | 'anonymous';

export interface AuditActor {
  type: ActorType;
  id: number | null;
  label: string;
  /** set when an admin acts inside a "log in as customer" session */
  impersonatorAdminId?: number | null;
}

/** Who acts and from where: what every audited change carries. */
export interface AuditContext {
  actor: AuditActor;
  ip: string;
}

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

export function auditContext(req: Request, res: Response): AuditContext {
  return { actor: auditActor(req, res), ip: clientIp(req) };
}
