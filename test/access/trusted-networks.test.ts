import { describe, it, expect } from 'vitest';
import {
  describeTrustedNetworkProblem,
  compileTrustedNetworks,
  explainAddress,
  isAddressAllowed,
  MAX_TRUSTED_NETWORK_ENTRIES,
  parseTrustedNetworks,
  type TrustedNetworkError,
} from '../../src/access/trusted-networks.ts';

function onlyError(text: string): TrustedNetworkError {
  const { errors, networks } = parseTrustedNetworks(text);
  expect(errors).toHaveLength(1);
  expect(networks).toEqual([]);
  return errors[0]!;
}

function canonicalOf(text: string): string {
  const result = parseTrustedNetworks(text);
  expect(result.errors).toEqual([]);
  return result.canonical;
}

function allows(list: string, address: string | undefined): boolean {
  const { networks, errors } = parseTrustedNetworks(list);
  expect(errors).toEqual([]);
  return isAddressAllowed(networks, address);
}

describe('notices on rewritten entries', () => {
  it('says when a netmask entry will be saved as a prefix, or a full-length prefix as an address', () => {
    const parsed = parseTrustedNetworks('192.168.192.0/255.255.255.0\n10.0.0.1/32\n2001:DB8::/32\n10.0.0.0/8');
    expect(parsed.notices).toEqual([
      {
        line: 1,
        input: '192.168.192.0/255.255.255.0',
        code: 'rewritten',
        message: '“192.168.192.0/255.255.255.0” will be saved as 192.168.192.0/24, which means the same',
      },
      {
        line: 2,
        input: '10.0.0.1/32',
        code: 'rewritten',
        message: '“10.0.0.1/32” will be saved as 10.0.0.1, which means the same',
      },
      {
        line: 3,
        input: '2001:DB8::/32',
        code: 'rewritten',
        message: '“2001:DB8::/32” will be saved as 2001:db8::/32, which means the same',
      },
    ]);
  });

  it('gives one notice, not two, for a rewritten entry that also repeats or has host bits', () => {
    const parsed = parseTrustedNetworks('10.0.0.0/8\n10.0.0.0/255.0.0.0\n192.168.0.5/16');
    expect(parsed.notices.map((n) => [n.line, n.code])).toEqual([
      [2, 'duplicate'],
      [3, 'host-bits-cleared'],
    ]);
  });
});

describe('describeTrustedNetworkProblem', () => {
  it('quotes the entry once, in one style', () => {
    const [wholeEntry] = parseTrustedNetworks('10.0.0.300').errors;
    expect(describeTrustedNetworkProblem(wholeEntry!)).toBe(
      '“10.0.0.300” has 300, which is larger than 255: each of the four numbers must be 0–255, like 10.0.0.1',
    );
    const [part] = parseTrustedNetworks('10.0.0.0/33').errors;
    expect(describeTrustedNetworkProblem(part!)).toBe(
      '“10.0.0.0/33”: “/33” is too long for an IPv4 network: the prefix length is 0–32, like 10.0.0.0/8',
    );
    for (const error of parseTrustedNetworks('10.0.0.300\n10.1\nvpn.example.com\n10.0.0.0/08').errors)
      expect(describeTrustedNetworkProblem(error)).not.toContain('"');
  });
});

