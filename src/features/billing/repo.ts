import type { Knex } from 'knex';
import { isMysql, toDate, toIsoDate } from '../../db/knex.ts';
import { decodeCursor, keysetPage, type KeysetPosition, type Page } from '../../db/keyset.ts';

/** `YYYY-MM-DD`: a calendar day, the same in every time zone (billing periods, due dates). */
export type CalendarDate = string;

export interface Invoice {
  id: number;
  number: string;
  /** first and last day of the billing period */
  periodFrom: CalendarDate;
  periodTo: CalendarDate;
  issuedAt: Date;
  dueOn: CalendarDate;
  amount: number;
  currency: string;
  status: string;
}

export interface Xdr {
  id: number;
  connectTime: Date;
  cli: string;
  cld: string;
  description: string;
  durationSeconds: number;
  chargedAmount: number;
}

export interface Payment {
  id: number;
  paidAt: Date;
  amount: number;
  currency: string;
  method: string;
  reference: string;
}

const date = (value: unknown): Date => toDate(value) ?? new Date(0);

function toInvoice(row: Record<string, unknown>): Invoice {
  return {
    id: Number(row.id),
    number: String(row.number),
    periodFrom: toIsoDate(row.period_from),
    periodTo: toIsoDate(row.period_to),
    issuedAt: date(row.issued_at),
    dueOn: toIsoDate(row.due_at),
    amount: Number(row.amount),
    currency: String(row.currency),
    status: String(row.status),
  };
}

function toXdr(row: Record<string, unknown>): Xdr {
  return {
    id: Number(row.id),
    connectTime: date(row.connect_time),
    cli: String(row.cli),
    cld: String(row.cld),
    description: String(row.description),
    durationSeconds: Number(row.duration_seconds),
    chargedAmount: Number(row.charged_amount),
  };
}

function toPayment(row: Record<string, unknown>): Payment {
  return {
    id: Number(row.id),
    paidAt: date(row.paid_at),
    amount: Number(row.amount),
    currency: String(row.currency),
    method: String(row.method),
    reference: String(row.reference),
  };
}

export interface XdrTotals {
  count: number;
  durationSeconds: number;
  charged: number;
}

export interface PageRequest {
  after: KeysetPosition | null;
  limit: number;
}

const BATCH = 500;

/** All the rows of a keyset-paginated list, one batch in memory at a time. */
async function* everyRow<T>(pageAt: (page: PageRequest) => Promise<Page<T>>): AsyncGenerator<T> {
  let after: KeysetPosition | null = null;
  for (;;) {
    const page = await pageAt({ after, limit: BATCH });
    yield* page.items;
    if (page.nextCursor === null) return;
    after = decodeCursor(page.nextCursor);
  }
}

/** Invoices, calls and payments of one customer, newest first, keyset-paginated on their indexes. */
export class BillingRepo {
  constructor(private readonly db: Knex) {}

  invoices(customerId: number, page: PageRequest): Promise<Page<Invoice>> {
    return keysetPage(this.db('invoices').where({ customer_id: customerId }), {
      timeColumn: 'issued_at',
      idColumn: 'id',
      ...page,
      map: toInvoice,
    });
  }

  async invoice(customerId: number, id: number): Promise<Invoice | null> {
    const row = await this.db('invoices').where({ customer_id: customerId, id }).first();
    return row ? toInvoice(row) : null;
  }

  /** Calls whose connect time is in [from, to). */
  xdrs(customerId: number, range: { from: Date | null; to: Date | null }, page: PageRequest): Promise<Page<Xdr>> {
    const query = this.db('xdrs').where({ customer_id: customerId });
    if (range.from) void query.where('connect_time', '>=', range.from);
    // Past the first page the cursor's time, earlier than `to`, is the range's upper end: SQLite
    // reads an index range up to one upper bound only, and would take `to` and walk every call
    // between it and the cursor (page 100 of a week: 2,475 calls).
    if (range.to && !(page.after && page.after.time < range.to)) void query.where('connect_time', '<', range.to);
    return keysetPage(query, { timeColumn: 'connect_time', idColumn: 'id', ...page, map: toXdr });
  }

