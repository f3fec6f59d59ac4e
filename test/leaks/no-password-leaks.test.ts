// Runs after every other test file of its project (see the sequencer in vitest.config.ts) and
// searches everything the app produced during the run — each e-mail (its raw form and its decoded
// text, HTML and subject) and each log line — for each password the app hashed or checked
// (gathered by test/helpers/secrets.ts). `npm test` shares the gathering between the app and the
// browser projects, so the check after the browser tests covers the whole suite.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMail, resetTokenIn } from '../helpers/mail.ts';
import { captureDir } from '../helpers/secrets.ts';

/** Shorter strings are never passwords the policy accepts, and would match ordinary words. */
const MIN_LENGTH = 8;

function filesIn(dir: string, pattern: RegExp): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => pattern.test(f))
        .map((f) => path.join(dir, f))
    : [];
}

describe('what the suite produced', () => {
  const dir = captureDir();

  it('holds no password in any e-mail or log line, and no password-reset token in any log line', () => {
    if (!dir) throw new Error('no capture folder: run this file through the app or e2e project');
    const passwords = new Set<string>();
    for (const file of filesIn(dir, /^passwords-.*\.txt$/))
      for (const line of readFileSync(file, 'utf8').split('\n')) if (line) passwords.add(JSON.parse(line) as string);
    const secrets = [...passwords].filter((p) => p.length >= MIN_LENGTH);

    const places: { where: string; text: string }[] = [];
    const resetTokens = new Set<string>();
    for (const file of filesIn(path.join(dir, 'mail'), /\.eml$/)) {
      const mail = parseMail(readFileSync(file, 'utf8'));
      const token = resetTokenIn(mail);
      if (token) resetTokens.add(token);
      places.push({
        where: `e-mail ${path.basename(file)}`,
        text: [mail.raw, mail.subject, mail.text, mail.html].join('\n'),
      });
    }
    let lines = 0;
    for (const file of filesIn(dir, /^log-.*\.ndjson$/)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (!line) return;
          lines++;
          places.push({ where: `${path.basename(file)}:${i + 1}`, text: line });
        });
    }
    const leaks = places.flatMap(({ where, text }) =>
      secrets
        .filter((secret) => text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1)))
        .map((secret) => `${where} holds the password ${JSON.stringify(secret)}`),
    );
    // the links that stand in for passwords stay out of the logs too
    for (const { where, text } of places.filter((p) => !p.where.startsWith('e-mail')))
      for (const token of resetTokens) if (text.includes(token)) leaks.push(`${where} holds a password-reset token`);
    console.info(
      `searched ${places.length - lines} e-mails and ${lines} log lines for ${secrets.length} passwords ` +
        `and ${resetTokens.size} reset tokens (capture: ${dir})`,
    );
    expect(leaks).toEqual([]);
  });
});
