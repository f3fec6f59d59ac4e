import type { Deps } from '../../deps.ts';
import { renderPage } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { AdminPermission } from './gate.ts';

export function adminShellRoutes(_deps: Deps): RouteDef<AdminPermission>[] {
  return [
    {
      method: 'get',
      path: '/',
      permission: 'admin',
      handler: async (req, res) => {
        await renderPage(req, res, { view: 'admin/home', locals: { title: 'Administration', nav: 'home' } });
      },
    },
  ];
}
