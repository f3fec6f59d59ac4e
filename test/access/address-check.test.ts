import { describe, expect, it } from 'vitest';
import { isAddressTrusted } from '../../src/access/address-check.ts';

describe('isAddressTrusted', () => {
  it('lets everyone in when no list applies', () => {
    expect(isAddressTrusted([{ ipRestriction: false, trustedIps: '10.0.0.0/8;' }], '192.0.2.1')).toBe(true);
    expect(isAddressTrusted([], '192.0.2.1')).toBe(true);
  });

  it('refuses every address when the restriction is on with an empty list', () => {
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '' }], '10.0.0.1')).toBe(false);
  });

  it('refuses every address when a stored list no longer parses', () => {
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '10.0.0.0/8;\n10.1;' }], '10.0.0.1')).toBe(false);
  });

  it('needs every applicable list to allow the address', () => {
    const customer = { ipRestriction: true, trustedIps: '10.0.0.0/8;' };
    const individual = { ipRestriction: true, trustedIps: '10.1.0.0/16;' };
    expect(isAddressTrusted([customer, individual], '10.1.2.3')).toBe(true);
    expect(isAddressTrusted([customer, individual], '10.2.0.1')).toBe(false);
    expect(isAddressTrusted([customer, { ...individual, ipRestriction: false }], '10.2.0.1')).toBe(true);
  });

  it('treats an IPv4-mapped client address as its IPv4 address', () => {
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '10.0.0.0/8;' }], '::ffff:10.9.8.7')).toBe(true);
  });

  it('sees a changed list at once although the old one was cached', () => {
    const list = { ipRestriction: true, trustedIps: '10.0.0.0/8;' };
    expect(isAddressTrusted([list], '10.0.0.1')).toBe(true);
    list.trustedIps = '192.168.0.0/16;';
    expect(isAddressTrusted([list], '10.0.0.1')).toBe(false);
    expect(isAddressTrusted([list], '192.168.4.4')).toBe(true);
  });

  it('denies an address that is not an address', () => {
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '0.0.0.0/0;' }], '')).toBe(false);
    expect(isAddressTrusted([{ ipRestriction: true, trustedIps: '0.0.0.0/0;' }], 'localhost')).toBe(false);
  });
});
