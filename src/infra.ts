import path from 'node:path';
import type { Store } from 'express-session';
import { RedisStore } from 'connect-redis';
import type { i18n } from 'i18next';
import type { Config } from './config.ts';
import { createDb, type Knex } from './db/knex.ts';
import { createLogger, type Logger } from './logger.ts';
import type { KeyValueStore } from './stores/kv.ts';
import { MemoryKeyValueStore } from './stores/memory-kv.ts';
import { createRedisClient, RedisKeyValueStore, type RedisClient } from './stores/redis-kv.ts';
import { BoundedMemorySessionStore } from './stores/memory-session-store.ts';
import { LoginThrottle } from './stores/login-throttle.ts';
import { RateLimit } from './stores/rate-limit.ts';
import { BackgroundTasks } from './http/background.ts';
import { Lifecycle } from './http/shutdown.ts';
import { createI18n } from './i18n/index.ts';
import { AuditLog } from './features/audit/service.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';

export interface Infra {
  config: Config;
  logger: Logger;
  db: Knex;
  redis: RedisClient | undefined;
  kv: KeyValueStore;
  sessionStores: { admin: Store; portal: Store };
  throttles: {
    admin: LoginThrottle;
    portal: LoginThrottle;
    api: LoginThrottle;
    /** a self-care user's tries of a login when creating or renaming an individual */
    loginChecks: RateLimit;
    /** password-reset requests: per client address (answered 429) and per account (silently) */
    passwordReset: { byAddress: RateLimit; byAccount: RateLimit };
  };
  i18n: i18n;
  audit: AuditLog;
  mailer: Mailer;
  /** work done after the response (e-mails, password-reset requests); drained on close */
  background: BackgroundTasks;
  /** set when the process is shutting down (readiness 503) */
  lifecycle: Lifecycle;
  close(): Promise<void>;
}

export interface InfraOverrides {
  logger?: Logger;
  mailer?: Mailer;
}

/** Builds the database, stores and shared services once per process (or per test app). */
export async function buildInfra(config: Config, overrides: InfraOverrides = {}): Promise<Infra> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const db = createDb(config);
  let redis: RedisClient | undefined;
  let kv: KeyValueStore;
  let sessionStores: Infra['sessionStores'];
  const sessionTtl = config.sessionIdleMinutes * 60;
  if (config.redisUrl) {
    redis = createRedisClient(config.redisUrl);
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
    await redis.connect();
    kv = new RedisKeyValueStore(redis);
    sessionStores = {
      // the time to live is renewed by saves (src/http/session.ts slideIdleTimeout), not touches
      admin: new RedisStore({ client: redis, prefix: 'sc:sess:admin:', ttl: sessionTtl, disableTouch: true }),
      portal: new RedisStore({ client: redis, prefix: 'sc:sess:portal:', ttl: sessionTtl, disableTouch: true }),
    };
  } else {
    kv = new MemoryKeyValueStore();
    sessionStores = {
      admin: new BoundedMemorySessionStore(sessionTtl),
      portal: new BoundedMemorySessionStore(sessionTtl),
    };
  }
  const background = new BackgroundTasks(logger);
  return {
    config,
    logger,
    db,
    redis,
    kv,
    sessionStores,
    throttles: {
      admin: new LoginThrottle('admin', redis),
      portal: new LoginThrottle('portal', redis),
      api: new LoginThrottle('api', redis),
      // a self-care user learns whether a login is taken anywhere: 20 such checks per 15 minutes
      loginChecks: new RateLimit('login-checks', redis, 20, 900),
      passwordReset: {
        byAddress: new RateLimit('password-reset:ip', redis, 10, 900),
        byAccount: new RateLimit('password-reset:account', redis, 3, 3600),
      },
    },
    i18n: createI18n(),
    audit: new AuditLog(db, config.secretKey),
    mailer:
      overrides.mailer ?? createMailer({ smtpUrl: config.smtpUrl, outboxDir: path.join(config.dataDir, 'outbox') }),
    background,
    lifecycle: new Lifecycle(),
    async close() {
      await background.idle();
      await db.destroy();
      if (redis?.isOpen) await redis.close();
    },
  };
}
