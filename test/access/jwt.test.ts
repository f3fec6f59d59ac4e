import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accessTokenKey,
  base64SafeJson,
  looksLikeJwt,
  signAccessToken,
  verifyAccessToken,
  type AccessTokenClaims,
} from '../../src/access/jwt.ts';

const KEY = accessTokenKey('test-secret-key-0123456789abcdef0123456789abcdef');
const NOW = new Date('2026-12-01T10:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

function claims(overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims {
  return {
    sub: '42',
    i_customer: 42,
    login: 'acme-api',
    realm: 'customer',
    iat: nowSeconds,
    exp: nowSeconds + 3600,
    jti: 'A'.repeat(43),
    ...overrides,
  };
}

/** PHP's non-strict base64_decode: characters outside the base64 alphabet are dropped. */
function phpBase64Decode(text: string): string {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
}

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

describe('access tokens (JWT)', () => {
  it('verifies a token it signed and gives back every claim', async () => {
    const token = await signAccessToken(claims(), KEY);
    expect(looksLikeJwt(token)).toBe(true);
    expect(await verifyAccessToken(token, KEY, NOW)).toEqual(claims());
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('refuses a token signed with another key', async () => {
    const token = await signAccessToken(claims(), accessTokenKey('another-secret-key-0123456789abcdef0123456789'));
    expect(await verifyAccessToken(token, KEY, NOW)).toBeNull();
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await signAccessToken(claims(), KEY)).split('.');
    const forged = `${header}.${b64url(JSON.stringify(claims({ i_customer: 43, sub: '43' })))}.${signature}`;
    expect(await verifyAccessToken(forged, KEY, NOW)).toBeNull();
  });

  it('refuses a token at and after its exp', async () => {
    const token = await signAccessToken(claims({ exp: nowSeconds }), KEY);
    expect(await verifyAccessToken(token, KEY, NOW)).toBeNull();
    expect(await verifyAccessToken(token, KEY, new Date(NOW.getTime() - 1000))).not.toBeNull();
  });

  it('refuses alg none and tokens missing a claim', async () => {
    const none = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify(claims()))}.`;
    expect(await verifyAccessToken(none, KEY, NOW)).toBeNull();
    const header = b64url('{"alg":"HS256","typ":"JWT"}');
    const { jti: _jti, ...withoutJti } = claims();
    const body = b64url(JSON.stringify(withoutJti));
    const signature = createHmac('sha256', KEY).update(`${header}.${body}`).digest('base64url');
    expect(await verifyAccessToken(`${header}.${body}.${signature}`, KEY, NOW)).toBeNull();
  });

  it('is decodable by a plain base64 decoder, even with logins PHP would otherwise garble', async () => {
    for (const login of ['acme-api', 'a>b?c~d', 'zoë.ünïcødé', 'x~~~~~~~~~']) {
      const token = await signAccessToken(claims({ login }), KEY);
      const payload = token.split('.')[1]!;
      expect(payload).not.toMatch(/[-_]/);
      expect(JSON.parse(phpBase64Decode(payload))).toMatchObject({ login, exp: nowSeconds + 3600 });
    }
  });

  it('writes JSON whose base64url has no - or _ and which parses back to the same value', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.string({ unit: 'binary' }))),
        (value) => {
          const text = base64SafeJson(value);
          expect(b64url(text)).not.toMatch(/[-_]/);
          expect(JSON.parse(text)).toEqual(value);
        },
      ),
    );
  });

  it('tells a JWT from a session id by its shape', () => {
    expect(looksLikeJwt('A'.repeat(43))).toBe(false);
    expect(looksLikeJwt('a.b.c')).toBe(true);
    expect(looksLikeJwt('a.b')).toBe(false);
    expect(looksLikeJwt(`a.${'b'.repeat(5000)}.c`)).toBe(false);
  });
});
