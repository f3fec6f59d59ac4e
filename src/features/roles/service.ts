import type { Knex } from 'knex';
import { COMPONENTS, effectiveLevels, type EffectiveLevels, type PermissionMap } from '../../access/permissions.ts';
import type { AuditLog } from '../audit/service.ts';
import type { AuditContext } from '../../http/actor.ts';
import { diffForAudit } from '../audit/service.ts';
import { readPermissions, RolesRepo, ROLE_TYPES, type RoleRow, type RoleType, type RoleUsage } from './repo.ts';

export { ROLE_TYPES, type RoleRow, type RoleType, type RoleUsage };

export const DEFAULT_ROLE_TYPE: RoleType = 'customer_selfcare';

export const ROLE_TYPE_LABELS: Readonly<Record<RoleType, string>> = { customer_selfcare: 'Customer self-care' };

// ---------------------------------------------------------------------------------------------
// Small read helpers for other features (portal gate, admin panel, API): no caching, so a
// permission change applies to the next request of every session.

/** The explicit levels stored for a role (children absent = inherit). Unknown role: {} (nothing). */
export function loadRolePermissions(db: Knex | Knex.Transaction, roleId: number): Promise<PermissionMap> {
  return readPermissions(db, roleId);
}

/** Every customer self-care role, by name: what a customer or an individual may be given. */
export async function listSelfcareRoles(db: Knex): Promise<{ id: number; name: string; isDefault: boolean }[]> {
  const roles = await new RolesRepo(db).list(DEFAULT_ROLE_TYPE);
  return roles.map((r) => ({ id: r.id, name: r.name, isDefault: r.isDefault }));
}

/** The default role of a type (every new customer gets it); null when no role of that type exists. */
export function getDefaultRoleId(
  db: Knex | Knex.Transaction,
  type: string = DEFAULT_ROLE_TYPE,
): Promise<number | null> {
  return new RolesRepo(db as Knex).defaultId(type);
}

// ---------------------------------------------------------------------------------------------
// Domain errors

export class RoleNotFoundError extends Error {
  constructor(readonly roleId: number) {
    super('Role not found');
    this.name = 'RoleNotFoundError';
  }
}

export class RoleNameTakenError extends Error {
  constructor(readonly roleName: string) {
    super(`A role named "${roleName}" already exists for this type`);
    this.name = 'RoleNameTakenError';
  }
}

export class RoleTypeInvalidError extends Error {
  constructor(readonly type: string) {
    super('Choose a role type');
    this.name = 'RoleTypeInvalidError';
  }
}

export type RoleDeleteRefusal = 'default' | 'in_use';

export class RoleDeleteRefusedError extends Error {
  constructor(
    readonly reason: RoleDeleteRefusal,
    readonly usage: RoleUsage,
  ) {
    super(reason === 'default' ? 'The default role cannot be deleted' : 'A role in use cannot be deleted');
    this.name = 'RoleDeleteRefusedError';
  }
}

export interface RoleInput {
  name: string;
  description: string;
  type: string;
  perms: PermissionMap;
  /** make this role the default of its type (the flag moves; it is never cleared directly) */
  isDefault: boolean;
}

export interface RoleListItem extends RoleRow {
  customerCount: number;
  individualCount: number;
}

export interface RoleDetail {
  role: RoleRow;
  perms: PermissionMap;
  effective: EffectiveLevels;
}

export function isUsed(usage: RoleUsage): boolean {
  return usage.customers.length > 0 || usage.allowedBy.length > 0 || usage.individuals.length > 0;
}

function isUniqueViolation(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return (
    code === 'ER_DUP_ENTRY' ||
    /UNIQUE constraint failed|Duplicate entry/i.test(message ?? '') ||
    String(code ?? '').startsWith('SQLITE_CONSTRAINT_UNIQUE')
  );
}

/** What the audit trail records of a role: its fields and one property per component. */
function auditView(
  role: { name: string; type: string; description: string; isDefault: boolean },
  perms: PermissionMap,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    name: role.name,
    type: role.type,
    description: role.description,
    is_default: role.isDefault,
  };
  for (const { key } of COMPONENTS) view[`perm.${key}`] = perms[key] ?? null;
  return view;
}

export class RolesService {
  private readonly repo: RolesRepo;

  constructor(private readonly deps: { db: Knex; audit: AuditLog }) {
    this.repo = new RolesRepo(deps.db);
  }

