/**
 * The app as `compare.bench.ts` measures it, in a process of its own: production configuration
 * behind a TLS-terminating proxy on 127.0.0.1 (template cache, Secure cookies, bcrypt cost 12,
 * request logging off), MySQL/MariaDB + Redis from BENCH_DATABASE_URL + BENCH_REDIS_URL.
 *
 * Seeds the demo data once, gives the demo customer "acme" a fresh password and an API token,
 * signs in to the portal and the admin door and opens an API session, then prints one JSON line:
 * { port, pid, customerId, portalCookie, adminCookie, bearer, portalLogin, portalPassword }.
 * Runs until SIGTERM (a CPU profile, when started with --cpu-prof, is written on exit).
 */
import { createServer } from 'node:http';
import { createApp } from '../../src/app.ts';
import { prepareAccounts, signInAll } from './bench-accounts.ts';
import { buildDeps } from '../../src/deps.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { benchBackend, benchConfig } from './support.ts';

const backend = benchBackend();
if (!backend.databaseUrl || !backend.redisUrl)
  throw new Error('app-server needs BENCH_DATABASE_URL and BENCH_REDIS_URL');
const config = benchConfig(backend, { production: true, redis: true });
const deps = await buildDeps(config);
await migrateLatest(deps.db);
const accounts = await prepareAccounts(deps);

const server = createServer(createApp(deps));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('the server has no port');
const base = `http://127.0.0.1:${address.port}`;

const { adminCookie, portalCookie, bearer } = await signInAll(base, accounts);

process.stdout.write(
  `bench-ready ${JSON.stringify({
    port: address.port,
    pid: process.pid,
    customerId: accounts.customerId,
    portalCookie,
    adminCookie,
    bearer,
    portalLogin: accounts.portalLogin,
    portalPassword: accounts.portalPassword,
  })}\n`,
);

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void deps.close().then(() => process.exit(0));
});
