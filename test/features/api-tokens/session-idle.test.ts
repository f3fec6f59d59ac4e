import { beforeEach, describe, expect, it } from 'vitest';
import { ApiSessions } from '../../../src/features/api-tokens/sessions.ts';
import { MemoryKeyValueStore } from '../../../src/stores/memory-kv.ts';

const config = { apiSessionIdleMinutes: 30, apiSessionAbsoluteHours: 24, secretKey: 'k'.repeat(64) };
const MINUTE = 60_000;

/** A key-value store that counts what the sessions write. */
class CountingStore extends MemoryKeyValueStore {
  writes = 0;
  override async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.writes++;
    await super.set(key, value, ttlSeconds);
  }
}

let kv: CountingStore;
let sessions: ApiSessions;
beforeEach(() => {
  kv = new CountingStore();
  sessions = new ApiSessions({ kv, config });
});

describe('API session idle expiry', () => {
  it('slides at most once a minute: a burst of calls writes the session once', async () => {
    const start = Date.now();
    const { id } = await sessions.open({ tokenId: 1, customerId: 2, epoch: 0, loginLower: 'acme' }, start);
    const opened = kv.writes;
    for (const at of [start + 1000, start + 30_000, start + 59_000]) {
      await sessions.touch(id, (await sessions.read(id, at))!, at);
    }
    expect(kv.writes).toBe(opened);
    await sessions.touch(id, (await sessions.read(id, start + 2 * MINUTE))!, start + 2 * MINUTE);
    expect(kv.writes).toBe(opened + 1);
    await sessions.touch(id, (await sessions.read(id, start + 2 * MINUTE + 5000))!, start + 2 * MINUTE + 5000);
    expect(kv.writes).toBe(opened + 1);
    await sessions.touch(id, (await sessions.read(id, start + 4 * MINUTE))!, start + 4 * MINUTE);
    expect(kv.writes).toBe(opened + 2);
  });
});
