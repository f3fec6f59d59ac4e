/**
 * Trusted-networks check vs bare `ipaddr.process(addr)`, side by side in one run.
 *
 *   npx tsx test/bench/trusted-networks.bench.ts
 *
 * A whole check (validation + unwrapping + binary search over a compiled 1,000-entry list) must
 * cost no more than ipaddr.js merely parsing the same address. Exits non-zero if it does.
 */
import ipaddr from 'ipaddr.js';
import {
  compileTrustedNetworks,
  isAddressAllowed,
  MAX_TRUSTED_NETWORK_ENTRIES,
  parseTrustedNetworks,
} from '../../src/access/trusted-networks.ts';
import { prng } from './prng.ts';

const ADDRESSES_PER_SET = 4096;
const WARMUP_MS = 300;
const ROUNDS = 9;
const ROUND_MS = 150;

const random = prng(20240611);
const int = (max: number): number => Math.floor(random() * max);
const ipv4Text = (v: number): string => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
const randomIPv4 = (): number => int(2 ** 32);
const ipv6Text = (parts: number[]): string => new ipaddr.IPv6(parts).toRFC5952String();
/** IPv6 addresses cluster under a few /32s, like real customers' allocations. */
const ipv6Roots = [0x2001_0db8, 0x2a02_1234, 0x2600_1f00, 0x2c0f_f000];
function randomIPv6(): number[] {
  const root = ipv6Roots[int(ipv6Roots.length)] ?? 0x2001_0db8;
  const parts = [root >>> 16, root & 0xffff];
  for (let i = 0; i < 6; i++) parts.push(random() < 0.3 ? 0 : int(0x10000));
  return parts;
}

// 1,000 entries: 60 % IPv4, 40 % IPv6, mixed forms and prefix lengths.
const entries: string[] = [];
const ipv4Networks: Array<[number, number]> = [];
const ipv6Networks: Array<[number[], number]> = [];
while (entries.length < MAX_TRUSTED_NETWORK_ENTRIES) {
  if (random() < 0.6) {
    const prefix = random() < 0.3 ? 32 : 8 + int(25);
    const address = randomIPv4();
    ipv4Networks.push([address, prefix]);
    entries.push(prefix === 32 ? ipv4Text(address) : `${ipv4Text(address)}/${prefix}`);
  } else {
    const prefix = random() < 0.2 ? 128 : 36 + int(93);
    const parts = randomIPv6();
    ipv6Networks.push([parts, prefix]);
    entries.push(prefix === 128 ? ipv6Text(parts) : `${ipv6Text(parts)}/${prefix}`);
  }
}
const parsed = parseTrustedNetworks(entries.join(';\n'));
if (parsed.errors.length > 0) throw new Error(`benchmark list does not parse: ${parsed.errors[0]?.message}`);
const compiled = compileTrustedNetworks(parsed.networks);

// Address sets: about half inside some listed network, half anywhere.
function insideIPv4(): number {
  const [address, prefix] = ipv4Networks[int(ipv4Networks.length)] ?? [0, 0];
  const size = 2 ** (32 - prefix);
  return address - (address % size) + int(size);
}
function insideIPv6(): number[] {
  const [parts, prefix] = ipv6Networks[int(ipv6Networks.length)] ?? [[0, 0, 0, 0, 0, 0, 0, 0], 0];
  return parts.map((part, i) => {
    const fixedBits = Math.max(0, Math.min(16, prefix - i * 16));
    const hostBits = 16 - fixedBits;
    return hostBits === 16 ? int(0x10000) : (part & ~((1 << hostBits) - 1) & 0xffff) | int(1 << hostBits);
  });
}
const ipv4Set = Array.from({ length: ADDRESSES_PER_SET }, () => ipv4Text(random() < 0.5 ? insideIPv4() : randomIPv4()));
const sets: Array<{ name: string; addresses: string[] }> = [
  { name: 'IPv4', addresses: ipv4Set },
  {
    name: 'IPv6',
    addresses: Array.from({ length: ADDRESSES_PER_SET }, () => ipv6Text(random() < 0.5 ? insideIPv6() : randomIPv6())),
  },
  { name: 'IPv4-mapped', addresses: ipv4Set.map((a) => `::ffff:${a}`) },
];

/** Runs `body` over the set until `ms` have passed; nanoseconds per address. */
function measure(addresses: string[], body: (address: string) => number, ms: number): number {
  let operations = 0;
  let sink = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < addresses.length; i++) sink += body(addresses[i] ?? '');
    operations += addresses.length;
    elapsed = performance.now() - started;
  } while (elapsed < ms);
  if (sink === -1) console.log('unreachable'); // keeps the work observable
  return (elapsed * 1e6) / operations;
}

const ours = (address: string): number => (isAddressAllowed(compiled, address) ? 1 : 0);
const bare = (address: string): number => (ipaddr.process(address).kind() === 'ipv4' ? 1 : 0);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

console.log(
  `Trusted networks: ${parsed.networks.length} entries → ${compiled.ipv4Starts.length} IPv4 + ${compiled.ipv6Starts.length / 4} IPv6 merged ranges; ${ADDRESSES_PER_SET} addresses per set, median of ${ROUNDS} rounds\n`,
);
const rows: Array<{ set: string; allowed: string; ours: number; process: number; ratio: number }> = [];
for (const { name, addresses } of sets) {
  measure(addresses, ours, WARMUP_MS);
  measure(addresses, bare, WARMUP_MS);
  const oursNs: number[] = [];
  const bareNs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so neither side always runs on a warmer machine.
    if (round % 2 === 0) {
      oursNs.push(measure(addresses, ours, ROUND_MS));
      bareNs.push(measure(addresses, bare, ROUND_MS));
    } else {
      bareNs.push(measure(addresses, bare, ROUND_MS));
      oursNs.push(measure(addresses, ours, ROUND_MS));
    }
  }
  const allowedShare = addresses.filter((a) => isAddressAllowed(compiled, a)).length / addresses.length;
  rows.push({
    set: name,
    allowed: `${Math.round(allowedShare * 100)} %`,
    ours: median(oursNs),
    process: median(bareNs),
    ratio: median(oursNs) / median(bareNs),
  });
}

const perSecond = (ns: number): string => `${(1e9 / ns / 1e6).toFixed(2)} M/s`;
const table = [
  ['set', 'allowed', 'isAddressAllowed', 'ipaddr.process', 'ratio (our cost / process)'],
  ...rows.map((r) => [
    r.set,
    r.allowed,
    `${perSecond(r.ours)} (${r.ours.toFixed(0)} ns)`,
    `${perSecond(r.process)} (${r.process.toFixed(0)} ns)`,
    r.ratio.toFixed(3),
  ]),
];
const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
for (const row of table) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));

const failing = rows.filter((r) => r.ratio > 1.0);
if (failing.length > 0) {
  console.error(`\nFAIL: a whole check costs more than ipaddr.process for ${failing.map((r) => r.set).join(', ')}`);
  process.exit(1);
}
console.log('\nOK: every ratio ≤ 1.0');
