import { createHmac } from 'node:crypto';

/**
 * The audit trail is a hash chain: each event stores a keyed digest (HMAC-SHA-256 with a key
 * derived from SECRET_KEY) over its own content and the previous event's digest. Editing or
 * deleting a row breaks the digests from there on; recomputing them needs the key, which the
 * database does not hold. The newest digest is also kept apart (the chain head), so deleting the
 * newest events shows too.
 */

/** The `prev_digest` of the first chained event. */
export const CHAIN_GENESIS = '0'.repeat(64);

/** The stored columns a digest covers, as they read back from the database. */
export interface ChainedContent {
  occurredAt: Date;
  actorType: string;
  actorId: number | null;
  actorLabel: string;
  impersonatorAdminId: number | null;
  ip: string;
  action: string;
  entityType: string;
  entityId: number | null;
  customerId: number | null;
  /** the stored JSON text, exactly */
  changes: string | null;
  outcome: string;
}

export function chainKey(secretKey: string): Buffer {
  return createHmac('sha256', secretKey).update('selfcare audit chain v1').digest();
}

export function chainDigest(key: Buffer, prevDigest: string, e: ChainedContent): string {
  const canonical = JSON.stringify([
    prevDigest,
    e.occurredAt.toISOString(),
    e.actorType,
    e.actorId,
    e.actorLabel,
    e.impersonatorAdminId,
    e.ip,
    e.action,
    e.entityType,
    e.entityId,
    e.customerId,
    e.changes,
    e.outcome,
  ]);
  return createHmac('sha256', key).update(canonical).digest('hex');
}

export type ChainVerdict =
  { ok: true; checked: number; unchained: number } | { ok: false; checked: number; brokenId: number; reason: string };

type StoredEvent = ChainedContent & { id: number; prevDigest: string | null; digest: string | null };

/**
 * Checks events one at a time in id order (the chain can be long): each must link to the one
 * before and carry its own digest; at the end the last one must be the recorded head. Events
 * older than the first chained one (recorded before the chain existed) are counted, not checked.
 */
export class ChainCheck {
  private prev: string | null = null;
  private lastId = 0;
  private checked = 0;
  private unchained = 0;

  constructor(private readonly key: Buffer) {}

  /** null while the chain holds; the verdict for the first event that breaks it. */
  add(e: StoredEvent): ChainVerdict | null {
    if (this.prev === null && e.digest === null) {
      this.unchained += 1;
      return null;
    }
    const expectedPrev = this.prev ?? CHAIN_GENESIS;
    if (e.prevDigest !== expectedPrev) {
      return {
        ok: false,
        checked: this.checked,
        brokenId: e.id,
        reason: 'does not follow the event before it (an event was deleted or inserted)',
      };
    }
    if (e.digest !== chainDigest(this.key, expectedPrev, e)) {
      return {
        ok: false,
        checked: this.checked,
        brokenId: e.id,
        reason: 'its content no longer matches its digest (it was edited)',
      };
    }
    this.prev = e.digest;
    this.lastId = e.id;
    this.checked += 1;
    return null;
  }

  finish(head: { lastId: number; lastDigest: string } | null): ChainVerdict {
    if (head && (head.lastId !== this.lastId || head.lastDigest !== (this.prev ?? CHAIN_GENESIS))) {
      return {
        ok: false,
        checked: this.checked,
        brokenId: head.lastId,
        reason: 'the newest events were deleted (the chain ends before its recorded head)',
      };
    }
    return { ok: true, checked: this.checked, unchained: this.unchained };
  }
}
