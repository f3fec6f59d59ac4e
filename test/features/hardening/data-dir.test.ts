import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loosePermissions } from '../../../src/db/data-dir.ts';

const mode = (file: string) => statSync(file).mode & 0o777;

/** Runs the real server on the embedded default until it listens, then stops it; returns its log. */
function runServerOnce(dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve('node_modules/.bin/tsx'), ['src/server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        REDIS_URL: '',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        BCRYPT_COST: '4',
      },
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${out}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('selfcare listening')) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe('the data folder of the embedded default', () => {
  it('is created 0700 with the database, its journal files and the secret 0600', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'selfcare-perms-')), 'data');
    await runServerOnce(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    const files = readdirSync(dataDir).filter((name) => statSync(path.join(dataDir, name)).isFile());
    expect(files).toEqual(expect.arrayContaining(['selfcare.sqlite', 'secret.key']));
    for (const name of files) expect([name, mode(path.join(dataDir, name))]).toEqual([name, 0o600]);
    expect(loosePermissions(dataDir)).toEqual([]);
  }, 90_000);

  it('warns at start-up, naming the file, when someone loosened the permissions', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'selfcare-perms-')), 'data');
    await runServerOnce(dataDir);
    chmodSync(path.join(dataDir, 'selfcare.sqlite'), 0o644);
    const log = await runServerOnce(dataDir);
    expect(log).toContain('readable by other users of this machine');
    expect(log).toContain('selfcare.sqlite (0644)');
  }, 120_000);
});
