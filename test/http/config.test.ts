import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'selfcare-config-'));

describe('loadConfig', () => {
  it('defaults to the embedded database and in-process stores', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.secretKey.length).toBeGreaterThanOrEqual(32);
  });

  it('keeps the generated secret across starts', () => {
    const dir = dataDir();
    expect(loadConfig({ DATA_DIR: dir }).secretKey).toBe(loadConfig({ DATA_DIR: dir }).secretKey);
  });

  it('refuses to start in production without SECRET_KEY', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(/SECRET_KEY is required/);
  });

  it('refuses a DATABASE_URL that is not mysql://', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x', DATA_DIR: dataDir() })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'not a url', DATA_DIR: dataDir() })).toThrow(
      /DATABASE_URL is not a valid URL/,
    );
  });

  it('reads TRUST_PROXY the way Express does', () => {
    expect(loadConfig({ TRUST_PROXY: '1', DATA_DIR: dataDir() }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback', DATA_DIR: dataDir() }).trustProxy).toBe('loopback');
    expect(loadConfig({ DATA_DIR: dataDir() }).trustProxy).toBeUndefined();
  });
});

describe('starting the server with a bad configuration', () => {
  it('stops with a one-line reason and no stack trace', () => {
    const tsx = path.resolve('node_modules/.bin/tsx');
    const run = spawnSync(tsx, ['src/server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        SECRET_KEY: '',
        DATA_DIR: dataDir(),
        DATABASE_URL: '',
        REDIS_URL: '',
      },
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'selfcare: SECRET_KEY is required when NODE_ENV=production (generate one with: openssl rand -hex 32)',
    ]);
  });
});
