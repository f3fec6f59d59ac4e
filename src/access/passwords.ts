// Password policy, generation and bcrypt hashing (DESIGN.md, "Passwords").
//
// Passwords are normalized to Unicode NFC before they are measured or hashed, so the same password
// typed on systems that compose accents differently ("é" vs "e" + combining acute) still verifies.

import bcrypt from 'bcrypt';
import { randomBytes, randomInt } from 'node:crypto';
import { COMMON_PASSWORDS, COMMON_WORDS } from './common-passwords.ts';

export const PASSWORD_MIN_CHARACTERS = 12;
/** bcrypt ignores every byte past the 72nd, so a longer password would be silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const GENERATED_PASSWORD_MIN_LENGTH = 16;
export const BCRYPT_MIN_COST = 4;
export const BCRYPT_MAX_COST = 31;

export type PasswordPolicyCode = 'too_short' | 'too_long' | 'too_common';

export type PasswordPolicyResult = { ok: true } | { ok: false; code: PasswordPolicyCode; message: string };

export interface PasswordPolicyOptions {
  /** The account's login; a password built from it is refused. */
  login?: string;
}

export const PASSWORD_POLICY_MESSAGES: Readonly<Record<PasswordPolicyCode, string>> = {
  too_short: `Password must be at least ${PASSWORD_MIN_CHARACTERS} characters`,
  too_long:
    `Password must be at most ${PASSWORD_MAX_BYTES} bytes (bcrypt ignores anything longer); ` +
    'multi-byte characters count as several',
  too_common: 'Password is too common or too easy to guess; a few unrelated words make a good one',
};

const BASED_ON_LOGIN_MESSAGE = 'Password must not be based on the login';

export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

/** Unicode code points, so an accented letter or an emoji counts as one character. */
function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

export function passwordByteLength(password: string): number {
  return Buffer.byteLength(normalizePassword(password), 'utf8');
}

function fail(code: PasswordPolicyCode, message = PASSWORD_POLICY_MESSAGES[code]): PasswordPolicyResult {
  return { ok: false, code, message };
}

/**
 * 12 characters to 72 bytes of UTF-8, no composition rules, and not a very common or obviously
 * derived password. The minimum counts characters (so it is never weaker than 12 bytes); the maximum
 * counts bytes because that is what bcrypt reads.
 */
export function checkPasswordPolicy(password: string, options: PasswordPolicyOptions = {}): PasswordPolicyResult {
  const normalized = normalizePassword(password);
  if (characterCount(normalized) < PASSWORD_MIN_CHARACTERS) return fail('too_short');
  if (Buffer.byteLength(normalized, 'utf8') > PASSWORD_MAX_BYTES) return fail('too_long');
  const lower = normalized.toLowerCase();
  if (options.login !== undefined && isBasedOnLogin(lower, options.login)) {
    return fail('too_common', BASED_ON_LOGIN_MESSAGE);
  }
  if (isWeak(lower)) return fail('too_common');
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Guessability checks. All take lowercased text.

const DIGIT_RUN = '0123456789'.repeat(8);
const SEQUENCES: readonly string[] = [
  'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
  DIGIT_RUN,
  "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
  '1234567890qwertyuiopasdfghjklzxcvbnm',
  '1234567890qwertzuiopasdfghjklyxcvbnm',
  '1234567890azertyuiopqsdfghjklmwxcvbn',
  'qwertyuiopasdfghjklzxcvbnm',
  '0987654321poiuytrewqlkjhgfdsamnbvcxz',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/',
  '!qaz@wsx#edc$rfv%tgb^yhn&ujm*ik,(ol.)p;/',
  'zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0',
  'qazwsxedcrfvtgbyhnujmikolp',
  'qweasdzxcrtyfghvbnuiojklm',
  '1q2w3e4r5t6y7u8i9o0p',
  'q1w2e3r4t5y6u7i8o9p0',
  'a1b2c3d4e5f6g7h8i9j0',
];

const LEET: Readonly<Record<string, string>> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '(': 'c',
  '3': 'e',
  '6': 'g',
  '9': 'g',
  '1': 'i',
  '!': 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '+': 't',
  '2': 'z',
};

function reverse(text: string): string {
  return [...text].reverse().join('');
}

