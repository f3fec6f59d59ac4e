import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { MIGRATIONS_DIR } from './knex.ts';

/**
 * Migrations are imported by our own module (not by knex's loader): the TypeScript files in
 * migrations/ under tsx and vitest, their compiled .js files in dist/migrations/ in production.
 * Either way a migration is recorded under its source name (`…_create_admins.ts`), so a database
 * migrated from source and one migrated from the build agree on what has run.
 */
class MigrationFiles implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{14}_[a-z0-9_]+\.(ts|js)$/.test(f))
      .sort();
  }

  getMigrationName(migration: string): string {
    return migration.replace(/\.js$/, '.ts');
  }

  async getMigration(migration: string): Promise<Knex.Migration> {
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, migration)).href)) as Knex.Migration;
  }
}

const options: Knex.MigratorConfig = { migrationSource: new MigrationFiles() };

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(options)) as [number, string[]];
  return applied;
}

export async function rollbackAll(db: Knex): Promise<string[]> {
  const [, rolledBack] = (await db.migrate.rollback(options, true)) as [number, string[]];
  return rolledBack;
}

/**
 * Undoes the migrations that ran, newest first, down to and including `name` (tests use it to
 * write data the way an older schema held it). Returns what it undid, in that order.
 */
export async function undoMigrationsThrough(db: Knex, name: string): Promise<string[]> {
  const undone: string[] = [];
  while (!undone.includes(name)) {
    const [, step] = (await db.migrate.down(options)) as [number, string[]];
    if (step.length === 0) break;
    undone.push(...step);
  }
  return undone;
}
