import type { Request, Response } from 'express';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { clientIp } from '../../http/client-ip.ts';
import type { FieldError } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { destroySession, saveSession } from '../../http/session.ts';
import {
  noticeSignedOut,
  openSession,
  secondStepHandlers,
  signedOutPath,
  signInHandler,
  type ThrottledMessage,
} from '../../http/sign-in.ts';
import { pendingSignIn, pendingUntil } from '../../http/pending-sign-in.ts';
import type { PendingSignIn, PortalSessionUser } from '../../http/types.ts';
import { LANGUAGES } from '../../regional/languages.ts';
import { FORCED_PASSWORD_PATH, homePath } from '../../access/portal-navigation.ts';
import { adminReturnPath } from '../impersonation/service.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import { codeSchema, newPasswordsShown, readPasswordForm, signInSchema, type NewPasswordsShown } from './schema.ts';
import { passwordErrors, twoFactorAccountOf, type PortalAccount } from './service.ts';

const SIGN_IN_STATUS = { invalid: 401, ip_not_allowed: 403, not_active: 403, expired: 403 } as const;

const throttled: ThrottledMessage = (seconds) => ({
  key: 'portal.signIn.errors.throttled',
  params: { count: Math.max(1, Math.ceil(seconds / 60)) },
});

function renderSignIn(
  req: Request,
  res: Response,
  status: number,
  values: Record<string, unknown>,
  errors: FieldError[],
): Promise<void> {
  return renderPage(req, res, {
    view: 'portal/auth/login',
    layout: 'portal',
    status,
    locals: {
      title: res.locals.t?.('portal.signIn.title'),
      values: { login: typeof values.login === 'string' ? values.login : '' },
      errors,
      languages: LANGUAGES,
    },
  });
}

/**
 * The second step is done: a fresh signed-in session (its language kept) in the account's list of
 * sessions, then the forced password change if one is pending, or the first page the viewer may see.
 */
export async function finishPendingSignIn(
  deps: Deps,
  req: Request,
  res: Response,
  signIn: {
    pending: PendingSignIn<{ user: PortalSessionUser; mustChangePassword: boolean }>;
    account: PortalAccount;
    recoveryCodes?: string[];
  },
): Promise<void> {
  const { accounts, sessions } = deps.services;
  const { pending, account, recoveryCodes } = signIn;
  const next = pending.mustChangePassword ? FORCED_PASSWORD_PATH : homePath(await accounts.levels(account));
  const ip = clientIp(req);
  await openSession(
    req,
    res,
    (session) => {
      session.portal = pending.user;
      session.device = sessions.deviceOf(req.get('User-Agent'), ip);
      if (recoveryCodes) session.recoveryCodes = { codes: recoveryCodes, next };
    },
    ['language'],
  );
  await sessions.afterSignIn(account, req.sessionID, ip, req.get('User-Agent'));
  seeOther(res, recoveryCodes ? '/settings/two-factor/recovery-codes' : next);
}

/** Applies a password change to the current session: the other sessions end, this one goes on. */
export async function keepSessionAfterPasswordChange(req: Request, epoch: number): Promise<void> {
  if (req.session.portal) req.session.portal = { ...req.session.portal, epoch };
  await saveSession(req);
}

