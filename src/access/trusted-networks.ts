/**
 * Trusted networks: the admin's allow-list of client addresses (DESIGN.md, "Trusted networks").
 *
 * Pure module: parses the admin's text strictly, writes it back in one canonical form, and answers
 * "may this client address in?" quickly enough to run on every request.
 *
 * Decisions an admin (or a teammate) can notice:
 * - Canonical entries: a single host is written without a prefix (`10.10.10.1`, `2001:db8::1`, never
 *   `/32` or `/128`); a netmask is rewritten as a prefix length (`192.168.192.0/255.255.255.0` →
 *   `192.168.192.0/24`); IPv6 is written in RFC 5952 form (lower case, longest zero run as `::`).
 *   These are pure notation changes and produce no notice: the canonical text shows them.
 * - Notices (accepted, but the admin should know): `host-bits-cleared` (`10.0.0.5/8` saved as
 *   `10.0.0.0/8`), `duplicate` (a repeat, after normalization, is dropped), `ipv4-mapped`
 *   (`::ffff:10.0.0.0/104` is saved as `10.0.0.0/8`), `allows-everyone` (`0.0.0.0/0`, `::/0`) and
 *   `covers-all-ipv4` (an IPv6 network other than `::/0` that contains `::ffff:0:0/96`).
 * - One address space: an IPv4 client `a.b.c.d` and the IPv4-mapped client `::ffff:a.b.c.d` are the
 *   same client. So IPv4 entries match mapped clients, and an IPv6 entry that contains
 *   `::ffff:0:0/96` (such as `::/0`) also matches IPv4 clients — hence the notices above.
 *   Other embeddings (`64:ff9b::/96`) are ordinary IPv6 addresses. The deprecated IPv4-compatible
 *   spelling `::a.b.c.d` is refused as an entry (ipaddr.js reads it as IPv4-mapped, RFC 4291 does
 *   not); as a client address it is the plain IPv6 address `::a0b:c0d`, so IPv4 entries deny it.
 * - Client addresses with a zone id (`fe80::1%eth0`), or in any non-canonical IPv4 spelling, are
 *   denied: anything that is not plainly an address never gets in.
 * - When `errors` is not empty, `networks` still lists the entries that were valid, so the form can
 *   be re-rendered; the caller must not save.
 * - Lists are immutable: `parseTrustedNetworks` returns frozen arrays, and the compiled form is
 *   cached per array, so do not mutate an array you have passed to `isAddressAllowed`.
 */
import ipaddr from 'ipaddr.js';

export const MAX_TRUSTED_NETWORK_ENTRIES = 1000;

/** Longer than any address plus prefix; longer entries are refused before any parsing. */
const MAX_ENTRY_LENGTH = 100;
/** `0000:0000:0000:0000:0000:ffff:255.255.255.255` */
const MAX_ADDRESS_LENGTH = 45;

export type TrustedNetworkKind = 'ipv4' | 'ipv6';

export interface TrustedNetwork {
  readonly kind: TrustedNetworkKind;
  /** Canonical entry as written back: `10.10.10.1`, `192.168.192.0/24`, `2001:db8::/32`. */
  readonly text: string;
  /** Canonical network address (host bits cleared), without the prefix length. */
  readonly address: string;
  readonly prefixLength: number;
  /** 1-based line of the admin's text the entry came from. */
  readonly line: number;
  /** The entry as the admin wrote it, without the surrounding blanks. */
  readonly input: string;
}

export interface TrustedNetworkError {
  line: number;
  input: string;
  message: string;
}

export type TrustedNetworkNoticeCode =
  'host-bits-cleared' | 'duplicate' | 'ipv4-mapped' | 'allows-everyone' | 'covers-all-ipv4' | 'rewritten';

export interface TrustedNetworkNotice extends TrustedNetworkError {
  code: TrustedNetworkNoticeCode;
}

export interface ParsedTrustedNetworks {
  networks: readonly TrustedNetwork[];
  errors: TrustedNetworkError[];
  notices: TrustedNetworkNotice[];
  /** One entry per line, each ending in `;`. Only meaningful when `errors` is empty. */
  canonical: string;
}

