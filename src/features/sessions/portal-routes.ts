import type { Request, Response } from 'express';
import { settingsTabs } from '../../access/portal-navigation.ts';
import { can, type PortalPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { checkbox, formString } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { signedIn } from '../accounts/service.ts';

const SESSIONS_PATH = '/settings/sessions';

/**
 * "Where you are signed in" and "Recent sign-ins". Seeing them needs View on Settings; signing
 * out one's own sessions needs no more (it changes nothing in the account, like signing out);
 * the e-mail preference is a setting and needs Full.
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

  return [
    { method: 'get', path: SESSIONS_PATH, permission: can('settings', 'read'), handler: render },
    {
      method: 'post',
      path: `${SESSIONS_PATH}/end`,
      permission: can('settings', 'read'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const handle = formString((req.body as Record<string, unknown> | undefined)?.session).slice(0, 64);
        const ended = await service.endOne(account, handle, req.sessionID, auditContext(req, res));
        done(req, res, ended ? 'sessions.ended' : 'sessions.alreadyEnded');
      },
    },
    {
      method: 'post',
      path: `${SESSIONS_PATH}/end-others`,
      permission: can('settings', 'read'),
      handler: async (req, res) => {
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
