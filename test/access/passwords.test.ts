import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import bcrypt from 'bcrypt';
import {
  PASSWORD_ALPHABET,
  PASSWORD_POLICY_MESSAGES,
  checkPasswordPolicy,
  generatePassword,
  getDummyHash,
  hashPassword,
  PasswordCheckGate,
  PasswordChecksBusyError,
  passwordByteLength,
  verifyAgainstDummy,
  verifyPassword,
} from '../../src/access/passwords.ts';
import { COMMON_PASSWORDS, COMMON_WORDS } from '../../src/access/common-passwords.ts';

const COST = 4;
// Unremarkable text to pad to exact lengths without tripping the guessability checks.
const FILLER = 'Vk7mQz3Rw9TbXh2NcYp4Ls8GdJf6';

function asciiOfLength(bytes: number): string {
  let text = '';
  while (text.length < bytes) text += FILLER;
  return text.slice(0, bytes);
}

describe('checkPasswordPolicy: length', () => {
  it('refuses 11 characters as too short and says the limit', () => {
    expect(checkPasswordPolicy(asciiOfLength(11))).toEqual({
      ok: false,
      code: 'too_short',
      message: 'Password must be at least 12 characters',
    });
  });

  it('accepts exactly 12 characters', () => {
    expect(checkPasswordPolicy(asciiOfLength(12))).toEqual({ ok: true });
  });

  it('accepts exactly 72 bytes', () => {
    expect(checkPasswordPolicy(asciiOfLength(72))).toEqual({ ok: true });
  });

  it('refuses 73 bytes as too long and explains why', () => {
    const result = checkPasswordPolicy(asciiOfLength(73));
    expect(result).toEqual({
      ok: false,
      code: 'too_long',
      message:
        'Password must be at most 72 bytes (bcrypt ignores anything longer); multi-byte characters count as several',
    });
  });

  it('counts an accented letter as two bytes: 34 of them in 72 bytes pass, 35 in 73 bytes do not', () => {
    const base = 'Kw9'; // 3 bytes, so the repeated letter is not the whole password
    const fits = base + 'é'.repeat(34) + 'x'; // 3 + 68 + 1 = 72 bytes
    expect(passwordByteLength(fits)).toBe(72);
    expect(checkPasswordPolicy(fits)).toEqual({ ok: true });
    const over = base + 'é'.repeat(35); // 3 + 70 = 73 bytes, only 38 characters
    expect(passwordByteLength(over)).toBe(73);
    expect(checkPasswordPolicy(over)).toMatchObject({ ok: false, code: 'too_long' });
  });

  it('measures 18 × "é" as 36 bytes and 37 × "é" as 74 bytes, over the limit', () => {
    expect(passwordByteLength('é'.repeat(18))).toBe(36);
    expect(passwordByteLength('é'.repeat(37))).toBe(74);
    expect(checkPasswordPolicy('é'.repeat(37))).toMatchObject({ code: 'too_long' });
  });

  it('accepts a mix of multi-byte characters within 72 bytes', () => {
    const text = 'Grüße aus Köln, 東京 🚀 nächstes Jahr'; // emoji 4 bytes, kanji 3 bytes each
    expect(passwordByteLength(text)).toBeLessThanOrEqual(72);
    expect(checkPasswordPolicy(text)).toEqual({ ok: true });
  });

  it('refuses 19 emoji (76 bytes) as too long though they are only 19 characters', () => {
    const text = '🚀🌍🎉🔑🐙🍕🎸🌵🦊🧩🚲🌈🍩🪐🎲🧲🦉🥨🐝';
    expect([...text]).toHaveLength(19);
    expect(checkPasswordPolicy(text)).toMatchObject({ code: 'too_long' });
  });

  it('counts characters, not bytes, for the minimum: 6 × "é" is 12 bytes but too short', () => {
    expect(checkPasswordPolicy('éàüöñç')).toMatchObject({ code: 'too_short' });
  });

  it('measures the composed form, so "e" + combining accent counts like "é"', () => {
    const decomposed = 'e\u0301';
    expect(passwordByteLength(decomposed.repeat(36))).toBe(72);
  });

  it('has no composition rules: lowercase letters and spaces alone are fine', () => {
    expect(checkPasswordPolicy('correct horse battery staple')).toEqual({ ok: true });
    expect(checkPasswordPolicy('wobbly kettle of marmalade')).toEqual({ ok: true });
  });

  it('exports a message for every code so callers can translate by code', () => {
    expect(Object.keys(PASSWORD_POLICY_MESSAGES).sort()).toEqual(['too_common', 'too_long', 'too_short']);
  });
});