/** Opaque matcher built by `compileTrustedNetworks`; build it once per list. */
export interface CompiledTrustedNetworks {
  readonly entries: readonly TrustedNetwork[];
  /** Sorted, merged, disjoint IPv4 ranges, inclusive. */
  readonly ipv4Starts: Float64Array;
  readonly ipv4Ends: Float64Array;
  /** Sorted, merged, disjoint IPv6 ranges, inclusive; four 32-bit words per bound. */
  readonly ipv6Starts: Uint32Array;
  readonly ipv6Ends: Uint32Array;
  /** Per entry (same index as `entries`), for `explainAddress`. */
  readonly entryRanges: readonly EntryRanges[];
}

interface EntryRanges {
  readonly ipv4?: readonly [number, number];
  readonly ipv6?: readonly [bigint, bigint];
}

// ---------------------------------------------------------------------------------------------
// Low-level parsers, shared by the admin's entries and the per-request check. No allocation.
// ---------------------------------------------------------------------------------------------

/** Strict dotted quad in `s[from, to)`: four decimal parts 0–255, no leading zeros. uint32 or -1. */
function parseIPv4(s: string, from: number, to: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let firstDigit = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      dots++;
      part = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return -1;
    if (digits === 0) firstDigit = d;
    else if (firstDigit === 0) return -1;
    part = part * 10 + d;
    if (part > 255) return -1;
    digits++;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** The eight 16-bit groups of the last address `parseIPv6` accepted. */
const groups = new Int32Array(8);

/**
 * Strict IPv6 text in `s[0, n)` into `groups`: 1–4 hex digits per group, at most one `::`, an
 * optional strict dotted quad as the last 32 bits, no zone id, nothing else.
 */
function parseIPv6(s: string, n: number): boolean {
  let count = 0;
  let gap = -1;
  let i = 0;
  if (n < 2) return false;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (n === 2) {
      groups.fill(0);
      return true;
    }
  }
  for (;;) {
    const start = i;
    let value = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      let h: number;
      if (c >= 48 && c <= 57) h = c - 48;
      else {
        const lower = c | 32;
        if (lower >= 97 && lower <= 102) h = lower - 87;
        else break;
      }
      if (i - start === 4) return false;
      value = value * 16 + h;
    }
    if (i === start) return false;
    if (i === n) {
      if (count === 8) return false;
      groups[count++] = value;
      break;
    }
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (count > 6) return false;
      const v4 = parseIPv4(s, start, n);
      if (v4 < 0) return false;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 % 65536;
      break;
    }
    if (c !== 58 || count === 8) return false;
    groups[count++] = value;
    i++;
    if (i === n) return false;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === n) break;
    }
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  const shift = 8 - count;
  for (let k = count - 1; k >= gap; k--) groups[k + shift] = groups[k]!;
  for (let k = gap; k < gap + shift; k++) groups[k] = 0;
  return true;
}

function groupsToBigInt(): bigint {
  let v = 0n;
  for (let k = 0; k < 8; k++) v = (v << 16n) | BigInt(groups[k]!);
  return v;
}

function bigIntToGroups(v: bigint): number[] {
  const out: number[] = [];
  for (let k = 7; k >= 0; k--) out.push(Number((v >> BigInt(k * 16)) & 0xffffn));
  return out;
}

