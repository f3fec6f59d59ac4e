import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClient } from './redis-kv.ts';
import type { ThrottleDecision } from './login-throttle.ts';

/**
 * A plain request budget: `points` requests per key in `windowSeconds`, on Redis when configured
 * (shared by every process), in memory otherwise. Store errors propagate, so a dead Redis fails
 * closed. Used where the thing counted is a request, not a failed guess (password-reset links).
 */
export class RateLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(name: string, redis: RedisClient | undefined, points: number, windowSeconds: number) {
    const opts = { keyPrefix: `limit:${name}`, points, duration: windowSeconds };
    this.limiter = redis
      ? new RateLimiterRedis({ ...opts, storeClient: redis, useRedisPackage: true })
      : new RateLimiterMemory(opts);
  }

  /** Spends one request of the key's budget; refused (with the wait) once it is spent. */
  async consume(key: string): Promise<ThrottleDecision> {
    try {
      await this.limiter.consume(key);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    }
  }
}
