import type { Knex } from 'knex';
import { isComponentKey, isLevel, type PermissionMap } from '../access/permissions.ts';
import { isMysql } from './knex.ts';

/** The column `rolePermissionsColumn` adds. */
export const ROLE_PERMISSIONS_COLUMN = 'role_permission_pairs';

/**
 * A column with the explicit levels of the role in `roleIdColumn`, as `component=level` pairs
 * joined by commas: a row that needs its role's levels stays one row (a join would repeat the
 * whole row once per permission).
 */
export function rolePermissionsColumn(db: Knex, roleIdColumn: string): Knex.Raw {
  const pair = isMysql(db)
    ? "group_concat(rp.component, '=', rp.level)"
    : "group_concat(rp.component || '=' || rp.level, ',')";
  return db.raw(`(select ${pair} from role_permissions as rp where rp.role_id = ??) as ${ROLE_PERMISSIONS_COLUMN}`, [
    roleIdColumn,
  ]);
}

/** The levels of a row read with `rolePermissionsColumn`; unknown names and levels are skipped. */
export function rolePermissionsOf(row: Record<string, unknown>): PermissionMap {
  const permissions: PermissionMap = {};
  for (const pair of String(row[ROLE_PERMISSIONS_COLUMN] ?? '').split(',')) {
    const [component, level] = pair.split('=');
    if (isComponentKey(component) && isLevel(level)) permissions[component] = level;
  }
  return permissions;
}
