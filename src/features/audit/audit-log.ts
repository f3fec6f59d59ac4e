import type { Knex } from 'knex';

export type ActorType = 'admin' | 'customer' | 'individual' | 'api' | 'system' | 'anonymous';

export interface AuditActor {
  type: ActorType;
  id: number | null;
  label: string;
  /** set when an admin acts inside a "log in as customer" session */
  impersonatorAdminId?: number | null;
}

export interface AuditEventInput {
  actor: AuditActor;
  ip: string;
  action: string;
  entityType?: string;
  entityId?: number | null;
  customerId?: number | null;
  changes?: Record<string, { old: unknown; new: unknown }> | null;
  outcome?: 'success' | 'failure' | 'refused';
}

export const SECRET_MASK = 'changed';

/**
 * Property-by-property difference for the audit trail; secrets are never written, only the fact
 * that they changed.
 */
export function diffForAudit(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  secretFields: readonly string[] = [],
): Record<string, { old: unknown; new: unknown }> {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const key of Object.keys(after)) {
    const oldValue = before[key] ?? null;
    const newValue = after[key] ?? null;
    const same = oldValue instanceof Date && newValue instanceof Date ? oldValue.getTime() === newValue.getTime() : JSON.stringify(oldValue) === JSON.stringify(newValue);
    if (same) continue;
    changes[key] = secretFields.includes(key) ? { old: SECRET_MASK, new: SECRET_MASK } : { old: oldValue, new: newValue };
  }
  return changes;
}

export class AuditLog {
  constructor(private readonly db: Knex) {}

  async record(event: AuditEventInput, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.db)('audit_events').insert({
      occurred_at: new Date(),
      actor_type: event.actor.type,
      actor_id: event.actor.id,
      actor_label: event.actor.label.slice(0, 120),
      impersonator_admin_id: event.actor.impersonatorAdminId ?? null,
      ip: event.ip.slice(0, 45),
      action: event.action,
      entity_type: event.entityType ?? '',
      entity_id: event.entityId ?? null,
      customer_id: event.customerId ?? null,
      changes: event.changes && Object.keys(event.changes).length > 0 ? JSON.stringify(event.changes) : null,
      outcome: event.outcome ?? 'success',
    });
  }
}
