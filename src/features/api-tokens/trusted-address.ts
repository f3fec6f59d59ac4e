import { isAddressAllowed, parseTrustedNetworks, type TrustedNetwork } from '../../access/trusted-networks.ts';

const MAX_CACHED_LISTS = 500;
const parsedLists = new Map<string, readonly TrustedNetwork[]>();

/** Parsed once per distinct list text: the check runs on every API request. */
function networksOf(text: string): readonly TrustedNetwork[] {
  let networks = parsedLists.get(text);
  if (!networks) {
    networks = parseTrustedNetworks(text).networks;
    if (parsedLists.size >= MAX_CACHED_LISTS) parsedLists.clear();
    parsedLists.set(text, networks);
  }
  return networks;
}

/** Whether the customer's trusted-network restriction lets this client address in. */
export function customerAllowsAddress(customer: { ipRestriction: boolean; trustedIps: string }, address: string): boolean {
  if (!customer.ipRestriction) return true;
  return isAddressAllowed(networksOf(customer.trustedIps), address);
}
