import type { Request, RequestHandler, Response } from 'express';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { formString, type FieldError } from '../../http/form.ts';
import { renderPage } from '../../http/render.ts';
import { saveSession } from '../../http/session.ts';
import { FACTOR_LABELS } from '../../features/two-factor/service.ts';

/** A two-factor code younger than this lets an admin "log in as customer" without a new one. */
export const STEP_UP_MAX_AGE_MS = 10 * 60_000;

/** The form's own fields, carried through the code prompt as hidden inputs. */
function carried(body: unknown): [string, string][] {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return Object.entries(raw).filter(
    (entry): entry is [string, string] => entry[0] !== '_csrf' && entry[0] !== 'code' && typeof entry[1] === 'string',
  );
}

function renderPrompt(req: Request, res: Response, status: number, errors: FieldError[]): Promise<void> {
  return renderPage(req, res, {
    view: 'admin/account/step-up',
    status,
    locals: { title: 'Confirm it is you', action: req.originalUrl, carried: carried(req.body), errors },
  });
}

/**
 * Step-up: an administrator with two-factor sign-in whose last code is older than ten minutes
 * answers a fresh one (a TOTP or recovery code) before the route's handler runs; the posted form
 * travels with the prompt, so the action goes ahead once the code is right.
 */
export function stepUp(deps: Deps): RequestHandler {
  const twoFactor = deps.services.twoFactor;
  return async (req, res, next) => {
    const session = req.session.admin;
    const admin = res.locals.admin;
    if (!session || !admin) return next(new Error('the admin gate must sign the admin in first'));
    if (Date.now() - (session.verifiedAt ?? 0) <= STEP_UP_MAX_AGE_MS) return next();
    if (!(await twoFactor.isEnabled({ type: 'admin', id: admin.id }))) return next();
    const code = formString((req.body as Record<string, unknown> | undefined)?.code).trim();
    if (code === '') return renderPrompt(req, res, 200, []);
    const check = await twoFactor.check({ type: 'admin', id: admin.id }, code, auditContext(req, res).ip, 'admin');
    await deps.audit.record({
      ...auditContext(req, res),
      action: 'admin.step_up',
      entityType: 'admin',
      entityId: admin.id,
      outcome: check.ok ? 'success' : check.reason === 'throttled' ? 'refused' : 'failure',
      changes: { second_factor: { old: null, new: check.ok ? FACTOR_LABELS[check.factor] : 'wrong or used code' } },
    });
    if (!check.ok) {
      if (check.reason === 'throttled') {
        res.setHeader('Retry-After', String(check.retryAfterSeconds));
        return renderPrompt(req, res, 429, [
          {
            field: 'code',
            text: `Too many wrong codes. Try again in ${Math.ceil(check.retryAfterSeconds / 60)} minutes.`,
          },
        ]);
      }
      return renderPrompt(req, res, 422, [
        { field: 'code', text: 'The code is wrong or was used already: enter the current code from your app' },
      ]);
    }
    req.session.admin = { ...session, verifiedAt: Date.now() };
    await saveSession(req);
    next();
  };
}
