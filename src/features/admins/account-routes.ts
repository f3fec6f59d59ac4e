import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AdminPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { clientIp } from '../../http/client-ip.ts';
import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import { formString, parseAdminForm, type FieldError } from '../../http/form.ts';
import { pendingSignIn } from '../../http/pending-sign-in.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { saveSession } from '../../http/session.ts';
import { openSession } from '../../http/sign-in.ts';
import { setupInProgress } from '../two-factor/service.ts';
import { ownPasswordSchema } from './schema.ts';
import { AdminFormError, currentAdmin, WrongOwnPasswordError, type AdminRow } from './service.ts';
import { adminSessions, endOtherAdminSessions, rememberAdminSession } from './sessions.ts';

const codeSchema = z.object({
  code: z.preprocess(
    (v) => formString(v).trim(),
    z.string().min(1, { error: 'Enter the six-digit code from your app' }).max(64, { error: 'errors.tooLong' }),
  ),
});

const WRONG_CODE =
  'The code is not the current one. Check the time on your phone and enter the code your app shows now.';

/** Why a code was refused, in words that say what to do: a code of the wrong length says so. */
function codeRefusal(code: string): string {
  return /^\d+$/.test(code) && code.length !== 6
    ? 'A code from your app has six digits: enter the six digits it shows now.'
    : WRONG_CODE;
}

/**
 * The administrator's own account: its password, its two-factor sign-in (set-up, recovery codes,
 * turning it off when its role allows) and its signed-in sessions. Signing the other sessions out
 * and turning two-factor sign-in off are asked on a page of their own first (with a current code
 * for the latter); signing this session out (from the menu) is at once.
 */