describe('checkPasswordPolicy: guessable passwords', () => {
  it.each([
    'password1234',
    'PASSWORD1234',
    'PassWord1234',
    'qwertyuiop123',
    'QwertyUiop123',
    '123456789012',
    'iloveyou1234',
    'ILoveYou1234',
    'welcome123456',
    'administrator',
    'Administrator',
    'changeme1234',
    'letmein12345',
    'Letmein123456',
  ])('refuses the common password %s regardless of case', (password) => {
    expect(checkPasswordPolicy(password)).toMatchObject({ ok: false, code: 'too_common' });
  });

  it.each([
    'aaaaaaaaaaaa',
    '111111111111',
    '000000000000000',
    '            ',
    'abcabcabcabc',
    '121212121212',
    '1q2w1q2w1q2w',
    'passwordpassword',
    'qwertyqwerty',
  ])('refuses the repetition %j', (password) => {
    expect(checkPasswordPolicy(password)).toMatchObject({ code: 'too_common' });
  });

  it.each([
    'abcdefghijklm',
    'zyxwvutsrqpon',
    '1234567890123',
    '9876543210987',
    'qwertyuiopasdf',
    "ASDFGHJKL;'zx",
    '1qaz2wsx3edc',
    'zaq1xsw2cde3',
    'poiuytrewqlkj',
    'qwertzuiopas',
    'azertyuiopqsd',
  ])('refuses the keyboard walk or run %s', (password) => {
    expect(checkPasswordPolicy(password)).toMatchObject({ code: 'too_common' });
  });

  it.each(['Summer2024!!', 'Football1234', 'p@ssw0rd1234', 'P4ssw0rd2025!', '!!Dragon1234', 'Monkey19850412'])(
    'refuses the common word padded with digits or symbols %s',
    (password) => {
      expect(checkPasswordPolicy(password)).toMatchObject({ code: 'too_common' });
    },
  );

  it('does not refuse a long random suffix just because it follows a common word', () => {
    expect(checkPasswordPolicy('dragon-83920471826354')).toEqual({ ok: true });
  });

  it.each([
    ['jsmith-billing', 'jsmith-billing'],
    ['jsmith-billing', 'JSMITH-BILLING'],
    ['acme_corp', 'acme_corp2024!'],
    ['acme_corp', 'Acme_Corp123456'],
    ['acme_corp', '123456acme_corp'],
    ['acme_corp', 'proc_emcaproc'],
    ['ops@example.com', 'ops@example.com'],
    ['reception', 'reception2025!'],
    ['reception', 'receptionreception'],
    ['reception', 'receptionqwerty'],
  ])('refuses a password built from the login %s: %s', (login, password) => {
    expect(checkPasswordPolicy(password, { login })).toEqual({
      ok: false,
      code: 'too_common',
      message: 'Password must not be based on the login',
    });
  });

  it('accepts a password that merely contains the login among real words', () => {
    expect(checkPasswordPolicy('acme loves purple giraffes', { login: 'acme' })).toEqual({ ok: true });
  });

  it('ignores a blank login', () => {
    expect(checkPasswordPolicy('wobbly kettle of marmalade', { login: '  ' })).toEqual({ ok: true });
  });

  it('refuses every entry of the shipped list that is long enough to reach the check', () => {
    for (const entry of COMMON_PASSWORDS) {
      if (entry.length < 12 || Buffer.byteLength(entry) > 72) continue;
      expect(checkPasswordPolicy(entry).ok, entry).toBe(false);
      expect(checkPasswordPolicy(entry.toUpperCase()).ok, entry).toBe(false);
    }
  });
});

describe('the shipped list of common passwords', () => {
  it('holds at least a thousand lowercased entries of 8 characters or more', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(1000);
    for (const entry of COMMON_PASSWORDS) {
      expect(entry.length).toBeGreaterThanOrEqual(8);
      expect(entry).toBe(entry.toLowerCase());
    }
  });

  it('includes the usual suspects', () => {
    for (const entry of [
      'password1234',
      'qwertyuiop123',
      '123456789012',
      'iloveyou1234',
      'letmein123',
      'welcome123456',
      'administrator',
      'changeme1234',
      '1qaz2wsx3edc',
      'summer2025',
    ]) {
      expect(COMMON_PASSWORDS.has(entry), entry).toBe(true);
    }
    expect(COMMON_WORDS.has('password')).toBe(true);
  });
});

