import type { Request, RequestHandler, Response } from 'express';
import type { SessionData } from 'express-session';
import type { z } from 'zod';
import { clientIp } from './client-ip.ts';
import { refreshCsrfToken } from './csrf.ts';
import { parseForm, type FieldError } from './form.ts';
import { destroySession, regenerateSession, saveSession } from './session.ts';

/** A sign-in's outcome: the principal, or the reason the door explains (and the wait when throttled). */
type Attempt = { ok: true } | { ok: false; reason: string; retryAfterSeconds?: number };
type Ok<R> = Extract<R, { ok: true }>;
/** a refusal other than the throttle's, which every door answers the same way (429, Retry-After) */
type Refused<R> = Exclude<R, { ok: true } | { retryAfterSeconds: number }>;
/** what a door tells a throttled visitor: the field it stands at is the form's */
export type ThrottledMessage = (retryAfterSeconds: number) => Omit<FieldError, 'field'>;

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
  throttled: ThrottledMessage;
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
      const wait = (result as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (wait !== undefined) res.setHeader('Retry-After', String(wait));
      const { status, error } =
        wait === undefined
          ? flow.refusal(result as Refused<R>)
          : { status: 429, error: { field: 'login', ...flow.throttled(wait) } };
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

type PendingStep = { stage: 'code' | 'setup'; next: string };
type CodeCheck<F> = { ok: true; factor: F } | { ok: false; reason: string; retryAfterSeconds?: number };

/**
 * What one door's second sign-in step differs in. The steps are the same everywhere: a sign-in
 * waiting for its code, the account still as it was, the code checked (a failure recorded, Retry-After
 * when throttled), then the sign-in completed and a fresh session opened.
 */
export interface SecondStepFlow<P extends PendingStep, A, F> {
  pending(req: Request): P | null;
  /** where a visit without a sign-in waiting for its code goes */
  elsewhere(req: Request, res: Response): string;
  /** the door's sign-in page, where a sign-in starts over */
  signInPath: string;
  /** the notice shown there when the wait ran out before the code came */
  expiredNotice(res: Response): string;
  render(req: Request, res: Response, status: number, errors: FieldError[]): Promise<void>;
  schema: z.ZodType<{ code: string }>;
  /** the account the pending sign-in is for, unless it changed since (then the sign-in starts over) */
  account(pending: P): Promise<A | null>;
  check(pending: P, account: A, code: string, ip: string): Promise<CodeCheck<F>>;
  failed(account: A, ip: string, throttled: boolean): Promise<void>;
  throttled: ThrottledMessage;
  wrongCode: FieldError;
  /** records the completed sign-in, opens the session and answers */
  finish(req: Request, res: Response, pending: P, account: A, factor: F, ip: string): Promise<void>;
}

/** The page asking for the code, and the code's check. */
export function secondStepHandlers<P extends PendingStep, A, F>(
  flow: SecondStepFlow<P, A, F>,
): { show: RequestHandler; submit: RequestHandler } {
  const waiting = (req: Request) => {
    const pending = flow.pending(req);
    return pending?.stage === 'code' ? pending : null;
  };
  return {
    show: async (req, res) => {
      if (!waiting(req)) return res.redirect(303, flow.elsewhere(req, res));
      await flow.render(req, res, 200, []);
    },
    submit: async (req, res) => {
      const pending = waiting(req);
      if (!pending) {
        req.session.flash = { kind: 'error', message: flow.expiredNotice(res) };
        return res.redirect(303, flow.signInPath);
      }
      const form = parseForm(flow.schema, req.body);
      if (!form.ok) return flow.render(req, res, 422, form.errors);
      const account = await flow.account(pending);
      if (!account) {
        await destroySession(req);
        return res.redirect(303, flow.signInPath);
      }
      const ip = clientIp(req);
      const check = await flow.check(pending, account, form.values.code, ip);
      if (!check.ok) {
        const wait = check.retryAfterSeconds;
        await flow.failed(account, ip, wait !== undefined);
        if (wait === undefined) return flow.render(req, res, 401, [flow.wrongCode]);
        res.setHeader('Retry-After', String(wait));
        return flow.render(req, res, 429, [{ field: 'code', ...flow.throttled(wait) }]);
      }
      await flow.finish(req, res, pending, account, check.factor, ip);
    },
  };
}

/** Where a door's sign-out leads: its sign-in page, told that the visitor signed out. */
export function signedOutPath(signInPath: string): string {
  return `${signInPath}?signed_out=1`;
}

/** On a sign-in page reached by signing out, the notice that says so (unless another is due). */
export function noticeSignedOut(req: Request, res: Response, message: string): void {
  if (req.query.signed_out === '1' && !res.locals.flash) res.locals.flash = { kind: 'info', message };
}
