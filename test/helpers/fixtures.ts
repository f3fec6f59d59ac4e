import type { Deps } from '../../src/deps.ts';
import { insertRow } from '../../src/db/knex.ts';
import { hashPassword } from '../../src/access/passwords.ts';
import { COMPONENTS, type ComponentKey, type Level, type PermissionMap } from '../../src/access/permissions.ts';
import { LoginNamespace } from '../../src/features/selfcare-access/service.ts';
import { CustomerRepo } from '../../src/features/customers/repo.ts';

type FixtureDeps = Pick<Deps, 'db'>;

export const FIXTURE_PASSWORD = 'violet kettle harbour lamp';

/** Every component at one level (children inherit). */
export function allAt(level: Level): PermissionMap {
  const perms: PermissionMap = {};
  for (const { key, parent } of COMPONENTS) if (parent === null) perms[key] = level;
  return perms;
}

/** A self-care role with explicit levels; `isDefault` makes it the default of its type. */
export async function createRole(
  deps: FixtureDeps,
  name: string,
  perms: PermissionMap,
  opts: { isDefault?: boolean; type?: string } = {},
): Promise<number> {
  const now = new Date();
  const type = opts.type ?? 'customer_selfcare';
  if (opts.isDefault) await deps.db('roles').where({ type, is_default: true }).update({ is_default: false });
  const id = await insertRow(deps.db, 'roles', {
    name,
    name_lower: name.toLowerCase(),
    type,
    description: '',
    is_default: opts.isDefault ?? false,
    created_at: now,
    updated_at: now,
  });
  const rows = Object.entries(perms).map(([component, level]) => ({ role_id: id, component, level }));
  if (rows.length > 0) await deps.db('role_permissions').insert(rows);
  return id;
}

/** Replaces a role's levels (a permission change the next request must see). */
export async function setRolePermissions(deps: FixtureDeps, roleId: number, perms: PermissionMap): Promise<void> {
  await deps.db('role_permissions').where({ role_id: roleId }).del();
  const rows = Object.entries(perms).map(([component, level]) => ({
    role_id: roleId,
    component: component as ComponentKey,
    level,
  }));
  if (rows.length > 0) await deps.db('role_permissions').insert(rows);
}

/** The default self-care role, created with full access when the database has none yet. */
export async function defaultRoleId(deps: FixtureDeps): Promise<number> {
  const row = await deps.db('roles').where({ type: 'customer_selfcare', is_default: true }).first();
  if (row) return Number(row.id);
  return createRole(deps, 'Default', allAt('modify'), { isDefault: true });
}

export interface CustomerFixture {
  name?: string;
  email?: string;
  /** null = no self-care credentials */
  login?: string | null;
  password?: string;
  roleId?: number;
  currency?: string;
  balance?: number;
  creditLimit?: number;
  companyName?: string;
  contactName?: string;
  phone?: string;
  addressLine1?: string;
  city?: string;
  postalCode?: string;
  country?: string;
  passwordChangeRequired?: boolean;
  ipRestriction?: boolean;
  trustedIps?: string;
  timeZone?: string;
  language?: string;
  outDateFormat?: string;
  outTimeFormat?: string;
  inDateFormat?: string;
  inTimeFormat?: string;
}

let counter = 0;
const unique = (prefix: string): string => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function createCustomer(
  deps: FixtureDeps,
  input: CustomerFixture = {},
): Promise<{ id: number; login: string | null; password: string; roleId: number }> {
  const now = new Date();
  const name = input.name ?? unique('Customer ');
  const login = input.login === undefined ? unique('cust') : input.login;
  const password = input.password ?? FIXTURE_PASSWORD;
  const roleId = input.roleId ?? (await defaultRoleId(deps));
  const email = input.email ?? '';
  const id = await deps.db.transaction(async (trx) => {
    const customerId = await insertRow(trx, 'customers', {
      name,
      name_lower: name.toLowerCase(),
      email,
      email_lower: email.toLowerCase(),
      currency: input.currency ?? 'USD',
      balance: input.balance ?? 0,
      credit_limit: input.creditLimit ?? 0,
      company_name: input.companyName ?? name,
      contact_name: input.contactName ?? '',
      phone: input.phone ?? '',
      address_line1: input.addressLine1 ?? '',
      city: input.city ?? '',
      postal_code: input.postalCode ?? '',
      country: input.country ?? '',
      role_id: roleId,
      selfcare_login: login,
      selfcare_login_lower: login?.toLowerCase() ?? null,
      password_hash: login === null ? null : await hashPassword(password, 4),
      password_change_required: input.passwordChangeRequired ?? false,
      ip_restriction: input.ipRestriction ?? false,
      trusted_ips: input.trustedIps ?? '',
      time_zone: input.timeZone ?? 'UTC',
      language: input.language ?? 'en',
      out_date_format: input.outDateFormat ?? 'YYYY-MM-DD',
      out_time_format: input.outTimeFormat ?? 'HH24:MI:SS',
      in_date_format: input.inDateFormat ?? 'YYYY-MM-DD',
      in_time_format: input.inTimeFormat ?? 'HH24:MI:SS',
      created_at: now,
      updated_at: now,
    });
    if (login !== null) await new LoginNamespace(deps.db).assign(trx, { customerId }, login);
    // what the admin search reads (the repo keeps them with every write of a customer)
    await new CustomerRepo(deps.db).syncSearchKeys(trx, customerId);
    return customerId;
  });
  return { id, login, password, roleId };
}

