#!/usr/bin/env node
// The whole test suite: pure modules, the app through HTTP, then the browser — one project at a
// time, because the app and browser tests share one database and one store.
// Backend from the environment: embedded default (SQLite + in-process stores) unless
// DATABASE_URL and REDIS_URL are set. Arguments: project names to run (default: all).
import { spawnSync } from 'node:child_process';
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

let failed = false;
for (const project of projects) {
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', project], { stdio: 'inherit', cwd: root, env: process.env });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
