#!/usr/bin/env node
// npm run smoke: the compiled server (dist/, from `npm run build`) starts on the embedded default in
// a throw-away data directory, listens on loopback only, applies the migrations, answers /healthz,
// /readyz, a rendered page, its own CSS and htmx, and stops cleanly on SIGTERM. Bounded in time.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist/src/server.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

if (!existsSync(entry)) {
  console.error(`smoke: ${path.relative(root, entry)} is missing; run npm run build first`);
  process.exit(1);
}

const port = await new Promise((resolve, reject) => {
  const probe = createServer().once('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const dataDir = mkdtempSync(path.join(tmpdir(), 'selfcare-smoke-'));
const started = Date.now();
const child = spawn(process.execPath, [entry], {
  cwd: root,
  env: {
    ...process.env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    REDIS_URL: '',
    SMTP_URL: '',
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
child.stdout.resume(); // the demo credentials: not worth printing
const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

const base = `http://127.0.0.1:${port}`;
const failures = [];
async function get(url) {
  try {
    const res = await fetch(base + url, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

try {
  let up = false;
  while (!up && Date.now() - started < START_TIMEOUT_MS && child.exitCode === null) {
    up = (await get('/healthz')) === 200;
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  if (!up)
    throw new Error(
      child.exitCode === null
        ? `no 200 from /healthz within ${START_TIMEOUT_MS / 1000} s`
        : `the server exited (${child.exitCode})`,
    );
  console.log(`smoke: dist/src/server.js answered /healthz after ${Date.now() - started} ms`);
  for (const url of ['/readyz', '/login', '/admin/login', '/static/css/app.css', '/static/vendor/htmx/htmx.min.js']) {
    const status = await get(url);
    if (status !== 200) failures.push(`${url} answered ${status}`);
  }
} catch (err) {
  failures.push(err.message);
} finally {
  if (child.exitCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const { code, signal } = await exited;
  clearTimeout(timer);
  if (code !== 0 && failures.length === 0) failures.push(`did not stop cleanly on SIGTERM (exit ${code ?? signal})`);
  rmSync(dataDir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`smoke: FAILED\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('smoke: /readyz, pages, CSS and htmx answer 200; stopped cleanly on SIGTERM');
