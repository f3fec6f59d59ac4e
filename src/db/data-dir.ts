import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Group and others get nothing: the data folder holds the database, the secret key and e-mails. */
const PRIVATE_UMASK = 0o077;

/**
 * Makes every file and folder this process creates from now on private to its user: the data
 * folder (0700), the database with SQLite's -wal and -shm files, the secret, the outbox (0600).
 * Called first thing, before the configuration creates the data folder.
 */
export function makeFilesPrivate(): void {
  process.umask(PRIVATE_UMASK);
}

/** The data folder and the files in it (one level of sub-folders) that group or others may read. */
export function loosePermissions(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  const loose: string[] = [];
  const check = (file: string, depth: number): void => {
    const stat = statSync(file);
    if ((stat.mode & 0o077) !== 0) loose.push(`${file} (${(stat.mode & 0o777).toString(8).padStart(4, '0')})`);
    if (stat.isDirectory() && depth < 2) for (const name of readdirSync(file)) check(path.join(file, name), depth + 1);
  };
  check(dataDir, 0);
  return loose;
}
