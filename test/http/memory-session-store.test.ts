import { describe, expect, it } from 'vitest';
import type { SessionData } from 'express-session';
import { BoundedMemorySessionStore } from '../../src/stores/memory-session-store.ts';

const get = (store: BoundedMemorySessionStore, sid: string) =>
  new Promise<SessionData | null | undefined>((resolve, reject) =>
    store.get(sid, (err, s) => (err ? reject(err) : resolve(s))),
  );
const set = (store: BoundedMemorySessionStore, sid: string, sess: Partial<SessionData>) =>
  new Promise<void>((resolve, reject) =>
    store.set(sid, { cookie: { originalMaxAge: 60_000 }, ...sess } as SessionData, (err) =>
      err ? reject(err) : resolve(),
    ),
  );

describe('the embedded session store', () => {
  it('keeps signed-in sessions when a flood of anonymous visits fills it', async () => {
    const store = new BoundedMemorySessionStore(60, 10, 10);
    await set(store, 'signed-in', { admin: { id: 1, epoch: 0 } });
    for (let i = 0; i < 1000; i++) await set(store, `anon-${i}`, { csrfToken: `t${i}` } as Partial<SessionData>);
    expect((await get(store, 'signed-in'))?.admin).toEqual({ id: 1, epoch: 0 });
    expect(await get(store, 'anon-0')).toBeNull();
    expect(await get(store, 'anon-999')).not.toBeNull();
  });

  it('moves a session to the signed-in pool at sign-in and forgets it when destroyed', async () => {
    const store = new BoundedMemorySessionStore(60, 10, 1);
    await set(store, 's', {});
    await set(store, 's', { portal: { kind: 'customer', id: 1, customerId: 1, epoch: 0 } });
    await set(store, 'other-anonymous', {});
    expect((await get(store, 's'))?.portal?.id).toBe(1);
    await new Promise<void>((resolve) => store.destroy('s', () => resolve()));
    expect(await get(store, 's')).toBeNull();
  });
});
