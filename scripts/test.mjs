#!/usr/bin/env node
// The whole test suite: pure modules, the app through HTTP, then the browser — one project at a
// time, because the app and browser tests share one database and one store.
// Backend from the environment: embedded default (SQLite + in-process stores) unless
// DATABASE_URL and REDIS_URL are set. Arguments: project names to run (default: all).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const projects = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'app', 'e2e'];

if (projects.includes('e2e')) {
  const chromium = spawnSync('bash', [path.join(root, 'scripts/ensure-chromium.sh')], { stdio: 'inherit' });
  if (chromium.status !== 0) {
    console.error('Chromium is needed for the browser tests (see README, "Running the tests").');
    process.exit(chromium.status ?? 1);
  }
}

const reports = mkdtempSync(path.join(tmpdir(), 'selfcare-vitest-'));
// One folder for what the whole run must never leak (passwords, e-mails, log lines): the check in
// test/leaks/ runs at the end of each project and so, after the last one, covers the whole suite.
const env = {
  ...process.env,
  SELFCARE_CAPTURE_DIR: process.env.SELFCARE_CAPTURE_DIR || mkdtempSync(path.join(tmpdir(), 'selfcare-capture-')),
};
let failedRun = false;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const project of projects) {
  const report = path.join(reports, `${project}.json`);
  const run = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
    ],
    { stdio: 'inherit', cwd: root, env },
  );
  if (run.status !== 0) failedRun = true;
  if (existsSync(report)) {
    const summary = JSON.parse(readFileSync(report, 'utf8'));
    passed += summary.numPassedTests ?? 0;
    failed += summary.numFailedTests ?? 0;
    skipped += (summary.numPendingTests ?? 0) + (summary.numTodoTests ?? 0);
  } else {
    failedRun = true;
  }
}
const backend = process.env.DATABASE_URL ? 'MySQL + Redis' : 'embedded SQLite + in-process stores';
console.log(`\n${projects.join(' + ')} on ${backend}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedRun || failed > 0 ? 1 : 0);
