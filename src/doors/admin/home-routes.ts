import { renderPage } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';

export function adminHomeRoutes(): RouteDef<AdminPermission>[] {
  return [
    {
      method: 'get',
      path: '/',
      permission: 'signed-in',
      handler: async (req, res) => {
        await renderPage(req, res, { view: 'admin/home', locals: { title: 'Administration', nav: 'home' } });
      },
    },
  ];
}
