import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { buildDeps } from './deps.ts';
import { loosePermissions, makeFilesPrivate } from './db/data-dir.ts';
import { migrateLatest } from './db/migrate.ts';
import { seedDemoIfEmpty } from './seed/demo.ts';
import { drainAndClose, FINISH_TIMEOUT_MS } from './http/shutdown.ts';

async function main(): Promise<void> {
  makeFilesPrivate();
  const config = loadConfig();
  const deps = await buildDeps(config);
  for (const file of loosePermissions(config.dataDir)) {
    deps.logger.warn({ file }, 'readable by other users of this machine: chmod 0700 the folder and 0600 its files');
  }
  await migrateLatest(deps.db);
  if (!config.databaseUrl) {
    const seeded = await seedDemoIfEmpty(deps);
    if (seeded) {
      // Printed once, on the console only: the demo admin's credentials are never logged.
      process.stdout.write(
        `\nDemo data created (shown once).\n` +
          `  Administration: ${config.publicUrl}/admin  login "${seeded.adminLogin}"  password "${seeded.adminPassword}"\n` +
          `  Self-care:      ${config.publicUrl}/login  logins ${seeded.selfcareLogins.map((l) => `"${l}"`).join(', ')}  password "${seeded.selfcarePassword}"\n\n`,
      );
    }
  }
  const server = createServer(createApp(deps));
  server.keepAliveTimeout = 5000;
  server.listen(config.port, config.host, () =>
    deps.logger.info(
      {
        // the port bound, also when PORT=0 asked for any free one
        port: (server.address() as AddressInfo).port,
        host: config.host,
        database: config.databaseUrl ? 'mysql' : 'sqlite',
        store: config.redisUrl ? 'redis' : 'memory',
      },
      'selfcare listening',
    ),
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const drainMs = config.shutdownDrainSeconds * 1000;
    deps.logger.info({ signal, drainSeconds: config.shutdownDrainSeconds }, 'shutting down: draining');
    const force = setTimeout(() => process.exit(1), drainMs + FINISH_TIMEOUT_MS + 2000);
    force.unref();
    drainAndClose(server, deps.lifecycle, drainMs, () => deps.close()).then(
      (finished) => {
        if (!finished) deps.logger.warn('in-flight requests were still running at exit');
        process.exit(finished ? 0 : 1);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`selfcare: ${err.message}\n`);
  } else {
    process.stderr.write(`selfcare: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
