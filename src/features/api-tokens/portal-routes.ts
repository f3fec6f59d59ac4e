import type { Response } from 'express';
import { atLeast } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import { tokenPageHandlers } from './handlers.ts';

function viewerOf(res: Response) {
  const viewer = res.locals.viewer;
  if (!viewer) throw new Error('the portal gate must run before this handler');
  return viewer;
}

/** `/api-tokens` in the portal (component `api_access`): View only lists, Full generates and revokes. */
export function apiTokensPortalRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const handlers = tokenPageHandlers(deps, {
    view: 'portal/api-tokens/index',
    fragment: 'portal/api-tokens/_panel',
    layout: 'portal',
    customerId: (res) => viewerOf(res).customerId,
    basePath: () => '/api-tokens',
    locals: (res) => ({
      title: res.locals.t?.('apiTokens.title') ?? 'API tokens',
      nav: 'api_access',
      canModify: atLeast(viewerOf(res).levels.api_access, 'modify'),
    }),
    formatTime: (res) => (instant: Date) => res.locals.fmt?.dateTime(instant) ?? instant.toISOString(),
    expiryDates: (res) => {
      const { timeZone, inDateFormat, outDateFormat, language } = viewerOf(res).regional;
      return Promise.resolve({ timeZone, inputFormat: inDateFormat, outputFormat: outDateFormat, locale: language });
    },
  });
  return [
    {
      method: 'get',
      path: '/api-tokens',
      permission: { component: 'api_access', level: 'read' },
      handler: handlers.list,
    },
    {
      method: 'post',
      path: '/api-tokens',
      permission: { component: 'api_access', level: 'modify' },
      handler: handlers.create,
    },
    {
      method: 'get',
      path: '/api-tokens/:tokenId/revoke',
      permission: { component: 'api_access', level: 'modify' },
      handler: handlers.confirmRevoke,
    },
    {
      method: 'post',
      path: '/api-tokens/:tokenId/revoke',
      permission: { component: 'api_access', level: 'modify' },
      handler: handlers.revoke,
    },
  ];
}