function formatIPv4(v: number): string {
  return `${Math.floor(v / 16777216)}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
}

function formatIPv6(v: bigint): string {
  return new ipaddr.IPv6(bigIntToGroups(v)).toRFC5952String();
}

const IPV6_ALL = (1n << 128n) - 1n;
const MAPPED_START = 0xffffn << 32n;
const MAPPED_END = MAPPED_START + 0xffffffffn;

function ipv4Size(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

function ipv6HostMask(prefixLength: number): bigint {
  return (1n << BigInt(128 - prefixLength)) - 1n;
}

// ---------------------------------------------------------------------------------------------
// Parsing the admin's text
// ---------------------------------------------------------------------------------------------

type EntryOutcome =
  | {
      ok: true;
      kind: TrustedNetworkKind;
      address: string;
      prefixLength: number;
      notices: Array<{ code: TrustedNetworkNoticeCode; message: string }>;
    }
  | { ok: false; message: string };

const IPV4_EXAMPLE = 'like 10.0.0.1';
const ENTRY_EXAMPLE = 'write an address like 10.0.0.1 or 2001:db8::1, optionally followed by a prefix length like /24';

function quote(text: string): string {
  return `“${text.length > 60 ? `${text.slice(0, 57)}…` : text}”`;
}

function fail(message: string): EntryOutcome {
  return { ok: false, message };
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

const ADDRESS_CHARACTERS = /^[0-9a-fA-F.:/]*$/;
const HOST_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/i;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u;

/** Names the first character that cannot be part of an entry, with a hint fitted to the likely intent. */
function describeStrayCharacters(input: string): string | null {
  if (ADDRESS_CHARACTERS.test(input)) return null;
  const slash = input.indexOf('/');
  const addressPart = slash < 0 ? input : input.slice(0, slash);
  if (!addressPart.includes(':') && /(^|\.)0x/i.test(addressPart)) {
    return `${quote(addressPart)} uses hexadecimal: write four decimal numbers 0–255 separated by dots, ${IPV4_EXAMPLE}`;
  }
  if (HOST_NAME.test(input) && /[g-z]/i.test(input)) {
    return `${quote(input)} looks like a host name: only IP addresses and networks can be listed, so write the address, like 203.0.113.10`;
  }
  for (const ch of input) {
    if (/[0-9a-fA-F.:/]/.test(ch)) continue;
    const at = input.indexOf(ch);
    if (ch === ' ' || ch === '\t') {
      return `${quote(input)} contains a space: put each entry on its own line or separate entries with “;”`;
    }
    if (ch === ',') {
      return `${quote(input)} contains a comma: separate entries with a new line or “;”, not a comma`;
    }
    if (INVISIBLE.test(ch)) {
      return `${quote(input)} contains an invisible character (${codePoint(ch)}), often pasted from a document: delete the entry and type it again`;
    }
    if (ch === '%' && addressPart.includes(':')) {
      const zoneEnd = slash > at ? slash : input.length;
      const withoutZone = input.slice(0, at) + input.slice(zoneEnd);
      return `${quote(input)} has a zone id (${input.slice(at, zoneEnd)}), which cannot be used in an allow-list: remove it, like ${withoutZone}`;
    }
    if (slash >= 0 && at > slash) {
      return `${quote(input.slice(slash))} is not a prefix length: write a whole number of bits (digits only) after the “/”, like 10.0.0.0/8`;
    }
    if (ch === '[' || ch === ']') {
      return `${quote(input)} has square brackets: write the IPv6 address without them, like 2001:db8::1`;
    }
    if (ch === '-') {
      return `${quote(input)} looks like a range: ranges are not supported, so write a network with a prefix length, like 10.0.0.0/24`;
    }
    if (ch === '*') {
      return `${quote(input)} uses a wildcard: wildcards are not supported, so write a network with a prefix length, like 10.0.0.0/8 instead of 10.*`;
    }
    return `${quote(input)} contains “${ch}”, which cannot appear in an address or network: ${ENTRY_EXAMPLE}`;
  }
  return null;
}

/** Null when `text` is a strict dotted quad, else what is wrong with it and how to write it. */
function describeIPv4Problem(text: string, role: 'address' | 'netmask'): string | null {
  if (parseIPv4(text, 0, text.length) >= 0) return null;
  const what = role === 'address' ? 'an IPv4 address' : 'a netmask';
  const example = role === 'address' ? IPV4_EXAMPLE : 'like 255.255.255.0';
  const parts = text.split('.');
  if (/^\d+$/.test(text)) {
    return `${quote(text)} is a single number, not ${what}: write four numbers 0–255 separated by dots, ${example}`;
  }
  if (parts.length !== 4 || parts.some((p) => p === '')) {
    return `${quote(text)} is not a full ${role === 'address' ? 'IPv4 address' : 'netmask'}: write four numbers 0–255 separated by dots, ${example}`;
  }
  if (parts.some((p) => !/^\d+$/.test(p))) {
    return `${quote(text)} is not ${what}: each of the four parts must be a decimal number 0–255, ${example}`;
  }
  const tooLarge = parts.find((p) => Number(p) > 255);
  if (tooLarge !== undefined) {
    return `${quote(text)} has ${tooLarge.length > 12 ? 'a number' : tooLarge}, which is larger than 255: each of the four numbers must be 0–255, ${example}`;
  }
  const padded = parts.find((p) => p.length > 1 && p.startsWith('0')) ?? '';
  const fixed = parts.map((p) => String(Number(p))).join('.');
  return `${quote(text)} has a number with a leading zero (${padded}), which some systems read as octal: write each number without leading zeros, like ${fixed}`;
}

function describeIPv6Problem(text: string): string {
  const shape =
    'write up to eight groups of 1–4 hex digits separated by colons, with at most one “::”, like 2001:db8::1';
  if (text.includes(':::')) return `${quote(text)} has three colons in a row: ${shape}`;
  if (text.indexOf('::') !== text.lastIndexOf('::')) {
    return `${quote(text)} uses “::” more than once, so it is ambiguous: ${shape}`;
  }
  const dot = text.indexOf('.');
  if (dot >= 0) {
    const tailStart = text.lastIndexOf(':', dot) + 1;
    const tail = text.slice(tailStart);
    const problem = describeIPv4Problem(tail, 'address');
    if (problem) return `${quote(text)} ends in an IPv4 part that is not valid (${problem})`;
  }
  const hexGroups = (dot >= 0 ? text.slice(0, text.lastIndexOf(':', dot)) : text).split(':').filter((g) => g !== '');
  const long = hexGroups.find((g) => g.length > 4);
  if (long !== undefined) return `${quote(text)} has a group longer than 4 hex digits (${quote(long)}): ${shape}`;
  return `${quote(text)} is not a valid IPv6 address: ${shape}`;
}

/** Null (with the prefix length) when `prefixText` is a valid length up to `max`, else a message. */
function parsePrefixLength(input: string, prefixText: string, max: number): number | string {
  const example = max === 32 ? '10.0.0.0/8' : '2001:db8::/32';
  if (prefixText === '') {
    return `${quote(input)} ends with “/” but no prefix length: write the number of network bits 0–${max} after it, like ${example}, or remove the “/”`;
  }
  if (!/^\d+$/.test(prefixText)) {
    return `${quote(`/${prefixText}`)} is not a prefix length: write a whole number 0–${max} (digits only) after the “/”, like ${example}`;
  }
  if (prefixText.length > 1 && prefixText.startsWith('0')) {
    return `${quote(`/${prefixText}`)} has a leading zero: write /${prefixText.replace(/^0+(?=\d)/, '')} instead`;
  }
  const length = Number(prefixText);
  if (length > max) {
    return `${quote(`/${prefixText}`)} is too long for an ${max === 32 ? 'IPv4' : 'IPv6'} network: the prefix length is 0–${max}, like ${example}`;
  }
  return length;
}

function leadingOnes(mask: number): number {
  let n = 0;
  while (n < 32 && mask >= 2 ** 31) {
    mask = (mask * 2) % 2 ** 32;
    n++;
  }
  return n;
}

function ipv4Mask(prefixLength: number): number {
  return 2 ** 32 - ipv4Size(prefixLength);
}

function parseNetmask(input: string, maskText: string): number | string {
  const problem = describeIPv4Problem(maskText, 'netmask');
  if (problem) return `${quote(`/${maskText}`)} is neither a prefix length nor a valid netmask (${problem})`;
  const mask = parseIPv4(maskText, 0, maskText.length);
  const ones = leadingOnes(mask);
  if (ipv4Mask(ones) === mask) return ones;
  const inverted = 2 ** 32 - 1 - mask;
  const invertedOnes = leadingOnes(inverted);
  if (ipv4Mask(invertedOnes) === inverted) {
    return `${quote(maskText)} looks like a wildcard (inverse) mask: write the netmask ${formatIPv4(inverted)} or the prefix length /${invertedOnes}, like ${input.slice(0, input.indexOf('/'))}/${invertedOnes}`;
  }
  return `${quote(maskText)} is not a contiguous netmask: its one-bits must all come first, like 255.255.255.0 (/24) or 255.255.0.0 (/16); write a prefix length instead, like ${input.slice(0, input.indexOf('/'))}/24`;
}

function ipv4Outcome(input: string, address: number, prefixLength: number, writtenAddress: string): EntryOutcome {
  const size = ipv4Size(prefixLength);
  const network = address - (address % size);
  const notices: Array<{ code: TrustedNetworkNoticeCode; message: string }> = [];
  const canonicalAddress = formatIPv4(network);
  const text = prefixLength === 32 ? canonicalAddress : `${canonicalAddress}/${prefixLength}`;
  if (network !== address) {
    notices.push({
      code: 'host-bits-cleared',
      message: `${quote(input)} has host bits set: saved as ${text}, the whole network ${canonicalAddress}–${formatIPv4(network + size - 1)}. If you meant only the one address, write ${writtenAddress}`,
    });
  }
  if (prefixLength === 0) {
    notices.push({
      code: 'allows-everyone',
      message: `${quote(input)} allows everyone connecting over IPv4: use it only if you mean to let every IPv4 address in; otherwise list your own networks`,
    });
  }
  return { ok: true, kind: 'ipv4', address: canonicalAddress, prefixLength, notices };
}

function parseIPv4Entry(input: string, addressText: string, prefixText: string | null): EntryOutcome {
  const problem = describeIPv4Problem(addressText, 'address');
  if (problem) return fail(problem);
  const address = parseIPv4(addressText, 0, addressText.length);
  let prefixLength: number | string = 32;
  if (prefixText !== null) {
    prefixLength = prefixText.includes('.')
      ? parseNetmask(input, prefixText)
      : parsePrefixLength(input, prefixText, 32);
  }
  if (typeof prefixLength === 'string') return fail(prefixLength);
  return ipv4Outcome(input, address, prefixLength, addressText);
}

function parseIPv6Entry(input: string, addressText: string, prefixText: string | null): EntryOutcome {
  if (!parseIPv6(addressText, addressText.length)) return fail(describeIPv6Problem(addressText));
  const address = groupsToBigInt();
  if (addressText.includes('.') && address >> 32n === 0n) {
    // ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d`; RFC 4291 reads it as an IPv6 address.
    const v4 = formatIPv4(Number(address));
    return fail(
      `${quote(addressText)} is a deprecated IPv4-compatible IPv6 address, which tools read differently: write the IPv4 address itself, like ${v4}`,
    );
  }
  let prefixLength: number | string = 128;
  if (prefixText !== null) {
    prefixLength = /[.:]/.test(prefixText)
      ? `${quote(input)} gives an IPv6 network a netmask: IPv6 networks take a prefix length 0–128, like 2001:db8::/32`
      : parsePrefixLength(input, prefixText, 128);
  }
  if (typeof prefixLength === 'string') return fail(prefixLength);

  if (prefixLength >= 96 && address >= MAPPED_START && address <= MAPPED_END) {
    const v4 = ipv4Outcome(
      input,
      Number(address - MAPPED_START),
      prefixLength - 96,
      formatIPv4(Number(address - MAPPED_START)),
    );
    if (v4.ok) {
      const text = v4.prefixLength === 32 ? v4.address : `${v4.address}/${v4.prefixLength}`;
      v4.notices.unshift({
        code: 'ipv4-mapped',
        message: `${quote(input)} is an IPv4-mapped IPv6 address: saved as ${text}, which matches the same clients`,
      });
    }
    return v4;
  }

  const hostMask = ipv6HostMask(prefixLength);
  const network = address & (IPV6_ALL ^ hostMask);
  const canonicalAddress = formatIPv6(network);
  const text = prefixLength === 128 ? canonicalAddress : `${canonicalAddress}/${prefixLength}`;
  const notices: Array<{ code: TrustedNetworkNoticeCode; message: string }> = [];
  if (network !== address) {
    notices.push({
      code: 'host-bits-cleared',
      message: `${quote(input)} has host bits set: saved as ${text}, the whole network. If you meant only the one address, write ${formatIPv6(address)}`,
    });
  }
  if (prefixLength === 0) {
    notices.push({
      code: 'allows-everyone',
      message: `${quote(input)} allows everyone, every IPv6 and every IPv4 address: use it only if you mean to let anybody in; otherwise list your own networks`,
    });
  } else if (network <= MAPPED_START && MAPPED_END <= (network | hostMask)) {
    notices.push({
      code: 'covers-all-ipv4',
      message: `${quote(input)} contains ::ffff:0:0/96, so it also allows every IPv4 address: if you meant only IPv6 clients, use a longer prefix`,
    });
  }
  return { ok: true, kind: 'ipv6', address: canonicalAddress, prefixLength, notices };
}