describe('parseTrustedNetworks: accepted forms', () => {
  it('keeps a single IPv4 address as a host entry without /32', () => {
    const { networks, canonical, notices } = parseTrustedNetworks('10.10.10.1');
    expect(networks).toEqual([
      { kind: 'ipv4', text: '10.10.10.1', address: '10.10.10.1', prefixLength: 32, line: 1, input: '10.10.10.1' },
    ]);
    expect(canonical).toBe('10.10.10.1;');
    expect(notices).toEqual([]);
  });

  it('writes an explicit /32 and /128 back as a host entry', () => {
    expect(canonicalOf('10.10.10.1/32\n2001:db8::1/128')).toBe('10.10.10.1;\n2001:db8::1;');
  });

  it('accepts an IPv4 prefix', () => {
    const { networks } = parseTrustedNetworks('192.168.192.0/24');
    expect(networks[0]).toMatchObject({ kind: 'ipv4', text: '192.168.192.0/24', prefixLength: 24 });
  });

  it('rewrites address and netmask as a prefix length, and says so', () => {
    const { networks, canonical, notices } = parseTrustedNetworks('192.168.192.0/255.255.255.0');
    expect(networks[0]).toMatchObject({
      text: '192.168.192.0/24',
      prefixLength: 24,
      input: '192.168.192.0/255.255.255.0',
    });
    expect(canonical).toBe('192.168.192.0/24;');
    expect(notices.map((n) => n.code)).toEqual(['rewritten']);
  });

  it('accepts the netmasks for /0 and /32', () => {
    expect(canonicalOf('10.1.2.3/255.255.255.255')).toBe('10.1.2.3;');
    expect(canonicalOf('0.0.0.0/0.0.0.0')).toBe('0.0.0.0/0;');
  });

  it('accepts IPv6 addresses and prefixes and writes them in RFC 5952 form', () => {
    const { networks, canonical } = parseTrustedNetworks(
      '2001:DB8::/32\n::1\n2001:0db8:0000:0000:0000:0000:0000:0001\nfe80::/10',
    );
    expect(networks.map((n) => [n.kind, n.text, n.prefixLength])).toEqual([
      ['ipv6', '2001:db8::/32', 32],
      ['ipv6', '::1', 128],
      ['ipv6', '2001:db8::1', 128],
      ['ipv6', 'fe80::/10', 10],
    ]);
    expect(canonical).toBe('2001:db8::/32;\n::1;\n2001:db8::1;\nfe80::/10;');
  });

  it('accepts an IPv6 address with a dotted IPv4 tail that is not IPv4-mapped', () => {
    expect(canonicalOf('64:ff9b::192.0.2.1')).toBe('64:ff9b::c000:201;');
  });

  it('writes the canonical list one entry per line, each ending in a semicolon', () => {
    expect(canonicalOf('10.10.10.1; 192.168.192.0/24')).toBe('10.10.10.1;\n192.168.192.0/24;');
  });

  it('returns nothing and no errors for empty or blank text', () => {
    expect(parseTrustedNetworks('')).toEqual({ networks: [], errors: [], notices: [], canonical: '' });
    expect(parseTrustedNetworks(' \n\t\n ; ;\r\n')).toEqual({ networks: [], errors: [], notices: [], canonical: '' });
  });
});

describe('parseTrustedNetworks: separators and line numbers', () => {
  it('splits on new lines and semicolons, ignores blanks and tabs, and makes the final semicolon optional', () => {
    const text = '\t10.0.0.1 ;  10.0.0.2;\n\n   \n10.0.0.3\n10.0.0.4;';
    const { networks } = parseTrustedNetworks(text);
    expect(networks.map((n) => [n.text, n.line])).toEqual([
      ['10.0.0.1', 1],
      ['10.0.0.2', 1],
      ['10.0.0.3', 4],
      ['10.0.0.4', 5],
    ]);
  });

  it('accepts CRLF and counts lines in the original text', () => {
    const { networks, errors } = parseTrustedNetworks('10.0.0.1\r\n\r\n10.1\r\n2001:db8::/32\r\n');
    expect(networks.map((n) => [n.text, n.line])).toEqual([
      ['10.0.0.1', 1],
      ['2001:db8::/32', 4],
    ]);
    expect(errors).toEqual([{ line: 3, input: '10.1', message: expect.stringContaining('not a full IPv4 address') }]);
  });

  it('ignores a byte-order mark at the start of pasted text', () => {
    expect(canonicalOf('\uFEFF10.0.0.1')).toBe('10.0.0.1;');
  });

  it('reports every bad entry with its own line, and keeps the good ones', () => {
    const { networks, errors } = parseTrustedNetworks('10.0.0.0/8\n10.1; 300.1.1.1\n\n2001:db8::/129');
    expect(networks.map((n) => n.text)).toEqual(['10.0.0.0/8']);
    expect(errors.map((e) => [e.line, e.input])).toEqual([
      [2, '10.1'],
      [2, '300.1.1.1'],
      [4, '2001:db8::/129'],
    ]);
  });
});

