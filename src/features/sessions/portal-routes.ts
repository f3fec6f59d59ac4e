import type { Request, Response } from 'express';
import { settingsTabs } from '../../access/portal-navigation.ts';
import { can, type PortalPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { confirmed, renderConfirmation, type Confirmation } from '../../http/confirm.ts';
import { checkbox } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { signedIn } from '../accounts/service.ts';
import type { SessionView } from './service.ts';

const SESSIONS_PATH = '/settings/sessions';

/**
 * "Where you are signed in" and "Recent sign-ins". Seeing them needs View on Settings; signing
 * out one's own sessions needs no more (it changes nothing in the account, like signing out);
 * the e-mail preference is a setting and needs Full. Signing another session out, or all of
 * them, is asked on a page of its own first (this session signs out from the menu at once).
 */
export function sessionsPortalRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const service = deps.services.sessions;

  const render = async (req: Request, res: Response) => {
    const { viewer, account } = signedIn(res);
    const [sessions, history, alertsOn] = await Promise.all([
      service.list(account, req.sessionID),
      service.history(account),
      service.alertsOn(account),
    ]);
    await renderPage(req, res, {
      view: 'portal/settings/sessions',
      layout: 'portal',
      locals: {
        title: res.locals.t?.('sessions.title'),
        settingsTabs: settingsTabs(viewer.levels),
        sessions,
        history,
        alertsOn,
        alertsEditable: viewer.levels.settings === 'modify',
        hasEmail: Boolean(account.individual ? account.individual.email : account.customer.email),
      },
    });
  };

  const done = (req: Request, res: Response, key: string, params: Record<string, unknown> = {}) => {
    req.session.flash = { kind: 'info', message: res.locals.t?.(key, params) ?? '' };
    seeOther(res, SESSIONS_PATH);
  };

  const ask = (
    req: Request,
    res: Response,
    confirmation: Omit<Confirmation, 'cancelHref' | 'cancel'>,
    status: number,
  ) =>
    renderConfirmation(
      req,
      res,
      'portal',
      { ...confirmation, cancelHref: SESSIONS_PATH, cancel: res.locals.t?.('common.cancel') ?? 'Cancel' },
      status,
    );

  /** The other session the address names, or null when it ended (or is this one). */
  const otherSession = async (req: Request, res: Response) => {
    const { account } = signedIn(res);
    const handle = String(req.params.handle ?? '').slice(0, 64);
    return (await service.list(account, req.sessionID)).find((s) => s.handle === handle && !s.current) ?? null;
  };

  /** "Sign out Firefox 128 on Linux?": the session named as the list names it. */
  const askToEndOne = (req: Request, res: Response, session: SessionView, status: number) => {
    const t = res.locals.t ?? ((key: string) => key);
    const device = t('sessions.device', {
      browser: session.browser ?? t('sessions.unknownBrowser'),
      system: session.system ?? t('sessions.unknownSystem'),
    });
    return ask(
      req,
      res,
      {
        question: t('sessions.confirmOne', { device }),
        detail: t('sessions.confirmOneDetail', {
          address: session.address || '?',
          lastSeen: res.locals.fmt?.dateTime(session.lastSeenAt) ?? session.lastSeenAt.toISOString(),
        }),
        action: `${SESSIONS_PATH}/${session.handle}/end`,
        button: t('sessions.signOut'),
      },
      status,
    );
  };

  const askToEndOthers = async (req: Request, res: Response, status: number) => {
    const { account } = signedIn(res);
    const t = res.locals.t ?? ((key: string) => key);
    const count = (await service.list(account, req.sessionID)).filter((s) => !s.current).length;
    if (count === 0) return seeOther(res, SESSIONS_PATH);
    return ask(
      req,
      res,
      {
        question: t('sessions.confirmOthers'),
        detail: t('sessions.confirmOthersDetail', { count }),
        action: `${SESSIONS_PATH}/end-others`,
        button: t('sessions.signOutOthers'),
      },
      status,
    );
  };

  return [
    { method: 'get', path: SESSIONS_PATH, permission: can('settings', 'read'), handler: render },
    {
      method: 'get',
      path: `${SESSIONS_PATH}/:handle/end`,
      permission: can('settings', 'read'),
      handler: async (req, res) => {
        const session = await otherSession(req, res);
        if (!session) return done(req, res, 'sessions.alreadyEnded');
        await askToEndOne(req, res, session, 200);
      },
    },
    {
      method: 'post',
      path: `${SESSIONS_PATH}/:handle/end`,
      permission: can('settings', 'read'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const session = await otherSession(req, res);
        if (!session) return done(req, res, 'sessions.alreadyEnded');
        if (!confirmed(req)) return askToEndOne(req, res, session, 422);
        const ended = await service.endOne(account, session.handle, req.sessionID, auditContext(req, res));
        done(req, res, ended ? 'sessions.ended' : 'sessions.alreadyEnded');
      },
    },
    {
      method: 'get',
      path: `${SESSIONS_PATH}/end-others`,
      permission: can('settings', 'read'),
      handler: (req, res) => askToEndOthers(req, res, 200),
    },
    {
      method: 'post',
      path: `${SESSIONS_PATH}/end-others`,
      permission: can('settings', 'read'),
      handler: async (req, res) => {
        if (!confirmed(req)) return askToEndOthers(req, res, 422);
        const { account } = signedIn(res);
        const count = await service.endOthers(account, req.sessionID, auditContext(req, res));
        done(req, res, 'sessions.othersEnded', { count });
      },
    },
    {
      method: 'post',
      path: `${SESSIONS_PATH}/alerts`,
      permission: can('settings', 'modify'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const on = checkbox((req.body as Record<string, unknown> | undefined)?.sign_in_alerts);
        await service.setAlerts(account, on, auditContext(req, res));
        done(req, res, on ? 'sessions.alerts.on' : 'sessions.alerts.off');
      },
    },
  ];
}
