import type { Request, Response } from 'express';
import type { PortalPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { clientIp } from '../../http/client-ip.ts';
import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import { forbiddenError } from '../../http/errors.ts';
import { parseForm, type FieldError } from '../../http/form.ts';
import { pendingSignIn } from '../../http/pending-sign-in.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { PendingSignIn, PortalSessionUser } from '../../http/types.ts';
import { setupInProgress } from '../two-factor/service.ts';
import { codeSchema, setupCodeSchema } from './schema.ts';
import { accountLogin, twoFactorAccountOf, type PortalAccount } from './service.ts';
import { finishPendingSignIn } from './sign-in-routes.ts';

interface Subject {
  account: PortalAccount;
  user: PortalSessionUser;
  /** set while the set-up is the second step of a sign-in */
  pending: PendingSignIn<{ user: PortalSessionUser; mustChangePassword: boolean }> | null;
}

/**
 * A customer's or individual's own two-factor sign-in at /settings/two-factor: set it up (also as
 * the second step of a sign-in when the Web self-care panel requires it), see its recovery codes
 * once, turn it off when it is not required (asked on a page of its own, with a current code). Not
 * for an administrator's "log in as" session.
 */
export function portalTwoFactorRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const accounts = deps.services.accounts;
  const twoFactor = deps.services.twoFactor;

  const subjectOf = async (req: Request, res: Response): Promise<Subject | null> => {
    const viewer = res.locals.viewer;
    const account = res.locals.portalAccount;
    if (viewer && account) {
      if (viewer.impersonation) throw forbiddenError();
      const user = req.session.portal;
      return user ? { account, user, pending: null } : null;
    }
    const pending = pendingSignIn(req, 'portalPending');
    if (pending?.stage !== 'setup') return null;
    const found = await accounts.loadAccount(pending.user);
    return found ? { account: found, user: pending.user, pending } : null;
  };

  const render = async (req: Request, res: Response, subject: Subject, status: number, errors: FieldError[] = []) => {
    const state = await twoFactor.status(twoFactorAccountOf(subject.user));
    const enabled = state.enabled && !subject.pending;
    const setup = enabled
      ? null
      : await twoFactor.setupView(setupInProgress(req.session, twoFactor), accountLogin(subject.account));
    await renderPage(req, res, {
      view: 'portal/settings/two-factor',
      layout: 'portal',
      status,
      locals: {
        title: res.locals.t?.('twoFactor.title'),
        pending: subject.pending !== null,
        required: subject.account.customer.twoFactorRequired,
        enabled,
        since: state.enabledAt && res.locals.fmt ? res.locals.fmt.dateTime(state.enabledAt) : '',
        recoveryCodesLeft: state.recoveryCodesLeft,
        setup,
        errors,
      },
    });
  };

  /** Turning it off is for an account that has it on and is not required to keep it. */
  const mayTurnOff = async (subject: Subject) =>
    !subject.pending &&
    !subject.account.customer.twoFactorRequired &&
    (await twoFactor.status(twoFactorAccountOf(subject.user))).enabled;

  /**
   * The confirmation page of turning it off or of new recovery codes, which asks for a current code
   * to show it is the account's owner (for new recovery codes, one from the app itself).
   */
  const askForCode = (
    req: Request,
    res: Response,
    what: 'turnOff' | 'renew',
    status: number,
    errors: FieldError[] = [],
  ) => {
    const t = res.locals.t ?? ((key: string) => key);
    const texts =
      what === 'turnOff'
        ? {
            question: t('twoFactor.status.confirmQuestion'),
            detail: t('twoFactor.status.confirmDetail'),
            action: '/settings/two-factor/disable',
            button: t('twoFactor.status.turnOff'),
            hint: t('twoFactor.status.turnOffHint'),
            attrs: { autocapitalize: 'none', spellcheck: 'false', maxlength: 64 },
          }
        : {
            question: t('twoFactor.renew.confirmQuestion'),
            detail: t('twoFactor.renew.confirmDetail'),
            action: '/settings/two-factor/recovery-codes/new',
            button: t('twoFactor.renew.button'),
            hint: t('twoFactor.renew.codeHint'),
            attrs: { inputmode: 'numeric', maxlength: 64 },
          };
    return renderConfirmation(
      req,
      res,
      'portal',
      {
        question: texts.question,
        detail: texts.detail,
        action: texts.action,
        button: texts.button,
        cancelHref: '/settings/two-factor',
        cancel: t('common.cancel'),
        field: {
          name: 'code',
          label: t('twoFactor.status.turnOffLabel'),
          hint: texts.hint,
          autocomplete: 'one-time-code',
          required: true,
          attrs: texts.attrs,
        },
      },
      status,
      errors,
    );
  };

  /** A refused code's answer: 429 once the throttle stops counting, else 422. */
  const wrongCode = (req: Request, res: Response, what: 'turnOff' | 'renew', reason: 'invalid' | 'throttled') =>
    askForCode(req, res, what, reason === 'throttled' ? 429 : 422, [
      { field: 'code', key: 'twoFactor.errors.wrongCode' },
    ]);

  return [
    {
      method: 'get',
      path: '/settings/two-factor',
      permission: 'two-factor-setup',
      handler: async (req, res) => {
        const subject = await subjectOf(req, res);
        if (!subject) return seeOther(res, '/login');
        await render(req, res, subject, 200);
      },
    },
    {
      method: 'post',
      path: '/settings/two-factor',
      permission: 'two-factor-setup',
      handler: async (req, res) => {
        const subject = await subjectOf(req, res);
        if (!subject) return seeOther(res, '/login');
        const form = parseForm(setupCodeSchema, req.body);
        if (!form.ok) return render(req, res, subject, 422, form.errors);
        const ip = clientIp(req);
        const login = accountLogin(subject.account);
        const codes = await twoFactor.confirmSetup(
          twoFactorAccountOf(subject.user),
          setupInProgress(req.session, twoFactor),
          form.values.code,
          { actor: { type: subject.user.kind, id: subject.user.id, label: login }, ip },
        );
        if (!codes) return render(req, res, subject, 422, [{ field: 'code', key: 'twoFactor.errors.setupWrongCode' }]);
        delete req.session.twoFactorSetup;
        if (subject.pending) {
          await accounts.completeSignIn(subject.account, 'setup', ip);
          return finishPendingSignIn(deps, req, res, {
            pending: subject.pending,
            account: subject.account,
            recoveryCodes: codes,
          });
        }
        req.session.recoveryCodes = { codes, next: '/settings/two-factor' };
        seeOther(res, '/settings/two-factor/recovery-codes');
      },
    },
    {
      method: 'get',
      path: '/settings/two-factor/recovery-codes',
      permission: 'signed-in',
      handler: async (req, res) => {
        const shown = req.session.recoveryCodes;
        if (!shown) return seeOther(res, '/settings/two-factor');
        delete req.session.recoveryCodes;
        await renderPage(req, res, {
          view: 'portal/settings/recovery-codes',
          layout: 'portal',
          locals: {
            title: res.locals.t?.('twoFactor.codes.title'),
            codes: shown.codes,
            next: shown.next,
            renewed: shown.renewed === true,
          },
        });
      },
    },
    {
      method: 'get',
      path: '/settings/two-factor/disable',
      permission: 'signed-in',
      handler: async (req, res) => {
        const subject = await subjectOf(req, res);
        if (!subject) return seeOther(res, '/login');
        if (!(await mayTurnOff(subject))) return seeOther(res, '/settings/two-factor');
        await askForCode(req, res, 'turnOff', 200);
      },
    },
    {
      method: 'post',
      path: '/settings/two-factor/disable',
      permission: 'signed-in',
      handler: async (req, res) => {
        const subject = await subjectOf(req, res);
        if (!subject) return seeOther(res, '/login');
        if (subject.account.customer.twoFactorRequired) return render(req, res, subject, 409);
        if (!confirmed(req)) return askForCode(req, res, 'turnOff', 422);
        const form = parseForm(codeSchema, req.body);
        if (!form.ok) return askForCode(req, res, 'turnOff', 422, form.errors);
        const account = twoFactorAccountOf(subject.user);
        const check = await twoFactor.check(account, form.values.code, clientIp(req), 'portal');
        if (!check.ok) return wrongCode(req, res, 'turnOff', check.reason);
        await twoFactor.remove(account, auditContext(req, res), 'disable');
        req.session.flash = { kind: 'info', message: res.locals.t?.('twoFactor.status.turnedOff') ?? '' };
        seeOther(res, '/settings/two-factor');
      },
    },
    {
      method: 'get',
      path: '/settings/two-factor/recovery-codes/new',
      permission: 'signed-in',
      handler: async (req, res) => {
        const subject = await subjectOf(req, res);
        if (!subject) return seeOther(res, '/login');
        if (subject.pending || !(await twoFactor.isEnabled(twoFactorAccountOf(subject.user))))
          return seeOther(res, '/settings/two-factor');
        await askForCode(req, res, 'renew', 200);
      },
    },
    {
      method: 'post',
      path: '/settings/two-factor/recovery-codes/new',
      permission: 'signed-in',
      handler: async (req, res) => {
        const subject = await subjectOf(req, res);
        if (!subject || subject.pending) return seeOther(res, '/login');
        if (!confirmed(req)) return askForCode(req, res, 'renew', 422);
        const form = parseForm(setupCodeSchema, req.body);
        if (!form.ok) return askForCode(req, res, 'renew', 422, form.errors);
        const renewed = await twoFactor.renewRecoveryCodes(
          twoFactorAccountOf(subject.user),
          form.values.code,
          'portal',
          auditContext(req, res),
        );
        if (!renewed.ok) return wrongCode(req, res, 'renew', renewed.reason);
        req.session.recoveryCodes = { codes: renewed.codes, next: '/settings/two-factor', renewed: true };
        seeOther(res, '/settings/two-factor/recovery-codes');
      },
    },
  ];
}