describe('parseTrustedNetworks: notices', () => {
  it('clears host bits, saves the network and says what it covers', () => {
    const { networks, notices, errors } = parseTrustedNetworks('\n10.0.0.5/8');
    expect(errors).toEqual([]);
    expect(networks[0]).toMatchObject({ text: '10.0.0.0/8', line: 2, input: '10.0.0.5/8' });
    expect(notices).toEqual([
      {
        line: 2,
        input: '10.0.0.5/8',
        code: 'host-bits-cleared',
        message:
          '“10.0.0.5/8” has host bits set: saved as 10.0.0.0/8, the whole network 10.0.0.0–10.255.255.255. If you meant only the one address, write 10.0.0.5',
      },
    ]);
  });

  it('clears IPv6 host bits too', () => {
    const { networks, notices } = parseTrustedNetworks('2001:db8::1/32');
    expect(networks[0]?.text).toBe('2001:db8::/32');
    expect(notices).toEqual([
      expect.objectContaining({
        code: 'host-bits-cleared',
        line: 1,
        message: expect.stringContaining('write 2001:db8::1'),
      }),
    ]);
  });

  it('clears host bits given with a netmask', () => {
    const { networks, notices } = parseTrustedNetworks('192.168.192.77/255.255.255.0');
    expect(networks[0]?.text).toBe('192.168.192.0/24');
    expect(notices.map((n) => n.code)).toEqual(['host-bits-cleared']);
  });

  it('drops a duplicate, also one that only matches after normalization, and names the first line', () => {
    const { networks, notices, canonical } = parseTrustedNetworks(
      '10.0.0.0/8\n192.168.0.1\n10.0.0.0/255.0.0.0\n192.168.0.1/32',
    );
    expect(networks.map((n) => n.text)).toEqual(['10.0.0.0/8', '192.168.0.1']);
    expect(canonical).toBe('10.0.0.0/8;\n192.168.0.1;');
    expect(notices).toEqual([
      {
        line: 3,
        input: '10.0.0.0/255.0.0.0',
        code: 'duplicate',
        message: '“10.0.0.0/255.0.0.0” repeats 10.0.0.0/8 from line 1: the repeat was dropped',
      },
      {
        line: 4,
        input: '192.168.0.1/32',
        code: 'duplicate',
        message: '“192.168.0.1/32” repeats 192.168.0.1 from line 2: the repeat was dropped',
      },
    ]);
  });

  it('warns that 0.0.0.0/0 allows everyone on IPv4', () => {
    const { networks, notices } = parseTrustedNetworks('0.0.0.0/0');
    expect(networks.map((n) => n.text)).toEqual(['0.0.0.0/0']);
    expect(notices).toEqual([
      expect.objectContaining({
        code: 'allows-everyone',
        line: 1,
        message: expect.stringContaining('allows everyone'),
      }),
    ]);
  });

  it('warns that ::/0 allows everyone', () => {
    const { networks, notices } = parseTrustedNetworks('::/0');
    expect(networks.map((n) => n.text)).toEqual(['::/0']);
    expect(notices).toEqual([
      expect.objectContaining({
        code: 'allows-everyone',
        message: expect.stringContaining('every IPv6 and every IPv4 address'),
      }),
    ]);
  });

  it('warns when an IPv6 network other than ::/0 also covers every IPv4 client', () => {
    const { notices } = parseTrustedNetworks('::/64');
    expect(notices).toEqual([expect.objectContaining({ code: 'covers-all-ipv4' })]);
    expect(parseTrustedNetworks('::/97\n2001:db8::/32').notices).toEqual([]);
  });

  it('saves an IPv4-mapped IPv6 entry in its IPv4 form', () => {
    const { networks, notices } = parseTrustedNetworks('::ffff:10.0.0.0/104\n::FFFF:192.168.1.1\n::ffff:c0a8:200/120');
    expect(networks.map((n) => [n.kind, n.text])).toEqual([
      ['ipv4', '10.0.0.0/8'],
      ['ipv4', '192.168.1.1'],
      ['ipv4', '192.168.2.0/24'],
    ]);
    expect(notices.map((n) => [n.line, n.code])).toEqual([
      [1, 'ipv4-mapped'],
      [2, 'ipv4-mapped'],
      [3, 'ipv4-mapped'],
    ]);
    expect(notices[0]?.message).toBe(
      '“::ffff:10.0.0.0/104” is an IPv4-mapped IPv6 address: saved as 10.0.0.0/8, which matches the same clients',
    );
  });

  it('treats ::ffff:0:0/96 as all of IPv4 and warns about it', () => {
    const { networks, notices } = parseTrustedNetworks('::ffff:0:0/96');
    expect(networks.map((n) => n.text)).toEqual(['0.0.0.0/0']);
    expect(notices.map((n) => n.code)).toEqual(['ipv4-mapped', 'allows-everyone']);
  });
});

