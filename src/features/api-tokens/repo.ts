import type { Knex } from 'knex';
import { isComponentKey, isLevel, type PermissionMap } from '../../access/permissions.ts';
import { insertRow, toBool, toDate } from '../../db/knex.ts';

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
  constructor(private readonly db: Knex) {}

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

  private holderQuery(tokenId: number, customerId: number) {
    return this.db('api_tokens as t')
      .join('customers as c', 'c.id', 't.customer_id')
      .where({ 't.id': tokenId, 't.customer_id': customerId })
      .select(
        't.*',
        'c.selfcare_login_lower as c_login_lower',
        'c.session_epoch as c_session_epoch',
        'c.ip_restriction as c_ip_restriction',
        'c.trusted_ips as c_trusted_ips',
        'c.role_id as c_role_id',
      );
  }

  async holder(tokenId: number, customerId: number): Promise<TokenHolder | null> {
    const row = (await this.holderQuery(tokenId, customerId).first()) as Record<string, unknown> | undefined;
    return row ? holderFromRow(row, customerId) : null;
  }

  /**
   * The holder and the explicit levels of its customer's role, in one round trip (a row per
   * permission): what every API request checks, read fresh each time.
   */
  async holderWithPermissions(
    tokenId: number,
    customerId: number,
  ): Promise<{ holder: TokenHolder; permissions: PermissionMap } | null> {
    const rows = (await this.holderQuery(tokenId, customerId)
      .leftJoin('role_permissions as rp', 'rp.role_id', 'c.role_id')
      .select('rp.component as rp_component', 'rp.level as rp_level')) as Record<string, unknown>[];
    const [first] = rows;
    if (!first) return null;
    const permissions: PermissionMap = {};
    for (const row of rows)
      if (isComponentKey(row.rp_component) && isLevel(row.rp_level)) permissions[row.rp_component] = row.rp_level;
    return { holder: holderFromRow(first, customerId), permissions };
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

function holderFromRow(row: Record<string, unknown>, customerId: number): TokenHolder {
  return {
    token: fromRow(row),
    customer: {
      id: customerId,
      loginLower: row.c_login_lower ? String(row.c_login_lower) : null,
      sessionEpoch: Number(row.c_session_epoch),
      ipRestriction: toBool(row.c_ip_restriction),
      trustedIps: String(row.c_trusted_ips ?? ''),
      roleId: Number(row.c_role_id),
    },
  };
}
