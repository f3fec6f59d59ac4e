import { createClient } from 'redis';
import type { KeyValueStore } from './kv.ts';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * Commands fail at once while disconnected (no offline queue) so requests fail closed with 503
 * instead of hanging; the client keeps reconnecting in the background and recovers by itself.
 */
/** the longest wait between two reconnection attempts */
const RECONNECT_CAP_MS = 500;

export function createRedisClient(url: string): RedisClient {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      // retried every half second at most: a restarted Redis is used again within a second
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 4), RECONNECT_CAP_MS),
    },
  });
}

export class RedisKeyValueStore implements KeyValueStore {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix = 'sc:',
  ) {}

  async get(key: string): Promise<string | null> {
    return this.client.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(this.prefix + key, value, { EX: Math.max(1, Math.ceil(ttlSeconds)) });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const reply = await this.client.set(this.prefix + key, value, {
      condition: 'NX',
      expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) },
    });
    return reply === 'OK';
  }

  async take(key: string): Promise<string | null> {
    return this.client.getDel(this.prefix + key);
  }

  async del(key: string): Promise<void> {
    await this.client.del(this.prefix + key);
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    await this.client
      .multi()
      .sAdd(this.prefix + key, member)
      .expire(this.prefix + key, Math.max(1, Math.ceil(ttlSeconds)))
      .exec();
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await this.client.sRem(this.prefix + key, member);
  }

  async members(key: string): Promise<string[]> {
    return this.client.sMembers(this.prefix + key);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }
}
