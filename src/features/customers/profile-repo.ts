import type { Knex } from 'knex';
import { customerFromRow, type CustomerRecord } from './repo.ts';

/** The customer as the API shows it: its row and the name of its role. */
export type CustomerAccount = CustomerRecord & { roleName: string };

export class ApiRepo {
  constructor(private readonly db: Knex) {}

  async account(customerId: number): Promise<CustomerAccount | null> {
    const row = (await this.db('customers as c').leftJoin('roles as r', 'r.id', 'c.role_id').where('c.id', customerId).select('c.*', 'r.name as role_name').first()) as Record<string, unknown> | undefined;
    return row ? { ...customerFromRow(row), roleName: row.role_name === null || row.role_name === undefined ? '' : String(row.role_name) } : null;
  }
}
