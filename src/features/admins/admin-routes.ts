import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AdminPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { formString, type FieldError } from '../../http/form.ts';
import { pendingSignIn, pendingUntil } from '../../http/pending-sign-in.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { destroySession } from '../../http/session.ts';
import {
  noticeSignedOut,
  openSession,
  secondStepHandlers,
  signedOutPath,
  signInHandler,
  type ThrottledMessage,
} from '../../http/sign-in.ts';
import { endImpersonationsOf } from '../impersonation/service.ts';
import { rememberAdminSession } from './sessions.ts';

const signInSchema = z.object({
  login: z
    .string({ error: 'errors.required' })
    .trim()
    .min(1, { error: 'errors.required' })
    .max(64, { error: 'errors.tooLong' }),
  password: z
    .string({ error: 'errors.required' })
    .min(1, { error: 'errors.required' })
    .max(1024, { error: 'errors.tooLong' }),
});

const codeSchema = z.object({
  code: z.preprocess(
    (v) => formString(v).trim(),
    z.string().min(1, { error: 'errors.required' }).max(64, { error: 'errors.tooLong' }),
  ),
});

/** Only our own admin pages are valid destinations after sign-in. */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !/^\/admin(\/[A-Za-z0-9/_?=&.-]*)?$/.test(value)) return '/admin';
  const path = value.split('?')[0] ?? '';
  // No empty, "." or ".." segment: `/admin/../x` and `/admin//host` never leave the admin pages.
  const segments = path.split('/').slice(1);
  return segments.some(
    (segment, i) => segment === '.' || segment === '..' || (segment === '' && i < segments.length - 1),
  )
    ? '/admin'
    : value;
}

function renderSignIn(
  req: Request,
  res: Response,
  status: number,
  values: Record<string, unknown>,
  errors: FieldError[],
): Promise<void> {
  return renderPage(req, res, {
    view: 'admin/auth/login',
    layout: 'admin',
    status,
    locals: {
      title: 'Sign in',
      values: { login: values.login ?? '', next: safeNext(values.next ?? req.query.next) },
      errors,
    },
  });
}

function renderSecondStep(req: Request, res: Response, status: number, errors: FieldError[]): Promise<void> {
  return renderPage(req, res, {
    view: 'admin/auth/two-factor',
    status,
    locals: { title: 'Two-factor sign-in', errors },
  });
}

/** Sign-in (password, then the second step the account owes) and sign-out of the admin door. */
const throttled: ThrottledMessage = (seconds) => ({
  key: 'errors.signInThrottled',
  params: { minutes: Math.ceil(seconds / 60) },
});

export function adminAuthRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.admins;
  const secondStep = secondStepHandlers({
    pending: (req) => pendingSignIn(req, 'adminPending'),
    elsewhere: (req) => (req.session.admin ? '/admin' : '/admin/login'),
    signInPath: '/admin/login',
    expiredNotice: () => 'Your sign-in took too long. Sign in again.',
    render: renderSecondStep,
    schema: codeSchema,
    account: (pending) => service.findActive(pending.id, pending.epoch),
    check: (_pending, admin, code, ip) =>
      deps.services.twoFactor.check({ type: 'admin', id: admin.id }, code, ip, 'admin'),
    failed: (admin, ip, throttled) => service.recordSecondStepFailure(admin, ip, throttled),
    throttled,
    wrongCode: { field: 'code', text: 'The code is wrong or was used already. Enter the current code from your app.' },
    finish: async (req, res, pending, admin, factor, ip) => {
      await service.completeSignIn(admin, factor, ip);
      await openSession(req, res, (session) => {
        session.admin = { id: admin.id, epoch: admin.sessionEpoch, verifiedAt: Date.now() };
      });
      await rememberAdminSession(deps, admin.id, req.sessionID);
      seeOther(res, pending.next);
    },
  });
  return [
    {
      method: 'get',
      path: '/login',
      permission: 'public',
      handler: async (req, res) => {
        if (req.session.admin) return seeOther(res, '/admin');
        noticeSignedOut(req, res, 'You have signed out.');
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
          if (result.reason === 'disabled')
            return {
              status: 403,
              error: { field: 'login', text: 'This administrator account is disabled. Ask another administrator.' },
            };
          return { status: 401, error: { field: 'login', key: 'errors.signInFailed' } };
        },
        open: (session, result) => {
          const who = { id: result.admin.id, epoch: result.admin.sessionEpoch };
          // A right password alone is not a signed-in session when a second step is owed.
          if (result.secondStep)
            session.adminPending = {
              ...who,
              stage: result.secondStep,
              until: pendingUntil(result.secondStep),
              next: '/admin',
            };
          else session.admin = who;
        },
        next: async (req, _res, result) => {
          const next = safeNext((req.body as Record<string, unknown>).next);
          if (result.secondStep === 'code') {
            if (req.session.adminPending) req.session.adminPending.next = next;
            return '/admin/login/two-factor';
          }
          if (result.secondStep === 'setup') {
            if (req.session.adminPending) req.session.adminPending.next = next;
            return '/admin/account/two-factor';
          }
          await rememberAdminSession(deps, result.admin.id, req.sessionID);
          return next;
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
        const admin = req.session.admin;
        await destroySession(req);
        if (admin) {
          const login = (await service.findActive(admin.id, admin.epoch))?.login ?? `admin #${admin.id}`;
          await deps.audit.record({
            actor: { type: 'admin', id: admin.id, label: login },
            ip: clientIp(req),
            action: 'admin.logout',
            entityType: 'admin',
            entityId: admin.id,
          });
          // "Log in as" sessions the admin opened end with the admin's sign-out.
          await endImpersonationsOf(deps, admin.id, clientIp(req));
        }
        seeOther(res, signedOutPath('/admin/login'));
      },
    },
  ];
}
