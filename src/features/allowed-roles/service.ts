import type { Knex } from 'knex';
import type { AuditLog } from '../audit/service.ts';
import type { AuditContext } from '../../http/actor.ts';
import { listSelfcareRoles } from '../roles/service.ts';
import { AllowedRolesRepo, type AllowedRole, type RoleHolder } from './repo.ts';

export type { AllowedRole, RoleHolder };

/** The roles a customer may give its individuals (by name). */
export function listAllowedRoles(db: Knex | Knex.Transaction, customerId: number): Promise<AllowedRole[]> {
  return new AllowedRolesRepo(db as Knex).list(customerId, db);
}

export function isRoleAllowed(db: Knex | Knex.Transaction, customerId: number, roleId: number): Promise<boolean> {
  return new AllowedRolesRepo(db as Knex).isAllowed(customerId, roleId, db);
}

export class UnknownRoleError extends Error {
  constructor(readonly roleIds: number[]) {
    super('Only customer self-care roles can be allowed');
    this.name = 'UnknownRoleError';
  }
}

/** Removing a role some individuals of the customer hold: refused, with the holders named. */
export class AllowedRoleInUseError extends Error {
  constructor(readonly refused: { role: { id: number; name: string }; holders: RoleHolder[] }[]) {
    super('A role held by individuals cannot be removed from the allowed roles');
    this.name = 'AllowedRoleInUseError';
  }
}

export class AllowedRolesService {
  private readonly repo: AllowedRolesRepo;

  constructor(private readonly deps: { db: Knex; audit: AuditLog }) {
    this.repo = new AllowedRolesRepo(deps.db);
  }

  /** Every customer self-care role, and which of them the customer allows. */
  async get(
    customerId: number,
  ): Promise<{ roles: { id: number; name: string; isDefault: boolean }[]; allowedIds: number[] }> {
    const [roles, allowed] = await Promise.all([listSelfcareRoles(this.deps.db), this.repo.list(customerId)]);
    return { roles, allowedIds: allowed.map((r) => r.id) };
  }

  /** Replaces the allowed roles with `roleIds`, in one transaction; audited as a list of names. */
  async set(customerId: number, roleIds: readonly number[], ctx: AuditContext): Promise<void> {
    const wanted = [...new Set(roleIds)];
    await this.deps.db.transaction(async (trx) => {
      const valid = await this.repo.selfcareRoleIds(wanted, trx);
      const unknown = wanted.filter((id) => !valid.has(id));
      if (unknown.length > 0) throw new UnknownRoleError(unknown);
      const before = await this.repo.list(customerId, trx);
      const beforeIds = new Set(before.map((r) => r.id));
      const removed = before.filter((r) => !wanted.includes(r.id));
      const added = wanted.filter((id) => !beforeIds.has(id));
      const holders = await this.repo.holders(
        customerId,
        removed.map((r) => r.id),
        trx,
      );
      if (holders.length > 0) {
        throw new AllowedRoleInUseError(
          removed
            .map((role) => ({
              role: { id: role.id, name: role.name },
              holders: holders.filter((h) => h.roleId === role.id),
            }))
            .filter((r) => r.holders.length > 0),
        );
      }
      if (removed.length === 0 && added.length === 0) return;
      await this.repo.remove(
        trx,
        customerId,
        removed.map((r) => r.id),
      );
      await this.repo.add(trx, customerId, added);
      const after = await this.repo.list(customerId, trx);
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'customer.allowed_roles',
          entityType: 'customer',
          entityId: customerId,
          customerId,
          changes: { allowed_roles: { old: before.map((r) => r.name), new: after.map((r) => r.name) } },
        },
        trx,
      );
    });
  }
}
