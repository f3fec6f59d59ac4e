import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import {
  apiTokenPrefix,
  digestToken,
  generateApiToken,
  generateSessionId,
  generateTicketId,
  isWellFormedApiToken,
  tokensMatch,
} from '../../src/access/api-tokens.ts';

const SECRET = 'test-app-secret-0123456789abcdef';
const BASE64URL_43 = /^[A-Za-z0-9_-]{43}$/;

function decodedBytes(text: string): number {
  return Buffer.from(text, 'base64url').length;
}

describe('generateApiToken', () => {
  it('makes sc_ followed by 32 random bytes in base64url', () => {
    const { token } = generateApiToken();
    expect(token).toMatch(/^sc_[A-Za-z0-9_-]{43}$/);
    expect(decodedBytes(token.slice(3))).toBe(32);
    expect(Buffer.from(token.slice(3), 'base64url').toString('base64url')).toBe(token.slice(3));
  });

  it('gives the 8 characters after sc_ as the display prefix', () => {
    const { token, prefix } = generateApiToken();
    expect(prefix).toHaveLength(8);
    expect(token.startsWith(`sc_${prefix}`)).toBe(true);
    expect(apiTokenPrefix(token)).toBe(prefix);
  });

  it('makes a different token every time', () => {
    const tokens = Array.from({ length: 1000 }, () => generateApiToken().token);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('recognises its own tokens as well formed and rejects other shapes', () => {
    expect(isWellFormedApiToken(generateApiToken().token)).toBe(true);
    const { token } = generateApiToken();
    for (const bad of [
      token.slice(1),
      `${token}A`,
      token.replace('sc_', 'sk_'),
      `${token.slice(0, -1)}=`,
      token.slice(3),
      '',
      null,
      42,
    ]) {
      expect(isWellFormedApiToken(bad)).toBe(false);
    }
  });
});

describe('digestToken', () => {
  it('is the HMAC-SHA256 of the token keyed with the secret, in hex', () => {
    const { token } = generateApiToken();
    const expected = createHmac('sha256', SECRET).update(token).digest('hex');
    expect(digestToken(token, SECRET)).toBe(expected);
    expect(digestToken(token, SECRET)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts the secret as a Buffer with the same result as the string', () => {
    const { token } = generateApiToken();
    expect(digestToken(token, Buffer.from(SECRET))).toBe(digestToken(token, SECRET));
  });

  it('depends on the secret, so a stolen table of digests is useless without it', () => {
    const { token } = generateApiToken();
    expect(digestToken(token, SECRET)).not.toBe(digestToken(token, `${SECRET}x`));
    expect(digestToken(token, SECRET)).not.toBe(createHmac('sha256', '').update(token).digest('hex'));
  });

  it('gives different tokens different digests', () => {
    const a = generateApiToken().token;
    const b = generateApiToken().token;
    expect(digestToken(a, SECRET)).not.toBe(digestToken(b, SECRET));
  });

  it('refuses an empty secret instead of digesting without a key', () => {
    expect(() => digestToken('sc_x', '')).toThrow();
    expect(() => digestToken('sc_x', Buffer.alloc(0))).toThrow();
  });

  it('never contains the token itself', () => {
    const { token, prefix } = generateApiToken();
    const digest = digestToken(token, SECRET);
    expect(digest).not.toContain(token);
    expect(digest).not.toContain(prefix);
  });
});

describe('tokensMatch', () => {
  it('matches a digest with itself', () => {
    const digest = digestToken(generateApiToken().token, SECRET);
    expect(tokensMatch(digest, digest)).toBe(true);
    expect(tokensMatch(digest, String(digest))).toBe(true);
  });

  it('does not match digests that differ in one character', () => {
    const digest = digestToken(generateApiToken().token, SECRET);
    const last = digest.endsWith('0') ? '1' : '0';
    expect(tokensMatch(digest, digest.slice(0, -1) + last)).toBe(false);
  });

  it('does not match digests of different lengths and does not throw', () => {
    const digest = digestToken(generateApiToken().token, SECRET);
    expect(tokensMatch(digest, digest.slice(0, -1))).toBe(false);
    expect(tokensMatch(digest, '')).toBe(false);
    expect(tokensMatch('', digest)).toBe(false);
  });

  it('agrees with string equality for any two strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(tokensMatch(a, b)).toBe(a === b);
        expect(tokensMatch(a, a)).toBe(true);
      }),
    );
  });
});

describe('generateSessionId and generateTicketId', () => {
  it.each([
    ['generateSessionId', generateSessionId],
    ['generateTicketId', generateTicketId],
  ])('%s makes 32 random bytes in base64url, different each time', (_name, generate) => {
    const ids = Array.from({ length: 1000 }, () => generate());
    for (const id of ids) {
      expect(id).toMatch(BASE64URL_43);
      expect(decodedBytes(id)).toBe(32);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not make session ids that look like API tokens', () => {
    expect(isWellFormedApiToken(generateSessionId())).toBe(false);
  });
});