function parseEntry(input: string): EntryOutcome {
  if (input.length > MAX_ENTRY_LENGTH) {
    return fail(`${quote(input)} is too long to be an address or network: ${ENTRY_EXAMPLE}, one per line`);
  }
  const stray = describeStrayCharacters(input);
  if (stray) return fail(stray);
  const slash = input.indexOf('/');
  const addressText = slash < 0 ? input : input.slice(0, slash);
  const prefixText = slash < 0 ? null : input.slice(slash + 1);
  if (prefixText?.includes('/')) {
    return fail(
      `${quote(input)} has more than one “/”: write an address, then one “/” and a prefix length, like 10.0.0.0/8`,
    );
  }
  if (addressText === '') {
    return fail(`${quote(input)} has no address before the “/”: write the network address first, like 10.0.0.0/8`);
  }
  return addressText.includes(':')
    ? parseIPv6Entry(input, addressText, prefixText)
    : parseIPv4Entry(input, addressText, prefixText);
}

function trimBlanks(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * Parses the admin's list. Entries are separated by new lines (LF, CRLF or CR) and/or `;`;
 * blank entries and spaces or tabs around entries are ignored.
 */
export function parseTrustedNetworks(text: string): ParsedTrustedNetworks {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const networks: TrustedNetwork[] = [];
  const errors: TrustedNetworkError[] = [];
  const notices: TrustedNetworkNotice[] = [];
  const firstLineOf = new Map<string, number>();
  let entryCount = 0;
  let overflow: { line: number; input: string } | null = null;

  for (const [index, lineText] of lines.entries()) {
    const line = index + 1;
    for (const piece of lineText.split(';')) {
      const input = trimBlanks(piece);
      if (input === '') continue;
      entryCount++;
      if (entryCount > MAX_TRUSTED_NETWORK_ENTRIES) {
        overflow ??= { line, input };
        continue;
      }
      const outcome = parseEntry(input);
      if (!outcome.ok) {
        errors.push({ line, input, message: outcome.message });
        continue;
      }
      for (const notice of outcome.notices) notices.push({ line, input, ...notice });
      const canonical =
        (outcome.kind === 'ipv4' && outcome.prefixLength === 32) ||
        (outcome.kind === 'ipv6' && outcome.prefixLength === 128)
          ? outcome.address
          : `${outcome.address}/${outcome.prefixLength}`;
      // Whenever the saved text will differ from the typed one, say so (unless a notice already does).
      const saysSavedAs = outcome.notices.some((n) => n.code === 'host-bits-cleared' || n.code === 'ipv4-mapped');
      if (canonical !== input && !saysSavedAs && !firstLineOf.has(canonical)) {
        notices.push({
          line,
          input,
          code: 'rewritten',
          message: `${quote(input)} will be saved as ${canonical}, which means the same`,
        });
      }
      const firstLine = firstLineOf.get(canonical);
      if (firstLine !== undefined) {
        notices.push({
          line,
          input,
          code: 'duplicate',
          message: `${quote(input)} repeats ${canonical} from line ${firstLine}: the repeat was dropped`,
        });
        continue;
      }
      firstLineOf.set(canonical, line);
      networks.push(
        Object.freeze({
          kind: outcome.kind,
          text: canonical,
          address: outcome.address,
          prefixLength: outcome.prefixLength,
          line,
          input,
        }),
      );
    }
  }

  if (overflow !== null) {
    const { line, input } = overflow;
    errors.push({
      line,
      input,
      message: `The list has ${entryCount.toLocaleString('en')} entries, more than the ${MAX_TRUSTED_NETWORK_ENTRIES.toLocaleString('en')} allowed (the first one over is on line ${line}): merge neighbouring networks into wider prefixes, like 10.1.0.0/16 instead of many /24s`,
    });
  }

  return {
    networks: Object.freeze(networks),
    errors,
    notices,
    canonical: networks.map((n) => `${n.text};`).join('\n'),
  };
}

/**
 * A problem of one line as people read it, quoting the entry once: the message alone when it
 * starts with the entry, else the entry and then the message (which may quote a part of it).
 */
export function describeTrustedNetworkProblem(problem: TrustedNetworkError): string {
  const entry = quote(problem.input);
  if (problem.message.startsWith(entry) || !problem.message.startsWith('“')) return problem.message;
  return `${entry}: ${problem.message}`;
}

// ---------------------------------------------------------------------------------------------
// Compiling and matching
// ---------------------------------------------------------------------------------------------

function mergeRanges<T extends number | bigint>(ranges: Array<[T, T]>, successor: (end: T) => T): Array<[T, T]> {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Array<[T, T]> = [];
  for (const [start, end] of ranges) {
    const last = merged[merged.length - 1];
    if (last && start <= successor(last[1])) {
      if (end > last[1]) last[1] = end;
    } else merged.push([start, end]);
  }
  return merged;
}

/** Sorts and merges the list into disjoint ranges once; pass the result to `isAddressAllowed`. */
export function compileTrustedNetworks(networks: readonly TrustedNetwork[]): CompiledTrustedNetworks {
  const v4: Array<[number, number]> = [];
  const v6: Array<[bigint, bigint]> = [];
  const entryRanges: EntryRanges[] = [];
  for (const network of networks) {
    const { kind, address, prefixLength } = network;
    const max = kind === 'ipv4' ? 32 : 128;
    if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max) {
      throw new TypeError(`Not a trusted network entry: ${JSON.stringify(network.text)}`);
    }
    if (kind === 'ipv4') {
      const value = parseIPv4(address, 0, address.length);
      if (value < 0) throw new TypeError(`Not a trusted network entry: ${JSON.stringify(network.text)}`);
      const size = ipv4Size(prefixLength);
      const start = value - (value % size);
      const range: [number, number] = [start, start + size - 1];
      v4.push([range[0], range[1]]);
      entryRanges.push({ ipv4: range });
    } else {
      if (!parseIPv6(address, address.length)) {
        throw new TypeError(`Not a trusted network entry: ${JSON.stringify(network.text)}`);
      }
      const hostMask = ipv6HostMask(prefixLength);
      const start = groupsToBigInt() & (IPV6_ALL ^ hostMask);
      const end = start | hostMask;
      v6.push([start, end]);
      const lo = start > MAPPED_START ? start : MAPPED_START;
      const hi = end < MAPPED_END ? end : MAPPED_END;
      if (lo <= hi) {
        const mapped: [number, number] = [Number(lo - MAPPED_START), Number(hi - MAPPED_START)];
        v4.push([mapped[0], mapped[1]]);
        entryRanges.push({ ipv4: mapped, ipv6: [start, end] });
      } else entryRanges.push({ ipv6: [start, end] });
    }
  }

  const mergedV4 = mergeRanges(v4, (end) => end + 1);
  const mergedV6 = mergeRanges(v6, (end) => end + 1n);
  const ipv6Starts = new Uint32Array(mergedV6.length * 4);
  const ipv6Ends = new Uint32Array(mergedV6.length * 4);
  mergedV6.forEach(([start, end], i) => {
    for (let w = 0; w < 4; w++) {
      const shift = BigInt(96 - w * 32);
      ipv6Starts[i * 4 + w] = Number((start >> shift) & 0xffffffffn);
      ipv6Ends[i * 4 + w] = Number((end >> shift) & 0xffffffffn);
    }
  });
  return Object.freeze({
    entries: networks,
    ipv4Starts: Float64Array.from(mergedV4, (r) => r[0]),
    ipv4Ends: Float64Array.from(mergedV4, (r) => r[1]),
    ipv6Starts,
    ipv6Ends,
    entryRanges,
  });
}

