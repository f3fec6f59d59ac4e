import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
  const dataDir = mkdtempSync(path.join(tmpdir(), 'selfcare-process-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
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
  // Never outlives the test run, however that ends; its data folder goes with it.
  const killChild = (): void => void child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => {
    process.removeListener('exit', killChild);
    rmSync(dataDir, { recursive: true, force: true });
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}: ${errors}`));
    };
    const timer = setTimeout(() => fail('the app process did not listen within 30 s'), 30_000);
    const exitedEarly = (code: number | null): void => fail(`the app process exited with ${code} before listening`);
    child.once('exit', exitedEarly);
    let listening = false;
    // every line is read (the pipe must not fill up); the first "listening" line gives the port
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (listening || !line.includes('selfcare listening')) return;
      listening = true;
      let port = NaN;
      try {
        port = Number((JSON.parse(line) as { port?: unknown }).port);
      } catch {
        // not a JSON log line: refused below
      }
      if (!Number.isInteger(port) || port <= 0) return fail(`the app process logged no port: ${line}`);
      clearTimeout(timer);
      child.removeListener('exit', exitedEarly);
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
