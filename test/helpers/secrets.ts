/**
 * What the whole suite must never leak, gathered while it runs: every password the app hashes or
 * checks (bcrypt sees each one, whatever path it took), every e-mail it sends and every log line it
 * writes. test/leaks/ runs last and searches the e-mails and log lines for the passwords.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import bcrypt from 'bcrypt';
import { pino, type Logger } from 'pino';
import { inject } from 'vitest';
import { REDACTED_PATHS } from '../../src/logger.ts';

/** The run's capture folder, or null outside the projects that gather (e.g. a bench script). */
export function captureDir(): string | null {
  try {
    return inject('captureDir') ?? null;
  } catch {
    return null;
  }
}

const seen = new Set<string>();

function recordPassword(value: unknown): void {
  const dir = captureDir();
  if (!dir || typeof value !== 'string' || seen.has(value)) return;
  seen.add(value);
  appendFileSync(path.join(dir, `passwords-${process.pid}.txt`), JSON.stringify(value) + '\n', { mode: 0o600 });
}

const patched = Symbol.for('selfcare.test.bcrypt-recorded');

/** Records every password that reaches bcrypt (set, checked or compared) in this worker. */
export function recordPasswords(): void {
  const lib = bcrypt as unknown as Record<string | symbol, unknown>;
  if (lib[patched]) return;
  lib[patched] = true;
  const { hash, compare } = bcrypt;
  lib.hash = (data: string, salt: string | number) => {
    recordPassword(data);
    return hash(data, salt);
  };
  lib.compare = (data: string, encrypted: string) => {
    recordPassword(data);
    return compare(data, encrypted);
  };
}

/** A logger like the app's (same redaction), writing every line at debug level to the capture folder. */
export function capturingLogger(): Logger | undefined {
  const dir = captureDir();
  if (!dir || process.env.TEST_LOG_LEVEL) return undefined;
  return pino(
    { level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: path.join(dir, `log-${process.pid}.ndjson`), sync: true, mkdir: true }),
  );
}

/** Keeps a copy of every message of an outbox. */
export function keepOutbox(dataDir: string): void {
  const dir = captureDir();
  const outbox = path.join(dataDir, 'outbox');
  if (!dir || !existsSync(outbox)) return;
  mkdirSync(path.join(dir, 'mail'), { recursive: true });
  for (const name of readdirSync(outbox))
    if (name.endsWith('.eml'))
      copyFileSync(path.join(outbox, name), path.join(dir, 'mail', `${randomBytes(6).toString('hex')}-${name}`));
}

/** Keeps a message that arrived another way (a test SMTP server). */
export function recordMail(raw: string): void {
  const dir = captureDir();
  if (!dir) return;
  mkdirSync(path.join(dir, 'mail'), { recursive: true });
  writeFileSync(path.join(dir, 'mail', `${randomBytes(6).toString('hex')}-smtp.eml`), raw, { mode: 0o600 });
}
