import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../../helpers/fixtures.ts';
import { postPortalLogin } from '../../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ TRUST_PROXY: 'loopback' });
  await createRole(t.deps, 'Full', allAt('modify'), { isDefault: true });
});
afterEach(async () => {
  await t.close();
});

const OFFICE = '198.51.100.7';

describe('portal sign-in limits from one shared address', () => {
  it('does not let refusals that are not wrong passwords lock every sign-in from the address', async () => {
    const restricted = await createCustomer(t.deps, { ipRestriction: true, trustedIps: '10.0.0.0/8;' });
    const colleague = await createCustomer(t.deps, {});
    // The right password, from an address outside the list: refused, but no password was guessed.
    for (let i = 0; i < 35; i++) {
      const { res } = await postPortalLogin(t.app, restricted.login ?? '', restricted.password, { ip: OFFICE });
      expect([403, 429]).toContain(res.status);
    }
    const { res } = await postPortalLogin(t.app, colleague.login ?? '', colleague.password, { ip: OFFICE });
    expect(res.status).toBe(303);
  });

  it('does not let one account blocked for wrong passwords lock the others at the same address', async () => {
    const victim = await createCustomer(t.deps, {});
    const colleague = await createCustomer(t.deps, {});
    for (let i = 0; i < 40; i++)
      await postPortalLogin(t.app, victim.login ?? '', 'not the password at all', { ip: OFFICE });
    const blocked = await postPortalLogin(t.app, victim.login ?? '', victim.password, { ip: OFFICE });
    expect(blocked.res.status).toBe(429);
    const { res } = await postPortalLogin(t.app, colleague.login ?? '', colleague.password, { ip: OFFICE });
    expect(res.status).toBe(303);
  });

  it('still blocks an address that guesses passwords across many accounts', async () => {
    const accounts = [];
    for (let i = 0; i < 8; i++) accounts.push(await createCustomer(t.deps, {}));
    let throttled = false;
    for (let round = 0; round < 5 && !throttled; round++) {
      for (const a of accounts) {
        const { res } = await postPortalLogin(t.app, a.login ?? '', 'wrong guess number one', { ip: OFFICE });
        if (res.status === 429) throttled = true;
      }
    }
    expect(throttled).toBe(true);
  });
});
