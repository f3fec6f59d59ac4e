import type { Request } from 'express';
import type { SessionData } from 'express-session';

/** How long a sign-in may wait for its second step: a code, or setting two-factor sign-in up. */
export const PENDING_TTL_MS = { code: 5 * 60_000, setup: 15 * 60_000 } as const;

type PendingKey = 'adminPending' | 'portalPending';

/** The session's sign-in waiting for its second step, unless it waited too long (then it is dropped). */
export function pendingSignIn<K extends PendingKey>(req: Request, key: K): NonNullable<SessionData[K]> | null {
  const pending = req.session[key];
  if (!pending) return null;
  if (pending.until > Date.now()) return pending as NonNullable<SessionData[K]>;
  delete req.session[key];
  return null;
}

/** When a new pending sign-in of this stage runs out. */
export function pendingUntil(stage: 'code' | 'setup'): number {
  return Date.now() + PENDING_TTL_MS[stage];
}