const compiledCache = new WeakMap<readonly TrustedNetwork[], CompiledTrustedNetworks>();

function compiled(list: readonly TrustedNetwork[] | CompiledTrustedNetworks): CompiledTrustedNetworks {
  if (!Array.isArray(list)) return list as CompiledTrustedNetworks;
  const networks = list as readonly TrustedNetwork[];
  let result = compiledCache.get(networks);
  if (result === undefined) {
    result = compileTrustedNetworks(networks);
    compiledCache.set(networks, result);
  }
  return result;
}

function matchesIPv4(c: CompiledTrustedNetworks, x: number): boolean {
  const starts = c.ipv4Starts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= x) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && x <= c.ipv4Ends[hi]!;
}

function matchesIPv6(c: CompiledTrustedNetworks, w0: number, w1: number, w2: number, w3: number): boolean {
  const starts = c.ipv6Starts;
  let lo = 0;
  let hi = (starts.length >>> 2) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const b = mid << 2;
    const s0 = starts[b]!;
    let startIsLower: boolean;
    if (s0 !== w0) startIsLower = s0 < w0;
    else {
      const s1 = starts[b + 1]!;
      if (s1 !== w1) startIsLower = s1 < w1;
      else {
        const s2 = starts[b + 2]!;
        startIsLower = s2 !== w2 ? s2 < w2 : starts[b + 3]! <= w3;
      }
    }
    if (startIsLower) lo = mid + 1;
    else hi = mid - 1;
  }
  if (hi < 0) return false;
  const ends = c.ipv6Ends;
  const b = hi << 2;
  const e0 = ends[b]!;
  if (e0 !== w0) return w0 < e0;
  const e1 = ends[b + 1]!;
  if (e1 !== w1) return w1 < e1;
  const e2 = ends[b + 2]!;
  return e2 !== w2 ? w2 < e2 : w3 <= ends[b + 3]!;
}

