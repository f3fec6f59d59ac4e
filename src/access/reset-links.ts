// Password-reset links (DESIGN.md, "E-mail never carries a password").
//
// The token in the link is 256 random bits; only its keyed digest is stored, so the database alone
// never lets anyone reset a password. A link also records a keyed fingerprint of the password hash
// it was made under: once the password changes (by any path) the fingerprints differ and the link
// is void, without every password-changing path having to know about links.

import { randomBytes } from 'node:crypto';
import { digestToken } from './api-tokens.ts';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** How long a link works: 30 minutes when the customer asks, 24 hours when an admin sends it. */
export const RESET_LINK_MINUTES = { forgot: 30, admin: 24 * 60 } as const;
export type ResetLinkPurpose = keyof typeof RESET_LINK_MINUTES;

/** A new token: 256 random bits in base64url (43 characters). */
export function generateResetToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether the text has the shape of a token (a cheap check before any lookup). */
export function isWellFormedResetToken(text: unknown): text is string {
  return typeof text === 'string' && TOKEN_PATTERN.test(text);
}

/** What the database keeps of a token. */
export function resetTokenDigest(token: string, secretKey: string): string {
  return digestToken(`password-reset:${token}`, secretKey);
}

/** A keyed fingerprint of the password hash (an account without a password has one too). */
export function passwordFingerprint(passwordHash: string | null, secretKey: string): string {
  return digestToken(`password-fingerprint:${passwordHash ?? ''}`, secretKey);
}
