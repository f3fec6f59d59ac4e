import type { Deps } from '../../deps.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import { currentCustomer } from '../../http/loaded.ts';
import { tokenPageHandlers } from './handlers.ts';

/** Admins see times in UTC, written unambiguously. */
export function adminTime(instant: Date): string {
  return `${instant.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The customer's "API tokens" tab: list with status, generate (shown once), revoke. */
export function apiTokensAdminRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const handlers = tokenPageHandlers(deps, {
    view: 'admin/api-tokens/index',
    fragment: 'admin/api-tokens/_panel',
    layout: 'admin',
    customerId: (res) => currentCustomer(res).id,
    basePath: (res) => `/admin/customers/${currentCustomer(res).id}/api-tokens`,
    locals: (res) => ({
      title: `API tokens – ${currentCustomer(res).name}`,
      nav: 'customers',
      customer: currentCustomer(res),
      canModify: true,
    }),
    formatTime: () => adminTime,
    // Admins type ISO dates; the day is the customer's, so admin and customer read the same date.
    expiryDates: async (res) => ({
      timeZone: (await deps.services.customers.get(currentCustomer(res).id)).timeZone,
      inputFormat: 'YYYY-MM-DD',
      outputFormat: 'YYYY-MM-DD',
      locale: 'en',
    }),
  });
  return [
    {
      method: 'get',
      path: '/customers/:id/api-tokens',
      permission: 'api_tokens.manage',
      loads: 'customer',
      handler: handlers.list,
    },
    {
      method: 'post',
      path: '/customers/:id/api-tokens',
      permission: 'api_tokens.manage',
      loads: 'customer',
      handler: handlers.create,
    },
    {
      method: 'get',
      path: '/customers/:id/api-tokens/:tokenId/revoke',
      permission: 'api_tokens.manage',
      loads: 'customer',
      handler: handlers.confirmRevoke,
    },
    {
      method: 'post',
      path: '/customers/:id/api-tokens/:tokenId/revoke',
      permission: 'api_tokens.manage',
      loads: 'customer',
      handler: handlers.revoke,
    },
  ];
}
