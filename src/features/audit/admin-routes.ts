import type { Request, Response } from 'express';
import type { Deps } from '../../deps.ts';
import { renderPage } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import { currentCustomer } from '../../http/loaded.ts';
import { formString, parseAdminForm } from '../../http/form.ts';
import { auditFilterSchema } from './schema.ts';

const FILTER_FIELDS = ['from', 'to', 'entity_type', 'entity_id', 'actor', 'ip'] as const;

export function auditRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.audit;

  async function renderAudit(req: Request, res: Response, customerId: number | null): Promise<void> {
    const base = customerId === null ? '/admin/audit' : `/admin/customers/${customerId}/audit`;
    const raw: Record<string, string> = {};
    for (const field of FILTER_FIELDS) raw[field] = formString(req.query[field]).trim().slice(0, 120);
    const form = parseAdminForm(auditFilterSchema, req.query);
    const page = form.ok ? await service.page(form.values, customerId) : { events: [], nextBefore: null };
    const events = await service.read(page.events, res.locals.t ?? ((key: string) => key), res.locals.lang ?? 'en');
    const query = new URLSearchParams(Object.entries(raw).filter(([, v]) => v !== ''));
    const filtered = query.size > 0;
    if (page.nextBefore !== null) query.set('before', String(page.nextBefore));
    await renderPage(req, res, {
      view: customerId === null ? 'admin/audit/index' : 'admin/customers/audit',
      fragment: 'admin/audit/_search',
      status: form.ok ? 200 : 422,
      locals: {
        title: customerId === null ? 'Audit log' : `Audit – ${currentCustomer(res).name}`,
        nav: customerId === null ? 'audit' : 'customers',
        base,
        filters: raw,
        filtered,
        errors: form.ok ? [] : form.errors,
        events,
        older: page.nextBefore === null ? null : `${base}?${query.toString()}`,
        paged: form.ok && form.values.before !== '',
      },
    });
  }

  return [
    { method: 'get', path: '/audit', permission: 'audit.read', handler: (req, res) => renderAudit(req, res, null) },
    {
      method: 'get',
      path: '/customers/:id/audit',
      permission: 'audit.read',
      loads: 'customer',
      handler: (req, res) => renderAudit(req, res, currentCustomer(res).id),
    },
  ];
}
