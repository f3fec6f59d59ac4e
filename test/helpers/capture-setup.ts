/**
 * globalSetup of the app and e2e projects: one folder where the run gathers what the app must
 * never leak (see test/helpers/secrets.ts and test/leaks/). `npm test` passes one folder to every
 * project (SELFCARE_CAPTURE_DIR), so the check at the end of the browser tests covers both.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    captureDir: string;
  }
}

export default function setup(project: TestProject): void {
  const dir = process.env.SELFCARE_CAPTURE_DIR || mkdtempSync(path.join(tmpdir(), 'selfcare-capture-'));
  mkdirSync(path.join(dir, 'mail'), { recursive: true, mode: 0o700 });
  project.provide('captureDir', dir);
}
