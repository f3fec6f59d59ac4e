import type { Request, Response } from 'express';
import type { PortalPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { pageLocals } from '../../http/door.ts';
import { parseForm, type FieldError } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { newPasswordsShown, readPasswordForm, type NewPasswordsShown } from '../accounts/schema.ts';
import { passwordErrors } from '../accounts/service.ts';
import { forgotPasswordSchema } from './schema.ts';
import type { LinkState } from './service.ts';

const FORGOT_PASSWORD_PATH = '/forgot-password';
const SENT_PATH = '/forgot-password/sent';

/** The token travels in the path: no Referer may carry it elsewhere, no cache may keep the page. */
function keepTokenPrivate(res: Response): void {
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/** The rest of the page in the language of the account the link belongs to. */
function speak(deps: Deps, req: Request, res: Response, language: string | undefined): void {
  if (language) pageLocals(deps, () => language)(req, res, () => undefined);
}

export function passwordResetPortalRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const service = deps.services.passwordReset;

  const renderForgot = (
    req: Request,
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: FieldError[],
  ) =>
    renderPage(req, res, {
      view: 'portal/password-reset/forgot',
      layout: 'portal',
      status,
      locals: {
        title: res.locals.t?.('passwordReset.forgot.title'),
        values: { login: typeof values.login === 'string' ? values.login : '' },
        errors,
      },
    });

  const renderLinkProblem = (req: Request, res: Response, state: Exclude<LinkState, { state: 'valid' }>) => {
    speak(deps, req, res, state.language);
    const problem = state.state === 'ip_not_allowed' ? 'addressNotAllowed' : state.reason;
    const status = state.state === 'ip_not_allowed' ? 403 : state.reason === 'unknown' ? 404 : 410;
    return renderPage(req, res, {
      view: 'portal/password-reset/invalid',
      layout: 'portal',
      status,
      locals: { title: res.locals.t?.('passwordReset.invalid.title'), problem },
    });
  };

  const renderReset = (
    req: Request,
    res: Response,
    status: number,
    errors: FieldError[],
    login: string,
    newPasswords: NewPasswordsShown | null = null,
  ) =>
    renderPage(req, res, {
      view: 'portal/password-reset/reset',
      layout: 'portal',
      status,
      locals: {
        title: res.locals.t?.('passwordReset.reset.title'),
        errors,
        login,
        action: req.originalUrl,
        newPasswords,
      },
    });

  return [
    {
      method: 'get',
      path: FORGOT_PASSWORD_PATH,
      permission: 'public',
      handler: (req, res) => renderForgot(req, res, 200, {}, []),
    },
    {
      // The same answer whatever the text names; the account's part runs after the answer is sent.
      method: 'post',
      path: FORGOT_PASSWORD_PATH,
      permission: 'public',
      handler: async (req, res) => {
        const form = parseForm(forgotPasswordSchema, req.body);
        if (!form.ok) return renderForgot(req, res, 422, form.values, form.errors);
        const ip = clientIp(req);
        const budget = await service.admit(ip);
        if (!budget.allowed) {
          res.setHeader('Retry-After', String(budget.retryAfterSeconds));
          const minutes = Math.max(1, Math.ceil(budget.retryAfterSeconds / 60));
          return renderForgot(req, res, 429, form.values, [
            { field: 'login', key: 'passwordReset.forgot.throttled', params: { count: minutes } },
          ]);
        }
        const identifier = form.values.login;
        deps.background.afterResponse(res, 'password-reset request', () => service.handleRequest(identifier, ip));
        seeOther(res, SENT_PATH);
      },
    },
    {
      method: 'get',
      path: SENT_PATH,
      permission: 'public',
      handler: (req, res) =>
        renderPage(req, res, {
          view: 'portal/password-reset/sent',
          layout: 'portal',
          locals: { title: res.locals.t?.('passwordReset.sent.title') },
        }),
    },
    {
      method: 'get',
      path: '/reset-password/:token',
      permission: 'public',
      handler: async (req, res) => {
        keepTokenPrivate(res);
        const state = await service.inspect(String(req.params.token), clientIp(req));
        if (state.state !== 'valid') return renderLinkProblem(req, res, state);
        speak(deps, req, res, state.language);
        await renderReset(req, res, 200, [], loginOf(state));
      },
    },
    {
      method: 'post',
      path: '/reset-password/:token',
      permission: 'public',
      handler: async (req, res) => {
        keepTokenPrivate(res);
        const ip = clientIp(req);
        const state = await service.inspect(String(req.params.token), ip);
        if (state.state !== 'valid') return renderLinkProblem(req, res, state);
        speak(deps, req, res, state.language);
        const shown = newPasswordsShown(req.body);
        if (shown) return renderReset(req, res, 200, [], loginOf(state), shown);
        const { typed, refused } = readPasswordForm(req.body, false);
        const errors = await deps.services.accounts.passwordFormErrors(state.account, typed, refused);
        if (errors.length > 0) return renderReset(req, res, 422, errors, loginOf(state));
        let done: boolean;
        try {
          done = await service.complete(state, typed.next, ip);
        } catch (err) {
          return renderReset(req, res, 422, passwordErrors(err), loginOf(state));
        }
        if (!done) return renderLinkProblem(req, res, { state: 'invalid', reason: 'used', language: state.language });
        req.session.language = state.language;
        req.session.flash = {
          kind: 'info',
          message: deps.i18n.getFixedT(state.language)('passwordReset.reset.done'),
        };
        seeOther(res, '/login');
      },
    },
  ];
}

function loginOf(state: Extract<LinkState, { state: 'valid' }>): string {
  return state.account.individual?.login ?? state.account.customer.selfcareLogin ?? '';
}
