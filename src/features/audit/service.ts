import type { Knex } from 'knex';
import { ChainCheck, chainKey, type ChainVerdict } from '../../access/audit-chain.ts';
import type { AuditActor } from '../../http/actor.ts';
import { AuditRepo, type AuditEventRow } from './repo.ts';

export type { AuditEventRow };
import type { AuditFilterForm } from './schema.ts';
import { readEvent, referencesOf, type AuditReading, type Names, type Translate } from './wording.ts';

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
    const same =
      oldValue instanceof Date && newValue instanceof Date
        ? oldValue.getTime() === newValue.getTime()
        : JSON.stringify(oldValue) === JSON.stringify(newValue);
    if (same) continue;
    changes[key] = secretFields.includes(key)
      ? { old: SECRET_MASK, new: SECRET_MASK }
      : { old: oldValue, new: newValue };
  }
  return changes;
}

/** Writes the audit trail; every feature records through it (optionally inside its transaction). */
export class AuditLog {
  private readonly repo: AuditRepo;
  private readonly key: Buffer;

  constructor(db: Knex, secretKey: string) {
    this.repo = new AuditRepo(db);
    this.key = chainKey(secretKey);
  }

  /** The recorded changes of one entity, newest first (what an edit-conflict page explains). */
  changesOf(
    entityType: string,
    entityId: number,
    limit: number,
  ): Promise<{ changes: Record<string, { old: unknown; new: unknown }>; actorLabel: string }[]> {
    return this.repo.changesOf(entityType, entityId, limit);
  }

  /** The newest events of one action on one entity, newest first (an account's recent sign-ins). */
  latestOf(action: string, entityType: string, entityId: number, limit: number): Promise<AuditEventRow[]> {
    return this.repo.latestOf(action, entityType, entityId, limit);
  }

  /** How often one action on one entity succeeded from `ip` since `since` (sign-ins from an address). */
  async successesFrom(action: string, entityType: string, entityId: number, ip: string, since: Date): Promise<number> {
    return this.repo.countFrom(action, entityType, entityId, ip, since);
  }

  /** Appends an event to the chain (inside `trx` when it belongs to that change). */
  async record(event: AuditEventInput, trx?: Knex.Transaction): Promise<void> {
    await this.repo.append(trx, this.key, {
      actorType: event.actor.type,
      actorId: event.actor.id,
      actorLabel: event.actor.label.slice(0, 120),
      impersonatorAdminId: event.actor.impersonatorAdminId ?? null,
      ip: event.ip.slice(0, 45),
      action: event.action,
      entityType: event.entityType ?? '',
      entityId: event.entityId ?? null,
      customerId: event.customerId ?? null,
      changes: event.changes && Object.keys(event.changes).length > 0 ? JSON.stringify(event.changes) : null,
      outcome: event.outcome ?? 'success',
    });
  }

  /** Walks the whole chain: ok, or the first event that was edited, deleted or inserted. */
  async verify(): Promise<ChainVerdict> {
    const check = new ChainCheck(this.key);
    for await (const e of this.repo.chained()) {
      const broken = check.add(e);
      if (broken) return broken;
    }
    return check.finish(await this.repo.chainHead());
  }
}

export { fieldLabel, valueText, type Translate } from './wording.ts';

export const AUDIT_EVENTS_PER_PAGE = 50;

export class AuditService {
  private readonly repo: AuditRepo;

  constructor(db: Knex) {
    this.repo = new AuditRepo(db);
  }

  /** One page of events matching the filters (optionally of one customer), newest first. */
  async page(
    filters: AuditFilterForm,
    customerId: number | null,
  ): Promise<{ events: AuditEventRow[]; nextBefore: number | null }> {
    const resolved = filters.actor ? await this.repo.resolveActor(filters.actor) : { actors: [], adminIds: [] };
    const rows = await this.repo.list(
      {
        from: filters.from,
        to: filters.to,
        entityType: filters.entity_type,
        entityId: filters.entity_id === '' ? null : Number(filters.entity_id),
        actors: resolved.actors,
        actorLabel: filters.actor,
        impersonatorAdminIds: resolved.adminIds,
        ip: filters.ip,
        customerId,
        beforeId: filters.before === '' ? null : Number(filters.before),
      },
      AUDIT_EVENTS_PER_PAGE + 1,
    );
    const events = rows.slice(0, AUDIT_EVENTS_PER_PAGE);
    return { events, nextBefore: rows.length > AUDIT_EVENTS_PER_PAGE ? (events[events.length - 1]?.id ?? null) : null };
  }

  /** Each event as a support agent reads it, in the reader's language. */
  async read(
    events: readonly AuditEventRow[],
    t: Translate,
    lng: string,
  ): Promise<(Omit<AuditEventRow, 'changes'> & AuditReading)[]> {
    const found = await this.repo.namesOf(events.flatMap(referencesOf));
    const names: Names = { get: (type, id) => found.get(`${type}:${id}`) };
    return events.map((event) => ({ ...event, ...readEvent(event, t, lng, names) }));
  }
}
