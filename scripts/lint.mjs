#!/usr/bin/env node
// npm run lint: every check, one after the other, even when an earlier one fails, then one verdict.
//   lint:eslint  ESLint (code)                 lint:format  Prettier --check (formatting)
//   lint:deps    dependency-cruiser (layers, no cycles, no orphans; .dependency-cruiser.cjs)
//   lint:unused  knip (unused files, exports, dependencies; knip.json)
import { spawnSync } from 'node:child_process';

const CHECKS = ['lint:eslint', 'lint:format', 'lint:deps', 'lint:unused'];
const npm = process.env.npm_execpath;
const failed = [];
for (const check of CHECKS) {
  console.log(`\n== npm run ${check}`);
  const run =
    npm && npm.endsWith('.js')
      ? spawnSync(process.execPath, [npm, 'run', '--silent', check], { stdio: 'inherit' })
      : spawnSync('npm', ['run', '--silent', check], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (run.status !== 0) failed.push(check);
}
console.log(failed.length ? `\nlint failed: ${failed.join(', ')}` : '\nlint passed');
process.exit(failed.length ? 1 : 0);
