import type { Request, Response } from 'express';
import { notFoundError } from '../../http/errors.ts';
import type { Deps } from '../../deps.ts';
import { decodeCursor, InvalidCursorError, type KeysetPosition } from '../../db/keyset.ts';
import { parseForm, type FieldError } from '../../http/form.ts';
import { sendCsv } from '../../http/csv.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { Viewer } from '../../http/types.ts';
import { formatInstant, parseDateTimeInput } from '../../regional/date-format.ts';
import type { ViewerFormatters } from '../../regional/viewer-formatters.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import { can } from '../../access/route-permissions.ts';
import { signedIn } from '../accounts/service.ts';
import { cursorSchema, xdrFilterSchema } from '../accounts/schema.ts';
import { parseId } from '../../http/ids.ts';
import { invoiceCsvColumns, paymentCsvColumns, xdrCsvColumns } from './csv.ts';

export const PAGE_SIZE = 25;

/** The page after `cursor`; a cursor that is not ours starts from the first page. */
function positionOf(cursor: string): KeysetPosition | null {
  if (cursor === '') return null;
  try {
    return decodeCursor(cursor);
  } catch (err) {
    if (err instanceof InvalidCursorError) return null;
    throw err;
  }
}

function cursorOf(req: Request): KeysetPosition | null {
  const form = parseForm(cursorSchema, req.query);
  return form.ok ? positionOf(form.values.cursor) : null;
}

/** A link to this list with other query values kept. */
function listUrl(path: string, query: Record<string, string>): string {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ''));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Two weeks back: the example of a call-history date is always a day that has calls to show. */
const EXAMPLE_DAYS_BACK = 14;

function readMoment(text: string, viewer: Viewer): Date | null | undefined {
  if (text === '') return null;
  const { inDateFormat, inTimeFormat, timeZone, language } = viewer.regional;
  return (
    parseDateTimeInput(text, { dateFormat: inDateFormat, timeFormat: inTimeFormat, timeZone, locale: language }) ??
    undefined
  );
}

/**
 * The call-history filter: its typed values, their errors, the range they name in the viewer's zone,
 * and the example of a date the viewer would type.
 */
function readXdrFilter(req: Request, viewer: Viewer, fmt: ViewerFormatters) {
  const form = parseForm(xdrFilterSchema, req.query);
  const filter = form.ok ? form.values : { from: '', to: '', cursor: '' };
  const errors: FieldError[] = form.ok ? [] : form.errors;
  const from = readMoment(filter.from, viewer);
  const to = readMoment(filter.to, viewer);
  const example = fmt.inputExample(new Date(Date.now() - EXAMPLE_DAYS_BACK * 86_400_000));
  if (from === undefined) errors.push({ field: 'from', key: 'portal.xdrs.errors.dateFrom', params: { example } });
  if (to === undefined) errors.push({ field: 'to', key: 'portal.xdrs.errors.dateTo', params: { example } });
  if (from && to && from >= to) errors.push({ field: 'to', key: 'portal.xdrs.errors.order' });
  const range = { from: errors.length ? null : (from ?? null), to: errors.length ? null : (to ?? null) };
  return { filter, errors, range, example };
}

/** `<list>-<today in the viewer's zone>.csv` */
function csvName(list: string, viewer: Viewer): string {
  const { timeZone, language } = viewer.regional;
  return `${list}-${formatInstant(new Date(), 'YYYY-MM-DD', { timeZone, locale: language })}.csv`;
}

/** The viewer's translator and formatters, which the portal door sets before any of these routes. */
function viewerHelpers(res: Response) {
  const fmt = res.locals.fmt;
  const t = res.locals.t;
  if (!fmt || !t) throw new Error('the portal viewer must run before this handler');
  return { fmt, t };
}

