import type { SessionData } from 'express-session';
import { z } from 'zod';
import { generateTicketId } from '../../access/api-tokens.ts';
import { HttpError } from '../../http/errors.ts';
import type { ImpersonationMode } from '../../http/types.ts';
import type { Infra } from '../../infra.ts';
import type { PortalSessionUser } from '../../http/types.ts';

type Impersonation = NonNullable<PortalSessionUser['impersonation']>;

/** Why an impersonated session ended without the admin pressing Exit (written to the audit log). */
export type ImpersonationEndReason = 'admin_signed_out' | 'admin_session_ended';

const setKey = (adminId: number): string => `admin-impersonations:${adminId}`;

/** The audit entry of an impersonation's end, the same whichever way it ended. */
export async function auditImpersonationEnd(
  deps: Pick<Infra, 'audit'>,
  ip: string,
  user: { kind: PortalSessionUser['kind']; id: number; customerId: number },
  impersonation: Impersonation,
  reason?: ImpersonationEndReason,
): Promise<void> {
  await deps.audit.record({
    actor: {
      type: 'admin',
      id: impersonation.adminId,
      label: impersonation.adminLogin,
      impersonatorAdminId: impersonation.adminId,
    },
    ip,
    action: 'portal.impersonation.end',
    entityType: user.kind,
    entityId: user.id,
    customerId: user.customerId,
    changes: {
      mode: { old: impersonation.mode, new: null },
      ...(reason ? { reason: { old: null, new: reason } } : {}),
    },
  });
}

/**
 * Remembers a portal session an admin opened by "log in as", so that the admin's sign-out (which
 * only holds the admin cookie) can end it. The set lives as long as such a session can.
 */
export async function rememberImpersonation(
  deps: Pick<Infra, 'kv' | 'config'>,
  adminId: number,
  sessionId: string,
): Promise<void> {
  await deps.kv.addToSet(setKey(adminId), sessionId, deps.config.sessionAbsoluteHours * 3600);
}

function readSession(deps: Pick<Infra, 'sessionStores'>, sid: string): Promise<SessionData | null> {
  return new Promise((resolve, reject) =>
    deps.sessionStores.portal.get(sid, (err, sess) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(sess ?? null),
    ),
  );
}

function destroyStoredSession(deps: Pick<Infra, 'sessionStores'>, sid: string): Promise<void> {
  return new Promise((resolve, reject) =>
    deps.sessionStores.portal.destroy(sid, (err) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
    ),
  );
}

/**
 * Ends every portal session the admin opened by "log in as" that is still open (each audited).
 * A remembered id whose session has since become someone else's (the tab signed in normally)
 * is left alone.
 */
export async function endImpersonationsOf(
  deps: Pick<Infra, 'kv' | 'sessionStores' | 'audit'>,
  adminId: number,
  ip: string,
): Promise<number> {
  let ended = 0;
  for (const sid of await deps.kv.members(setKey(adminId))) {
    const user = (await readSession(deps, sid))?.portal;
    if (user?.impersonation?.adminId !== adminId) continue;
    await destroyStoredSession(deps, sid);
    await auditImpersonationEnd(deps, ip, user, user.impersonation, 'admin_signed_out');
    ended += 1;
  }
  await deps.kv.del(setKey(adminId));
  return ended;
}

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
  return user.individualId ? `/admin/customers/${user.customerId}/individuals` : `/admin/customers/${user.customerId}`;
}

export async function issueTicket(deps: Pick<Infra, 'kv'>, ticket: ImpersonationTicket): Promise<string> {
  const id = generateTicketId();
  await deps.kv.set(ticketKey(id), JSON.stringify(ticket), TICKET_TTL_SECONDS);
  return id;
}

/** Takes a ticket once: null when it is malformed, unknown, expired or already used. */
export async function takeTicket(deps: Pick<Infra, 'kv'>, id: unknown): Promise<ImpersonationTicket | null> {
  const raw = typeof id === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(id) ? await deps.kv.take(ticketKey(id)) : null;
  const parsed = raw ? ticketSchema.safeParse(JSON.parse(raw)) : null;
  return parsed?.success ? parsed.data : null;
}
