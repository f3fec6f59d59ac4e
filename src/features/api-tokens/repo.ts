import type { Knex } from 'knex';
import type { PermissionMap } from '../../access/permissions.ts';
import { insertRow, toBool, toDate } from '../../db/knex.ts';
import { prepared, type Prepared } from '../../db/prepared.ts';
import { rolePermissionsColumn, rolePermissionsOf } from '../../db/role-permissions.ts';
import { customerFromRow } from '../customers/service.ts';
import type { CustomerAccount } from '../customers/schema.ts';

export type ApiTokenStatus = 'active' | 'expired' | 'revoked';

export interface ApiTokenRow {
  id: number;
  customerId: number;
  name: string;
  prefix: string;
  digest: string;
  createdByAdminId: number | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
}

export function tokenStatus(
  token: Pick<ApiTokenRow, 'expiresAt' | 'revokedAt'>,
  now: Date = new Date(),
): ApiTokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** The columns of `api_tokens` that `fromRow` reads. */
const TOKEN_COLUMNS = [
  'id',
  'customer_id',
  'name',
  'prefix',
  'digest',
  'created_by_admin_id',
  'created_at',
  'expires_at',
  'last_used_at',
  'last_used_ip',
  'revoked_at',
] as const;

function fromRow(row: Record<string, unknown>): ApiTokenRow {
  return {
    id: Number(row.id),
    customerId: Number(row.customer_id),
    name: String(row.name),
    prefix: String(row.prefix),
    digest: String(row.digest),
    createdByAdminId:
      row.created_by_admin_id === null || row.created_by_admin_id === undefined
        ? null
        : Number(row.created_by_admin_id),
    createdAt: toDate(row.created_at) ?? new Date(0),
    expiresAt: toDate(row.expires_at),
    lastUsedAt: toDate(row.last_used_at),
    lastUsedIp: row.last_used_ip ? String(row.last_used_ip) : null,
    revokedAt: toDate(row.revoked_at),
  };
}

/** What API session checks need on every request, read in one query. */
export interface TokenHolder {
  token: ApiTokenRow;
  customer: {
    id: number;
    loginLower: string | null;
    sessionEpoch: number;
    ipRestriction: boolean;
    trustedIps: string;
    roleId: number;
  };
}

export class ApiTokenRepo {
  /** every API request's check: built once */
  private readonly withPermissions: Prepared;

  constructor(private readonly db: Knex) {
    this.withPermissions = prepared(db, (param) =>
      this.holderQuery(param(0), param(1))
        .leftJoin('roles as r', 'r.id', 'c.role_id')
        .select('r.name as role_name', rolePermissionsColumn(db, 'c.role_id'))
        .first(),
    );
  }

  async insert(
    input: {
      customerId: number;
      name: string;
      prefix: string;
      digest: string;
      createdByAdminId: number | null;
      expiresAt: Date | null;
    },
    trx?: Knex.Transaction,
  ): Promise<number> {
    const row = {
      customer_id: input.customerId,
      name: input.name,
      prefix: input.prefix,
      digest: input.digest,
      created_by_admin_id: input.createdByAdminId,
      created_at: new Date(),
      expires_at: input.expiresAt,
    };
    return insertRow(trx ?? this.db, 'api_tokens', row);
  }

  /** Newest first; a customer has a handful of tokens, so no pagination. */
  async listByCustomer(customerId: number): Promise<ApiTokenRow[]> {
    const rows = await this.db('api_tokens').where({ customer_id: customerId }).orderBy('id', 'desc');
    return rows.map(fromRow);
  }

  async findForCustomer(customerId: number, tokenId: number): Promise<ApiTokenRow | null> {
    const row = await this.db('api_tokens').where({ id: tokenId, customer_id: customerId }).first();
    return row ? fromRow(row) : null;
  }

  async revoke(tokenId: number, at: Date, trx?: Knex.Transaction): Promise<boolean> {
    const n = await (trx ?? this.db)('api_tokens')
      .where({ id: tokenId })
      .whereNull('revoked_at')
      .update({ revoked_at: at });
    return Number(n) > 0;
  }

  async recordUse(tokenId: number, at: Date, ip: string): Promise<void> {
    await this.db('api_tokens')
      .where({ id: tokenId })
      .update({ last_used_at: at, last_used_ip: ip.slice(0, 45) });
  }

  private holderQuery(tokenId: number | string, customerId: number | string) {
    return this.db('api_tokens as t')
      .join('customers as c', 'c.id', 't.customer_id')
      .where({ 't.id': tokenId, 't.customer_id': customerId })
      .select('c.*', ...TOKEN_COLUMNS.map((column) => `t.${column} as t_${column}`));
  }

  async holder(tokenId: number, customerId: number): Promise<TokenHolder | null> {
    const row = (await this.holderQuery(tokenId, customerId).first()) as Record<string, unknown> | undefined;
    return row ? holderFromRow(row) : null;
  }

  /**
   * The holder, its customer's whole account and the explicit levels of the customer's role, in
   * one row: what every API request checks, read fresh each time (and the profile it may answer).
   */
  async holderWithPermissions(
    tokenId: number,
    customerId: number,
  ): Promise<{ holder: TokenHolder; account: CustomerAccount; permissions: PermissionMap } | null> {
    const [row] = await this.withPermissions.rows([tokenId, customerId]);
    if (!row) return null;
    return {
      holder: holderFromRow(row),
      account: { ...customerFromRow(row), roleName: row.role_name === null ? '' : String(row.role_name ?? '') },
      permissions: rolePermissionsOf(row),
    };
  }

  /** The customer facts needed to open an API session: login, credentials epoch, trusted networks. */
  async customerForSession(customerId: number): Promise<(TokenHolder['customer'] & { login: string | null }) | null> {
    const row = await this.db('customers')
      .where({ id: customerId })
      .select(
        'id',
        'selfcare_login',
        'selfcare_login_lower',
        'session_epoch',
        'ip_restriction',
        'trusted_ips',
        'role_id',
      )
      .first();
    if (!row) return null;
    return {
      id: Number(row.id),
      login: row.selfcare_login ? String(row.selfcare_login) : null,
      loginLower: row.selfcare_login_lower ? String(row.selfcare_login_lower) : null,
      sessionEpoch: Number(row.session_epoch),
      ipRestriction: toBool(row.ip_restriction),
      trustedIps: String(row.trusted_ips ?? ''),
      roleId: Number(row.role_id),
    };
  }
}

function holderFromRow(row: Record<string, unknown>): TokenHolder {
  const customer = customerFromRow(row);
  return {
    token: fromRow(Object.fromEntries(TOKEN_COLUMNS.map((column) => [column, row[`t_${column}`]]))),
    customer: {
      id: customer.id,
      loginLower: row.selfcare_login_lower ? String(row.selfcare_login_lower) : null,
      sessionEpoch: customer.sessionEpoch,
      ipRestriction: customer.ipRestriction,
      trustedIps: customer.trustedIps,
      roleId: customer.roleId,
    },
  };
}