describe('generatePassword', () => {
  it('makes 20 characters by default, all from the unambiguous alphabet', () => {
    const password = generatePassword();
    expect(password).toHaveLength(20);
    expect(password).toMatch(/^[A-Za-z2-9]+$/);
    for (const ch of password) expect(PASSWORD_ALPHABET).toContain(ch);
  });

  it('keeps 0, O, o, 1, l, I and | out of the alphabet', () => {
    for (const ch of '0Oo1lI|') expect(PASSWORD_ALPHABET).not.toContain(ch);
    expect(new Set(PASSWORD_ALPHABET).size).toBe(PASSWORD_ALPHABET.length);
  });

  it('makes the requested length from 16 up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 72 }), (length) => {
        const password = generatePassword(length);
        expect(password).toHaveLength(length);
        expect([...password].every((ch) => PASSWORD_ALPHABET.includes(ch))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses to make a password shorter than 16 or longer than bcrypt reads', () => {
    expect(() => generatePassword(15)).toThrow(RangeError);
    expect(() => generatePassword(73)).toThrow(RangeError);
    expect(() => generatePassword(16.5)).toThrow(RangeError);
  });

  it('makes a different password each time, each passing the policy', () => {
    const passwords = Array.from({ length: 200 }, () => generatePassword());
    expect(new Set(passwords).size).toBe(passwords.length);
    for (const p of passwords) expect(checkPasswordPolicy(p)).toEqual({ ok: true });
  });

  it('uses every character of the alphabet at roughly the same rate', () => {
    const counts = new Map<string, number>();
    const sample = Array.from({ length: 500 }, () => generatePassword(40)).join('');
    for (const ch of sample) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = sample.length / PASSWORD_ALPHABET.length; // ≈ 357
    expect(counts.size).toBe(PASSWORD_ALPHABET.length);
    for (const count of counts.values()) {
      // ±6 standard deviations: fails only for a real bias, not for chance.
      expect(Math.abs(count - expected)).toBeLessThan(6 * Math.sqrt(expected));
    }
  });
});

describe('hashPassword and verifyPassword', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const hash = await hashPassword('wobbly kettle of marmalade', COST);
    expect(hash).toMatch(/^\$2b\$04\$/);
    await expect(verifyPassword('wobbly kettle of marmalade', hash)).resolves.toBe(true);
    await expect(verifyPassword('Wobbly kettle of marmalade', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('salts each hash so the same password hashes differently', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same password here', COST),
      hashPassword('same password here', COST),
    ]);
    expect(a).not.toBe(b);
  });

  it('verifies a password typed in decomposed Unicode against one set in composed form', async () => {
    const hash = await hashPassword('café crème brûlée', COST);
    await expect(verifyPassword('cafe\u0301 cre\u0300me bru\u0302le\u0301e', hash)).resolves.toBe(true);
  });

  it('does not accept a longer password that bcrypt would truncate to the stored one', async () => {
    const stored = asciiOfLength(72);
    const hash = await hashPassword(stored, COST);
    await expect(verifyPassword(stored, hash)).resolves.toBe(true);
    await expect(verifyPassword(stored + 'extra', hash)).resolves.toBe(false);
  });

  it('answers false for a malformed hash instead of throwing', async () => {
    await expect(verifyPassword('wobbly kettle of marmalade', 'not-a-bcrypt-hash')).resolves.toBe(false);
    await expect(verifyPassword('wobbly kettle of marmalade', '')).resolves.toBe(false);
  });

  it('refuses a cost outside what bcrypt supports', async () => {
    await expect(hashPassword('wobbly kettle of marmalade', 3)).rejects.toThrow(RangeError);
    await expect(hashPassword('wobbly kettle of marmalade', 12.5)).rejects.toThrow(RangeError);
  });
});