/** `::ffff:` in any letter case at the start of `s`. */
function hasMappedPrefix(s: string): boolean {
  return (
    s.charCodeAt(1) === 58 &&
    (s.charCodeAt(2) | 32) === 102 &&
    (s.charCodeAt(3) | 32) === 102 &&
    (s.charCodeAt(4) | 32) === 102 &&
    (s.charCodeAt(5) | 32) === 102 &&
    s.charCodeAt(6) === 58
  );
}

/**
 * Whether the client address (as Express reports it) is inside the list. IPv4-mapped IPv6
 * addresses are unwrapped; anything that is not a strictly written address, and any address
 * when the list is empty, is denied.
 */
export function isAddressAllowed(
  networks: readonly TrustedNetwork[] | CompiledTrustedNetworks,
  address: string | undefined,
): boolean {
  if (typeof address !== 'string') return false;
  const n = address.length;
  if (n < 2 || n > MAX_ADDRESS_LENGTH) return false;
  const c = compiled(networks);
  if (address.charCodeAt(0) !== 58) {
    const v4 = parseIPv4(address, 0, n);
    if (v4 >= 0) return matchesIPv4(c, v4);
  } else if (n > 7 && hasMappedPrefix(address)) {
    const v4 = parseIPv4(address, 7, n);
    if (v4 >= 0) return matchesIPv4(c, v4);
  }
  if (!parseIPv6(address, n)) return false;
  const w0 = groups[0]! * 65536 + groups[1]!;
  const w1 = groups[2]! * 65536 + groups[3]!;
  const w2 = groups[4]! * 65536 + groups[5]!;
  const w3 = groups[6]! * 65536 + groups[7]!;
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return matchesIPv4(c, w3);
  return matchesIPv6(c, w0, w1, w2, w3);
}

/**
 * The first entry, in list order, that lets the address in — for the admin's "Test an address"
 * box — or null when none does (or the address is not a strictly written address).
 */
export function explainAddress(
  networks: readonly TrustedNetwork[] | CompiledTrustedNetworks,
  address: string | undefined,
): TrustedNetwork | null {
  if (typeof address !== 'string' || address.length > MAX_ADDRESS_LENGTH) return null;
  const c = compiled(networks);
  let v4 = parseIPv4(address, 0, address.length);
  let v6: bigint | null = null;
  if (v4 < 0) {
    if (!parseIPv6(address, address.length)) return null;
    const value = groupsToBigInt();
    if (value >= MAPPED_START && value <= MAPPED_END) v4 = Number(value - MAPPED_START);
    else v6 = value;
  }
  for (let i = 0; i < c.entries.length; i++) {
    const ranges = c.entryRanges[i];
    if (
      v6 === null
        ? ranges?.ipv4 && ranges.ipv4[0] <= v4 && v4 <= ranges.ipv4[1]
        : ranges?.ipv6 && ranges.ipv6[0] <= v6 && v6 <= ranges.ipv6[1]
    ) {
      return c.entries[i] ?? null;
    }
  }
  return null;
}
