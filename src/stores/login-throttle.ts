import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClient } from './redis-kv.ts';

export interface ThrottleDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

export interface ThrottleLimits {
  /** failures allowed per login + address before a block */
  perLoginAndAddress: number;
  /** failures allowed per address (any login) before a block */
  perAddress: number;
  windowSeconds: number;
  blockSeconds: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  perLoginAndAddress: 5,
  perAddress: 30,
  windowSeconds: 900,
  blockSeconds: 900,
};

/**
 * Brute-force limits for one door (admin sign-in, self-care sign-in, API sessions): failures
 * counted per login+address and per address, on Redis when configured, in memory otherwise.
 * Store errors propagate, so a dead Redis fails closed (503) instead of letting guesses through.
 */
export class LoginThrottle {
  private readonly byLoginAndAddress: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;

  constructor(
    name: string,
    redis: RedisClient | undefined,
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS,
  ) {
    const make = (suffix: string, points: number): RateLimiterAbstract => {
      const opts = {
        keyPrefix: `throttle:${name}:${suffix}`,
        points,
        duration: limits.windowSeconds,
        blockDuration: limits.blockSeconds,
      };
      return redis
        ? new RateLimiterRedis({ ...opts, storeClient: redis, useRedisPackage: true })
        : new RateLimiterMemory(opts);
    };
    this.byLoginAndAddress = make('login', limits.perLoginAndAddress);
    this.byAddress = make('ip', limits.perAddress);
  }

  private static key(login: string, address: string): string {
    return `${login.trim().toLowerCase()}|${address}`;
  }

  private static blocked(res: RateLimiterRes | null, points: number): number {
    if (!res) return 0;
    return res.consumedPoints >= points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
  }

  /**
   * Counts this attempt before the credentials are checked, so a burst of parallel guesses cannot
   * all pass a read-only check; refused once either limit is spent.
   */
  async attempt(login: string, address: string): Promise<ThrottleDecision> {
    const [pair, ip] = await Promise.all([
      this.byLoginAndAddress.consume(LoginThrottle.key(login, address)).catch(rejectedOrThrow),
      this.byAddress.consume(address).catch(rejectedOrThrow),
    ]);
    const pairWait = LoginThrottle.blocked(pair, this.limits.perLoginAndAddress + 1);
    const addressWait = LoginThrottle.blocked(ip, this.limits.perAddress + 1);
    // Refused for this account alone: no password is tried, so the address gets its attempt back
    // (one blocked account must not lock every sign-in from a shared address).
    if (pairWait > 0 && addressWait === 0) await this.byAddress.reward(address, 1);
    const wait = Math.max(pairWait, addressWait);
    return { allowed: wait === 0, retryAfterSeconds: wait };
  }

  /**
   * Runs the look-up of an attempt already counted by `attempt`. When it throws (the database did
   * not answer), the attempt is given back: a sign-in refused by an outage is not a password guess.
   */
  async checking<T>(login: string, address: string, lookUp: () => Promise<T>): Promise<T> {
    try {
      return await lookUp();
    } catch (err) {
      await Promise.all([
        this.byLoginAndAddress.reward(LoginThrottle.key(login, address), 1),
        this.byAddress.reward(address, 1),
      ]).catch(() => undefined);
      throw err;
    }
  }

  /** After a failed attempt (already counted): may the next one go ahead? */
  async afterFailure(login: string, address: string): Promise<ThrottleDecision> {
    const [pair, ip] = await Promise.all([
      this.byLoginAndAddress.get(LoginThrottle.key(login, address)),
      this.byAddress.get(address),
    ]);
    const wait = Math.max(
      LoginThrottle.blocked(pair, this.limits.perLoginAndAddress),
      LoginThrottle.blocked(ip, this.limits.perAddress),
    );
    return { allowed: wait === 0, retryAfterSeconds: wait };
  }

  /**
   * The password was right but the account may not enter (address, activation window): the
   * attempt stays counted for the account, and the address gets it back, so refusals of one
   * account cannot lock every sign-in from a shared address.
   */
  async notAPasswordFailure(address: string): Promise<void> {
    await this.byAddress.reward(address, 1);
  }

  /** A successful sign-in clears its login's failures and gives its address its attempt back. */
  async succeed(login: string, address: string): Promise<void> {
    await Promise.all([
      this.byLoginAndAddress.delete(LoginThrottle.key(login, address)),
      this.byAddress.reward(address, 1),
    ]);
  }
}

function rejectedOrThrow(err: unknown): RateLimiterRes {
  if (err instanceof RateLimiterRes) return err;
  throw err;
}
