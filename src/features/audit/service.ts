import type { Knex } from 'knex';
import { AuditRepo, type AuditEventRow } from './repo.ts';
import type { AuditFilterForm } from './schema.ts';

export const AUDIT_EVENTS_PER_PAGE = 50;

export class AuditService {
  private readonly repo: AuditRepo;

  constructor(db: Knex) {
    this.repo = new AuditRepo(db);
  }

  /** One page of events matching the filters (optionally of one customer), newest first. */
  async page(filters: AuditFilterForm, customerId: number | null): Promise<{ events: AuditEventRow[]; nextBefore: number | null }> {
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
}
