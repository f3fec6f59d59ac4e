import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  env: NodeEnv;
  /** error pages show stack traces: only when NODE_ENV=development is set explicitly */
  showStackTraces: boolean;
  port: number;
  host: string;
  /** undefined = embedded SQLite under dataDir */
  databaseUrl: string | undefined;
  /** MySQL connections one process may hold (each app process has its own pool) */
  databasePoolMax: number;
  /** undefined = in-process stores (single process only) */
  redisUrl: string | undefined;
  secretKey: string;
  /** value for Express `trust proxy`; undefined = socket address only */
  trustProxy: boolean | number | string | undefined;
  logLevel: string;
  smtpUrl: string | undefined;
  dataDir: string;
  bcryptCost: number;
  /** Secure cookies with __Host- names: everywhere but plain-http development and tests */
  secureCookies: boolean;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  apiSessionIdleMinutes: number;
  apiSessionAbsoluteHours: number;
  publicUrl: string;
  /** seconds between SIGTERM (readiness turns 503) and closing the listener */
  shutdownDrainSeconds: number;
  /** the operator's name, printed at the head of invoices; empty = the product's name */
  operatorName: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function parseNodeEnv(value: string | undefined): NodeEnv {
  if (value === undefined || value === '') return 'development';
  if (value === 'development' || value === 'production' || value === 'test') return value;
  throw new ConfigError(`NODE_ENV must be development, production or test (got "${value}")`);
}

function parseInteger(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number (got "${value}")`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

function parseDatabaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL (expected mysql://user:password@host:3306/database)');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ConfigError(`DATABASE_URL must start with mysql:// (got "${url.protocol}//")`);
  }
  if (url.pathname.length <= 1)
    throw new ConfigError('DATABASE_URL must name a database, e.g. mysql://root@127.0.0.1:3306/selfcare');
  return value;
}

function parseRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('REDIS_URL is not a valid URL (expected redis://host:6379)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL must start with redis:// or rediss:// (got "${url.protocol}//")`);
  }
  return value;
}

/** Same grammar Express accepts for `trust proxy`: true/false, a hop count, or addresses/subnet names. */
function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = parseNodeEnv(env.NODE_ENV);
  const dataDir = path.resolve(env.DATA_DIR || './data');
  let secretKey = env.SECRET_KEY ?? '';
  if (secretKey === '') {
    if (nodeEnv === 'production')
      throw new ConfigError(
        'SECRET_KEY is required when NODE_ENV=production (generate one with: openssl rand -hex 32)',
      );
    secretKey = loadOrCreateSecret(dataDir);
  } else if (secretKey.length < 32) {
    throw new ConfigError('SECRET_KEY must be at least 32 characters long');
  }
  const port = parseInteger('PORT', env.PORT, 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  return {
    env: nodeEnv,
    showStackTraces: env.NODE_ENV === 'development',
    port,
    host,
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    databasePoolMax: parseInteger('DATABASE_POOL_MAX', env.DATABASE_POOL_MAX, 10, 1, 200),
    redisUrl: parseRedisUrl(env.REDIS_URL),
    secretKey,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    smtpUrl: env.SMTP_URL || undefined,
    dataDir,
    bcryptCost: parseInteger('BCRYPT_COST', env.BCRYPT_COST, nodeEnv === 'test' ? 4 : 12, 4, 15),
    secureCookies: nodeEnv === 'production',
    sessionIdleMinutes: parseInteger('SESSION_IDLE_MINUTES', env.SESSION_IDLE_MINUTES, 30, 1, 1440),
    sessionAbsoluteHours: parseInteger('SESSION_ABSOLUTE_HOURS', env.SESSION_ABSOLUTE_HOURS, 12, 1, 168),
    apiSessionIdleMinutes: parseInteger('API_SESSION_IDLE_MINUTES', env.API_SESSION_IDLE_MINUTES, 30, 1, 1440),
    apiSessionAbsoluteHours: parseInteger('API_SESSION_ABSOLUTE_HOURS', env.API_SESSION_ABSOLUTE_HOURS, 24, 1, 168),
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    shutdownDrainSeconds: parseInteger('SHUTDOWN_DRAIN_SECONDS', env.SHUTDOWN_DRAIN_SECONDS, 5, 0, 300),
    operatorName: (env.OPERATOR_NAME ?? '').trim().slice(0, 200),
  };
}
