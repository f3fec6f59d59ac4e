import type { Knex } from 'knex';
import { insertRow, toDate } from '../../db/knex.ts';

export interface ResetLinkRow {
  id: number;
  accountKey: string;
  customerId: number;
  individualId: number | null;
  purpose: string;
  passwordFingerprint: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  voidedAt: Date | null;
}

/** A link as it is stored: its token's digest, not yet used or voided. */
export type NewResetLink = Omit<ResetLinkRow, 'id' | 'usedAt' | 'voidedAt'> & { digest: string };

function fromRow(row: Record<string, unknown>): ResetLinkRow {
  return {
    id: Number(row.id),
    accountKey: String(row.account_key),
    customerId: Number(row.customer_id),
    individualId: row.individual_id === null || row.individual_id === undefined ? null : Number(row.individual_id),
    purpose: String(row.purpose),
    passwordFingerprint: String(row.password_fingerprint),
    createdAt: toDate(row.created_at) ?? new Date(0),
    expiresAt: toDate(row.expires_at) ?? new Date(0),
    usedAt: toDate(row.used_at),
    voidedAt: toDate(row.voided_at),
  };
}

/** The only Knex code of the password-reset feature. Links are found by the digest of their token. */
export class ResetLinksRepo {
  constructor(private readonly db: Knex) {}

  /** Stores a new link and voids every earlier unused link of the same account, in one transaction. */
  async insertVoidingOlder(link: NewResetLink): Promise<number> {
    return this.db.transaction(async (trx) => {
      await trx('password_reset_links')
        .where({ account_key: link.accountKey })
        .whereNull('used_at')
        .whereNull('voided_at')
        .update({ voided_at: link.createdAt });
      return await insertRow(trx, 'password_reset_links', {
        digest: link.digest,
        account_key: link.accountKey,
        customer_id: link.customerId,
        individual_id: link.individualId,
        purpose: link.purpose,
        password_fingerprint: link.passwordFingerprint,
        created_at: link.createdAt,
        expires_at: link.expiresAt,
      });
    });
  }

  async findByDigest(digest: string): Promise<ResetLinkRow | null> {
    const row = (await this.db('password_reset_links').where({ digest }).first()) as
      Record<string, unknown> | undefined;
    return row ? fromRow(row) : null;
  }

  /** Marks the link used if nobody did before and it is still open: true for exactly one caller. */
  async claim(id: number, now: Date): Promise<boolean> {
    const n = await this.db('password_reset_links')
      .where({ id })
      .whereNull('used_at')
      .whereNull('voided_at')
      .where('expires_at', '>', now)
      .update({ used_at: now });
    return Number(n) === 1;
  }

  /** Voids every unused link of an account (its password has just changed). */
  async voidAll(accountKey: string, now: Date): Promise<void> {
    await this.db('password_reset_links')
      .where({ account_key: accountKey })
      .whereNull('used_at')
      .whereNull('voided_at')
      .update({ voided_at: now });
  }
}
