import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { type FieldError } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { destroySession } from '../../http/session.ts';
import { signInHandler } from '../../http/sign-in.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import { endImpersonationsOf } from '../impersonation/service.ts';

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

/** Only our own admin pages are valid destinations after sign-in. */
function safeNext(value: unknown): string {
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

export function adminAuthRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.admins;
  return [
    {
      method: 'get',
      path: '/login',
      permission: 'public',
      handler: async (req, res) => {
        if (req.session.admin) return seeOther(res, '/admin');
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
        refusal: (result) =>
          result.reason === 'throttled'
            ? {
                status: 429,
                error: {
                  field: 'login',
                  key: 'errors.signInThrottled',
                  params: { minutes: Math.ceil(result.retryAfterSeconds / 60) },
                },
              }
            : { status: 401, error: { field: 'login', key: 'errors.signInFailed' } },
        open: (session, result) => {
          session.admin = { id: result.admin.id, epoch: result.admin.sessionEpoch };
        },
        next: (req) => safeNext((req.body as Record<string, unknown>).next),
      }),
    },
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
        seeOther(res, '/admin/login');
      },
    },
  ];
}