export function adminAccountRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const admins = deps.services.admins;
  const twoFactor = deps.services.twoFactor;

  const renderAccount = async (req: Request, res: Response, status: number, errors: FieldError[] = []) => {
    const { admin, requireTwoFactor } = currentAdmin(res);
    const session = req.session.admin;
    await renderPage(req, res, {
      view: 'admin/account/index',
      status,
      locals: {
        title: 'Your account',
        nav: 'account',
        record: admin,
        requireTwoFactor,
        twoFactor: await twoFactor.status({ type: 'admin', id: admin.id }),
        sessions: session ? await adminSessions(deps, session, req.sessionID) : [],
        errors,
      },
    });
  };

  /** Who is setting two-factor sign-in up: the signed-in admin, or a sign-in that must do so first. */
  const setupSubject = async (req: Request, res: Response): Promise<{ admin: AdminRow; pending: boolean } | null> => {
    if (res.locals.adminAccount) return { admin: res.locals.adminAccount.admin, pending: false };
    const pending = pendingSignIn(req, 'adminPending');
    const admin = pending?.stage === 'setup' ? await admins.findActive(pending.id, pending.epoch) : null;
    return admin ? { admin, pending: true } : null;
  };

  const renderSetup = async (
    req: Request,
    res: Response,
    subject: { admin: AdminRow; pending: boolean },
    status: number,
    errors: FieldError[] = [],
  ) => {
    const status2fa = await twoFactor.status({ type: 'admin', id: subject.admin.id });
    const enabled = status2fa.enabled && !subject.pending;
    const setup = enabled
      ? null
      : await twoFactor.setupView(setupInProgress(req.session, twoFactor), subject.admin.login);
    const role = await deps.services.adminRoles.find(subject.admin.adminRoleId);
    await renderPage(req, res, {
      view: 'admin/account/two-factor',
      status,
      locals: {
        title: 'Two-factor sign-in',
        nav: 'account',
        pending: subject.pending,
        required: role?.requireTwoFactor ?? false,
        status: status2fa,
        enabled,
        setup,
        errors,
      },
    });
  };

  const askToEndOthers = async (req: Request, res: Response, status: number) => {
    const session = req.session.admin;
    const others = session ? (await adminSessions(deps, session, req.sessionID)).filter((s) => !s.current).length : 0;
    if (others === 0) return seeOther(res, '/admin/account');
    return renderConfirmation(
      req,
      res,
      'admin',
      {
        question: 'Sign out your other sessions?',
        detail:
          others === 1
            ? 'One other browser signed in to your account will be signed out. This session stays signed in.'
            : `${others} other browsers signed in to your account will be signed out. This session stays signed in.`,
        action: '/admin/account/sessions/sign-out-others',
        button: 'Sign out the others',
        cancelHref: '/admin/account',
        cancel: 'Cancel',
      },
      status,
    );
  };

  /**
   * The confirmation page of turning two-factor sign-in off or of new recovery codes, which asks for
   * a current code (for new recovery codes, one from the app itself).
   */
  const askForCode = (
    req: Request,
    res: Response,
    what: 'turnOff' | 'renew',
    status: number,
    errors: FieldError[] = [],
  ) =>
    renderConfirmation(
      req,
      res,
      'admin',
      {
        ...(what === 'turnOff'
          ? {
              question: 'Turn off two-factor sign-in?',
              detail: 'Signing in will then need only your password.',
              action: '/admin/account/two-factor/disable',
              button: 'Turn off two-factor sign-in',
            }
          : {
              question: 'Generate new recovery codes?',
              detail: 'Your current recovery codes stop working at once, and ten new ones are shown once.',
              action: '/admin/account/two-factor/recovery-codes/new',
              button: 'Generate new recovery codes',
            }),
        cancelHref: '/admin/account/two-factor',
        cancel: 'Cancel',
        field: {
          name: 'code',
          label: 'Current code',
          hint:
            what === 'turnOff'
              ? 'A code from your app or a recovery code, to show it is you.'
              : 'The six digits your app shows now (a recovery code is not accepted here).',
          autocomplete: 'one-time-code',
          required: true,
          attrs:
            what === 'turnOff'
              ? { autocapitalize: 'none', spellcheck: 'false', maxlength: 64 }
              : { inputmode: 'numeric', maxlength: 64 },
        },
      },
      status,
      errors,
    );

  /** A refused code's answer: 429 once the throttle stops counting, else 422 with what to do. */
  const wrongCode = (
    req: Request,
    res: Response,
    what: 'turnOff' | 'renew',
    reason: 'invalid' | 'throttled',
    code: string,
  ) =>
    askForCode(req, res, what, reason === 'throttled' ? 429 : 422, [
      {
        field: 'code',
        text:
          reason === 'throttled'
            ? 'Too many codes were tried: wait a few minutes, then enter the code your app shows.'
            : codeRefusal(code),
      },
    ]);

  /** Turning it off is for an admin who has it on and whose role does not require it. */
  const mayTurnOff = async (res: Response) => {
    const { admin, requireTwoFactor } = currentAdmin(res);
    return !requireTwoFactor && (await twoFactor.status({ type: 'admin', id: admin.id })).enabled;
  };

  return [
    {
      method: 'get',
      path: '/account',
      permission: 'own-account',
      handler: (req, res) => renderAccount(req, res, 200),
    },
    {
      method: 'post',
      path: '/account/password',
      permission: 'own-account',
      handler: async (req, res) => {
        const { admin } = currentAdmin(res);
        const form = parseAdminForm(ownPasswordSchema, req.body);
        if (!form.ok) return renderAccount(req, res, 422, form.errors);
        if (form.values.new_password !== form.values.new_password_confirm)
          return renderAccount(req, res, 422, [
            { field: 'new_password_confirm', text: 'The two new passwords are not the same' },
          ]);
        let epoch: number;
        try {
          epoch = await admins.changeOwnPassword(
            admin,
            form.values.current_password,
            form.values.new_password,
            auditContext(req, res),
          );
        } catch (err) {
          if (err instanceof WrongOwnPasswordError)
            return renderAccount(req, res, 422, [
              { field: 'current_password', text: 'Your current password is not right' },
            ]);
          if (err instanceof AdminFormError) return renderAccount(req, res, 422, err.errors);
          throw err;
        }
        // The other sessions end with the old epoch; this one goes on.
        if (req.session.admin) req.session.admin = { ...req.session.admin, epoch };
        req.session.flash = { kind: 'info', message: 'Password changed. Your other sessions have ended.' };
        await saveSession(req);
        seeOther(res, '/admin/account');
      },
    },
    {
      method: 'get',
      path: '/account/sessions/sign-out-others',
      permission: 'own-account',
      handler: (req, res) => askToEndOthers(req, res, 200),
    },
    {
      method: 'post',
      path: '/account/sessions/sign-out-others',
      permission: 'own-account',
      handler: async (req, res) => {
        if (!confirmed(req)) return askToEndOthers(req, res, 422);
        const { admin } = currentAdmin(res);
        const ended = await endOtherAdminSessions(deps, admin.id, req.sessionID);
        await deps.audit.record({
          ...auditContext(req, res),
          action: 'admin.sessions.end_others',
          entityType: 'admin',
          entityId: admin.id,
          changes: { other_sessions: { old: ended, new: 0 } },
        });
        req.session.flash = {
          kind: 'info',
          message: ended === 1 ? 'One other session was signed out.' : `${ended} other sessions were signed out.`,
        };
        seeOther(res, '/admin/account');
      },
    },
    {
      method: 'get',
      path: '/account/two-factor',
      permission: 'two-factor-setup',
      handler: async (req, res) => {
        const subject = await setupSubject(req, res);
        if (!subject) return seeOther(res, '/admin/login');
        await renderSetup(req, res, subject, 200);
      },
    },
    {
      method: 'post',
      path: '/account/two-factor',
      permission: 'two-factor-setup',
      handler: async (req, res) => {
        const subject = await setupSubject(req, res);
        if (!subject) return seeOther(res, '/admin/login');
        const form = parseAdminForm(codeSchema, req.body);
        if (!form.ok) return renderSetup(req, res, subject, 422, form.errors);
        const { admin } = subject;
        const ctx = { actor: { type: 'admin' as const, id: admin.id, label: admin.login }, ip: clientIp(req) };
        const codes = await twoFactor.confirmSetup(
          { type: 'admin', id: admin.id },
          setupInProgress(req.session, twoFactor),
          form.values.code,
          ctx,
        );
        if (!codes)
          return renderSetup(req, res, subject, 422, [{ field: 'code', text: codeRefusal(form.values.code) }]);
        delete req.session.twoFactorSetup;
        if (subject.pending) {
          // The set-up was the second step of a sign-in: now the admin is signed in.
          const next = pendingSignIn(req, 'adminPending')?.next ?? '/admin';
          await admins.completeSignIn(admin, 'setup', ctx.ip);
          await openSession(req, res, (session) => {
            session.admin = { id: admin.id, epoch: admin.sessionEpoch, verifiedAt: Date.now() };
            session.recoveryCodes = { codes, next };
          });
          await rememberAdminSession(deps, admin.id, req.sessionID);
        } else {
          if (req.session.admin) req.session.admin = { ...req.session.admin, verifiedAt: Date.now() };
          req.session.recoveryCodes = { codes, next: '/admin/account' };
        }
        seeOther(res, '/admin/account/two-factor/recovery-codes');
      },
    },
    {
      method: 'get',
      path: '/account/two-factor/recovery-codes',
      permission: 'own-account',
      handler: async (req, res) => {
        const shown = req.session.recoveryCodes;
        if (!shown) return seeOther(res, '/admin/account/two-factor');
        delete req.session.recoveryCodes;
        await renderPage(req, res, {
          view: 'admin/account/recovery-codes',
          locals: {
            title: 'Your recovery codes',
            nav: 'account',
            codes: shown.codes,
            next: shown.next,
            renewed: shown.renewed === true,
          },
        });
      },
    },
    {
      method: 'get',
      path: '/account/two-factor/disable',
      permission: 'own-account',
      handler: async (req, res) => {
        if (!(await mayTurnOff(res))) return seeOther(res, '/admin/account/two-factor');
        await askForCode(req, res, 'turnOff', 200);
      },
    },
    {
      method: 'post',
      path: '/account/two-factor/disable',
      permission: 'own-account',
      handler: async (req, res) => {
        const { admin, requireTwoFactor } = currentAdmin(res);
        const subject = { admin, pending: false };
        if (requireTwoFactor)
          return renderSetup(req, res, subject, 409, [
            { field: 'code', text: 'Your role requires two-factor sign-in: it cannot be turned off.' },
          ]);
        if (!confirmed(req)) return askForCode(req, res, 'turnOff', 422);
        const form = parseAdminForm(codeSchema, req.body);
        if (!form.ok) return askForCode(req, res, 'turnOff', 422, form.errors);
        const check = await twoFactor.check({ type: 'admin', id: admin.id }, form.values.code, clientIp(req), 'admin');
        if (!check.ok) return wrongCode(req, res, 'turnOff', check.reason, form.values.code);
        await twoFactor.remove({ type: 'admin', id: admin.id }, auditContext(req, res), 'disable');
        req.session.flash = { kind: 'info', message: 'Two-factor sign-in is off.' };
        seeOther(res, '/admin/account');
      },
    },
    {
      method: 'get',
      path: '/account/two-factor/recovery-codes/new',
      permission: 'own-account',
      handler: async (req, res) => {
        const { admin } = currentAdmin(res);
        if (!(await twoFactor.isEnabled({ type: 'admin', id: admin.id })))
          return seeOther(res, '/admin/account/two-factor');
        await askForCode(req, res, 'renew', 200);
      },
    },
    {
      method: 'post',
      path: '/account/two-factor/recovery-codes/new',
      permission: 'own-account',
      handler: async (req, res) => {
        const { admin } = currentAdmin(res);
        if (!confirmed(req)) return askForCode(req, res, 'renew', 422);
        const form = parseAdminForm(codeSchema, req.body);
        if (!form.ok) return askForCode(req, res, 'renew', 422, form.errors);
        const renewed = await twoFactor.renewRecoveryCodes(
          { type: 'admin', id: admin.id },
          form.values.code,
          'admin',
          auditContext(req, res),
        );
        if (!renewed.ok) return wrongCode(req, res, 'renew', renewed.reason, form.values.code);
        if (req.session.admin) req.session.admin = { ...req.session.admin, verifiedAt: Date.now() };
        req.session.recoveryCodes = { codes: renewed.codes, next: '/admin/account/two-factor', renewed: true };
        seeOther(res, '/admin/account/two-factor/recovery-codes');
      },
    },
  ];
}
