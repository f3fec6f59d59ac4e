import type { Request, RequestHandler } from 'express';
import type { Knex } from 'knex';
import { isAddressAllowed, parseTrustedNetworks, type TrustedNetwork } from '../access/trusted-networks.ts';
import { toBool } from '../db/knex.ts';
import { clientIp } from './client-ip.ts';
import { HttpError } from './errors.ts';

/** One allow-list as stored on a customer or an individual row. */
export interface TrustedListSource {
  ipRestriction: boolean;
  trustedIps: string;
}

/** Whose lists apply: the customer's, and for an individual its own as well. */
export interface TrustedListOwner {
  customerId: number;
  individualId?: number | null;
}

const CACHE_LIMIT = 500;
/** Compiled lists keyed by their text: an edited list is a new key, so it takes effect at once. */
const compiledByText = new Map<string, readonly TrustedNetwork[] | null>();

/**
 * The parsed list for a stored text, from a small LRU. A text that no longer parses (it was
 * saved canonical, so only a hand-edited database gets here) compiles to null: deny everyone.
 */
function compiledList(text: string): readonly TrustedNetwork[] | null {
  const cached = compiledByText.get(text);
  if (cached !== undefined) {
    compiledByText.delete(text);
    compiledByText.set(text, cached);
    return cached;
  }
  const parsed = parseTrustedNetworks(text);
  const list = parsed.errors.length === 0 ? parsed.networks : null;
  compiledByText.set(text, list);
  if (compiledByText.size > CACHE_LIMIT) {
    const oldest = compiledByText.keys().next();
    if (!oldest.done) compiledByText.delete(oldest.value);
  }
  return list;
}

/**
 * Whether `address` may in under every list that applies (a list applies only when its
 * restriction is on). An empty or broken list with the restriction on lets nobody in.
 */
export function isAddressTrusted(lists: ReadonlyArray<TrustedListSource | null | undefined>, address: string): boolean {
  for (const source of lists) {
    if (!source?.ipRestriction) continue;
    const list = compiledList(source.trustedIps);
    if (list === null || !isAddressAllowed(list, address)) return false;
  }
  return true;
}

/** Reads the restriction columns of a `customers` or `individuals` row. */
export function trustedListOf(row: { ip_restriction?: unknown; trusted_ips?: unknown } | null | undefined): TrustedListSource | null {
  if (!row) return null;
  return { ipRestriction: toBool(row.ip_restriction), trustedIps: typeof row.trusted_ips === 'string' ? row.trusted_ips : '' };
}

/**
 * Loads the lists of a customer (and individual) and checks the address. An unknown owner is
 * refused: there is nobody to let in.
 */
export async function isAddressTrustedFor(db: Knex, owner: TrustedListOwner, address: string): Promise<boolean> {
  const customer = await db('customers').select('ip_restriction', 'trusted_ips').where({ id: owner.customerId }).first();
  if (!customer) return false;
  const lists = [trustedListOf(customer)];
  if (owner.individualId !== undefined && owner.individualId !== null) {
    const individual = await db('individuals').select('ip_restriction', 'trusted_ips').where({ id: owner.individualId, customer_id: owner.customerId }).first();
    if (!individual) return false;
    lists.push(trustedListOf(individual));
  }
  return isAddressTrusted(lists, address);
}

export class AddressNotAllowedError extends HttpError {
  constructor() {
    super(403, 'Access from this address is not allowed', 'ip_not_allowed');
    this.name = 'AddressNotAllowedError';
  }
}

/**
 * Middleware form: `ownerOf` says whose lists apply to this request (null = nobody signed in,
 * nothing to check). A refused address ends in a 403 `ip_not_allowed` through the error handler.
 */
export function requireTrustedAddress(db: Knex, ownerOf: (req: Request, res: Parameters<RequestHandler>[1]) => TrustedListOwner | null): RequestHandler {
  return async (req, res, next) => {
    const owner = ownerOf(req, res);
    if (owner && !(await isAddressTrustedFor(db, owner, clientIp(req)))) return next(new AddressNotAllowedError());
    next();
  };
}
