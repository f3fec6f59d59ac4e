import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import {
  allAt,
  createCustomer,
  createInvoice,
  createPayment,
  createRole,
  createXdr,
  type CustomerFixture,
} from '../../helpers/fixtures.ts';
import { signInPortal } from '../../helpers/portal.ts';
import { apiClient, issueToken } from '../api/api-client.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const BOM = '\uFEFF';

/** The body of a download as text, whatever content type it came with. */
const text = (res: request.Response): string =>
  Buffer.isBuffer(res.body) ? res.body.toString('utf8') : String(res.text ?? '');
const binary = (test: request.Test) =>
  test.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
const rowsOf = (body: string): string[][] => parse(body.slice(BOM.length)) as string[][];

let counter = 0;
async function customer(perms = allAt('read'), regional: CustomerFixture = {}) {
  const roleId = await createRole(t.deps, `CSV role ${++counter}`, perms);
  const c = await createCustomer(t.deps, { roleId, ...regional });
  await createXdr(t.deps, c.id, {
    connectTime: new Date('2026-03-02T08:05:00Z'),
    cli: '+380441234567',
    cld: '4930123456',
    description: 'Berlin, Deutschland – Festnetz',
    durationSeconds: 125,
    chargedAmount: 1.5,
  });
  await createXdr(t.deps, c.id, { connectTime: new Date('2026-02-20T23:30:00Z'), cli: '=HYPERLINK("x")' });
  await createInvoice(t.deps, c.id, {
    number: 'INV-7',
    issuedAt: new Date('2026-03-01T00:00:00Z'),
    periodFrom: '2026-02-01',
    periodTo: '2026-02-28',
    dueOn: '2026-03-15',
    amount: 1234.5,
    currency: 'EUR',
    status: 'overdue',
  });
  await createPayment(t.deps, c.id, {
    paidAt: new Date('2026-03-05T10:00:00Z'),
    amount: 50,
    method: 'card',
    reference: 'PAY-1',
  });
  return { c, ...(await signInPortal(t.app, c.login ?? '', c.password)) };
}

describe('portal CSV downloads', () => {
  it('downloads the call history in English with the viewer’s formats and zone, UTF-8 with a BOM', async () => {
    const { agent } = await customer(allAt('read'), {
      timeZone: 'America/New_York',
      outDateFormat: 'MM/DD/YYYY',
      outTimeFormat: 'HH12:MI AM',
    });
    const res = await binary(agent.get('/xdrs.csv'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="?call-history-\d{4}-\d{2}-\d{2}\.csv"?$/,
    );
    const body = text(res);
    expect(body.startsWith(BOM)).toBe(true);
    expect(rowsOf(body)).toEqual([
      ['Time', 'Caller', 'Destination', 'Description', 'Duration', 'Charged', 'Currency'],
      [
        '03/02/2026 03:05 AM',
        '+380441234567',
        '4930123456',
        'Berlin, Deutschland – Festnetz',
        '0:02:05',
        '1.50',
        'USD',
      ],
      ['02/20/2026 06:30 PM', '\'=HYPERLINK("x")', '15550002222', 'Call', '0:01:00', '0.10', 'USD'],
    ]);
  });

  it('downloads only the filtered calls, read in the viewer’s input format', async () => {
    const { agent } = await customer(allAt('read'), { inDateFormat: 'DD.MM.YYYY', inTimeFormat: 'HH24:MI' });
    const page = await agent.get('/xdrs').query({ from: '01.03.2026 00:00', to: '' });
    expect(page.text).toContain('href="/xdrs.csv?from=01.03.2026+00%3A00"');
    const res = await binary(agent.get('/xdrs.csv').query({ from: '01.03.2026 00:00' }));
    expect(rowsOf(text(res)).map((r) => r[2])).toEqual(['Destination', '4930123456']);
    const refused = await agent.get('/xdrs.csv').query({ from: 'yesterday' });
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe('/xdrs?from=yesterday');
  });

  it('downloads invoices and payments in German: headers, dates, statuses and methods', async () => {
    const { agent } = await customer(allAt('read'), {
      language: 'de',
      timeZone: 'Europe/Berlin',
      outDateFormat: 'DD.MM.YYYY',
      outTimeFormat: 'HH24:MI',
    });
    const page = await agent.get('/invoices');
    expect(page.text).toContain('<a href="/invoices.csv" download');
    expect(page.text).toContain('Als CSV herunterladen');
    const invoices = await binary(agent.get('/invoices.csv'));
    expect(invoices.headers['content-disposition']).toMatch(/filename="?invoices-\d{4}-\d{2}-\d{2}\.csv"?$/);
    expect(rowsOf(text(invoices))).toEqual([
      ['Rechnung', 'Zeitraum', 'Ausgestellt', 'Fällig', 'Betrag', 'Währung', 'Status'],
      ['INV-7', '01 – 28.02.2026', '01.03.2026', '15.03.2026', '1234.50', 'EUR', 'Überfällig'],
    ]);
    const payments = await binary(agent.get('/payments.csv'));
    expect(rowsOf(text(payments))).toEqual([
      ['Datum', 'Zahlungsart', 'Referenz', 'Betrag', 'Währung'],
      ['05.03.2026 11:00', 'Karte', 'PAY-1', '50.00', 'USD'],
    ]);
  });

  it('refuses each download with 403 to a role that hides its component', async () => {
    const { agent } = await customer({ ...allAt('read'), xdrs: 'hidden', invoices: 'hidden', payments: 'hidden' });
    for (const path of ['/xdrs.csv', '/invoices.csv', '/payments.csv']) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(403);
      expect(res.headers['content-type'], path).toMatch(/text\/html/);
    }
    expect((await agent.get('/')).text).not.toContain('.csv');
  });

  it('sends a visitor without a session to sign in', async () => {
    const res = await request(t.app).get('/xdrs.csv');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });
});

