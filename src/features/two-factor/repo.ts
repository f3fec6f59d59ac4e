import type { Knex } from 'knex';
import { toDate } from '../../db/knex.ts';

type Db = Knex | Knex.Transaction;

export type AccountType = 'admin' | 'customer' | 'individual';

export interface StoredSecret {
  sealed: string;
  lastStep: number | null;
  enabledAt: Date;
}

/** The sealed seeds and recovery-code digests of every kind of account, keyed by (type, id). */
export class TwoFactorRepo {
  constructor(private readonly db: Knex) {}

  async secret(type: AccountType, id: number, trx?: Db): Promise<StoredSecret | null> {
    const row = (await (trx ?? this.db)('two_factor_secrets').where({ account_type: type, account_id: id }).first()) as
      Record<string, unknown> | undefined;
    if (!row) return null;
    return {
      sealed: String(row.secret_sealed),
      lastStep: row.last_step === null || row.last_step === undefined ? null : Number(row.last_step),
      enabledAt: toDate(row.enabled_at) ?? new Date(0),
    };
  }

  async enabledAmong(type: AccountType, ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.db('two_factor_secrets')
      .select('account_id')
      .where({ account_type: type })
      .whereIn('account_id', [...ids])) as { account_id: unknown }[];
    return new Set(rows.map((r) => Number(r.account_id)));
  }

  /** Replaces the account's seed and recovery codes (a new set-up makes the old ones worthless). */
  async enable(
    trx: Knex.Transaction,
    type: AccountType,
    id: number,
    input: { sealed: string; lastStep: number; codeDigests: readonly string[] },
  ): Promise<void> {
    await this.forget(trx, type, id);
    await trx('two_factor_secrets').insert({
      account_type: type,
      account_id: id,
      secret_sealed: input.sealed,
      last_step: input.lastStep,
      enabled_at: new Date(),
    });
    await trx('two_factor_recovery_codes').insert(
      input.codeDigests.map((digest) => ({ account_type: type, account_id: id, code_digest: digest })),
    );
  }

  /** Replaces every recovery code of an account that has two-factor sign-in on; false when it is off. */
  async replaceRecoveryCodes(
    trx: Knex.Transaction,
    type: AccountType,
    id: number,
    codeDigests: readonly string[],
  ): Promise<boolean> {
    if (!(await this.secret(type, id, trx))) return false;
    await trx('two_factor_recovery_codes').where({ account_type: type, account_id: id }).del();
    await trx('two_factor_recovery_codes').insert(
      codeDigests.map((digest) => ({ account_type: type, account_id: id, code_digest: digest })),
    );
    return true;
  }

  /** Removes the seed and every recovery code; true when there was a seed. */
  async forget(trx: Db, type: AccountType, id: number): Promise<boolean> {
    const removed = await trx('two_factor_secrets').where({ account_type: type, account_id: id }).del();
    await trx('two_factor_recovery_codes').where({ account_type: type, account_id: id }).del();
    return Number(removed) > 0;
  }

  /**
   * Records `step` as the last accepted time step unless that step (or a later one) was accepted
   * already: one conditional write, so two requests with the same code cannot both succeed.
   */
  async acceptStep(type: AccountType, id: number, step: number): Promise<boolean> {
    const count = await this.db('two_factor_secrets')
      .where({ account_type: type, account_id: id })
      .andWhere((w) => w.whereNull('last_step').orWhere('last_step', '<', step))
      .update({ last_step: step });
    return Number(count) === 1;
  }

  /** Spends an unused recovery code with this digest; false when there is none (or it was spent). */
  async spendRecoveryCode(type: AccountType, id: number, digest: string): Promise<boolean> {
    const count = await this.db('two_factor_recovery_codes')
      .where({ account_type: type, account_id: id, code_digest: digest })
      .whereNull('used_at')
      .update({ used_at: new Date() });
    return Number(count) >= 1;
  }

  async recoveryCodesLeft(type: AccountType, id: number): Promise<number> {
    const row = await this.db('two_factor_recovery_codes')
      .where({ account_type: type, account_id: id })
      .whereNull('used_at')
      .count({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  }
}