describe('verifyAgainstDummy', () => {
  it('always answers false, even for an empty password', async () => {
    await expect(verifyAgainstDummy('wobbly kettle of marmalade', COST)).resolves.toBe(false);
    await expect(verifyAgainstDummy('', COST)).resolves.toBe(false);
  });

  it('computes the dummy hash once per cost and at that cost', async () => {
    const first = await getDummyHash(COST);
    const second = await getDummyHash(COST);
    expect(second).toBe(first);
    expect(bcrypt.getRounds(first)).toBe(COST);
    const other = await getDummyHash(5);
    expect(bcrypt.getRounds(other)).toBe(5);
  });

  it('spends bcrypt work like a real check', async () => {
    // Cost 10 makes one comparison take milliseconds, far above the cost of returning early.
    await getDummyHash(10);
    const started = performance.now();
    await verifyAgainstDummy('wobbly kettle of marmalade', 10);
    const dummyMs = performance.now() - started;
    const realHash = await bcrypt.hash('x', 10);
    const realStarted = performance.now();
    await verifyPassword('wobbly kettle of marmalade', realHash);
    const realMs = performance.now() - realStarted;
    expect(dummyMs).toBeGreaterThan(realMs / 4);
  });
});

describe('a burst of password checks', () => {
  it('lets every sign-in of a burst wait its turn and be checked, instead of refusing the ones past a queue', async () => {
    const hash = await hashPassword('violet kettle harbour lamp', COST);
    const results = await Promise.all(
      Array.from({ length: 60 }, () => verifyPassword('violet kettle harbour lamp', hash)),
    );
    expect(results.every((matches) => matches)).toBe(true);
  });

  const slow = (ms: number) => () => new Promise<true>((resolve) => setTimeout(() => resolve(true), ms));

  it('runs checks a few at a time and starts a waiting one as soon as a slot is free', async () => {
    const gate = new PasswordCheckGate({ slots: 2, waitMs: 1000 });
    let running = 0;
    let most = 0;
    const check = async () => {
      most = Math.max(most, ++running);
      await slow(20)();
      running--;
      return true;
    };
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 10 }, () => gate.run(check)));
    expect(results).toEqual(Array(10).fill(true));
    expect(most).toBe(2);
    // five rounds of 20 ms, not a refusal nor a wait for the whole second
    expect(performance.now() - started).toBeLessThan(600);
  });

  it('refuses a storm past the wait with PasswordChecksBusyError, at once once it knows a check takes time, never hanging', async () => {
    const gate = new PasswordCheckGate({ slots: 2, waitMs: 300 });
    // a first burst within the wait: all checked, and the gate learns a check takes about 100 ms
    expect(await Promise.all(Array.from({ length: 4 }, () => gate.run(slow(100))))).toEqual(Array(4).fill(true));

    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () =>
        gate.run(slow(100)).then(
          () => ({ ok: true, ms: performance.now() - started }),
          (err: unknown) => ({ ok: false, err, ms: performance.now() - started }),
        ),
      ),
    );
    const served = outcomes.filter((o) => o.ok);
    const refused = outcomes.filter((o) => !o.ok);
    // two at once and what three rounds of checks can start within 300 ms
    expect(served.length).toBeGreaterThanOrEqual(2);
    expect(served.length).toBeLessThanOrEqual(8);
    for (const o of refused) expect((o as { err: unknown }).err).toBeInstanceOf(PasswordChecksBusyError);
    // most refused before any check of the storm ended; none later than the wait and one check
    expect(refused.filter((o) => o.ms < 50).length).toBeGreaterThanOrEqual(30);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(300 + 100 + 200);
    // the storm over, the next check runs at once
    expect(await gate.run(slow(1))).toBe(true);
  });

  it('refuses a check still waiting when its wait is over, even before it knows how long checks take', async () => {
    const gate = new PasswordCheckGate({ slots: 1, waitMs: 100 });
    const started = performance.now();
    const first = gate.run(slow(400));
    const second = gate.run(slow(1)).catch((err: unknown) => ({ err, ms: performance.now() - started }));
    const refusal = (await second) as { err: unknown; ms: number };
    expect(refusal.err).toBeInstanceOf(PasswordChecksBusyError);
    // at the end of its wait, not when the slow check ahead of it ends
    expect(refusal.ms).toBeGreaterThanOrEqual(95);
    expect(refusal.ms).toBeLessThan(300);
    expect(await first).toBe(true);
    // the refused check never ran and took no slot: the gate is free again
    expect(await gate.run(slow(1))).toBe(true);
  });
});
