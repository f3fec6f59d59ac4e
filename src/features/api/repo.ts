import type { Knex } from 'knex';
import { toDate } from '../../db/knex.ts';

export interface CustomerAccount {
  id: number;
  name: string;
  email: string;
  currency: string;
  status: string;
  balance: number;
  creditLimit: number;
  companyName: string;
  contactName: string;
  phone: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  postalCode: string;
  country: string;
  login: string | null;
  roleId: number;
  roleName: string;
  timeZone: string;
  language: string;
  outDateFormat: string;
  outTimeFormat: string;
  inDateFormat: string;
  inTimeFormat: string;
  updatedAt: Date;
}

function toAccount(row: Record<string, unknown>): CustomerAccount {
  const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
  return {
    id: Number(row.id),
    name: s(row.name),
    email: s(row.email),
    currency: s(row.currency),
    status: s(row.status),
    balance: Number(row.balance),
    creditLimit: Number(row.credit_limit),
    companyName: s(row.company_name),
    contactName: s(row.contact_name),
    phone: s(row.phone),
    addressLine1: s(row.address_line1),
    addressLine2: s(row.address_line2),
    city: s(row.city),
    postalCode: s(row.postal_code),
    country: s(row.country),
    login: row.selfcare_login ? String(row.selfcare_login) : null,
    roleId: Number(row.role_id),
    roleName: s(row.role_name),
    timeZone: s(row.time_zone),
    language: s(row.language),
    outDateFormat: s(row.out_date_format),
    outTimeFormat: s(row.out_time_format),
    inDateFormat: s(row.in_date_format),
    inTimeFormat: s(row.in_time_format),
    updatedAt: toDate(row.updated_at) ?? new Date(0),
  };
}

export class ApiRepo {
  constructor(private readonly db: Knex) {}

  async account(customerId: number): Promise<CustomerAccount | null> {
    const row = await this.db('customers as c').leftJoin('roles as r', 'r.id', 'c.role_id').where('c.id', customerId).select('c.*', 'r.name as role_name').first();
    return row ? toAccount(row) : null;
  }
}