describe('parseTrustedNetworks: rejected IPv4 spellings', () => {
  it('refuses an address with fewer than four parts and explains the right form', () => {
    expect(onlyError('10.1')).toEqual({
      line: 1,
      input: '10.1',
      message: '“10.1” is not a full IPv4 address: write four numbers 0–255 separated by dots, like 10.0.0.1',
    });
  });

  it('refuses five parts and empty parts', () => {
    expect(onlyError('10.0.0.0.1').message).toContain('not a full IPv4 address');
    expect(onlyError('10..0.1').message).toContain('not a full IPv4 address');
    expect(onlyError('10.0.0.').message).toContain('not a full IPv4 address');
  });

  it('refuses hexadecimal parts', () => {
    expect(onlyError('0x0a.0.0.1').message).toBe(
      '“0x0a.0.0.1” uses hexadecimal: write four decimal numbers 0–255 separated by dots, like 10.0.0.1',
    );
    expect(onlyError('10.0.0.0xff').message).toContain('hexadecimal');
  });

  it('refuses a leading zero, which some systems read as octal, and offers the decimal reading', () => {
    expect(onlyError('010.0.0.1').message).toBe(
      '“010.0.0.1” has a number with a leading zero (010), which some systems read as octal: write each number without leading zeros, like 10.0.0.1',
    );
    expect(onlyError('10.0.0.00').message).toContain('leading zero (00)');
  });

  it('refuses a single integer', () => {
    expect(onlyError('167772161').message).toBe(
      '“167772161” is a single number, not an IPv4 address: write four numbers 0–255 separated by dots, like 10.0.0.1',
    );
  });

  it('refuses a number above 255', () => {
    expect(onlyError('256.1.1.1').message).toBe(
      '“256.1.1.1” has 256, which is larger than 255: each of the four numbers must be 0–255, like 10.0.0.1',
    );
    expect(onlyError('1.1.1.99999999999999999999').message).toContain('larger than 255');
  });

  it('refuses letters in an IPv4 address', () => {
    expect(onlyError('10.0.0.a').message).toContain('each of the four parts must be a decimal number 0–255');
  });
});