/** Invoices, invoice detail, call history and payments: every query scoped to the viewer's customer. */
export function portalBillingRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const billing = deps.services.billing;
  return [
    {
      method: 'get',
      path: '/invoices.csv',
      permission: can('invoices', 'read'),
      handler: async (_req, res) => {
        const { viewer, account } = signedIn(res);
        const { t, fmt } = viewerHelpers(res);
        await sendCsv(
          res,
          csvName('invoices', viewer),
          invoiceCsvColumns(t, fmt),
          billing.allInvoices(account.customer.id),
        );
      },
    },
    {
      method: 'get',
      path: '/xdrs.csv',
      permission: can('xdrs', 'read'),
      handler: async (req, res) => {
        const { viewer, account } = signedIn(res);
        const { t, fmt } = viewerHelpers(res);
        const { filter, errors, range } = readXdrFilter(req, viewer, fmt);
        // A filter the page would refuse: the page says why.
        if (errors.length) return seeOther(res, listUrl('/xdrs', { from: filter.from, to: filter.to }));
        await sendCsv(
          res,
          csvName('call-history', viewer),
          xdrCsvColumns(t, fmt, account.customer.currency),
          billing.allXdrs(account.customer.id, range),
        );
      },
    },
    {
      method: 'get',
      path: '/payments.csv',
      permission: can('payments', 'read'),
      handler: async (_req, res) => {
        const { viewer, account } = signedIn(res);
        const { t, fmt } = viewerHelpers(res);
        await sendCsv(
          res,
          csvName('payments', viewer),
          paymentCsvColumns(t, fmt),
          billing.allPayments(account.customer.id),
        );
      },
    },
    {
      method: 'get',
      path: '/invoices',
      permission: can('invoices', 'read'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const page = await billing.invoices(account.customer.id, { after: cursorOf(req), limit: PAGE_SIZE });
        await renderPage(req, res, {
          view: 'portal/invoices/index',
          fragment: 'portal/invoices/_table',
          layout: 'portal',
          locals: {
            title: res.locals.t?.('portal.invoices.title'),
            page,
            nextUrl: page.nextCursor ? listUrl('/invoices', { cursor: page.nextCursor }) : null,
            firstUrl: cursorOf(req) ? '/invoices' : null,
          },
        });
      },
    },
    {
      method: 'get',
      path: '/invoices/:invoiceId',
      permission: can('invoices', 'read'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const raw = req.params.invoiceId;
        const id = parseId(raw);
        const invoice = id === null ? null : await billing.invoice(account.customer.id, id);
        if (!invoice) throw notFoundError();
        await renderPage(req, res, {
          view: 'portal/invoices/show',
          layout: 'portal',
          locals: { title: res.locals.t?.('portal.invoices.detailTitle', { number: invoice.number }), invoice },
        });
      },
    },
    {
      method: 'get',
      path: '/invoices/:invoiceId/print',
      permission: can('invoices', 'read'),
      handler: async (req, res) => {
        const { viewer, account } = signedIn(res);
        const id = parseId(req.params.invoiceId);
        const invoice = id === null ? null : await billing.invoice(account.customer.id, id);
        if (!invoice) throw notFoundError();
        const c = account.customer;
        // The address is the profile's: shown to a viewer whose role lets it read the address.
        const address =
          viewer.levels['profile.address'] === 'hidden'
            ? []
            : [c.addressLine1, c.addressLine2, [c.postalCode, c.city].filter(Boolean).join(' '), c.country];
        await renderPage(req, res, {
          view: 'portal/invoices/print',
          layout: 'portal',
          locals: {
            title: res.locals.t?.('portal.invoices.detailTitle', { number: invoice.number }),
            invoice,
            operatorName: deps.config.operatorName,
            billTo: { name: c.companyName || c.name, lines: address.filter((line) => line.trim() !== '') },
          },
        });
      },
    },
    {
      method: 'get',
      path: '/xdrs',
      permission: can('xdrs', 'read'),
      handler: async (req, res) => {
        const { viewer, account } = signedIn(res);
        const { filter, errors, range, example } = readXdrFilter(req, viewer, viewerHelpers(res).fmt);
        // The page and the range's totals are read side by side (two connections of the pool).
        const [page, totals] = errors.length
          ? [{ items: [], nextCursor: null }, null]
          : await Promise.all([
              billing.xdrs(account.customer.id, range, { after: positionOf(filter.cursor), limit: PAGE_SIZE }),
              billing.xdrTotals(account.customer.id, range),
            ]);
        await renderPage(req, res, {
          view: 'portal/xdrs/index',
          fragment: 'portal/xdrs/_panel',
          layout: 'portal',
          status: errors.length ? 422 : 200,
          locals: {
            title: res.locals.t?.('portal.xdrs.title'),
            filter: { from: filter.from, to: filter.to },
            example,
            errors,
            page,
            totals,
            nextUrl: page.nextCursor
              ? listUrl('/xdrs', { from: filter.from, to: filter.to, cursor: page.nextCursor })
              : null,
            firstUrl: filter.cursor ? listUrl('/xdrs', { from: filter.from, to: filter.to }) : null,
            csvUrl: listUrl('/xdrs.csv', { from: filter.from, to: filter.to }),
          },
        });
      },
    },
    {
      method: 'get',
      path: '/payments',
      permission: can('payments', 'read'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const page = await billing.payments(account.customer.id, { after: cursorOf(req), limit: PAGE_SIZE });
        await renderPage(req, res, {
          view: 'portal/payments/index',
          fragment: 'portal/payments/_table',
          layout: 'portal',
          locals: {
            title: res.locals.t?.('portal.payments.title'),
            page,
            nextUrl: page.nextCursor ? listUrl('/payments', { cursor: page.nextCursor }) : null,
            firstUrl: cursorOf(req) ? '/payments' : null,
          },
        });
      },
    },
  ];
}
