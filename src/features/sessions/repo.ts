import type { Knex } from 'knex';

/** A self-care account as the tables of this feature key it: `c:<id>` or `i:<id>`. */
export interface AccountRow {
  key: string;
  customerId: number;
  individualId: number | null;
}

/** The only Knex code of the sessions feature: who asked for an e-mail on a sign-in from a new address. */
export class SignInAlertsRepo {
  constructor(private readonly db: Knex) {}

  async isOn(key: string): Promise<boolean> {
    return (await this.db('sign_in_alerts').where({ account_key: key }).first()) !== undefined;
  }

  /** Turns the alert on or off; true when that changed something. */
  async set(account: AccountRow, on: boolean): Promise<boolean> {
    if (!on) return Number(await this.db('sign_in_alerts').where({ account_key: account.key }).del()) > 0;
    if (await this.isOn(account.key)) return false;
    try {
      await this.db('sign_in_alerts').insert({
        account_key: account.key,
        customer_id: account.customerId,
        individual_id: account.individualId,
        created_at: new Date(),
      });
      return true;
    } catch (err) {
      // a second tab turned it on at the same moment: it is on either way
      if (await this.isOn(account.key)) return false;
      throw err;
    }
  }
}
