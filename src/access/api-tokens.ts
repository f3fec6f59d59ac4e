// API tokens, API session ids and single-use tickets (DESIGN.md, "API tokens").
//
// A token is shown once; only its keyed digest is stored, so a database leak alone does not let
// anyone use the tokens. The prefix is for recognising a token in lists and is not secret.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_TOKEN_SCHEME = 'sc_';
const TOKEN_BYTES = 32;
const PREFIX_LENGTH = 8;
const BASE64URL_LENGTH_OF_32_BYTES = 43;
const API_TOKEN_PATTERN = new RegExp(`^${API_TOKEN_SCHEME}[A-Za-z0-9_-]{${BASE64URL_LENGTH_OF_32_BYTES}}$`);

export interface GeneratedApiToken {
  /** The secret: shown to the admin exactly once, never stored or logged. */
  token: string;
  /** The first characters after `sc_`, stored for display. */
  prefix: string;
}

function randomId(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** `sc_` followed by 256 random bits in base64url (46 characters in all). */
export function generateApiToken(): GeneratedApiToken {
  const token = API_TOKEN_SCHEME + randomId();
  return { token, prefix: apiTokenPrefix(token) };
}

/** The display prefix of a token: the 8 characters after `sc_`. */
export function apiTokenPrefix(token: string): string {
  const body = token.startsWith(API_TOKEN_SCHEME) ? token.slice(API_TOKEN_SCHEME.length) : token;
  return body.slice(0, PREFIX_LENGTH);
}

/** Whether the text has the shape of a token this module generates (a cheap check before lookup). */
export function isWellFormedApiToken(text: unknown): text is string {
  return typeof text === 'string' && API_TOKEN_PATTERN.test(text);
}

/** HMAC-SHA256 of the token keyed with the application secret, as 64 lowercase hex digits. */
export function digestToken(token: string, secretKey: string | Buffer): string {
  if (secretKey.length === 0) throw new Error('digestToken needs a non-empty secret key');
  return createHmac('sha256', secretKey).update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two digests; different lengths simply do not match. */
export function tokensMatch(digestA: string, digestB: string): boolean {
  const a = Buffer.from(digestA, 'utf8');
  const b = Buffer.from(digestB, 'utf8');
  if (a.length !== b.length) {
    // Spend the same work as a real comparison; the lengths of digests are not secret.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** An opaque API session id: 256 random bits in base64url. */
export function generateSessionId(): string {
  return randomId();
}

/** An opaque single-use ticket id (e.g. "log in as customer"): 256 random bits in base64url. */
export function generateTicketId(): string {
  return randomId();
}
