import type { Knex } from 'knex';
import { CHAIN_GENESIS, chainDigest, type ChainedContent } from '../../access/audit-chain.ts';
import { insertRow, isMysql, toDate } from '../../db/knex.ts';

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

/** Where each kind of entity keeps its name (the first non-empty column wins). */
const NAME_SOURCES: Readonly<Record<string, { table: string; columns: string[] }>> = {
  customer: { table: 'customers', columns: ['name'] },
  individual: { table: 'individuals', columns: ['name', 'login'] },
  role: { table: 'roles', columns: ['name'] },
  admin_role: { table: 'admin_roles', columns: ['name'] },
  admin: { table: 'admins', columns: ['login'] },
  api_token: { table: 'api_tokens', columns: ['name'] },
};

export class AuditRepo {
  constructor(private readonly db: Knex) {}

  /**
   * Appends one event to the chain: the head row is locked for the rest of the transaction (the
   * caller's, when the event belongs to its change), so concurrent events line up one after the
   * other and the chain never forks.
   */
  async append(
    trx: Knex.Transaction | undefined,
    key: Buffer,
    event: Omit<ChainedContent, 'occurredAt'>,
  ): Promise<void> {
    const write = async (tx: Knex.Transaction): Promise<void> => {
      const query = tx('audit_chain_head').where({ id: 1 });
      // SQLite has one writer at a time; MySQL needs the row lock.
      const head = (await (isMysql(this.db) ? query.forUpdate() : query).first()) as
        { last_digest: string } | undefined;
      const prevDigest = head?.last_digest ?? CHAIN_GENESIS;
      // Stored with millisecond precision; the digest covers the value as it reads back.
      const occurredAt = new Date();
      const digest = chainDigest(key, prevDigest, { ...event, occurredAt });
      const id = await insertRow(tx, 'audit_events', {
        occurred_at: occurredAt,
        actor_type: event.actorType,
        actor_id: event.actorId,
        actor_label: event.actorLabel,
        impersonator_admin_id: event.impersonatorAdminId,
        ip: event.ip,
        action: event.action,
        entity_type: event.entityType,
        entity_id: event.entityId,
        customer_id: event.customerId,
        changes: event.changes,
        outcome: event.outcome,
        prev_digest: prevDigest,
        digest,
      });
      await tx('audit_chain_head').where({ id: 1 }).update({ last_id: id, last_digest: digest });
    };
    await (trx ? write(trx) : this.db.transaction(write));
  }

  /** Every event in id order, as the chain covers them, a page at a time (for verification). */
  async *chained(
    pageSize = 5000,
  ): AsyncGenerator<ChainedContent & { id: number; prevDigest: string | null; digest: string | null }> {
    let after = 0;
    for (;;) {
      const rows = (await this.db('audit_events').where('id', '>', after).orderBy('id').limit(pageSize)) as Record<
        string,
        unknown
      >[];
      if (rows.length === 0) return;
      for (const r of rows) {
        yield {
          id: Number(r.id),
          occurredAt: toDate(r.occurred_at) ?? new Date(0),
          actorType: String(r.actor_type),
          actorId: r.actor_id === null ? null : Number(r.actor_id),
          actorLabel: String(r.actor_label),
          impersonatorAdminId: r.impersonator_admin_id === null ? null : Number(r.impersonator_admin_id),
          ip: String(r.ip),
          action: String(r.action),
          entityType: String(r.entity_type),
          entityId: r.entity_id === null ? null : Number(r.entity_id),
          customerId: r.customer_id === null ? null : Number(r.customer_id),
          changes: r.changes === null || r.changes === undefined ? null : String(r.changes),
          outcome: String(r.outcome),
          prevDigest: r.prev_digest === null || r.prev_digest === undefined ? null : String(r.prev_digest),
          digest: r.digest === null || r.digest === undefined ? null : String(r.digest),
        };
      }
      after = Number(rows[rows.length - 1]!.id);
    }
  }

  async chainHead(): Promise<{ lastId: number; lastDigest: string } | null> {
    const head = (await this.db('audit_chain_head').where({ id: 1 }).first()) as Record<string, unknown> | undefined;
    return head ? { lastId: Number(head.last_id), lastDigest: String(head.last_digest) } : null;
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

  /**
   * The current names of the entities an audit page mentions, one query per entity type:
   * customers, individuals (name, else login), roles, admin roles, administrators (login) and API tokens.
   */
  async namesOf(refs: readonly { type: string; id: number }[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const byType = new Map<string, Set<number>>();
    for (const ref of refs) byType.set(ref.type, (byType.get(ref.type) ?? new Set()).add(ref.id));
    for (const [type, ids] of byType) {
      const source = NAME_SOURCES[type];
      if (!source) continue;
      const rows = (await this.db(source.table)
        .select('id', ...source.columns)
        .whereIn('id', [...ids])) as Record<string, unknown>[];
      for (const row of rows) {
        const name = source.columns.map((c) => String(row[c] ?? '').trim()).find((v) => v !== '');
        if (name) names.set(`${type}:${Number(row.id)}`, name);
      }
    }
    return names;
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
