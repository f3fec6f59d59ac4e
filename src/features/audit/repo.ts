import type { Knex } from 'knex';
import { toDate } from '../../db/knex.ts';

export interface AuditQuery {
  from: Date | null;
  to: Date | null;
  entityType: string;
  entityId: number | null;
  /** who acted: actor ids resolved from a login, and/or the exact label */
  actors: { type: string; id: number }[];
  actorLabel: string;
  /** an admin login also finds what that admin did while impersonating */
  impersonatorAdminIds: number[];
  ip: string;
  customerId: number | null;
  /** keyset: only events with a smaller id (older) */
  beforeId: number | null;
}

export interface AuditEventRow {
  id: number;
  occurredAt: Date | null;
  actorType: string;
  actorId: number | null;
  actorLabel: string;
  impersonatorAdminId: number | null;
  impersonatorLogin: string | null;
  ip: string;
  action: string;
  entityType: string;
  entityId: number | null;
  customerId: number | null;
  changes: Record<string, { old: unknown; new: unknown }> | null;
  outcome: string;
}

function parseChanges(value: unknown): AuditEventRow['changes'] {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as AuditEventRow['changes']) : null;
  } catch {
    return null;
  }
}

function eventFromRow(r: Record<string, unknown>): AuditEventRow {
  return {
    id: Number(r.id),
    occurredAt: toDate(r.occurred_at),
    actorType: String(r.actor_type),
    actorId: r.actor_id === null || r.actor_id === undefined ? null : Number(r.actor_id),
    actorLabel: String(r.actor_label ?? ''),
    impersonatorAdminId:
      r.impersonator_admin_id === null || r.impersonator_admin_id === undefined
        ? null
        : Number(r.impersonator_admin_id),
    impersonatorLogin: r.impersonator_login ? String(r.impersonator_login) : null,
    ip: String(r.ip ?? ''),
    action: String(r.action),
    entityType: String(r.entity_type ?? ''),
    entityId: r.entity_id === null || r.entity_id === undefined ? null : Number(r.entity_id),
    customerId: r.customer_id === null || r.customer_id === undefined ? null : Number(r.customer_id),
    changes: parseChanges(r.changes),
    outcome: String(r.outcome),
  };
}

export class AuditRepo {
  constructor(private readonly db: Knex) {}

  async insert(trx: Knex.Transaction | undefined, row: Record<string, unknown>): Promise<void> {
    await (trx ?? this.db)('audit_events').insert(row);
  }

  async changesOf(
    entityType: string,
    entityId: number,
    limit: number,
  ): Promise<{ changes: Record<string, { old: unknown; new: unknown }>; actorLabel: string }[]> {
    const rows = (await this.db('audit_events')
      .select('changes', 'actor_label')
      .where({ entity_type: entityType, entity_id: entityId })
      .whereNotNull('changes')
      .orderBy('id', 'desc')
      .limit(limit)) as { changes: unknown; actor_label: string }[];
    const out: { changes: Record<string, { old: unknown; new: unknown }>; actorLabel: string }[] = [];
    for (const row of rows) {
      const changes = parseChanges(row.changes);
      if (changes) out.push({ changes, actorLabel: row.actor_label });
    }
    return out;
  }

  /** The newest events of one action on one entity (e.g. an account's sign-ins), newest first. */
  async latestOf(action: string, entityType: string, entityId: number, limit: number): Promise<AuditEventRow[]> {
    const rows = (await this.db('audit_events as e')
      .leftJoin('admins as a', 'a.id', 'e.impersonator_admin_id')
      .select('e.*', 'a.login as impersonator_login')
      .where({ 'e.entity_type': entityType, 'e.entity_id': entityId, 'e.action': action })
      .orderBy('e.id', 'desc')
      .limit(limit)) as Record<string, unknown>[];
    return rows.map(eventFromRow);
  }

  /** How many successful events of one action on one entity came from `ip` since `since`. */
  async countFrom(action: string, entityType: string, entityId: number, ip: string, since: Date): Promise<number> {
    const row = (await this.db('audit_events')
      .where({ entity_type: entityType, entity_id: entityId, action, ip, outcome: 'success' })
      .where('occurred_at', '>=', since)
      .count({ n: '*' })
      .first()) as { n: unknown } | undefined;
    return Number(row?.n ?? 0);
  }

  /** Newest first (ids grow with time), `limit` rows after the keyset. */
  async list(query: AuditQuery, limit: number): Promise<AuditEventRow[]> {
    const q = this.db('audit_events as e')
      .leftJoin('admins as a', 'a.id', 'e.impersonator_admin_id')
      .select('e.*', 'a.login as impersonator_login')
      .orderBy('e.id', 'desc')
      .limit(limit);
    if (query.beforeId !== null) q.where('e.id', '<', query.beforeId);
    if (query.customerId !== null) q.where('e.customer_id', query.customerId);
    if (query.from) q.where('e.occurred_at', '>=', query.from);
    if (query.to) q.where('e.occurred_at', '<=', query.to);
    if (query.entityType) q.where('e.entity_type', query.entityType);
    if (query.entityId !== null) q.where('e.entity_id', query.entityId);
    if (query.ip) q.where('e.ip', query.ip);
    if (query.actorLabel || query.actors.length > 0) {
      q.where((w) => {
        if (query.actorLabel) w.orWhereRaw('lower(e.actor_label) = ?', [query.actorLabel.toLowerCase()]);
        for (const actor of query.actors)
          w.orWhere((x) => x.where('e.actor_type', actor.type).andWhere('e.actor_id', actor.id));
        if (query.impersonatorAdminIds.length > 0) w.orWhereIn('e.impersonator_admin_id', query.impersonatorAdminIds);
      });
    }
    const rows = (await q) as Record<string, unknown>[];
    return rows.map(eventFromRow);
  }

  /** Who a typed actor may be: an admin by login, a self-care account by login, or anyone by id. */
  async resolveActor(text: string): Promise<{ actors: { type: string; id: number }[]; adminIds: number[] }> {
    if (/^\d{1,10}$/.test(text)) {
      const id = Number(text);
      return { actors: ['admin', 'customer', 'individual', 'api'].map((type) => ({ type, id })), adminIds: [id] };
    }
    const lower = text.toLowerCase();
    const actors: { type: string; id: number }[] = [];
    const admin = (await this.db('admins').select('id').where({ login_lower: lower }).first()) as
      { id: unknown } | undefined;
    if (admin) actors.push({ type: 'admin', id: Number(admin.id) });
    const owner = (await this.db('selfcare_logins').where({ login_lower: lower }).first()) as
      { customer_id: unknown; individual_id: unknown } | undefined;
    if (owner?.customer_id)
      actors.push({ type: 'customer', id: Number(owner.customer_id) }, { type: 'api', id: Number(owner.customer_id) });
    if (owner?.individual_id) actors.push({ type: 'individual', id: Number(owner.individual_id) });
    return { actors, adminIds: admin ? [Number(admin.id)] : [] };
  }
}
