import type { Knex } from 'knex';
import { toBool, toDate } from '../../db/knex.ts';
import type { CustomerService } from '../customers/service.ts';
import type { CustomerRecord, SelfServiceColumns } from '../customers/schema.ts';
import type { IndividualRegional as RegionalColumns } from '../individuals/service.ts';

export interface PortalIndividual {
  id: number;
  customerId: number;
  login: string;
  name: string;
  email: string;
  roleId: number;
  passwordHash: string | null;
  passwordChangeRequired: boolean;
  activationAt: Date | null;
  expirationAt: Date | null;
  ipRestriction: boolean;
  trustedIps: string;
  regional: RegionalColumns;
  sessionEpoch: number;
}

export type AccountRef = { kind: 'customer'; id: number } | { kind: 'individual'; id: number };

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const optional = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

function toIndividual(row: Record<string, unknown>): PortalIndividual {
  return {
    id: Number(row.id),
    customerId: Number(row.customer_id),
    login: text(row.login),
    name: text(row.name),
    email: text(row.email),
    roleId: Number(row.role_id),
    passwordHash: optional(row.password_hash),
    passwordChangeRequired: toBool(row.password_change_required),
    activationAt: toDate(row.activation_at),
    expirationAt: toDate(row.expiration_at),
    ipRestriction: toBool(row.ip_restriction),
    trustedIps: text(row.trusted_ips),
    regional: {
      timeZone: optional(row.time_zone),
      language: optional(row.language),
      outDateFormat: optional(row.out_date_format),
      outTimeFormat: optional(row.out_time_format),
      inDateFormat: optional(row.in_date_format),
      inTimeFormat: optional(row.in_time_format),
    },
    sessionEpoch: Number(row.session_epoch),
  };
}

/** Profile columns a self-care user may edit, by form field. */
export const PROFILE_COLUMNS = {
  company_name: 'company_name',
  contact_name: 'contact_name',
  email: 'email',
  phone: 'phone',
  address_line1: 'address_line1',
  address_line2: 'address_line2',
  city: 'city',
  postal_code: 'postal_code',
  country: 'country',
} as const;
export type ProfileField = keyof typeof PROFILE_COLUMNS;

export const REGIONAL_COLUMNS = ['time_zone', 'language', 'out_date_format', 'out_time_format', 'in_date_format', 'in_time_format'] as const;
export type RegionalColumn = (typeof REGIONAL_COLUMNS)[number];

/** A customer's version before and after a change, as the audit trail records it. */
export type VersionStep = { old: number; new: number };

const stepTo = (version: number): VersionStep => ({ old: version - 1, new: version });


/** What the portal asks of the customers feature: its own row and the changes it makes itself. */
export type CustomerSelfService = Pick<CustomerService, 'find' | 'applySelfServiceChange' | 'recordLogin'>;

/** The only Knex code of the portal: the signed-in account's own rows. */
export class PortalRepo {
  constructor(
    private readonly db: Knex,
    private readonly customers: CustomerSelfService,
  ) {}

  customer(id: number): Promise<CustomerRecord | null> {
    return this.customers.find(id);
  }

  async individual(id: number): Promise<PortalIndividual | null> {
    const row = await this.db('individuals').where({ id }).first();
    return row ? toIndividual(row) : null;
  }

  /**
   * Sets a new password, clears "must change" and ends other sessions; returns the new epoch and,
   * for a customer, the version step (for the audit trail an admin's stale form reads).
   */
  async setPassword(account: AccountRef, passwordHash: string): Promise<{ sessionEpoch: number; version?: VersionStep }> {
    if (account.kind === 'customer') {
      const after = await this.customers.applySelfServiceChange(account.id, { password_hash: passwordHash, password_change_required: false }, { endSessions: true });
      return { sessionEpoch: after.sessionEpoch, version: stepTo(after.version) };
    }
    return this.db.transaction(async (trx) => {
      await trx('individuals').where({ id: account.id }).update({ password_hash: passwordHash, password_change_required: false, updated_at: new Date() }).increment('session_epoch', 1);
      const row = await trx('individuals').select('session_epoch').where({ id: account.id }).first();
      return { sessionEpoch: Number(row?.session_epoch ?? 0) };
    });
  }

  async recordLogin(account: AccountRef): Promise<void> {
    if (account.kind === 'customer') return this.customers.recordLogin(account.id);
    await this.db('individuals').where({ id: account.id }).update({ last_login_at: new Date() });
  }

  /** Profile changes move the customer's version on, so an admin's open form sees the conflict. */
  async updateProfile(customerId: number, values: Partial<Record<ProfileField, string>>): Promise<VersionStep> {
    const columns: SelfServiceColumns = {};
    for (const [field, value] of Object.entries(values)) columns[PROFILE_COLUMNS[field as ProfileField]] = value;
    return stepTo((await this.customers.applySelfServiceChange(customerId, columns)).version);
  }

  /**
   * Regional settings; for an individual null means "inherit the customer's". Returns the
   * customer's version step (none for an individual).
   */
  async updateRegional(account: AccountRef, values: Record<RegionalColumn, string | null>): Promise<VersionStep | undefined> {
    if (account.kind === 'customer') {
      const columns: SelfServiceColumns = {};
      for (const column of REGIONAL_COLUMNS) {
        const value = values[column];
        // a customer's regional settings are never empty (the schema gives no "inherit" for a customer)
        if (value !== null) columns[column] = value;
      }
      return stepTo((await this.customers.applySelfServiceChange(account.id, columns)).version);
    }
    await this.db('individuals')
      .where({ id: account.id })
      .update({ ...values, updated_at: new Date() })
      .increment('version', 1);
    return undefined;
  }

}