function isSequence(text: string): boolean {
  if (text.length === 0) return true;
  const backwards = reverse(text);
  return SEQUENCES.some((seq) => seq.includes(text) || seq.includes(backwards));
}

/** The shortest unit that, repeated at least twice, makes up the whole text; null when none. */
function repeatedUnit(text: string): string | null {
  const chars = [...text];
  for (let size = 1; size <= chars.length / 2; size += 1) {
    if (chars.length % size !== 0) continue;
    const unit = chars.slice(0, size).join('');
    if (unit.repeat(chars.length / size) === text) return unit;
  }
  return null;
}

function deLeet(text: string): string {
  return [...text].map((ch) => LEET[ch] ?? ch).join('');
}

/** Splits "!!Summer2024" into padding and a core that starts and ends with a letter. */
function splitPadding(text: string): { core: string; padding: string } {
  const match = /^([^\p{L}]*)(.*?)([^\p{L}]*)$/su.exec(text);
  const before = match?.[1] ?? '';
  const core = match?.[2] ?? text;
  const after = match?.[3] ?? '';
  return { core, padding: before + after };
}

function isCommon(text: string): boolean {
  return COMMON_PASSWORDS.has(text) || COMMON_WORDS.has(text);
}

/** A common word dressed up with a few digits or symbols: "Summer2024!", "p@ssw0rd1234". */
function isPaddedCommonWord(text: string): boolean {
  const { core, padding } = splitPadding(text);
  if (core.length === 0 || core === text) return false;
  const paddingIsWeak = characterCount(padding) <= 8 || isWeak(padding);
  return paddingIsWeak && (isCommon(core) || isCommon(deLeet(core)));
}

function isWeak(text: string): boolean {
  if (isCommon(text) || isSequence(text)) return true;
  const unit = repeatedUnit(text);
  if (unit !== null && (characterCount(unit) <= 4 || isWeak(unit))) return true;
  if (isCommon(deLeet(text))) return true;
  return isPaddedCommonWord(text);
}

function loginVariants(login: string): string[] {
  const lower = normalizePassword(login).trim().toLowerCase();
  const variants = new Set<string>([lower]);
  const at = lower.indexOf('@');
  if (at > 0) variants.add(lower.slice(0, at));
  for (const part of lower.split(/[^\p{L}\p{N}]+/u)) variants.add(part);
  return [...variants].filter((v) => characterCount(v) >= 3);
}

