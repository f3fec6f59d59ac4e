import { isAddressAllowed, parseTrustedNetworks, type TrustedNetwork } from './trusted-networks.ts';

/*
 * The decision applied at every sign-in and on every request of a restricted account: the lists
 * of the customer (and of the individual) against the client's address.
 */

/** One allow-list as stored on a customer or an individual row. */
export interface TrustedListSource {
  ipRestriction: boolean;
  trustedIps: string;
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