describe('parseTrustedNetworks: rejected prefixes and netmasks', () => {
  it('refuses a signed prefix length', () => {
    const error = onlyError('10.0.0.0/+8');
    expect(error.message).toBe(
      '“/+8” is not a prefix length: write a whole number of bits (digits only) after the “/”, like 10.0.0.0/8',
    );
  });

  it('refuses a space after the slash', () => {
    expect(onlyError('10.0.0.0/ 8').message).toContain('contains a space');
  });

  it('refuses a prefix length with a leading zero', () => {
    expect(onlyError('10.0.0.0/08').message).toBe('“/08” has a leading zero: write /8 instead');
    expect(onlyError('2001:db8::/032').message).toContain('write /32 instead');
  });

  it('refuses prefix lengths beyond 32 for IPv4 and 128 for IPv6', () => {
    expect(onlyError('10.0.0.0/33').message).toBe(
      '“/33” is too long for an IPv4 network: the prefix length is 0–32, like 10.0.0.0/8',
    );
    expect(onlyError('2001:db8::/129').message).toBe(
      '“/129” is too long for an IPv6 network: the prefix length is 0–128, like 2001:db8::/32',
    );
    expect(onlyError('10.0.0.0/99999999999999999999999').message).toContain('too long for an IPv4 network');
  });

  it('never reads a missing or junk prefix as /0', () => {
    for (const junk of [
      '10.0.0.0/',
      '10.0.0.0/x',
      '10.0.0.0/-0',
      '10.0.0.0/0x8',
      '10.0.0.0/1e1',
      '10.0.0.0/8.',
      '::/',
      '::/a',
    ]) {
      const { networks, errors } = parseTrustedNetworks(junk);
      expect(networks, junk).toEqual([]);
      expect(errors, junk).toHaveLength(1);
    }
    expect(onlyError('10.0.0.0/').message).toBe(
      '“10.0.0.0/” ends with “/” but no prefix length: write the number of network bits 0–32 after it, like 10.0.0.0/8, or remove the “/”',
    );
  });

  it('refuses a non-contiguous netmask and names the line', () => {
    const { errors } = parseTrustedNetworks('10.0.0.1\n\n192.168.0.0/255.0.255.0');
    expect(errors).toEqual([
      {
        line: 3,
        input: '192.168.0.0/255.0.255.0',
        message:
          '“255.0.255.0” is not a contiguous netmask: its one-bits must all come first, like 255.255.255.0 (/24) or 255.255.0.0 (/16); write a prefix length instead, like 192.168.0.0/24',
      },
    ]);
  });

  it('recognises a wildcard mask and offers the netmask it stands for', () => {
    expect(onlyError('192.168.0.0/0.0.0.255').message).toBe(
      '“0.0.0.255” looks like a wildcard (inverse) mask: write the netmask 255.255.255.0 or the prefix length /24, like 192.168.0.0/24',
    );
  });

  it('refuses a netmask that is not a valid dotted quad', () => {
    expect(onlyError('10.0.0.0/255.255.0').message).toContain('neither a prefix length nor a valid netmask');
    expect(onlyError('10.0.0.0/255.255.255.0255').message).toContain('neither a prefix length nor a valid netmask');
  });

  it('refuses a netmask on an IPv6 network', () => {
    expect(onlyError('2001:db8::/ffff:ffff::').message).toContain('IPv6 networks take a prefix length 0–128');
    expect(onlyError('2001:db8::/255.255.0.0').message).toContain('IPv6 networks take a prefix length 0–128');
  });

  it('refuses more than one slash and a slash without an address', () => {
    expect(onlyError('10.0.0.0/8/16').message).toContain('more than one “/”');
    expect(onlyError('/8').message).toContain('no address before the “/”');
  });
});

describe('parseTrustedNetworks: rejected IPv6 spellings', () => {
  it('refuses a zone id and shows the entry without it', () => {
    expect(onlyError('fe80::1%eth0')).toEqual({
      line: 1,
      input: 'fe80::1%eth0',
      message: '“fe80::1%eth0” has a zone id (%eth0), which cannot be used in an allow-list: remove it, like fe80::1',
    });
    expect(onlyError('fe80::%2/64').message).toContain('remove it, like fe80::/64');
  });

  it('refuses “::” used twice and three colons in a row', () => {
    expect(onlyError('2001::db8::1').message).toContain('uses “::” more than once');
    expect(onlyError('2001:::1').message).toContain('three colons in a row');
  });

  it('refuses a group of more than four hex digits', () => {
    expect(onlyError('2001:0db80::1').message).toContain('group longer than 4 hex digits (“0db80”)');
  });

  it('refuses too few or too many groups and stray colons', () => {
    for (const bad of [
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      ':1::',
      '1::2:',
      '1:2:3:4:5:6:7:8::',
      '::1:2:3:4:5:6:7:8',
      ':',
    ]) {
      expect(onlyError(bad).message, bad).toContain('IPv6');
    }
  });

  it('refuses an IPv4 tail that is not strict', () => {
    expect(onlyError('::ffff:10.0.0.01').message).toContain('ends in an IPv4 part that is not valid');
    expect(onlyError('::ffff:10.0.1').message).toContain('ends in an IPv4 part that is not valid');
    expect(onlyError('1:2:3:4:5:6:7:1.2.3.4').message).toContain('IPv6');
  });

  it('refuses the deprecated IPv4-compatible spelling, which tools read differently', () => {
    expect(onlyError('::10.0.0.1').message).toBe(
      '“::10.0.0.1” is a deprecated IPv4-compatible IPv6 address, which tools read differently: write the IPv4 address itself, like 10.0.0.1',
    );
    expect(onlyError('0:0:0:0:0:0:192.0.2.0/120').message).toContain('like 192.0.2.0');
  });

  it('refuses square brackets', () => {
    expect(onlyError('[2001:db8::1]').message).toBe(
      '“[2001:db8::1]” has square brackets: write the IPv6 address without them, like 2001:db8::1',
    );
  });
});

