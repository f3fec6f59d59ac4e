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
import { generatePassword, hashPassword } from '../../src/access/passwords.ts';
import { buildDeps } from '../../src/deps.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { ApiTokenService } from '../../src/features/api-tokens/service.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { PROXY_HEADERS, signIn } from './browser.ts';
import { benchBackend, benchConfig, ensureBenchAdmin } from './support.ts';

const PORTAL_LOGIN = 'acme';

const backend = benchBackend();
if (!backend.databaseUrl || !backend.redisUrl)
  throw new Error('app-server needs BENCH_DATABASE_URL and BENCH_REDIS_URL');
const config = benchConfig(backend, { production: true, redis: true });
const deps = await buildDeps(config);
await migrateLatest(deps.db);
if (!(await deps.db('customers').where({ selfcare_login_lower: PORTAL_LOGIN }).first())) await seedDemo(deps);
const acme = (await deps.db('customers').where({ selfcare_login_lower: PORTAL_LOGIN }).first()) as {
  id: number;
  selfcare_login: string;
};
const portalPassword = generatePassword();
await deps
  .db('customers')
  .where({ id: acme.id })
  .update({ password_hash: await hashPassword(portalPassword, config.bcryptCost), password_change_required: false });
const admin = await ensureBenchAdmin(deps);
const { token } = await new ApiTokenService(deps).create(
  acme.id,
  { name: 'bench', expiresAt: new Date(Date.now() + 3_600_000) },
  { actor: { type: 'system', id: null, label: 'bench' }, ip: '' },
);

const server = createServer(createApp(deps));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('the server has no port');
const base = `http://127.0.0.1:${address.port}`;

const adminCookie = await signIn(base, '/admin/login', admin.login, admin.password);
const portalCookie = await signIn(base, '/login', acme.selfcare_login, portalPassword);
const apiSession = await fetch(`${base}/api/v1/sessions`, {
  method: 'POST',
  headers: { ...PROXY_HEADERS, 'Content-Type': 'application/json' },
  body: JSON.stringify({ login: acme.selfcare_login, token }),
});
if (apiSession.status !== 201) throw new Error(`POST /api/v1/sessions answered ${apiSession.status}`);
const { session_id: bearer } = (await apiSession.json()) as { session_id: string };

process.stdout.write(
  `bench-ready ${JSON.stringify({
    port: address.port,
    pid: process.pid,
    customerId: acme.id,
    portalCookie,
    adminCookie,
    bearer,
    portalLogin: acme.selfcare_login,
    portalPassword,
  })}\n`,
);

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void deps.close().then(() => process.exit(0));
});