export interface IndividualFixture {
  login?: string;
  password?: string;
  name?: string;
  email?: string;
  roleId?: number;
  activationAt?: Date | null;
  expirationAt?: Date | null;
  passwordChangeRequired?: boolean;
  ipRestriction?: boolean;
  trustedIps?: string;
  timeZone?: string | null;
  language?: string | null;
  outDateFormat?: string | null;
  outTimeFormat?: string | null;
  inDateFormat?: string | null;
  inTimeFormat?: string | null;
}

/** An individual of the customer; its role is also added to the customer's allowed roles. */
export async function createIndividual(
  deps: FixtureDeps,
  customerId: number,
  input: IndividualFixture = {},
): Promise<{ id: number; login: string; password: string; roleId: number }> {
  const now = new Date();
  const login = input.login ?? unique('ind');
  const password = input.password ?? FIXTURE_PASSWORD;
  const roleId = input.roleId ?? (await defaultRoleId(deps));
  const name = input.name ?? login;
  const id = await deps.db.transaction(async (trx) => {
    const allowed = await trx('customer_allowed_roles').where({ customer_id: customerId, role_id: roleId }).first();
    if (!allowed) await trx('customer_allowed_roles').insert({ customer_id: customerId, role_id: roleId });
    const individualId = await insertRow(trx, 'individuals', {
      customer_id: customerId,
      login,
      login_lower: login.toLowerCase(),
      password_hash: await hashPassword(password, 4),
      password_change_required: input.passwordChangeRequired ?? false,
      name,
      email: input.email ?? '',
      role_id: roleId,
      activation_at: input.activationAt ?? null,
      expiration_at: input.expirationAt ?? null,
      time_zone: input.timeZone ?? null,
      language: input.language ?? null,
      out_date_format: input.outDateFormat ?? null,
      out_time_format: input.outTimeFormat ?? null,
      in_date_format: input.inDateFormat ?? null,
      in_time_format: input.inTimeFormat ?? null,
      ip_restriction: input.ipRestriction ?? false,
      trusted_ips: input.trustedIps ?? '',
      created_at: now,
      updated_at: now,
    });
    await new LoginNamespace(deps.db).assign(trx, { individualId }, login);
    return individualId;
  });
  return { id, login, password, roleId };
}

const day = (instant: Date): string => instant.toISOString().slice(0, 10);

export async function createInvoice(
  deps: FixtureDeps,
  customerId: number,
  input: {
    number?: string;
    /** days, `YYYY-MM-DD` */
    periodFrom?: string;
    periodTo?: string;
    issuedAt?: Date;
    dueOn?: string;
    amount?: number;
    currency?: string;
    status?: 'open' | 'paid' | 'overdue' | 'void';
  } = {},
): Promise<number> {
  const issuedAt = input.issuedAt ?? new Date('2026-03-01T00:00:00Z');
  return insertRow(deps.db, 'invoices', {
    customer_id: customerId,
    number: input.number ?? unique('INV-'),
    period_from: input.periodFrom ?? day(new Date(issuedAt.getTime() - 28 * 86_400_000)),
    period_to: input.periodTo ?? day(issuedAt),
    issued_at: issuedAt,
    due_at: input.dueOn ?? day(new Date(issuedAt.getTime() + 14 * 86_400_000)),
    amount: input.amount ?? 100,
    currency: input.currency ?? 'USD',
    status: input.status ?? 'open',
  });
}

export async function createXdr(
  deps: FixtureDeps,
  customerId: number,
  input: {
    connectTime?: Date;
    cli?: string;
    cld?: string;
    description?: string;
    durationSeconds?: number;
    chargedAmount?: number;
  } = {},
): Promise<number> {
  return insertRow(deps.db, 'xdrs', {
    customer_id: customerId,
    connect_time: input.connectTime ?? new Date('2026-03-01T12:00:00Z'),
    cli: input.cli ?? '15550001111',
    cld: input.cld ?? '15550002222',
    description: input.description ?? 'Call',
    duration_seconds: input.durationSeconds ?? 60,
    charged_amount: input.chargedAmount ?? 0.1,
  });
}

export async function createPayment(
  deps: FixtureDeps,
  customerId: number,
  input: { paidAt?: Date; amount?: number; currency?: string; method?: string; reference?: string } = {},
): Promise<number> {
  return insertRow(deps.db, 'payments', {
    customer_id: customerId,
    paid_at: input.paidAt ?? new Date('2026-03-05T10:00:00Z'),
    amount: input.amount ?? 50,
    currency: input.currency ?? 'USD',
    method: input.method ?? 'card',
    reference: input.reference ?? unique('PAY-'),
  });
}
