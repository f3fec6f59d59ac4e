// Access tokens of the `/rest` door: JWTs (RFC 7519) signed with HS256 under a key derived from
// SECRET_KEY. A token is only a signed pointer to an API session — its `jti` is the session id — so
// the door still looks the session up on every request, and ending the session (logout, token
// revocation, a credentials change) ends the token with it.
//
// The payload is written as ASCII JSON with `>`, `?`, `~` and every non-ASCII character escaped
// (`\u003e`, …). Those are the only bytes of ASCII JSON whose base64url form can hold `-` or `_`,
// and clients of the reference product decode the payload with a plain base64 decoder that drops
// those two characters (porta/billing's PortaTokenDecoder: `base64_decode(explode('.', $t)[1])`).
// The escaped JSON means the same to every JSON parser, so nothing else changes.

import { hkdfSync } from 'node:crypto';
import { CompactSign, jwtVerify } from 'jose';

export interface AccessTokenClaims {
  /** the customer id, as a string (RFC 7519 `sub`) */
  sub: string;
  /** the customer id, as the reference product names it */
  i_customer: number;
  /** the customer's self-care login (lower case) */
  login: string;
  realm: 'customer';
  iat: number;
  /** the API session's absolute expiry, in seconds since the epoch */
  exp: number;
  /** the API session id */
  jti: string;
}

const ALGORITHM = 'HS256';
const MAX_TOKEN_LENGTH = 4096;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The signing key: HKDF-SHA256 of SECRET_KEY for this one purpose, so it is never the secret itself. */
export function accessTokenKey(secretKey: string): Uint8Array {
  if (secretKey.length === 0) throw new Error('accessTokenKey needs a non-empty secret key');
  return new Uint8Array(hkdfSync('sha256', secretKey, 'selfcare', 'rest access token v1', 32));
}

/** Three base64url segments joined by dots: worth verifying as a JWT (a session id has no dots). */
export function looksLikeJwt(text: string): boolean {
  return text.length <= MAX_TOKEN_LENGTH && JWT_SHAPE.test(text);
}

/** JSON text that base64url-encodes without `-` or `_` (see the note at the top). */
export function base64SafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[>?~\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export async function signAccessToken(claims: AccessTokenClaims, key: Uint8Array): Promise<string> {
  const payload = new TextEncoder().encode(base64SafeJson(claims));
  return new CompactSign(payload).setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' }).sign(key);
}

function isClaims(value: Record<string, unknown>): value is Record<string, unknown> & AccessTokenClaims {
  return (
    typeof value.sub === 'string' &&
    Number.isSafeInteger(value.i_customer) &&
    value.sub === String(value.i_customer) &&
    typeof value.login === 'string' &&
    value.realm === 'customer' &&
    Number.isSafeInteger(value.iat) &&
    Number.isSafeInteger(value.exp) &&
    typeof value.jti === 'string'
  );
}

/**
 * The claims of a token this module signed with this key and whose `exp` is still ahead of `now`;
 * null for anything else (another key, another algorithm, `alg: none`, a past `exp`, a claim
 * missing or of the wrong type, not a JWT at all).
 */
export async function verifyAccessToken(
  token: string,
  key: Uint8Array,
  now: Date = new Date(),
): Promise<AccessTokenClaims | null> {
  if (!looksLikeJwt(token)) return null;
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      typ: 'JWT',
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      currentDate: now,
    });
    if (!isClaims(payload)) return null;
    return {
      sub: payload.sub,
      i_customer: payload.i_customer,
      login: payload.login,
      realm: payload.realm,
      iat: payload.iat,
      exp: payload.exp,
      jti: payload.jti,
    };
  } catch {
    return null;
  }
}