export function portalAuthRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const service = deps.services.accounts;
  const sessions = deps.services.sessions;

  const renderSecondStep = (req: Request, res: Response, status: number, errors: FieldError[]) =>
    renderPage(req, res, {
      view: 'portal/auth/two-factor',
      layout: 'portal',
      status,
      locals: { title: res.locals.t?.('twoFactor.title'), errors },
    });

  const secondStep = secondStepHandlers({
    pending: (req) => pendingSignIn(req, 'portalPending'),
    elsewhere: (_req, res) => (res.locals.viewer ? '/' : '/login'),
    signInPath: '/login',
    expiredNotice: (res) => res.locals.t?.('twoFactor.signIn.expired') ?? '',
    render: renderSecondStep,
    schema: codeSchema,
    account: async (pending) => {
      const account = await service.loadAccount(pending.user);
      const own = account ? (account.individual ?? account.customer) : null;
      return account && own?.sessionEpoch === pending.user.epoch ? account : null;
    },
    check: (pending, _account, code, ip) =>
      deps.services.twoFactor.check(twoFactorAccountOf(pending.user), code, ip, 'portal'),
    failed: (account, ip, throttled) => service.recordSecondStepFailure(account, ip, throttled),
    throttled,
    wrongCode: { field: 'code', key: 'twoFactor.errors.wrongCode' },
    finish: async (req, res, pending, account, factor, ip) => {
      await service.completeSignIn(account, factor, ip);
      await finishPendingSignIn(deps, req, res, { pending, account });
    },
  });

  const renderForced = (
    req: Request,
    res: Response,
    status: number,
    errors: FieldError[],
    newPasswords: NewPasswordsShown | null = null,
  ) =>
    renderPage(req, res, {
      view: 'portal/auth/change-password',
      layout: 'portal',
      status,
      locals: { title: res.locals.t?.('portal.password.forcedTitle'), errors, newPasswords },
    });

  return [
    {
      method: 'get',
      path: '/login',
      permission: 'public',
      handler: async (req, res) => {
        if (res.locals.viewer) return seeOther(res, homePath(res.locals.viewer.levels));
        noticeSignedOut(req, res, res.locals.t?.('portal.signIn.signedOut') ?? '');
        await renderSignIn(req, res, 200, {}, []);
      },
    },
    {
      method: 'post',
      path: '/login',
      permission: 'public',
      handler: signInHandler({
        schema: signInSchema,
        render: renderSignIn,
        attempt: (values, ip) => service.signIn(values.login, values.password, ip),
        throttled,
        refusal: (result) => {
          const keys = {
            invalid: 'invalid',
            ip_not_allowed: 'addressNotAllowed',
            not_active: 'notActive',
            expired: 'expired',
          } as const;
          return {
            status: SIGN_IN_STATUS[result.reason],
            error: { field: 'login', key: `portal.signIn.errors.${keys[result.reason]}` },
          };
        },
        open: (session, result, req) => {
          // A right password alone is not a signed-in session when a second step is owed.
          if (result.secondStep)
            session.portalPending = {
              user: result.user,
              mustChangePassword: result.mustChangePassword,
              language: result.language,
              stage: result.secondStep,
              until: pendingUntil(result.secondStep),
              next: '/',
            };
          else {
            session.portal = result.user;
            session.device = sessions.deviceOf(req.get('User-Agent'), clientIp(req));
          }
        },
        opened: async (req, result) => {
          if (result.secondStep) return;
          const account = await service.loadAccount(result.user);
          if (account) await sessions.afterSignIn(account, req.sessionID, clientIp(req), req.get('User-Agent'));
        },
        keep: ['language'],
        next: async (_req, _res, result) => {
          if (result.secondStep === 'code') return '/login/two-factor';
          if (result.secondStep === 'setup') return '/settings/two-factor';
          if (result.mustChangePassword) return FORCED_PASSWORD_PATH;
          const account = await service.loadAccount(result.user);
          return account ? homePath(await service.levels(account)) : '/';
        },
      }),
    },
    { method: 'get', path: '/login/two-factor', permission: 'public', handler: secondStep.show },
    { method: 'post', path: '/login/two-factor', permission: 'public', handler: secondStep.submit },
    {
      method: 'post',
      path: '/logout',
      permission: 'public',
      handler: async (req, res) => {
        const viewer = res.locals.viewer;
        if (viewer && !viewer.impersonation) await sessions.forget(viewer, req.sessionID);
        if (viewer) {
          await deps.audit.record({
            ...auditContext(req, res),
            action: viewer.impersonation ? 'portal.impersonation.end' : 'portal.logout',
            entityType: viewer.kind,
            entityId: viewer.id,
            customerId: viewer.customerId,
          });
        }
        await destroySession(req);
        seeOther(
          res,
          viewer?.impersonation
            ? adminReturnPath({
                customerId: viewer.customerId,
                individualId: viewer.kind === 'individual' ? viewer.id : undefined,
              })
            : signedOutPath('/login'),
        );
      },
    },
    {
      method: 'get',
      path: FORCED_PASSWORD_PATH,
      permission: 'signed-in',
      handler: async (req, res) => {
        const viewer = res.locals.viewer;
        if (!viewer?.mustChangePassword) return seeOther(res, viewer ? homePath(viewer.levels) : '/');
        await renderForced(req, res, 200, []);
      },
    },
    {
      method: 'post',
      path: FORCED_PASSWORD_PATH,
      permission: 'signed-in',
      handler: async (req, res) => {
        const viewer = res.locals.viewer;
        const account = res.locals.portalAccount as PortalAccount;
        if (!viewer?.mustChangePassword) return seeOther(res, '/');
        const shown = newPasswordsShown(req.body);
        if (shown) return renderForced(req, res, 200, [], shown);
        const { typed, refused } = readPasswordForm(req.body, false);
        const errors = await service.passwordFormErrors(account, typed, refused);
        if (errors.length > 0) return renderForced(req, res, 422, errors);
        let epoch: number;
        try {
          epoch = await service.changePassword(account, { current: null, next: typed.next }, auditContext(req, res));
        } catch (err) {
          return renderForced(req, res, 422, passwordErrors(err));
        }
        await keepSessionAfterPasswordChange(req, epoch);
        req.session.flash = { kind: 'info', message: res.locals.t?.('portal.password.changed') ?? '' };
        seeOther(res, homePath(viewer.levels));
      },
    },
  ];
}
