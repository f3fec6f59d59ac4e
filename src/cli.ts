import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { buildDeps } from './deps.ts';
import { makeFilesPrivate } from './db/data-dir.ts';
import { migrateLatest } from './db/migrate.ts';
import { seedDemo } from './seed/demo.ts';
import { seedScale } from './seed/scale.ts';
import { AdminLoginTakenError, InvalidAdminInputError } from './features/admins/service.ts';

const USAGE = `Usage: npm run selfcare -- <command>

Commands:
  migrate                                      apply pending database migrations
  seed-demo                                    add demo roles, customers, individuals and billing data
  admin-create --login <login> --password <pw> create an administrator
  seed-scale --customers <n> --xdrs <m> [--xdr-customer <id>]
                                               add n generated customers and m calls of one customer
                                               (batched: a million of each takes minutes)
  audit-verify                                 check the audit trail's hash chain; names the first
                                               edited, deleted or inserted event
`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  makeFilesPrivate();
  const config = loadConfig();
  const deps = await buildDeps({ ...config, logLevel: process.env.LOG_LEVEL || 'warn' });
  try {
    switch (command) {
      case 'migrate': {
        const applied = await migrateLatest(deps.db);
        process.stdout.write(
          applied.length
            ? `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}\n`
            : 'Database is up to date.\n',
        );
        return 0;
      }
      case 'seed-demo': {
        await migrateLatest(deps.db);
        const seeded = await seedDemo(deps);
        process.stdout.write(
          `Demo data created.\n  Administration: login "${seeded.adminLogin}", password "${seeded.adminPassword}"\n` +
            `  Self-care: logins ${seeded.selfcareLogins.map((l) => `"${l}"`).join(', ')}, password "${seeded.selfcarePassword}"\n`,
        );
        return 0;
      }
      case 'admin-create': {
        const { values } = parseArgs({
          args: rest,
          options: { login: { type: 'string' }, password: { type: 'string' } },
          strict: true,
        });
        if (!values.login || !values.password) {
          process.stderr.write('admin-create needs --login <login> and --password <password>\n');
          return 2;
        }
        await migrateLatest(deps.db);
        const id = await deps.services.admins.createAdmin(values.login, values.password);
        process.stdout.write(`Administrator "${values.login}" created (id ${id}).\n`);
        return 0;
      }
      case 'seed-scale': {
        const options = {
          customers: { type: 'string' },
          xdrs: { type: 'string' },
          'xdr-customer': { type: 'string' },
        } as const;
        const { values } = parseArgs({ args: rest, options, strict: true });
        const texts = [values.customers ?? '0', values.xdrs ?? '0', values['xdr-customer'] ?? '0'];
        const [customers = 0, xdrs = 0, xdrCustomer = 0] = texts.map(Number);
        if (texts.some((text) => !/^\d{1,9}$/.test(text)) || customers + xdrs === 0) {
          process.stderr.write('seed-scale needs --customers <n> and/or --xdrs <m>, optionally --xdr-customer <id>\n');
          return 2;
        }
        await migrateLatest(deps.db);
        const seeded = await seedScale(deps, {
          customers,
          xdrs,
          xdrCustomerId: xdrCustomer > 0 ? xdrCustomer : undefined,
          onProgress: ({ stage, done, total, elapsedMs }) => {
            if (done % 100_000 !== 0 && done !== total) return;
            // the search keys are built per range of customer ids: a rate of rows would mislead
            const rate = stage === 'search keys' ? 'customers' : `${Math.round(done / (elapsedMs / 1000))} rows/s`;
            process.stdout.write(`  ${stage}: ${done} / ${total}, ${rate}, ${Math.round(elapsedMs / 1000)} s\n`);
          },
        });
        const owner = seeded.xdrCustomer
          ? ` of customer ${seeded.xdrCustomer.id} (login "${seeded.xdrCustomer.login ?? '-'}")`
          : '';
        process.stdout.write(
          `Added ${seeded.customersAdded} customers in ${seeded.seconds.customers.toFixed(0)} s and ${seeded.xdrsAdded} xDRs${owner} in ${seeded.seconds.xdrs.toFixed(0)} s.\n`,
        );
        if (seeded.selfcarePassword)
          process.stdout.write(`  Self-care password of the new customers: "${seeded.selfcarePassword}"\n`);
        return 0;
      }
      case 'audit-verify': {
        const verdict = await deps.audit.verify();
        if (verdict.ok) {
          process.stdout.write(
            `Audit trail intact: ${verdict.checked} chained event(s)` +
              (verdict.unchained ? `, ${verdict.unchained} older event(s) recorded before chaining began` : '') +
              '.\n',
          );
          return 0;
        }
        process.stdout.write(
          `Audit trail broken at event ${verdict.brokenId}: ${verdict.reason}. ${verdict.checked} event(s) before it are intact.\n`,
        );
        return 1;
      }
      default:
        process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await deps.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known =
      err instanceof ConfigError ||
      err instanceof InvalidAdminInputError ||
      err instanceof AdminLoginTakenError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`selfcare: ${known || err instanceof Error ? (err as Error).message : String(err)}\n`);
    process.exit(1);
  },
);
