/**
 * The app as `compare.bench.ts` measures it: the compiled build (`dist/`, built here when the
 * sources changed, as `npm start` does) started the way `npm start` starts it, in a process of its
 * own, in production configuration behind a TLS-terminating proxy on 127.0.0.1 (template cache,
 * Secure cookies, bcrypt cost 12, request log at `warn`), MySQL/MariaDB + Redis from
 * BENCH_DATABASE_URL + BENCH_REDIS_URL.
 *
 * First (in this process) seeds the demo data once, gives the demo customer "acme" a fresh
 * password and an API token; then starts the server, signs in to the portal and the admin door
 * and opens an API session, and prints one JSON line:
 * { port, pid, ports, pids, customerId, portalCookie, adminCookie, bearer, portalLogin, portalPassword }
 * where `pid` is the server's own process. BENCH_APP_PROCESSES=N (1) starts N such servers on one
 * database and Redis with the same secret, as behind a load balancer: `ports` and `pids` list
 * them all (`port` and `pid` are the first), and the cookies and Bearer work on every one. BENCH_APP_NODE_ARGS adds node options to the server
 * (`--cpu-prof --cpu-prof-dir=…`: the profile is written when it exits). Runs until SIGTERM, which
 * it passes on to the server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareAccounts, signInAll } from './bench-accounts.ts';
import { loadConfig } from '../../src/config.ts';
import { buildDeps } from '../../src/deps.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { benchBackend } from './support.ts';
import { npmStartNodeArgs } from '../helpers/npm-start.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const backend = benchBackend();
if (!backend.databaseUrl || !backend.redisUrl)
  throw new Error('app-server needs BENCH_DATABASE_URL and BENCH_REDIS_URL');

/** `count` distinct ports nothing listens on right now (all held until each is known). */
async function freePorts(count: number): Promise<number[]> {
  const probes = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    probes.map(
      (probe) =>
        new Promise<number>((resolve, reject) => {
          probe.once('error', reject);
          probe.listen(0, '127.0.0.1', () => {
            const address = probe.address();
            if (address && typeof address === 'object') resolve(address.port);
            else reject(new Error('no port'));
          });
        }),
    ),
  );
  await Promise.all(probes.map((probe) => new Promise((resolve) => probe.close(resolve))));
  return ports;
}

const ports = await freePorts(Math.max(1, Number(process.env.BENCH_APP_PROCESSES || 1)));
const env: Record<string, string> = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  DATA_DIR: backend.dataDir,
  DATABASE_URL: backend.databaseUrl,
  REDIS_URL: backend.redisUrl,
  SECRET_KEY: randomBytes(32).toString('hex'),
  TRUST_PROXY: 'loopback',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn',
  SHUTDOWN_DRAIN_SECONDS: '1',
};

const deps = await buildDeps(loadConfig(env));
await migrateLatest(deps.db);
const accounts = await prepareAccounts(deps);
await deps.close();

const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-changed'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (build.status !== 0) throw new Error('npm run build failed');

const extra = (process.env.BENCH_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const servers = ports.map((port) =>
  spawn(process.execPath, [...extra, ...npmStartNodeArgs(root)], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  }),
);

/** Stops every server still running, then this process: none outlives it. */
function stopAll(code: number): void {
  let running = servers.filter((server) => server.exitCode === null && server.signalCode === null);
  if (running.length === 0) process.exit(code);
  for (const server of running) {
    server.removeAllListeners('exit');
    server.once('exit', () => {
      running = running.filter((other) => other !== server);
      if (running.length === 0) process.exit(code);
    });
    server.kill('SIGTERM');
  }
}

for (const server of servers) {
  server.once('exit', (code) => {
    process.stderr.write(`an app server exited (${code})\n`);
    stopAll(code ?? 1);
  });
}
process.on('SIGTERM', () => stopAll(0));

try {
  for (const port of ports) {
    for (let ready = false; !ready;) {
      ready = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (res) => res.ok,
        () => false,
      );
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const { adminCookie, portalCookie, bearer } = await signInAll(`http://127.0.0.1:${ports[0]}`, accounts);
  process.stdout.write(
    `bench-ready ${JSON.stringify({
      port: ports[0],
      pid: servers[0]?.pid,
      ports,
      pids: servers.map((server) => server.pid),
      customerId: accounts.customerId,
      portalCookie,
      adminCookie,
      bearer,
      portalLogin: accounts.portalLogin,
      portalPassword: accounts.portalPassword,
    })}\n`,
  );
} catch (err) {
  process.stderr.write(`app-server: ${err instanceof Error ? err.message : String(err)}\n`);
  stopAll(1);
}
