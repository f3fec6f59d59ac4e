import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from '../../src/config.ts';
import { TEST_SECRET } from './app.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The app as its own operating-system process (`src/server.ts`), listening on a free port. */
export interface AppProcess {
  /** e.g. http://127.0.0.1:41234 — supertest takes it in place of an app */
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/**
 * Starts `src/server.ts` in a child process on the same database and store as `config` (a test
 * app's), with a data folder of its own, and resolves once it listens. Its log is read for the
 * port it bound and otherwise dropped.
 */
export function startAppProcess(config: Pick<Config, 'databaseUrl' | 'redisUrl'>): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'selfcare-process-')),
      DATABASE_URL: config.databaseUrl ?? '',
      REDIS_URL: config.redisUrl ?? '',
      SECRET_KEY: TEST_SECRET,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      // nothing to drain: a test stops it between requests
      SHUTDOWN_DRAIN_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app process did not listen within 30 s: ${errors}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app process exited with ${code} before listening: ${errors}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('selfcare listening')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        pid: child.pid ?? 0,
        async stop() {
          child.kill('SIGTERM');
          await stopped(child);
        },
      });
    });
  });
}
