import type { Knex } from 'knex';
import { isMysql, toDate, toIsoDate } from '../../db/knex.ts';
import { prepared, type Prepared } from '../../db/prepared.ts';
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

/** What the dashboard shows of billing: the newest invoice and the newest calls. */
export interface Latest {
  invoice: Invoice | null;
  calls: Xdr[];
}

/**
 * The columns of `BillingRepo.latest`'s union after its `kind` (the table), by name in the union:
 * each table's column there, or null where the table has none. The same names in the same order
 * on both sides.
 */
const LATEST_COLUMNS = {
  invoices: {
    id: 'id',
    time: 'issued_at',
    amount: 'amount',
    text_a: 'number',
    text_b: 'currency',
    text_c: 'status',
    day: 'due_at',
    day_from: 'period_from',
    day_to: 'period_to',
    seconds: null,
  },
  xdrs: {
    id: 'id',
    time: 'connect_time',
    amount: 'charged_amount',
    text_a: 'cld',
    text_b: 'cli',
    text_c: 'description',
    day: null,
    day_from: null,
    day_to: null,
    seconds: 'duration_seconds',
  },
} as const;

/** A union row under the table's own column names. */
function columnsOf(row: Record<string, unknown>, columns: Record<string, string | null>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [as, column] of Object.entries(columns)) if (column !== null) own[column] = row[as];
  return own;
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
  /** the dashboard's statement (see `latest`), by shape "<invoice 0|1> <calls>": built once each */
  private readonly latestRows: Prepared;

  constructor(private readonly db: Knex) {
    this.latestRows = prepared(db, (param, shape) => {
      const [invoice, calls] = shape.split(' ').map(Number);
      const part = (table: 'invoices' | 'xdrs', limit: number) => {
        const columns = LATEST_COLUMNS[table];
        const query = db(table)
          .where({ customer_id: param(0) })
          .select(
            db.raw('? as kind', [table]),
            ...Object.entries(columns).map(([as, column]) =>
              column === null ? db.raw('null as ??', [as]) : `${column} as ${as}`,
            ),
          )
          .orderBy([
            { column: columns.time, order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(limit);
        // a derived table keeps each part's own order and limit (MySQL needs that for a union)
        return db.select('*').from(query.as(table));
      };
      const [first, ...rest] = [...(invoice ? [part('invoices', 1)] : []), ...(calls ? [part('xdrs', calls!)] : [])];
      return rest.length ? first!.unionAll(rest) : first!;
    });
  }

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

  /**
   * The newest invoice and the `calls` newest calls of a customer in one statement (the
   * dashboard): each part reads its own `(customer_id, time)` index in order, and UNION ALL lines
   * their columns up (see `LATEST_COLUMNS`). A part not asked for is not read.
   */
  async latest(customerId: number, want: { invoice: boolean; calls: number }): Promise<Latest> {
    const latest: Latest = { invoice: null, calls: [] };
    if (!want.invoice && want.calls <= 0) return latest;
    const rows = await this.latestRows.rows([customerId], `${want.invoice ? 1 : 0} ${Math.max(0, want.calls)}`);
    for (const row of rows) {
      if (row.kind === 'invoices') latest.invoice = toInvoice(columnsOf(row, LATEST_COLUMNS.invoices));
      else latest.calls.push(toXdr(columnsOf(row, LATEST_COLUMNS.xdrs)));
    }
    // UNION ALL promises no order across its parts: the calls come back in their own order
    latest.calls.sort((a, b) => b.connectTime.getTime() - a.connectTime.getTime() || b.id - a.id);
    return latest;
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
