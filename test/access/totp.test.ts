import { describe, expect, it } from 'vitest';
import { secretBox } from '../../src/access/secret-box.ts';
import {
  digestRecoveryCode,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  totpCode,
  totpStep,
  totpUri,
} from '../../src/access/totp.ts';

const KEY = 'unit-test-secret-key-0123456789abcdef';

describe('TOTP codes (RFC 6238)', () => {
  it('matches the RFC 6238 SHA-1 test vector (59 s → 287082 in six digits)', () => {
    // The RFC's seed is the ASCII text "12345678901234567890"; its base32 form:
    const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCode(seed, new Date(59_000))).toBe('287082');
    expect(totpCode(seed, new Date(1_111_111_109_000))).toBe('081804');
  });

  it('accepts a code one step either side and names the step it belongs to, nothing further', () => {
    const secret = newTotpSecret();
    const now = new Date('2026-11-30T10:00:10Z');
    const step = totpStep(now);
    expect(matchTotp(secret, totpCode(secret, now), now)).toBe(step);
    expect(matchTotp(secret, totpCode(secret, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, new Date(now.getTime() + 30_000)), now)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, new Date(now.getTime() + 90_000)), now)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
    const spaced = totpCode(secret, now).replace(/^(\d{3})/, '$1 ');
    expect(matchTotp(secret, spaced, now)).toBe(step);
  });

  it('makes a 160-bit base32 seed and an otpauth address apps read', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = totpUri(secret, { issuer: 'Selfcare', account: 'ann' });
    expect(uri).toMatch(/^otpauth:\/\/totp\/Selfcare:ann\?/);
    expect(uri).toContain(`secret=${secret}`);
  });
});

describe('recovery codes', () => {
  it('makes ten distinct codes and reads them back in any case, with spaces or dashes', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
      expect(normalizeRecoveryCode(code.toUpperCase().replace('-', ' '))).toBe(code);
    }
    expect(normalizeRecoveryCode('abc')).toBeNull();
    expect(normalizeRecoveryCode('0000000000')).toBeNull();
  });

  it('stores a keyed digest, never the code', () => {
    const [code] = newRecoveryCodes(1);
    const digest = digestRecoveryCode(code!, KEY);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain(code!);
    expect(digestRecoveryCode(code!, `${KEY}x`)).not.toBe(digest);
  });
});

describe('secretBox', () => {
  it('opens what it sealed, differently each time, and nothing sealed with another key or purpose', () => {
    const box = secretBox(KEY, 'totp-seed');
    const a = box.seal('JBSWY3DPEHPK3PXP');
    const b = box.seal('JBSWY3DPEHPK3PXP');
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP');
    expect(secretBox(`${KEY}x`, 'totp-seed').open(a)).toBeNull();
    expect(secretBox(KEY, 'other').open(a)).toBeNull();
    const tampered = a.slice(0, -2) + (a.endsWith('A') ? 'BB' : 'AA');
    expect(box.open(tampered)).toBeNull();
    expect(box.open('v1.')).toBeNull();
    expect(box.open('plain text')).toBeNull();
  });
});