describe('API lists as CSV', () => {
  async function session(perms = allAt('read')) {
    const api = apiClient(t.app, t.deps);
    const roleId = await createRole(t.deps, `API CSV ${++counter}`, perms);
    const login = `csv-api-${counter}`;
    const c = await createCustomer(t.deps, { login, roleId });
    await createXdr(t.deps, c.id, { connectTime: new Date('2026-03-02T08:05:00Z'), cld: '4930123456' });
    await createXdr(t.deps, c.id, { connectTime: new Date('2026-01-02T08:05:00Z'), cld: '4930000000' });
    await createPayment(t.deps, c.id, { reference: 'PAY-9', paidAt: new Date('2026-03-05T10:00:00Z') });
    const { token } = await issueToken(t.deps, c.id);
    return api.signIn(login, token);
  }

  it('answers every filtered call as CSV for ?format=csv, in ISO 8601 UTC with the JSON field names', async () => {
    const sid = await session();
    const res = await binary(
      request(t.app)
        .get('/api/v1/xdrs')
        .query({ format: 'csv', from: '2026-02-01T00:00:00Z', limit: 1 })
        .set('Authorization', `Bearer ${sid}`),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?call-history\.csv"?$/);
    expect(rowsOf(text(res))).toEqual([
      ['id', 'connect_time', 'cli', 'cld', 'description', 'duration_seconds', 'charged_amount'],
      [expect.stringMatching(/^\d+$/), '2026-03-02T08:05:00.000Z', '15550001111', '4930123456', 'Call', '60', '0.1'],
    ]);
  });

  it('answers every invoice as CSV with calendar-day periods and the JSON field names', async () => {
    const sid = await session();
    const customerId = Number(
      (
        await t.deps
          .db('customers')
          .where({ selfcare_login: `csv-api-${counter}` })
          .first()
      ).id,
    );
    await createInvoice(t.deps, customerId, {
      number: 'INV-CSV-1',
      periodFrom: '2026-02-01',
      periodTo: '2026-02-28',
      dueOn: '2026-03-15',
      amount: 12.5,
    });
    const res = await binary(request(t.app).get('/api/v1/invoices?format=csv').set('Authorization', `Bearer ${sid}`));
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/invoices\.csv/);
    const [header, row] = rowsOf(text(res));
    expect(header).toEqual(expect.arrayContaining(['number', 'period_from', 'period_to', 'amount']));
    const cell = (name: string) => row![header!.indexOf(name)];
    expect([cell('number'), cell('period_from'), cell('period_to'), cell('amount')]).toEqual([
      'INV-CSV-1',
      '2026-02-01',
      '2026-02-28',
      '12.5',
    ]);
  });

  it('answers CSV for Accept: text/csv and JSON otherwise', async () => {
    const sid = await session();
    const csv = await binary(
      request(t.app).get('/api/v1/payments').set('Authorization', `Bearer ${sid}`).set('Accept', 'text/csv'),
    );
    expect(rowsOf(text(csv))[1]).toContain('PAY-9');
    const json = await request(t.app).get('/api/v1/payments').set('Authorization', `Bearer ${sid}`);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(json.body.items[0].reference).toBe('PAY-9');
  });

  it('refuses the CSV with 403 to a role that hides the component, as for JSON', async () => {
    const sid = await session({ ...allAt('read'), xdrs: 'hidden' });
    const res = await request(t.app).get('/api/v1/xdrs?format=csv').set('Authorization', `Bearer ${sid}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});
