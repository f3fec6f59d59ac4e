import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

async function customerWith(regional: CustomerFixture, calls: Date[]) {
  const roleId = await createRole(t.deps, `Full ${Math.random()}`, allAt('read'));
  const c = await createCustomer(t.deps, { roleId, ...regional });
  for (const [n, connectTime] of calls.entries())
    await createXdr(t.deps, c.id, {
      connectTime,
      cld: `49301000${n}`,
      durationSeconds: 60 * (n + 1),
      chargedAmount: 0.5,
    });
  return { c, ...(await signInPortal(t.app, c.login ?? '', c.password)) };
}

const cells = (html: string) => [...html.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);

describe('GET /xdrs in New York with US formats (spring-forward day)', () => {
  const zone = {
    timeZone: 'America/New_York',
    outDateFormat: 'MM/DD/YYYY',
    outTimeFormat: 'HH12:MI AM',
    inDateFormat: 'MM/DD/YYYY',
    inTimeFormat: 'HH12:MI AM',
  };
  const before = new Date('2026-03-08T06:30:00Z'); // 01:30 EST
  const after = new Date('2026-03-08T07:30:00Z'); // 03:30 EDT

  it('shows each call in the viewer zone and output format across the DST change', async () => {
    const { agent } = await customerWith(zone, [before, after]);
    const res = await agent.get('/xdrs');
    expect(cells(res.text)).toEqual(expect.arrayContaining(['03/08/2026 01:30 AM', '03/08/2026 03:30 AM']));
  });

  it('reads the filter in the input format and zone, so one wall-clock hour holds only the EST call', async () => {
    const { agent } = await customerWith(zone, [before, after]);
    const res = await agent.get('/xdrs').query({ from: '03/08/2026 01:00 AM', to: '03/08/2026 03:00 AM' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('03/08/2026 01:30 AM');
    expect(res.text).not.toContain('03/08/2026 03:30 AM');
    expect(res.text).toContain('1 call');
    expect(res.text).toContain('0:01:00');
  });

  it('refuses a time the clocks skip and shows what to type instead', async () => {
    const { agent } = await customerWith(zone, [before]);
    const res = await agent.get('/xdrs').query({ from: '03/08/2026 02:30 AM', to: '' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/From: enter a date and time such as \d\d\/\d\d\/\d{4} 02:15 PM, or just the date/);
    expect(res.text).toContain('href="#from"');
    expect(res.text).toContain('value="03/08/2026 02:30 AM"');
  });

  it('refuses an end before the start', async () => {
    const { agent } = await customerWith(zone, [before]);
    const res = await agent.get('/xdrs').query({ from: '03/09/2026', to: '03/08/2026' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('To: enter a date and time later than the one in From');
    expect(res.text).toContain('href="#to"');
  });
});

describe('GET /xdrs in Berlin with dotted formats (fall-back day)', () => {
  const zone = {
    timeZone: 'Europe/Berlin',
    outDateFormat: 'DD.MM.YYYY',
    outTimeFormat: 'HH24:MI:SS',
    inDateFormat: 'DD.MM.YYYY',
    inTimeFormat: 'HH24:MI:SS',
  };
  const summer = new Date('2026-10-25T00:30:00Z'); // 02:30 CEST
  const winter = new Date('2026-10-25T01:30:00Z'); // 02:30 CET

  it('shows the repeated hour twice with the same wall-clock time', async () => {
    const { agent } = await customerWith(zone, [summer, winter]);
    const res = await agent.get('/xdrs');
    expect(cells(res.text).filter((c) => c === '25.10.2026 02:30:00')).toHaveLength(2);
  });

  it('reads 02:00 to 03:00 as the whole repeated hour (earlier 02:00) and totals both calls', async () => {
    const { agent } = await customerWith(zone, [summer, winter, new Date('2026-10-25T03:00:00Z')]);
    const res = await agent.get('/xdrs').query({ from: '25.10.2026 02:00:00', to: '25.10.2026 03:00:00' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('2 calls');
    expect(res.text).toContain('0:03:00');
    expect(res.text).not.toContain('25.10.2026 04:00:00');
  });

  it('accepts a date without a time as local midnight', async () => {
    const { agent } = await customerWith(zone, [summer, new Date('2026-10-24T21:59:00Z')]);
    const res = await agent.get('/xdrs').query({ from: '25.10.2026' });
    expect(res.text).toContain('1 call');
  });
});

describe('GET /xdrs in Kolkata with month names in French', () => {
  const zone = {
    timeZone: 'Asia/Kolkata',
    language: 'fr',
    outDateFormat: 'DD MON YYYY',
    outTimeFormat: 'HH24:MI',
    inDateFormat: 'DD MON YYYY',
    inTimeFormat: 'HH24:MI',
    currency: 'EUR',
  };

  it('writes month names and amounts the French way in the viewer zone', async () => {
    const { agent } = await customerWith(zone, [new Date('2026-10-25T00:30:00Z')]);
    const res = await agent.get('/xdrs');
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('25 oct. 2026 06:00');
    expect(res.text).toMatch(/0,50\sEUR/);
  });

  it('reads a French month name typed in the filter', async () => {
    const { agent } = await customerWith(zone, [new Date('2026-10-25T00:30:00Z'), new Date('2026-10-26T00:30:00Z')]);
    const res = await agent.get('/xdrs').query({ from: '25 oct. 2026 00:00', to: '26 oct. 2026 00:00' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('25 oct. 2026 06:00');
    expect(res.text).not.toContain('26 oct. 2026 06:00');
  });

  it('shows a date in the French way when the date does not fit the format', async () => {
    const { agent } = await customerWith(zone, []);
    const res = await agent.get('/xdrs').query({ to: '2026-10-25' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/Au\u00a0: saisissez une date et une heure comme \d\d [a-zéû]+\.? \d{4} 14:15/);
    expect(res.text).not.toContain('DD MON YYYY HH24:MI');
  });
});

describe('every timestamp follows the viewer settings', () => {
  it('renders invoice dates and payments in the viewer format and zone', async () => {
    const roleId = await createRole(t.deps, 'All', allAt('read'));
    const c = await createCustomer(t.deps, {
      roleId,
      timeZone: 'Asia/Tokyo',
      outDateFormat: 'DD/MM/YYYY',
      outTimeFormat: 'HH24:MI',
    });
    await createInvoice(t.deps, c.id, {
      number: 'INV-TOKYO',
      issuedAt: new Date('2026-03-31T20:00:00Z'),
      periodFrom: '2026-03-01',
      periodTo: '2026-03-31',
      dueOn: '2026-04-15',
    });
    await createPayment(t.deps, c.id, { paidAt: new Date('2026-03-31T16:30:00Z') });
    const { agent } = await signInPortal(t.app, c.login ?? '', c.password);
    const invoices = await agent.get('/invoices');
    expect(invoices.text).toContain('01/04/2026');
    expect(invoices.text).toContain('15/04/2026');
    expect(invoices.text).toContain('01 – 31/03/2026');
    const payments = await agent.get('/payments');
    expect(payments.text).toContain('01/04/2026 01:30');
  });
});

describe('billing periods and due dates', () => {
  it('are days: the same whatever the viewer’s time zone, written as a short range', async () => {
    const roleId = await createRole(t.deps, 'Days', allAt('read'));
    const c = await createCustomer(t.deps, {
      roleId,
      timeZone: 'Pacific/Kiritimati',
      language: 'fr',
      outDateFormat: 'DD MON YYYY',
    });
    const id = await createInvoice(t.deps, c.id, {
      number: 'INV-DAYS',
      issuedAt: new Date('2026-11-01T06:00:00Z'),
      periodFrom: '2026-10-01',
      periodTo: '2026-10-31',
      dueOn: '2026-11-15',
    });
    const { agent } = await signInPortal(t.app, c.login ?? '', c.password);
    for (const zone of ['Pacific/Kiritimati', 'America/Los_Angeles', 'UTC']) {
      await t.deps.db('customers').where({ id: c.id }).update({ time_zone: zone });
      const list = await agent.get('/invoices');
      expect(list.text, zone).toContain('01 – 31 oct. 2026');
      expect(list.text, zone).toContain('15 nov. 2026');
      const detail = await agent.get(`/invoices/${id}`);
      expect(detail.text, zone).toContain('01 – 31 oct. 2026');
      expect(detail.text, zone).toContain('15 nov. 2026');
    }
  });

  it('reach the API as ISO calendar dates', async () => {
    const c = await createCustomer(t.deps);
    await createInvoice(t.deps, c.id, { periodFrom: '2026-10-01', periodTo: '2026-10-31', dueOn: '2026-11-15' });
    const token = await issueToken(t.deps, c.id, { name: 'dates' });
    const api = apiClient(t.app, t.deps);
    const session = await api.signIn(c.login ?? '', token.token);
    const res = await api.get('/api/v1/invoices', { bearer: session });
    expect(res.body.items[0]).toMatchObject({
      period_from: '2026-10-01',
      period_to: '2026-10-31',
      due_at: '2026-11-15',
    });
  });
});

describe('pagination', () => {
  it('pages the call history with a next link that keeps the filter', async () => {
    const { agent } = await customerWith(
      {},
      Array.from({ length: 30 }, (_, n) => new Date(Date.UTC(2026, 0, 1, 0, n))),
    );
    const first = await agent.get('/xdrs').query({ from: '2026-01-01' });
    const next = /href="(\/xdrs\?[^"]*cursor=[^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toContain('from=2026-01-01');
    expect(cells(first.text).filter((c) => c?.startsWith('2026-01-01'))).toHaveLength(25);
    const second = await agent.get(next ?? '');
    expect(cells(second.text).filter((c) => c?.startsWith('2026-01-01'))).toHaveLength(5);
    expect(second.text).toContain('30 calls');
    expect(second.text).toContain('First page');
  });
});