describe('parseTrustedNetworks: stray characters', () => {
  it('refuses a host name', () => {
    expect(onlyError('vpn.example.com').message).toBe(
      '“vpn.example.com” looks like a host name: only IP addresses and networks can be listed, so write the address, like 203.0.113.10',
    );
  });

  it('refuses commas and spaces between entries and says how to separate them', () => {
    expect(onlyError('10.0.0.1, 10.0.0.2').message).toBe(
      '“10.0.0.1, 10.0.0.2” contains a comma: separate entries with a new line or “;”, not a comma',
    );
    expect(onlyError('10.0.0.1 10.0.0.2').message).toBe(
      '“10.0.0.1 10.0.0.2” contains a space: put each entry on its own line or separate entries with “;”',
    );
  });

  it('refuses ranges and wildcards', () => {
    expect(onlyError('10.0.0.1-10.0.0.9').message).toContain('ranges are not supported');
    expect(onlyError('10.0.*.*').message).toContain('wildcards are not supported');
  });

  it('names an invisible character by its code point', () => {
    expect(onlyError('10.0.0.1\u00a0').message).toContain('invisible character (U+00A0)');
    expect(onlyError('\u200b10.0.0.1').message).toContain('invisible character (U+200B)');
  });

  it('names any other stray character', () => {
    expect(onlyError('10.0.0.1#office').message).toContain('contains “#”');
  });

  it('refuses an entry too long to be an address without echoing all of it', () => {
    const error = onlyError('1'.repeat(5000));
    expect(error.message).toContain('too long to be an address or network');
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('parseTrustedNetworks: size limit', () => {
  const entries = (count: number): string =>
    Array.from({ length: count }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.1`).join('\n');

  it(`accepts exactly ${MAX_TRUSTED_NETWORK_ENTRIES} entries`, () => {
    const { networks, errors } = parseTrustedNetworks(entries(MAX_TRUSTED_NETWORK_ENTRIES));
    expect(errors).toEqual([]);
    expect(networks).toHaveLength(MAX_TRUSTED_NETWORK_ENTRIES);
  });

  it('refuses a list of more than 1,000 entries, pointing at the first one over', () => {
    const { errors } = parseTrustedNetworks(`${entries(1002)}\n`);
    expect(errors).toEqual([
      {
        line: 1001,
        input: '10.3.232.1',
        message:
          'The list has 1,002 entries, more than the 1,000 allowed (the first one over is on line 1001): merge neighbouring networks into wider prefixes, like 10.1.0.0/16 instead of many /24s',
      },
    ]);
  });
});

describe('parseTrustedNetworks: result', () => {
  it('returns frozen lists so a cached matcher cannot go stale', () => {
    const { networks } = parseTrustedNetworks('10.0.0.0/8');
    expect(Object.isFrozen(networks)).toBe(true);
    expect(Object.isFrozen(networks[0])).toBe(true);
  });
});

describe('isAddressAllowed', () => {
  const list = '10.0.0.0/8\n192.168.192.0/255.255.255.0\n203.0.113.7\n2001:db8::/32\n2001:db8:ffff::1';

  it('allows addresses inside a prefix, including its first and last address', () => {
    for (const address of [
      '10.0.0.0',
      '10.1.2.3',
      '10.255.255.255',
      '192.168.192.0',
      '192.168.192.255',
      '203.0.113.7',
    ]) {
      expect(allows(list, address), address).toBe(true);
    }
  });

  it('denies addresses just outside', () => {
    for (const address of [
      '9.255.255.255',
      '11.0.0.0',
      '192.168.191.255',
      '192.168.193.0',
      '203.0.113.6',
      '203.0.113.8',
    ]) {
      expect(allows(list, address), address).toBe(false);
    }
  });

  it('matches IPv6 prefixes and hosts in any valid spelling', () => {
    expect(allows(list, '2001:db8::1')).toBe(true);
    expect(allows(list, '2001:DB8:0:0:0:0:0:1')).toBe(true);
    expect(allows(list, '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(allows(list, '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(false);
    expect(allows(list, '2001:db9::')).toBe(false);
  });

  it('unwraps IPv4-mapped client addresses as Express reports them', () => {
    expect(allows(list, '::ffff:10.0.0.1')).toBe(true);
    expect(allows(list, '::FFFF:10.0.0.1')).toBe(true);
    expect(allows(list, '::ffff:a00:1')).toBe(true);
    expect(allows(list, '0:0:0:0:0:ffff:10.0.0.1')).toBe(true);
    expect(allows(list, '::ffff:11.0.0.1')).toBe(false);
  });

  it('matches an IPv4-mapped client against an IPv4-mapped entry', () => {
    expect(allows('::ffff:10.0.0.0/104', '10.9.9.9')).toBe(true);
    expect(allows('::ffff:10.0.0.0/104', '::ffff:10.9.9.9')).toBe(true);
  });

  it('does not unwrap other IPv4 embeddings', () => {
    expect(allows('10.0.0.0/8', '::10.0.0.1')).toBe(false);
    expect(allows('10.0.0.0/8', '64:ff9b::10.0.0.1')).toBe(false);
  });

  it('lets ::/0 in every client, IPv4 ones included', () => {
    expect(allows('::/0', '10.0.0.1')).toBe(true);
    expect(allows('::/0', '2001:db8::1')).toBe(true);
  });

  it('does not let IPv4 entries match plain IPv6 clients, nor IPv6 entries IPv4 clients', () => {
    expect(allows('0.0.0.0/0', '2001:db8::1')).toBe(false);
    expect(allows('2001:db8::/32', '32.1.13.184')).toBe(false);
  });

  it('denies everyone when the list is empty', () => {
    expect(allows('', '10.0.0.1')).toBe(false);
    expect(allows('', '::1')).toBe(false);
    expect(isAddressAllowed([], '127.0.0.1')).toBe(false);
  });

  it('denies anything that is not a strictly written address', () => {
    const everything = '0.0.0.0/0\n::/0';
    for (const junk of [
      '',
      ' ',
      '10.0.0.1 ',
      ' 10.0.0.1',
      '10.0.0',
      '10.0.0.1.',
      '010.0.0.1',
      '0x0a.0.0.1',
      '167772161',
      '256.0.0.1',
      '10.0.0.1/32',
      '10.0.0.0/8',
      'fe80::1%eth0',
      '::ffff:010.0.0.1',
      '::ffff:10.0.0',
      '[::1]',
      ':::',
      '1::2::3',
      '12345::',
      'localhost',
      'undefined',
      '::ffff:10.0.0.1%1',
      '::ffff:',
      '1'.repeat(46),
      '::ffff:10.0.0.1\n',
    ]) {
      expect(allows(everything, junk), JSON.stringify(junk)).toBe(false);
    }
    expect(allows(everything, undefined)).toBe(false);
  });

  it('gives the same answers for the list and its compiled form, and for the same list called again', () => {
    const { networks } = parseTrustedNetworks(list);
    const compiled = compileTrustedNetworks(networks);
    for (const address of [
      '10.1.1.1',
      '11.1.1.1',
      '::ffff:192.168.192.9',
      '2001:db8:ffff::1',
      '2001:db8:ffff::2',
      'nonsense',
    ]) {
      expect(isAddressAllowed(compiled, address), address).toBe(isAddressAllowed(networks, address));
      expect(isAddressAllowed(networks, address), address).toBe(isAddressAllowed(networks, address));
    }
  });

  it('merges overlapping and adjacent networks without losing any of them', () => {
    const compiled = compileTrustedNetworks(
      parseTrustedNetworks(
        '10.0.0.0/25\n10.0.0.128/25\n10.0.0.0/24\n10.0.1.0/24\n10.0.3.0/24\n2001:db8::/33\n2001:db8:8000::/33\n2001:db9::1',
      ).networks,
    );
    expect(compiled.ipv4Starts).toHaveLength(2);
    expect(compiled.ipv6Starts).toHaveLength(2 * 4);
    for (const [address, expected] of [
      ['10.0.0.0', true],
      ['10.0.1.255', true],
      ['10.0.2.0', false],
      ['10.0.3.1', true],
      ['10.0.4.0', false],
      ['2001:db8::', true],
      ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', true],
      ['2001:db9::', false],
      ['2001:db9::1', true],
      ['2001:db9::2', false],
    ] as const) {
      expect(isAddressAllowed(compiled, address), address).toBe(expected);
    }
  });

  it('keeps a one-address gap between neighbouring entries closed', () => {
    expect(allows('10.0.0.1\n10.0.0.3', '10.0.0.2')).toBe(false);
    expect(allows('2001:db8::1\n2001:db8::3', '2001:db8::2')).toBe(false);
  });

  it('compiles a hand-built IPv4-mapped IPv6 host entry like its IPv4 form', () => {
    const compiled = compileTrustedNetworks([
      {
        kind: 'ipv6',
        text: '::ffff:a00:1',
        address: '::ffff:a00:1',
        prefixLength: 128,
        line: 1,
        input: '::ffff:a00:1',
      },
    ]);
    expect(isAddressAllowed(compiled, '10.0.0.1')).toBe(true);
    expect(isAddressAllowed(compiled, '10.0.0.2')).toBe(false);
  });

  it('refuses to compile an entry that is not a network', () => {
    expect(() =>
      compileTrustedNetworks([
        { kind: 'ipv4', text: '10.1', address: '10.1', prefixLength: 8, line: 1, input: '10.1' },
      ]),
    ).toThrow(TypeError);
    expect(() =>
      compileTrustedNetworks([
        { kind: 'ipv6', text: '::/200', address: '::', prefixLength: 200, line: 1, input: '::/200' },
      ]),
    ).toThrow(TypeError);
  });
});

describe('explainAddress', () => {
  const { networks } = parseTrustedNetworks('192.168.0.0/16\n\n10.0.0.0/8\n10.1.0.0/16\n2001:db8::/32\n::/0');

  it('names the first entry that lets the address in, with its line', () => {
    expect(explainAddress(networks, '10.1.2.3')).toMatchObject({ text: '10.0.0.0/8', line: 3 });
    expect(explainAddress(networks, '::ffff:192.168.4.4')).toMatchObject({ text: '192.168.0.0/16', line: 1 });
    expect(explainAddress(networks, '2001:db8::5')).toMatchObject({ text: '2001:db8::/32', line: 5 });
    expect(explainAddress(networks, '8.8.8.8')).toMatchObject({ text: '::/0', line: 6 });
  });

  it('returns null when no entry matches or the address is not an address', () => {
    const narrow = parseTrustedNetworks('10.0.0.0/8').networks;
    expect(explainAddress(narrow, '11.0.0.1')).toBeNull();
    expect(explainAddress(narrow, '2001:db8::1')).toBeNull();
    expect(explainAddress(narrow, '010.0.0.1')).toBeNull();
    expect(explainAddress(narrow, undefined)).toBeNull();
  });

  it('agrees with the compiled matcher', () => {
    const compiled = compileTrustedNetworks(networks);
    for (const address of ['10.1.2.3', '11.1.1.1', '2001:db8::1', '2001:db9::1', '::ffff:10.0.0.1']) {
      expect(explainAddress(compiled, address) !== null, address).toBe(isAddressAllowed(compiled, address));
    }
  });
});
