import type { SessionData } from 'express-session';
import type { Infra } from '../../infra.ts';
import { describeUserAgent } from '../sessions/service.ts';

/** The admin's open browser sessions, remembered by id so that it can list and end them. */
const setKey = (adminId: number): string => `admin-sessions:${adminId}`;

export interface AdminSessionInfo {
  id: string;
  current: boolean;
  ip: string;
  /** browser and system as a person names them ("Firefox 128 on Linux"), else the raw user agent */
  agent: string;
  since: Date | null;
  lastSeen: Date | null;
}

type Deps = Pick<Infra, 'kv' | 'sessionStores' | 'config'>;

function readSession(deps: Deps, sid: string): Promise<SessionData | null> {
  return new Promise((resolve, reject) =>
    deps.sessionStores.admin.get(sid, (err, sess) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(sess ?? null),
    ),
  );
}

function destroySession(deps: Deps, sid: string): Promise<void> {
  return new Promise((resolve, reject) =>
    deps.sessionStores.admin.destroy(sid, (err) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
    ),
  );
}

function deviceOf(userAgent: string): string {
  const { browser, system } = describeUserAgent(userAgent);
  return browser && system ? `${browser} on ${system}` : (browser ?? system ?? userAgent);
}

/** Remembers a session just signed in (kept as long as a session can live). */
export async function rememberAdminSession(deps: Deps, adminId: number, sid: string): Promise<void> {
  await deps.kv.addToSet(setKey(adminId), sid, deps.config.sessionAbsoluteHours * 3600);
}

/** The admin's sessions still open (same admin, same epoch), the current one first. */
export async function adminSessions(
  deps: Deps,
  admin: { id: number; epoch: number },
  currentSid: string,
): Promise<AdminSessionInfo[]> {
  const found: AdminSessionInfo[] = [];
  for (const sid of await deps.kv.members(setKey(admin.id))) {
    const sess = await readSession(deps, sid);
    if (sess?.admin?.id !== admin.id || sess.admin.epoch !== admin.epoch) continue;
    found.push({
      id: sid,
      current: sid === currentSid,
      ip: sess.seen?.ip ?? '',
      agent: deviceOf(sess.seen?.agent ?? ''),
      since: sess.seen ? new Date(sess.seen.since) : sess.createdAt ? new Date(sess.createdAt) : null,
      lastSeen: sess.seen ? new Date(sess.seen.at) : null,
    });
  }
  return found.sort(
    (a, b) => Number(b.current) - Number(a.current) || (b.lastSeen?.getTime() ?? 0) - (a.lastSeen?.getTime() ?? 0),
  );
}

/** Ends every other session of the admin; the number ended. */
export async function endOtherAdminSessions(deps: Deps, adminId: number, currentSid: string): Promise<number> {
  let ended = 0;
  for (const sid of await deps.kv.members(setKey(adminId))) {
    if (sid === currentSid) continue;
    const sess = await readSession(deps, sid);
    if (sess?.admin?.id === adminId) {
      await destroySession(deps, sid);
      ended += 1;
    }
  }
  await deps.kv.del(setKey(adminId));
  await rememberAdminSession(deps, adminId, currentSid);
  return ended;
}
