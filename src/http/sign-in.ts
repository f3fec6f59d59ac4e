import type { Request, RequestHandler, Response } from 'express';
import type { SessionData } from 'express-session';
import type { z } from 'zod';
import { clientIp } from './client-ip.ts';
import { refreshCsrfToken } from './csrf.ts';
import { parseForm, type FieldError } from './form.ts';
import { regenerateSession, saveSession } from './session.ts';

/** A sign-in's outcome: the principal, or the reason the door explains (and the wait when throttled). */
type Attempt = { ok: true } | { ok: false; reason: string; retryAfterSeconds?: number };
type Ok<R> = Extract<R, { ok: true }>;
type Refused<R> = Exclude<R, { ok: true }>;

/**
 * What one door's sign-in differs in; the steps are the same everywhere: read the form, try the
 * credentials, explain a refusal (Retry-After when throttled), or open a fresh session and go on.
 */
export interface SignInFlow<S extends z.ZodType, R extends Attempt> {
  schema: S;
  render(
    req: Request,
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: FieldError[],
  ): Promise<void>;
  attempt(values: z.output<S>, ip: string): Promise<R>;
  refusal(result: Refused<R>): { status: number; error: FieldError };
  /** writes the signed-in principal into the fresh session */
  open(session: Partial<SessionData>, result: Ok<R>, req: Request): void;
  /** what follows once the new session is saved (e.g. the account's index of its sessions) */
  opened?(req: Request, result: Ok<R>): Promise<void>;
  /** session values that survive the new session id (the visitor's language) */
  keep?: ReadonlyArray<keyof SessionData>;
  /** where the browser goes once signed in */
  next(req: Request, res: Response, result: Ok<R>): Promise<string> | string;
}

/** A new session id for a new principal (no fixation), a new CSRF token, saved before the redirect. */
export async function openSession(
  req: Request,
  res: Response,
  fill: (session: Partial<SessionData>) => void,
  keep: ReadonlyArray<keyof SessionData> = [],
): Promise<void> {
  const kept = keep.map((key) => [key, req.session[key]] as const);
  await regenerateSession(req);
  for (const [key, value] of kept)
    if (value !== undefined) (req.session as unknown as Record<string, unknown>)[key] = value;
  fill(req.session);
  refreshCsrfToken(req, res);
  await saveSession(req);
}

function isOk<R extends Attempt>(result: R): result is Ok<R> {
  return result.ok;
}

export function signInHandler<S extends z.ZodType, R extends Attempt>(flow: SignInFlow<S, R>): RequestHandler {
  return async (req, res) => {
    const form = parseForm(flow.schema, req.body);
    if (!form.ok) return flow.render(req, res, 422, form.values, form.errors);
    const result = await flow.attempt(form.values, clientIp(req));
    if (!isOk(result)) {
      const refused = result as Refused<R>;
      const wait = (refused as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (wait !== undefined) res.setHeader('Retry-After', String(wait));
      const { status, error } = flow.refusal(refused);
      const raw = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
      return flow.render(
        req,
        res,
        status,
        { ...raw, login: (form.values as { login?: unknown }).login, password: '' },
        [error],
      );
    }
    await openSession(req, res, (session) => flow.open(session, result, req), flow.keep);
    await flow.opened?.(req, result);
    res.redirect(303, await flow.next(req, res, result));
  };
}
