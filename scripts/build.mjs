#!/usr/bin/env node
// npm run build: compile src/ and migrations/ to dist/ with tsc -p tsconfig.build.json (incremental),
// then make dist/ match the tree exactly:
//  - remove compiled files whose source is gone (a moved module, and above all a renamed or deleted
//    migration, must not linger in dist/);
//  - copy the translations (src/i18n/locales/**.json) next to the compiled i18n module.
// views/ and public/ are not copied: the app reads them from the project root.
//
// --if-changed (used before `npm start` and `npm run selfcare`): skip tsc when the last successful
// build started after every change to the sources, the tsconfigs and the lockfile (file and folder
// modification times, so added, renamed and deleted files count), and no compiled file is missing.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const buildInfo = path.join(dist, '.tsbuildinfo');
const stamp = path.join(dist, '.build-ok'); // start time of the last build that passed
const SOURCE_DIRS = ['src', 'migrations'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function tsc() {
  let tscBin;
  try {
    tscBin = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    console.error('build: TypeScript is not installed; run `npm ci --include=dev`, then `npm run build`');
    return 1;
  }
  const run = spawnSync(process.execPath, [tscBin, '-p', path.join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
    cwd: root,
  });
  return run.status ?? 1;
}

function entriesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => ({
    file: path.join(e.parentPath ?? e.path, e.name),
    isFile: e.isFile(),
    isDirectory: e.isDirectory(),
  }));
}

function filesUnder(dir, suffix) {
  return entriesUnder(dir)
    .filter((e) => e.isFile && e.file.endsWith(suffix))
    .map((e) => e.file);
}

/** Every source a compiled file must exist for: src/**.ts and migrations/**.ts, not .d.ts. */
function expectedOutputs() {
  return SOURCE_DIRS.flatMap((d) => filesUnder(path.join(root, d), '.ts'))
    .filter((f) => !f.endsWith('.d.ts'))
    .map((f) => path.join(dist, path.relative(root, f)).replace(/\.ts$/, '.js'));
}

function newestInputChange() {
  const dirs = SOURCE_DIRS.map((d) => path.join(root, d));
  const paths = [
    ...dirs,
    ...dirs.flatMap((d) => entriesUnder(d).map((e) => e.file)),
    ...INPUT_FILES.map((f) => path.join(root, f)),
  ];
  return Math.max(...paths.filter((p) => existsSync(p)).map((p) => statSync(p).mtimeMs));
}

function upToDate() {
  if (!existsSync(stamp)) return false;
  const builtFrom = Number(readFileSync(stamp, 'utf8'));
  return Number.isFinite(builtFrom) && newestInputChange() < builtFrom && expectedOutputs().every((f) => existsSync(f));
}

let status = 0;
if (!(process.argv.includes('--if-changed') && upToDate())) {
  const started = Date.now();
  rmSync(stamp, { force: true });
  status = tsc();
  // An incremental build trusts dist/.tsbuildinfo; if a compiled file was deleted by hand, build afresh.
  if (expectedOutputs().some((f) => !existsSync(f))) {
    rmSync(buildInfo, { force: true });
    status = tsc();
  }
  if (status === 0) writeFileSync(stamp, `${started}\n`);
}

const expected = new Set(expectedOutputs());
for (const d of SOURCE_DIRS) {
  for (const f of filesUnder(path.join(dist, d), '.js')) {
    if (!expected.has(f)) rmSync(f);
  }
  // Drop folders left empty (a folder of moved modules), deepest first.
  const dirs = entriesUnder(path.join(dist, d))
    .filter((e) => e.isDirectory)
    .map((e) => e.file);
  for (const dir of dirs.sort().reverse()) {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  }
}

const locales = path.join('src', 'i18n', 'locales');
rmSync(path.join(dist, locales), { recursive: true, force: true });
cpSync(path.join(root, locales), path.join(dist, locales), {
  recursive: true,
  filter: (src) => !path.extname(src) || src.endsWith('.json'),
});

process.exit(status);
