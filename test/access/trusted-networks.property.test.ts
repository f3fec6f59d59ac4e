import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { isAddressAllowed, parseTrustedNetworks } from '../../src/access/trusted-networks.ts';

// fast-check prints the seed and the shrunk counterexample when a property fails.
const RUNS = 2000;

const UINT32_MAX = 2 ** 32 - 1;
const IPV6_MAX = (1n << 128n) - 1n;
const MAPPED_START = 0xffffn << 32n;

const everything = parseTrustedNetworks('0.0.0.0/0\n::/0').networks;

// ---- independent references (ipaddr.js and BigInt arithmetic, none of the module's code) ----

const ipv4Text = (v: number): string =>
  `${Math.floor(v / 2 ** 24)}.${Math.floor(v / 2 ** 16) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
const netmaskText = (prefix: number): string =>
  ipv4Text(prefix === 0 ? 0 : Number(((1n << BigInt(prefix)) - 1n) << BigInt(32 - prefix)));
const isContiguous = (mask: number): boolean =>
  Array.from({ length: 33 }, (_, p) => p).some((p) => netmaskText(p) === ipv4Text(mask));

const partsOf = (v: bigint): number[] =>
  Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - i * 16)) & 0xffffn));
/** Several valid spellings of one IPv6 address, as clients and admins write them. */
function ipv6Spellings(v: bigint): string[] {
  const address = new ipaddr.IPv6(partsOf(v));
  const spellings = [address.toRFC5952String(), address.toNormalizedString(), address.toRFC5952String().toUpperCase()];
  const full = partsOf(v)
    .map((p) => p.toString(16).padStart(4, '0'))
    .join(':');
  spellings.push(full);
  if (v >> 32n === 0xffffn) spellings.push(`::ffff:${ipv4Text(Number(v & 0xffffffffn))}`);
  return spellings;
}
/** RFC 4291 reading; the dotted tail is rewritten as hex first because ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d`. */
function ipv6ValueOf(text: string): bigint {
  const hex = text.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_, a, b, c, d) => `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  return ipaddr.IPv6.parse(hex)
    .toByteArray()
    .reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

const inPrefix = (address: bigint, network: bigint, prefix: number, bits: number): boolean =>
  address >> BigInt(bits - prefix) === network >> BigInt(bits - prefix);

/** Strict spelling, judged by ipaddr.js plus the rules it is lenient about (zone ids, leading zeros). */
function strictlyValidAddress(s: string): boolean {
  if (/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  if (!s.includes(':') || s.includes('%') || !ipaddr.IPv6.isValid(s)) return false;
  const dot = s.indexOf('.');
  return dot < 0 || strictlyValidAddress(s.slice(s.lastIndexOf(':') + 1));
}

// ---- generators ----

const byte = fc.integer({ min: 0, max: 255 });
const uint32 = fc.integer({ min: 0, max: UINT32_MAX });
const canonicalIPv4 = fc.tuple(byte, byte, byte, byte).map((parts) => parts.join('.'));

const leadingZero = fc
  .tuple(fc.tuple(byte, byte, byte, byte), fc.integer({ min: 0, max: 3 }), fc.constantFrom('0', '00'))
  .map(([parts, index, zeros]) => parts.map((p, i) => (i === index ? `${zeros}${p}` : String(p))).join('.'));
const hexPart = fc
  .tuple(fc.tuple(byte, byte, byte, byte), fc.integer({ min: 0, max: 3 }), fc.constantFrom('0x', '0X'), fc.boolean())
  .map(([parts, index, prefix, upper]) =>
    parts
      .map((p, i) => (i === index ? `${prefix}${upper ? p.toString(16).toUpperCase() : p.toString(16)}` : String(p)))
      .join('.'),
  );
const fewerParts = fc.oneof(
  fc.tuple(byte, fc.integer({ min: 0, max: 2 ** 24 - 1 })).map(([a, rest]) => `${a}.${rest}`),
  fc.tuple(byte, byte, fc.integer({ min: 0, max: 65535 })).map(([a, b, rest]) => `${a}.${b}.${rest}`),
);
const singleInteger = uint32.chain((v) => fc.constantFrom(String(v), `0x${v.toString(16)}`, `0${v.toString(8)}`));
const inetAtonExtended = fc.ipV4Extended().filter((s) => !strictlyValidAddress(s));
const outOfRange = fc
  .tuple(fc.tuple(byte, byte, byte, byte), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 256, max: 999 }))
  .map(([parts, index, big]) => parts.map((p, i) => (i === index ? big : p)).join('.'));
const nonCanonicalIPv4 = fc.oneof(leadingZero, hexPart, fewerParts, singleInteger, inetAtonExtended, outOfRange);

interface Network<T> {
  address: T;
  prefix: number;
}
/** Half the networks crowd into 10.0.0.0/26 so that they overlap, touch and leave one-address gaps. */
const ipv4Network = fc.oneof(
  fc.record({ address: uint32, prefix: fc.integer({ min: 0, max: 32 }) }),
  fc.record({ address: fc.integer({ min: 0x0a000000, max: 0x0a00003f }), prefix: fc.integer({ min: 26, max: 32 }) }),
);
/** Networks cluster in a few places (including the IPv4-mapped range) so that addresses hit them. */
const ipv6Value = fc.oneof(
  fc.bigInt({ min: 0n, max: IPV6_MAX }),
  uint32.map((v) => MAPPED_START + BigInt(v)),
  fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }).map((v) => (0x20010db8n << 96n) | v),
  fc.bigInt({ min: 0n, max: 0xffffn }),
);
const ipv6Network = fc.record({ address: ipv6Value, prefix: fc.integer({ min: 0, max: 128 }) });

/** An entry for a network in one of the admin's spellings (host bits may be set). */
function ipv4Entry(n: Network<number>, style: number): string {
  if (style % 3 === 1) return `${ipv4Text(n.address)}/${netmaskText(n.prefix)}`;
  if (style % 3 === 2 && n.prefix === 32) return ipv4Text(n.address);
  return `${ipv4Text(n.address)}/${n.prefix}`;
}
function ipv6Entry(n: Network<bigint>, style: number): string {
  const spellings = ipv6Spellings(n.address);
  const address = spellings[style % spellings.length]!;
  return n.prefix === 128 && style % 2 === 0 ? address : `${address}/${n.prefix}`;
}

/** Addresses near the listed networks: inside, at both ends, just outside; plus anywhere. */
function ipv4Candidates(networks: Network<number>[], seeds: number[]): number[] {
  const out = [...seeds];
  for (const n of networks) {
    const size = 2 ** (32 - n.prefix);
    const start = n.address - (n.address % size);
    out.push(start, start + size - 1, start - 1, start + size, start + ((seeds[0] ?? 0) % size));
  }
  return out.filter((v) => v >= 0 && v <= UINT32_MAX);
}
function ipv6Candidates(networks: Network<bigint>[], seeds: bigint[]): bigint[] {
  const out = [...seeds];
  for (const n of networks) {
    const hostMask = (1n << BigInt(128 - n.prefix)) - 1n;
    const start = n.address & ~hostMask;
    out.push(start, start | hostMask, start - 1n, (start | hostMask) + 1n, start | ((seeds[0] ?? 0n) & hostMask));
  }
  return out.filter((v) => v >= 0n && v <= IPV6_MAX);
}

const separators = fc.constantFrom('\n', ';', ';\n', '\r\n', ' ; ', '\n\n', '\t;\t\n');
function joinWith(entries: string[], seps: string[]): string {
  return entries.map((e, i) => `${e}${seps[i % Math.max(1, seps.length)] ?? '\n'}`).join('');
}

// A loaded CI machine runs thousands of cases per property; give each property room.
describe('trusted networks: properties', { timeout: 60_000 }, () => {
  it('accepts every canonical IPv4 address exactly as written', () => {
    fc.assert(
      fc.property(canonicalIPv4, (address) => {
        const { networks, errors, notices, canonical } = parseTrustedNetworks(address);
        expect(errors).toEqual([]);
        expect(notices.filter((n) => n.code !== 'allows-everyone')).toEqual([]);
        expect(networks.map((n) => [n.kind, n.text, n.prefixLength])).toEqual([['ipv4', address, 32]]);
        expect(canonical).toBe(`${address};`);
        expect(isAddressAllowed(networks, address)).toBe(true);
        expect(isAddressAllowed(everything, address)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses every non-canonical inet_aton spelling, as an entry and as a client address', () => {
    fc.assert(
      fc.property(nonCanonicalIPv4, fc.constantFrom('', '/8', '/255.0.0.0'), (spelling, suffix) => {
        const { networks, errors } = parseTrustedNetworks(`${spelling}${suffix}`);
        expect(networks).toEqual([]);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({ line: 1, input: `${spelling}${suffix}` });
        expect(isAddressAllowed(everything, spelling)).toBe(false);
        // Without a dot, `::ffff:10` is a different, valid IPv6 address; with one it is junk.
        if (spelling.includes('.')) expect(isAddressAllowed(everything, `::ffff:${spelling}`)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives an IPv4 client and its IPv4-mapped form the same answer', () => {
    fc.assert(
      fc.property(
        fc.array(ipv4Network, { maxLength: 12 }),
        fc.array(ipv6Network, { maxLength: 6 }),
        fc.array(uint32, { minLength: 1, maxLength: 4 }),
        (v4, v6, seeds) => {
          const list = parseTrustedNetworks(
            [...v4.map((n) => ipv4Entry(n, 0)), ...v6.map((n) => ipv6Entry(n, 0))].join('\n'),
          );
          expect(list.errors).toEqual([]);
          const disagreements = ipv4Candidates(v4, seeds)
            .map(ipv4Text)
            .flatMap((address) => {
              const allowed = isAddressAllowed(list.networks, address);
              return [`::ffff:${address}`, `::FFFF:${address}`, `0:0:0:0:0:ffff:${address}`].filter(
                (mapped) => isAddressAllowed(list.networks, mapped) !== allowed,
              );
            });
          expect(disagreements).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('matches IPv4 prefixes exactly like a BigInt reference', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(ipv4Network, fc.nat(2)), { minLength: 1, maxLength: 16 }),
        fc.array(uint32, { minLength: 1, maxLength: 4 }),
        (entries, seeds) => {
          const networks = entries.map(([n]) => n);
          const { networks: parsed, errors } = parseTrustedNetworks(
            entries.map(([n, style]) => ipv4Entry(n, style)).join('\n'),
          );
          expect(errors).toEqual([]);
          const wrong = ipv4Candidates(networks, seeds).filter(
            (value) =>
              isAddressAllowed(parsed, ipv4Text(value)) !==
              networks.some((n) => inPrefix(BigInt(value), BigInt(n.address), n.prefix, 32)),
          );
          expect(wrong.map(ipv4Text)).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('matches IPv6 prefixes exactly like a BigInt reference, in every spelling', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(ipv6Network, fc.nat(4)), { minLength: 1, maxLength: 16 }),
        fc.array(ipv6Value, { minLength: 1, maxLength: 4 }),
        (entries, seeds) => {
          const networks = entries.map(([n]) => n);
          const { networks: parsed, errors } = parseTrustedNetworks(
            entries.map(([n, style]) => ipv6Entry(n, style)).join('\n'),
          );
          expect(errors).toEqual([]);
          // One address space: an IPv4-mapped client is matched as its IPv4 address, which is the
          // same 128-bit value, so the reference needs no special case.
          const wrong = ipv6Candidates(networks, seeds).flatMap((value) => {
            const expected = networks.some((n) => inPrefix(value, n.address, n.prefix, 128));
            return ipv6Spellings(value).filter((spelling) => isAddressAllowed(parsed, spelling) !== expected);
          });
          expect(wrong).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('reads the netmask of every prefix length 0–32 as that prefix length', () => {
    fc.assert(
      fc.property(uint32, fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const withMask = parseTrustedNetworks(`${ipv4Text(address)}/${netmaskText(prefix)}`);
        const withPrefix = parseTrustedNetworks(`${ipv4Text(address)}/${prefix}`);
        expect(withMask.errors).toEqual([]);
        expect(withMask.networks.map((n) => [n.text, n.prefixLength])).toEqual(
          withPrefix.networks.map((n) => [n.text, n.prefixLength]),
        );
        const written = withMask.networks[0];
        expect(written?.prefixLength).toBe(prefix);
        expect(written?.text).toBe(prefix === 32 ? written?.address : `${written?.address}/${prefix}`);
        expect(netmaskText(written?.prefixLength ?? -1)).toBe(netmaskText(prefix)); // and back to the same mask
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses every non-contiguous netmask', () => {
    const nearlyContiguous = fc
      .tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 31 }))
      .map(([prefix, bit]) =>
        Number(
          BigInt(
            ipaddr.IPv4.parse(netmaskText(prefix))
              .toByteArray()
              .reduce((a, b) => a * 256 + b, 0),
          ) ^
            (1n << BigInt(bit)),
        ),
      );
    fc.assert(
      fc.property(
        fc.oneof(uint32, nearlyContiguous).filter((mask) => !isContiguous(mask)),
        uint32,
        (mask, address) => {
          const { networks, errors } = parseTrustedNetworks(`${ipv4Text(address)}/${ipv4Text(mask)}`);
          expect(networks).toEqual([]);
          expect(errors).toHaveLength(1);
          expect(errors[0]?.message).toMatch(/not a contiguous netmask|wildcard \(inverse\) mask/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('parses its own canonical text back to the same list, with no errors and nothing changed', () => {
    const entry = fc.oneof(
      fc.tuple(ipv4Network, fc.nat(2)).map(([n, style]) => ipv4Entry(n, style)),
      fc.tuple(ipv6Network, fc.nat(4)).map(([n, style]) => ipv6Entry(n, style)),
    );
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 20 }),
        fc.array(separators, { minLength: 1, maxLength: 5 }),
        (entries, seps) => {
          const listed = entries.length > 0 ? [...entries, entries[0]!] : entries; // and one duplicate
          const first = parseTrustedNetworks(joinWith(listed, seps));
          expect(first.errors).toEqual([]);
          const second = parseTrustedNetworks(first.canonical);
          expect(second.errors).toEqual([]);
          expect(second.canonical).toBe(first.canonical);
          expect(second.networks.map((n) => n.text)).toEqual(first.networks.map((n) => n.text));
          expect(second.notices.filter((n) => n.code !== 'allows-everyone' && n.code !== 'covers-all-ipv4')).toEqual(
            [],
          );
          for (const line of first.canonical === '' ? [] : first.canonical.split('\n'))
            expect(line).toMatch(/^[0-9a-f.:/]+;$/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('reads every IPv6 address fast-check can spell as ipaddr.js does', () => {
    fc.assert(
      // ipaddr.js reads the deprecated `::a.b.c.d` as IPv4-mapped; we refuse that entry (tested by example).
      fc.property(
        fc.ipV6().filter((s) => !(s.includes('.') && ipv6ValueOf(s) >> 32n === 0n)),
        (spelling) => {
          const { networks, errors } = parseTrustedNetworks(spelling);
          expect(errors).toEqual([]);
          const reference = ipaddr.IPv6.parse(spelling);
          const expected = reference.isIPv4MappedAddress()
            ? reference.toIPv4Address().toString()
            : reference.toRFC5952String();
          expect(networks.map((n) => n.text)).toEqual([expected]);
          expect(isAddressAllowed(networks, spelling)).toBe(true);
          expect(isAddressAllowed(everything, spelling)).toBe(true);
          expect(ipv6ValueOf(spelling) >> 32n === 0xffffn).toBe(networks[0]?.kind === 'ipv4');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('allows a client address only when it is strictly written, and never throws', () => {
    const characters = fc.constantFrom(...'0123456789abcdefABCDEFx.:%/ '.split(''), '::', '::ffff:', '255', '.0');
    const junk = fc.string({ unit: characters, maxLength: 48 });
    const mutated = fc
      .tuple(
        fc.oneof(canonicalIPv4, fc.ipV6(), fc.ipV4Extended()),
        fc.nat(),
        fc.constantFrom('', '0', ':', '.', '%1', 'x'),
      )
      .map(
        ([s, at, insert]) =>
          s.slice(0, at % (s.length + 1)) + insert + s.slice((at % (s.length + 1)) + (insert === '' ? 1 : 0)),
      );
    fc.assert(
      fc.property(fc.oneof(junk, mutated), (address) => {
        expect(isAddressAllowed(everything, address), JSON.stringify(address)).toBe(strictlyValidAddress(address));
      }),
      { numRuns: 10000 },
    );
  });

  it('never throws on arbitrary text and puts every problem on a real line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const lineCount = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).length;
        const { errors, notices, networks } = parseTrustedNetworks(text);
        for (const problem of [...errors, ...notices, ...networks]) {
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.line).toBeLessThanOrEqual(lineCount);
        }
        for (const error of errors) expect(error.message.length).toBeGreaterThan(20);
      }),
      { numRuns: RUNS },
    );
  });
});
