import type { CsvColumn } from '../../http/csv.ts';
import type { ViewerFormatters } from '../../regional/viewer-formatters.ts';
import type { Invoice, Payment, Xdr } from './repo.ts';

type Translate = (key: string, options?: Record<string, unknown>) => string;

/** Amounts as plain decimals, so that a spreadsheet can add them up; the currency has its own column. */
const amount = (value: number): string => value.toFixed(2);

/** The portal's CSV downloads: headers in the viewer's language, times in the viewer's zone and formats. */
export function invoiceCsvColumns(t: Translate, fmt: ViewerFormatters): CsvColumn<Invoice>[] {
  return [
    { header: t('portal.invoices.columns.number'), value: (i) => i.number },
    {
      header: t('portal.invoices.columns.period'),
      value: (i) => t('portal.invoices.periodRange', fmt.period(i.periodFrom, i.periodTo)),
    },
    { header: t('portal.invoices.columns.issued'), value: (i) => fmt.date(i.issuedAt) },
    { header: t('portal.invoices.columns.due'), value: (i) => fmt.day(i.dueOn) },
    { header: t('portal.invoices.columns.amount'), value: (i) => amount(i.amount) },
    { header: t('portal.export.currency'), value: (i) => i.currency },
    {
      header: t('portal.invoices.columns.status'),
      value: (i) => t(`portal.invoices.statuses.${i.status}`, { defaultValue: i.status }),
    },
  ];
}

export function xdrCsvColumns(t: Translate, fmt: ViewerFormatters, currency: string): CsvColumn<Xdr>[] {
  return [
    { header: t('portal.xdrs.columns.time'), value: (x) => fmt.dateTime(x.connectTime) },
    { header: t('portal.xdrs.columns.caller'), value: (x) => x.cli },
    { header: t('portal.xdrs.columns.destination'), value: (x) => x.cld },
    { header: t('portal.xdrs.columns.description'), value: (x) => x.description },
    { header: t('portal.xdrs.columns.duration'), value: (x) => fmt.duration(x.durationSeconds) },
    { header: t('portal.xdrs.columns.charged'), value: (x) => amount(x.chargedAmount) },
    { header: t('portal.export.currency'), value: () => currency },
  ];
}

export function paymentCsvColumns(t: Translate, fmt: ViewerFormatters): CsvColumn<Payment>[] {
  return [
    { header: t('portal.payments.columns.date'), value: (p) => fmt.dateTime(p.paidAt) },
    {
      header: t('portal.payments.columns.method'),
      value: (p) => t(`portal.payments.methods.${p.method}`, { defaultValue: p.method }),
    },
    { header: t('portal.payments.columns.reference'), value: (p) => p.reference },
    { header: t('portal.payments.columns.amount'), value: (p) => amount(p.amount) },
    { header: t('portal.export.currency'), value: (p) => p.currency },
  ];
}
