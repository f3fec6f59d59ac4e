// The idle timeout of a web session: renewed while the session is in use (saved at most once per
// slide interval, a tenth of the idle time), ended after the idle time without a request. Runs on
// the configured stores, so on Redis too.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createCustomer, FIXTURE_PASSWORD } from '../helpers/fixtures.ts';
import { signInPortal } from '../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ SESSION_IDLE_MINUTES: '1' });
});
afterEach(async () => {
  vi.useRealTimers();
  await t.close();
});

/** Moves the clock the app, the cookie jar and the in-process store read; Redis keeps real time. */
function advance(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}

describe('the idle timeout of a web session', () => {
  it('slides while the session is used, at most once per interval, and ends after the idle time', async () => {
    await createCustomer(t.deps, { login: 'idle.customer' });
    const { agent } = await signInPortal(t.app, 'idle.customer', FIXTURE_PASSWORD);
    vi.useFakeTimers({ toFake: ['Date'] });

    // Within the slide interval (6 s of a 1-minute idle time): no cookie and no store write.
    advance(2_000);
    const quiet = await agent.get('/');
    expect(quiet.status).toBe(200);
    expect(quiet.headers['set-cookie']).toBeUndefined();

    // Past the interval: the session is saved again and the cookie comes with a fresh expiry.
    advance(40_000);
    const slid = await agent.get('/');
    expect(slid.status).toBe(200);
    const expires = /Expires=([^;]+)/.exec(String(slid.headers['set-cookie']))?.[1];
    expect(Math.abs(Date.parse(expires ?? '') - (Date.now() + 60_000))).toBeLessThan(2_000);

    // 50 s after that request (92 s after sign-in, beyond the idle minute of the sign-in itself).
    advance(50_000);
    expect((await agent.get('/')).status).toBe(200);

    if (t.deps.config.redisUrl) return; // Redis expires keys by its own clock
    advance(61_000);
    const ended = await agent.get('/');
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/login');
  });
});