/** The login itself, reversed, or with only a little padding or an easily guessed addition. */
function isBasedOnLogin(lowerPassword: string, login: string): boolean {
  const whole = normalizePassword(login).trim().toLowerCase();
  if (whole.length > 0 && (lowerPassword === whole || lowerPassword === reverse(whole))) return true;
  for (const variant of loginVariants(login)) {
    for (const needle of [variant, reverse(variant)]) {
      if (!lowerPassword.includes(needle)) continue;
      const rest = lowerPassword.split(needle).join('');
      if (characterCount(rest) < 6 || !/\p{L}/u.test(rest) || isWeak(rest)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Generation

/** No 0/O/o, 1/l/I or |, so a password read aloud or copied from paper survives. */
export const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

/** A random password from PASSWORD_ALPHABET; `crypto.randomInt` picks each character without bias. */
export function generatePassword(length = 20): string {
  if (!Number.isInteger(length) || length < GENERATED_PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_BYTES) {
    throw new RangeError(
      `Generated password length must be an integer from ${GENERATED_PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_BYTES}`,
    );
  }
  let password = '';
  for (let i = 0; i < length; i += 1) {
    password += PASSWORD_ALPHABET.charAt(randomInt(PASSWORD_ALPHABET.length));
  }
  return password;
}

// ---------------------------------------------------------------------------------------------
// Hashing

function assertCost(cost: number): void {
  if (!Number.isInteger(cost) || cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST) {
    throw new RangeError(`bcrypt cost must be an integer from ${BCRYPT_MIN_COST} to ${BCRYPT_MAX_COST}`);
  }
}

export async function hashPassword(password: string, cost: number): Promise<string> {
  assertCost(cost);
  return bcrypt.hash(normalizePassword(password), cost);
}

/** More sign-ins at once than the machine can check in time: refused (503), not queued without end. */
export class PasswordChecksBusyError extends Error {
  override name = 'PasswordChecksBusyError';
  constructor() {
    super('too many password checks at once');
  }
}

export interface PasswordCheckLimits {
  /** comparisons running at once: one per thread of libuv's pool, where bcrypt runs */
  slots: number;
  /** how long a check may wait for a slot before its sign-in is refused */
  waitMs: number;
}

/** The pool's size as libuv reads it (Node's default 4), so raising UV_THREADPOOL_SIZE adds slots. */
const POOL_THREADS = Math.min(1024, Math.max(1, Math.floor(Number(process.env.UV_THREADPOOL_SIZE)) || 4));

/** A person signing in waits a few seconds for the answer; longer than this, a refusal serves them better. */
export const PASSWORD_CHECK_WAIT_MS = 5000;

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs bcrypt comparisons a few at a time; the rest wait their turn for at most `waitMs`. A burst
 * (everyone signing in again after an outage, many users signing in together) waits a little and
 * is served; in a storm the machine cannot keep up with, a check that would not start in time is
 * refused at once, judged by how long the recent checks took, and one that still has not started
 * when its wait is over is refused then: no sign-in hangs, and the queue never outgrows what
 * `waitMs` of checks can serve.
 */
export class PasswordCheckGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** moving average of a check's duration; 0 until one has run */
  private typicalMs = 0;

  constructor(private readonly limits: PasswordCheckLimits = { slots: POOL_THREADS, waitMs: PASSWORD_CHECK_WAIT_MS }) {}

  async run<T>(check: () => Promise<T>): Promise<T> {
    if (this.running < this.limits.slots) this.running++;
    else await this.turn();
    const started = performance.now();
    try {
      return await check();
    } finally {
      const ms = performance.now() - started;
      this.typicalMs = this.typicalMs === 0 ? ms : this.typicalMs * 0.8 + ms * 0.2;
      this.release();
    }
  }

  /** Resolves when a slot is handed over; rejects when none would be, or none was, in time. */
  private turn(): Promise<void> {
    const ahead = this.waiting.length + 1;
    if (Math.ceil(ahead / this.limits.slots) * this.typicalMs > this.limits.waitMs)
      return Promise.reject(new PasswordChecksBusyError());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new PasswordChecksBusyError());
        }, this.limits.waitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** Hands the finished check's slot to the longest waiting one, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.running--;
      return;
    }
    clearTimeout(next.timer);
    next.start();
  }
}

const passwordChecks = new PasswordCheckGate();

/**
 * True when the password matches the stored hash. A malformed hash is a mismatch, never an error.
 * A password longer than bcrypt reads is refused (it could not have been set), but only after the
 * full comparison, so the answer costs the same time either way.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const normalized = normalizePassword(password);
  let matches: boolean;
  try {
    matches = await passwordChecks.run(() => bcrypt.compare(normalized, hash));
  } catch (err) {
    if (err instanceof PasswordChecksBusyError) throw err;
    matches = false;
  }
  return matches && Buffer.byteLength(normalized, 'utf8') <= PASSWORD_MAX_BYTES;
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * A hash of a random secret that nobody knows, computed once per cost on first use. Call it at
 * start-up to warm the cache so the first unknown login is not slower than the rest.
 */
export function getDummyHash(cost: number): Promise<string> {
  assertCost(cost);
  let hash = dummyHashes.get(cost);
  if (hash === undefined) {
    hash = bcrypt.hash(randomBytes(32).toString('base64url'), cost);
    hash.catch(() => dummyHashes.delete(cost));
    dummyHashes.set(cost, hash);
  }
  return hash;
}

/**
 * For an unknown login: spends the same bcrypt work as checking a real account's password, so
 * the response time does not reveal whether the login exists. Always false.
 */
export async function verifyAgainstDummy(password: string, cost: number): Promise<false> {
  const hash = await getDummyHash(cost);
  try {
    await passwordChecks.run(() => bcrypt.compare(normalizePassword(password), hash));
  } catch (err) {
    if (err instanceof PasswordChecksBusyError) throw err;
    // The answer is false whatever happens; only the time spent matters.
  }
  return false;
}
