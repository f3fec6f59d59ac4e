/**
 * A private stack on loopback for the fault and load runs: MariaDB and Redis on their own ports
 * and data folders under a temporary directory (never the machine's shared ones), and the compiled
 * production server (as `npm start` runs it, NODE_ENV=production) against them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatePassword, hashPassword } from '../../src/access/passwords.ts';
import { loadConfig } from '../../src/config.ts';
import { buildDeps } from '../../src/deps.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { ApiTokenService } from '../../src/features/api-tokens/service.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { seedScale } from '../../src/seed/scale.ts';
import { npmStartNodeArgs } from '../helpers/npm-start.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET_KEY = 'fault-run-secret-0123456789abcdef0123456789abcdef';
/**
 * The password cost of the seeded accounts and the server. 10 rather than the production 12: on
 * two shared cores a cost-12 check takes half a second alone, and the runs are about faults and
 * pages, not bcrypt (FAULTS_BCRYPT_COST=12 for the production cost).
 */
const BCRYPT_COST = Number(process.env.FAULTS_BCRYPT_COST || 10);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Waits until `port` accepts connections; the milliseconds it took. */
export async function waitForPort(port: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await accepts(port)) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** One child process the run starts and stops by its own handle. */
class Service {
  child: ChildProcess | undefined;
  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: () => string[],
    private readonly logFile: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(): void {
    const log = openSync(this.logFile, 'a');
    this.child = spawn(this.command, this.args(), { stdio: ['ignore', log, log], env: this.env, cwd: ROOT });
  }

  /** SIGTERM (or the given signal) and wait for the exit; the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    const done = exited(child);
    child.kill(signal);
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await done;
    clearTimeout(kill);
    this.child = undefined;
    return code;
  }
}

export interface Seeded {
  admins: Array<{ login: string; password: string }>;
  /** self-care logins, one per portal user */
  portal: Array<{ login: string; password: string }>;
  api: { login: string; token: string };
  /** a customer only the concurrent-save check edits */
  contestedCustomerId: number;
}

export class Stack {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'selfcare-faults-'));
  dbPort = 0;
  redisPort = 0;
  appPort = 0;
  mariadb!: Service;
  redis!: Service;
  app!: Service;
  drainSeconds = 2;

  get databaseUrl(): string {
    return `mysql://root@127.0.0.1:${this.dbPort}/selfcare`;
  }
  get redisUrl(): string {
    return `redis://127.0.0.1:${this.redisPort}/0`;
  }
  get base(): string {
    return `http://127.0.0.1:${this.appPort}`;
  }

  /** customers added to the demo data (the load run gives each writer its own) */
  constructor(private readonly extraCustomers = 0) {}

  async start(): Promise<Seeded> {
    [this.dbPort, this.redisPort, this.appPort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = path.join(this.dir, 'mariadb');
    mkdirSync(dataDir);
    const install = spawnSync(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { encoding: 'utf8' },
    );
    if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
    this.mariadb = new Service(
      'mariadb',
      'mariadbd',
      () => [
        '--no-defaults',
        `--datadir=${dataDir}`,
        `--port=${this.dbPort}`,
        `--socket=${path.join(this.dir, 'mariadb.sock')}`,
        `--pid-file=${path.join(this.dir, 'mariadb.pid')}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        '--skip-grant-tables',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=64M',
        '--max-connections=200',
      ],
      path.join(this.dir, 'mariadb.log'),
    );
    this.redis = new Service(
      'redis',
      'redis-server',
      () => ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      path.join(this.dir, 'redis.log'),
    );
    this.mariadb.start();
    this.redis.start();
    await Promise.all([waitForPort(this.dbPort, 60_000), waitForPort(this.redisPort, 10_000)]);
    await this.createDatabase();
    const seeded = await this.seed();
    this.app = new Service(
      'app',
      process.execPath,
      // diagnostics only: FAULTS_APP_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof', '--heapsnapshot-signal=SIGUSR2'…
      () => [...(process.env.FAULTS_APP_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []), ...npmStartNodeArgs(ROOT)],
      path.join(this.dir, 'app.log'),
      this.appEnv(),
    );
    await this.startApp();
    return seeded;
  }

  appEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(this.appPort),
      HOST: '127.0.0.1',
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      SECRET_KEY,
      TRUST_PROXY: 'loopback',
      LOG_LEVEL: 'warn',
      DATA_DIR: path.join(this.dir, 'app-data'),
      BCRYPT_COST: String(BCRYPT_COST),
      SHUTDOWN_DRAIN_SECONDS: String(this.drainSeconds),
      ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
      ...(process.env.DATABASE_POOL_MAX ? { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX } : {}),
    };
  }

  async startApp(): Promise<void> {
    this.app.start();
    await waitForPort(this.appPort, 30_000);
  }

  private async createDatabase(): Promise<void> {
    const { default: mysql } = await import('mysql2/promise');
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: this.dbPort, user: 'root' });
    await conn.query('CREATE DATABASE IF NOT EXISTS selfcare CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await conn.end();
  }

  /** The demo data, a second admin, a known portal password and an API token. */
  private async seed(): Promise<Seeded> {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      SECRET_KEY,
      DATA_DIR: path.join(this.dir, 'seed-data'),
      BCRYPT_COST: String(BCRYPT_COST),
      LOG_LEVEL: 'silent',
    });
    const deps = await buildDeps(config);
    try {
      await migrateLatest(deps.db);
      const demo = await seedDemo(deps);
      if (this.extraCustomers > 0) await seedScale(deps, { customers: this.extraCustomers, xdrs: 0 });
      const second = { login: 'second-admin', password: generatePassword() };
      await deps.services.admins.createAdmin(second.login, second.password);
      // Every demo customer gets one known password and no second step or address list: each
      // portal user signs in with a login of its own, as real customers do.
      const password = generatePassword();
      await deps
        .db('customers')
        .whereNotNull('selfcare_login')
        .update({
          password_hash: await hashPassword(password, BCRYPT_COST),
          password_change_required: false,
          two_factor_required: false,
          ip_restriction: false,
        });
      const customers = (await deps
        .db('customers')
        .whereNotNull('selfcare_login')
        .orderBy('id')
        .select('id', 'selfcare_login')) as Array<{ id: number; selfcare_login: string }>;
      const acme = customers.find((c) => c.selfcare_login.toLowerCase() === 'acme');
      if (!acme) throw new Error('the demo data has no "acme"');
      const { token } = await new ApiTokenService(deps).create(
        acme.id,
        { name: 'fault run', expiresAt: new Date(Date.now() + 3_600_000) },
        { actor: { type: 'system', id: null, label: 'fault run' }, ip: '' },
      );
      const contested = customers.find((c) => c.id !== acme.id);
      if (!contested) throw new Error('the demo data has a single customer');
      return {
        admins: [{ login: demo.adminLogin, password: demo.adminPassword }, second],
        portal: customers.map((c) => ({ login: c.selfcare_login, password })),
        api: { login: acme.selfcare_login, token },
        contestedCustomerId: contested.id,
      };
    } finally {
      await deps.close();
    }
  }

  /** A plain connection for checking rows after a run. */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const { default: mysql } = await import('mysql2/promise');
    const conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: this.dbPort,
      user: 'root',
      database: 'selfcare',
    });
    try {
      const [rows] = await conn.query(sql, params);
      return rows as T[];
    } finally {
      await conn.end();
    }
  }

  async stop(): Promise<void> {
    for (const service of [this.app, this.redis, this.mariadb]) await service?.stop().catch(() => null);
    if (!process.env.FAULTS_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}