  async list(): Promise<RoleListItem[]> {
    const [roles, counts] = await Promise.all([this.repo.list(), this.repo.usageCounts()]);
    return roles.map((r) => ({
      ...r,
      customerCount: counts.get(r.id)?.customers ?? 0,
      individualCount: counts.get(r.id)?.individuals ?? 0,
    }));
  }

  async get(id: number): Promise<RoleDetail> {
    const role = await this.repo.findById(id);
    if (!role) throw new RoleNotFoundError(id);
    const perms = await this.repo.permissions(id);
    return { role, perms, effective: effectiveLevels(perms) };
  }

  usage(id: number): Promise<RoleUsage> {
    return this.repo.usage(id);
  }

  async create(input: RoleInput, ctx: AuditContext): Promise<number> {
    if (!(ROLE_TYPES as readonly string[]).includes(input.type)) throw new RoleTypeInvalidError(input.type);
    try {
      return await this.deps.db.transaction(async (trx) => {
        if (await this.repo.findByName(input.type, input.name, trx)) throw new RoleNameTakenError(input.name);
        const hasDefault = (await this.repo.defaultId(input.type, trx)) !== null;
        const isDefault = input.isDefault || !hasDefault;
        const id = await this.repo.insert(trx, {
          name: input.name,
          type: input.type,
          description: input.description,
          isDefault: false,
        });
        await this.repo.replacePermissions(trx, id, input.perms);
        if (isDefault) await this.repo.makeDefault(trx, input.type, id);
        await this.deps.audit.record(
          {
            ...ctx,
            action: 'role.create',
            entityType: 'role',
            entityId: id,
            changes: diffForAudit({}, auditView({ ...input, isDefault }, input.perms)),
          },
          trx,
        );
        return id;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new RoleNameTakenError(input.name);
      throw err;
    }
  }

  async update(id: number, input: Omit<RoleInput, 'type'>, ctx: AuditContext): Promise<void> {
    try {
      await this.deps.db.transaction(async (trx) => {
        const before = await this.repo.findById(id, trx);
        if (!before) throw new RoleNotFoundError(id);
        const clash = await this.repo.findByName(before.type, input.name, trx);
        if (clash && clash.id !== id) throw new RoleNameTakenError(input.name);
        const beforePerms = await this.repo.permissions(id, trx);
        await this.repo.update(trx, id, { name: input.name, description: input.description });
        await this.repo.replacePermissions(trx, id, input.perms);
        const isDefault = before.isDefault || input.isDefault;
        const previousDefault = isDefault && !before.isDefault ? await this.repo.defaultId(before.type, trx) : null;
        if (isDefault && !before.isDefault) await this.repo.makeDefault(trx, before.type, id);
        const changes = diffForAudit(
          auditView(before, beforePerms),
          auditView({ ...input, type: before.type, isDefault }, input.perms),
        );
        await this.deps.audit.record({ ...ctx, action: 'role.update', entityType: 'role', entityId: id, changes }, trx);
        if (previousDefault !== null && previousDefault !== id) {
          await this.deps.audit.record(
            {
              ...ctx,
              action: 'role.update',
              entityType: 'role',
              entityId: previousDefault,
              changes: { is_default: { old: true, new: false } },
            },
            trx,
          );
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new RoleNameTakenError(input.name);
      throw err;
    }
  }

  /** Refused for the default role and for a role in use (the error carries where it is used). */
  async delete(id: number, ctx: AuditContext): Promise<RoleRow> {
    return this.deps.db.transaction(async (trx) => {
      const role = await this.repo.findById(id, trx);
      if (!role) throw new RoleNotFoundError(id);
      const usage = await this.repo.usage(id, trx);
      if (role.isDefault) throw new RoleDeleteRefusedError('default', usage);
      if (isUsed(usage)) throw new RoleDeleteRefusedError('in_use', usage);
      const perms = await this.repo.permissions(id, trx);
      await this.repo.delete(trx, id);
      const view = auditView(role, perms);
      const gone = Object.fromEntries(Object.keys(view).map((key) => [key, null]));
      await this.deps.audit.record(
        { ...ctx, action: 'role.delete', entityType: 'role', entityId: id, changes: diffForAudit(view, gone) },
        trx,
      );
      return role;
    });
  }

  /** The role of this type with this name (case-insensitive), if there is one. */
  findByName(type: string, name: string): Promise<RoleRow | null> {
    return this.repo.findByName(type, name);
  }
}