  payments(customerId: number, page: PageRequest): Promise<Page<Payment>> {
    return keysetPage(this.db('payments').where({ customer_id: customerId }), {
      timeColumn: 'paid_at',
      idColumn: 'id',
      ...page,
      map: toPayment,
    });
  }

  /** Every invoice of the customer, newest first, read a batch at a time (downloads). */
  allInvoices(customerId: number): AsyncGenerator<Invoice> {
    return everyRow((page) => this.invoices(customerId, page));
  }

  /** Every call of the customer in [from, to), newest first, read a batch at a time. */
  allXdrs(customerId: number, range: { from: Date | null; to: Date | null }): AsyncGenerator<Xdr> {
    return everyRow((page) => this.xdrs(customerId, range, page));
  }

  /** Every payment of the customer, newest first, read a batch at a time. */
  allPayments(customerId: number): AsyncGenerator<Payment> {
    return everyRow((page) => this.payments(customerId, page));
  }

  async xdrTotals(customerId: number, range: { from: Date | null; to: Date | null }): Promise<XdrTotals> {
    const query = this.db('xdrs').where({ customer_id: customerId });
    if (range.from) void query.where('connect_time', '>=', range.from);
    if (range.to) void query.where('connect_time', '<', range.to);
    const row = (await query
      .count({ n: '*' })
      .sum({ duration: 'duration_seconds' })
      .sum({ charged: 'charged_amount' })
      .first()) as Record<string, unknown> | undefined;
    return {
      count: Number(row?.n ?? 0),
      durationSeconds: Number(row?.duration ?? 0),
      charged: Number(row?.charged ?? 0),
    };
  }

  /** How many invoices there are: the demo numbers its invoices on from there. */
  async invoiceCount(): Promise<number> {
    const row = (await this.db('invoices').count({ n: '*' }).first()) as { n: unknown } | undefined;
    return Number(row?.n ?? 0);
  }

  /**
   * Billing data as the billing system delivers it (the demo and scale seeds; the app itself never
   * writes any): everything in one transaction, one multi-row INSERT per chunk of rows.
   */
  async addBillingData(data: {
    invoices?: readonly NewInvoice[];
    xdrs?: readonly NewXdr[];
    payments?: readonly NewPayment[];
  }): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.insertChunked(trx, 'invoices', (data.invoices ?? []).map(invoiceColumns));
      await this.insertChunked(trx, 'xdrs', (data.xdrs ?? []).map(xdrColumns));
      await this.insertChunked(trx, 'payments', (data.payments ?? []).map(paymentColumns));
    });
  }

  private async insertChunked(
    trx: Knex.Transaction,
    table: string,
    rows: readonly Record<string, unknown>[],
  ): Promise<void> {
    // SQLite gets a multi-row INSERT from Knex as a compound SELECT, at most 500 terms.
    const perStatement = isMysql(this.db) ? 1000 : 400;
    for (let i = 0; i < rows.length; i += perStatement) await trx(table).insert(rows.slice(i, i + perStatement));
  }
}

/** A row as the billing system delivers it: what the app reads, without the id, for one customer. */
type New<T> = Omit<T, 'id'> & { customerId: number };
export type NewInvoice = New<Invoice> & { status: 'open' | 'paid' | 'overdue' | 'void' };
export type NewXdr = New<Xdr>;
export type NewPayment = New<Payment>;

function invoiceColumns(i: NewInvoice): Record<string, unknown> {
  return {
    customer_id: i.customerId,
    number: i.number,
    period_from: i.periodFrom,
    period_to: i.periodTo,
    issued_at: i.issuedAt,
    due_at: i.dueOn,
    amount: i.amount,
    currency: i.currency,
    status: i.status,
  };
}

function xdrColumns(x: NewXdr): Record<string, unknown> {
  return {
    customer_id: x.customerId,
    connect_time: x.connectTime,
    cli: x.cli,
    cld: x.cld,
    description: x.description,
    duration_seconds: x.durationSeconds,
    charged_amount: x.chargedAmount,
  };
}

function paymentColumns(p: NewPayment): Record<string, unknown> {
  return {
    customer_id: p.customerId,
    paid_at: p.paidAt,
    amount: p.amount,
    currency: p.currency,
    method: p.method,
    reference: p.reference,
  };
}
