// Two-factor sign-in (RFC 6238 TOTP, as authenticator apps speak it) and its recovery codes. The
// one-time-password arithmetic is otpauth's; this module fixes the parameters every app accepts
// (SHA-1, 6 digits, 30 seconds), the tolerance for clock drift and the shape of recovery codes.

import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { digestToken } from './api-tokens.ts';

export const TOTP_PERIOD_SECONDS = 30;
const TOTP_DIGITS = 6;
/** One step either side: a code from the previous or next 30 seconds still counts (RFC 6238 §5.2). */
const DRIFT_STEPS = 1;
const SECRET_BYTES = 20;

export const RECOVERY_CODE_COUNT = 10;
/** Lowercase letters and digits without 0/o, 1/l/i: easy to read off a printout. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const RECOVERY_GROUP = 5;

function totpOf(base32Secret: string, label = '', issuer = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(base32Secret),
  });
}

/** A fresh random seed (160 bits, RFC 4226's recommendation) as base32 text. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://totp/…` address an authenticator app reads from the QR code. */
export function totpUri(base32Secret: string, opts: { issuer: string; account: string }): string {
  return totpOf(base32Secret, opts.account, opts.issuer).toString();
}

/** The time step a moment falls in (what replay protection remembers). */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code an app shows at a moment (tests and the demo use it). */
export function totpCode(base32Secret: string, at: Date = new Date()): string {
  return totpOf(base32Secret).generate({ timestamp: at.getTime() });
}

/** Whether the text has the shape of a TOTP code: six digits, spaces allowed. */
export function looksLikeTotpCode(text: string): boolean {
  return /^\d{6}$/.test(text.replace(/\s+/g, ''));
}

/**
 * The time step whose code the text is, within the drift tolerance around `at`; null when it is
 * none of them (or not a code at all).
 */
export function matchTotp(base32Secret: string, text: string, at: Date = new Date()): number | null {
  const token = text.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpOf(base32Secret).validate({ token, timestamp: at.getTime(), window: DRIFT_STEPS });
  return delta === null ? null : totpStep(at) + delta;
}

/** Ten recovery codes like `k7m3p-q9xw2`; each opens one sign-in instead of a TOTP code. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const one = () => {
    let code = '';
    for (let i = 0; i < RECOVERY_GROUP * 2; i += 1)
      code += RECOVERY_ALPHABET.charAt(randomInt(RECOVERY_ALPHABET.length));
    return `${code.slice(0, RECOVERY_GROUP)}-${code.slice(RECOVERY_GROUP)}`;
  };
  const codes = new Set<string>();
  while (codes.size < count) codes.add(one());
  return [...codes];
}

/** A recovery code as typed (any case, spaces or dashes) in its canonical form, or null. */
export function normalizeRecoveryCode(text: string): string | null {
  const plain = text.toLowerCase().replace(/[\s-]+/g, '');
  if (plain.length !== RECOVERY_GROUP * 2 || ![...plain].every((c) => RECOVERY_ALPHABET.includes(c))) return null;
  return `${plain.slice(0, RECOVERY_GROUP)}-${plain.slice(RECOVERY_GROUP)}`;
}

/** What is stored of a recovery code: its keyed digest, never the code. */
export function digestRecoveryCode(code: string, secretKey: string): string {
  return digestToken(`recovery-code:${code}`, secretKey);
}
