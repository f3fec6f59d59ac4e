import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/stores/kv.ts';
import { MemoryKeyValueStore } from '../../src/stores/memory-kv.ts';
import { createRedisClient, RedisKeyValueStore, type RedisClient } from '../../src/stores/redis-kv.ts';

/** The same expectations for both stores; `later(seconds)` moves the store's clock forward. */
function setIfAbsentContract(
  name: string,
  open: () => { store: KeyValueStore; later(seconds: number): Promise<void> },
) {
  describe(`${name}: setIfAbsent`, () => {
    it('sets a new key once and refuses the second call, keeping the first value', async () => {
      const { store } = open();
      const key = `once:${Math.random()}`;
      expect(await store.setIfAbsent(key, 'first', 60)).toBe(true);
      expect(await store.setIfAbsent(key, 'second', 60)).toBe(false);
      expect(await store.get(key)).toBe('first');
    });

    it('lets exactly one of many simultaneous calls win', async () => {
      const { store } = open();
      const key = `race:${Math.random()}`;
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent(key, String(i), 60)));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('sets the key again once the first one has expired', async () => {
      const { store, later } = open();
      const key = `expiry:${Math.random()}`;
      expect(await store.setIfAbsent(key, 'first', 1)).toBe(true);
      await later(1.2);
      expect(await store.get(key)).toBeNull();
      expect(await store.setIfAbsent(key, 'again', 1)).toBe(true);
    });
  });
}

let clock = 1_000_000;
const memory = new MemoryKeyValueStore(1000, () => clock);
setIfAbsentContract('the embedded store', () => ({
  store: memory,
  later: async (seconds) => {
    clock += seconds * 1000;
  },
}));

describe.runIf(process.env.REDIS_URL)('Redis', () => {
  let client: RedisClient;
  beforeAll(async () => {
    client = createRedisClient(process.env.REDIS_URL!);
    await client.connect();
  });
  afterAll(async () => {
    await client.quit();
  });
  setIfAbsentContract('the Redis store', () => ({
    store: new RedisKeyValueStore(client, 'sc-test:'),
    later: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
  }));
});
