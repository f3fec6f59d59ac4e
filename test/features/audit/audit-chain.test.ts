import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_SECRET, type TestApp } from '../../helpers/app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  for (let i = 1; i <= 5; i++) {
    await t.deps.audit.record({
      actor: { type: 'admin', id: 1, label: 'operator' },
      ip: '192.0.2.1',
      action: 'customer.update',
      entityType: 'customer',
      entityId: i,
      changes: { name: { old: `Old ${i}`, new: `New ${i}` } },
    });
  }
});
afterEach(async () => {
  await t.close();
});

async function ids(): Promise<number[]> {
  return (await t.deps.db('audit_events').orderBy('id').select('id')).map((r) => Number(r.id));
}

/** The operator's command, run as it is run in production, against the test's database. */
function auditVerify(): { status: number | null; stdout: string } {
  const run = spawnSync(path.resolve('node_modules/.bin/tsx'), ['src/cli.ts', 'audit-verify'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      SECRET_KEY: TEST_SECRET,
      DATA_DIR: t.config.dataDir,
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      REDIS_URL: process.env.REDIS_URL ?? '',
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout };
}

describe('the audit trail as a hash chain', () => {
  it('verifies an untouched trail, also events written concurrently', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.deps.audit.record({
          actor: { type: 'system', id: null, label: 'load' },
          ip: '',
          action: 'test.concurrent',
          entityId: i,
        }),
      ),
    );
    expect(await t.deps.audit.verify()).toMatchObject({ ok: true, checked: 25 });
  });

  it('names the edited event', async () => {
    const [, second] = await ids();
    await t.deps.db('audit_events').where({ id: second }).update({ ip: '203.0.113.9' });
    expect(await t.deps.audit.verify()).toMatchObject({
      ok: false,
      brokenId: second,
      reason: expect.stringContaining('edited'),
    });
  });

  it('names the event after a deleted one', async () => {
    const [, , third, fourth] = await ids();
    await t.deps.db('audit_events').where({ id: third }).del();
    expect(await t.deps.audit.verify()).toMatchObject({
      ok: false,
      brokenId: fourth,
      reason: expect.stringContaining('deleted'),
    });
  });

  it('notices the newest events deleted', async () => {
    const all = await ids();
    await t.deps
      .db('audit_events')
      .where({ id: all[all.length - 1] })
      .del();
    expect(await t.deps.audit.verify()).toMatchObject({
      ok: false,
      reason: expect.stringContaining('newest events were deleted'),
    });
  });

  it('npm run selfcare -- audit-verify names the first broken event and fails', async () => {
    const intact = auditVerify();
    expect(intact.stdout).toContain('Audit trail intact: 5 chained event(s)');
    expect(intact.status).toBe(0);
    const [first] = await ids();
    // A row edited directly in the database, as an intruder would.
    await t.deps
      .db('audit_events')
      .where({ id: first })
      .update({ changes: JSON.stringify({ name: { old: 'x', new: 'y' } }) });
    const broken = auditVerify();
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(`Audit trail broken at event ${first}: its content no longer matches its digest`);
  }, 120_000);
});
