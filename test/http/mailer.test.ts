import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/mail/mailer.ts';
import { createTestApp, csrfFrom, type TestApp } from '../helpers/app.ts';
import { createCustomer } from '../helpers/fixtures.ts';
import { parseMail, resetTokenIn, type SentMail } from '../helpers/mail.ts';
import { recordMail } from '../helpers/secrets.ts';

const message = { to: 'someone@example.com', subject: 'Hello', text: 'Hello there\n' };

describe('the outbox (no SMTP_URL)', () => {
  it('writes each message as an .eml file readable only by the app’s user, in a folder only it can open', async () => {
    const outboxDir = path.join(mkdtempSync(path.join(tmpdir(), 'selfcare-mail-')), 'outbox');
    mkdirSync(outboxDir, { mode: 0o755 });
    chmodSync(outboxDir, 0o755);
    await createMailer({ smtpUrl: undefined, outboxDir }).send(message);
    const [file] = readdirSync(outboxDir);
    expect(file).toMatch(/\.eml$/);
    expect(statSync(outboxDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(outboxDir, file!)).mode & 0o777).toBe(0o600);
  });

  it('removes messages older than seven days and keeps the newer ones', async () => {
    const outboxDir = path.join(mkdtempSync(path.join(tmpdir(), 'selfcare-mail-')), 'outbox');
    mkdirSync(outboxDir, { mode: 0o700 });
    const old = path.join(outboxDir, 'old.eml');
    const recent = path.join(outboxDir, 'recent.eml');
    for (const [file, days] of [
      [old, 8],
      [recent, 6],
    ] as const) {
      writeFileSync(file, 'Subject: x\n\nx\n', { mode: 0o600 });
      const at = new Date(Date.now() - days * 86_400_000);
      utimesSync(file, at, at);
    }
    await createMailer({ smtpUrl: undefined, outboxDir }).send(message);
    const names = readdirSync(outboxDir);
    expect(names).not.toContain('old.eml');
    expect(names).toContain('recent.eml');
    expect(names).toHaveLength(2);
  });
});

describe('SMTP (SMTP_URL set)', () => {
  let smtp: SMTPServer | undefined;
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    smtp = undefined;
    t = undefined;
  });

  it('delivers the password-reset link through a real SMTP server, and the link works', async () => {
    const received: { from: string; to: string[]; mail: SentMail }[] = [];
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          recordMail(raw);
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            mail: parseMail(raw),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    t = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    await createCustomer(t.deps, { login: 'smtp.one', email: 'smtp.one@example.com', language: 'fr' });

    const agent = request.agent(t.app);
    const page = await agent.get('/forgot-password');
    const res = await agent
      .post('/forgot-password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: 'smtp.one' });
    expect(res.status).toBe(303);
    await t.deps.background.idle();

    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery!.to).toEqual(['smtp.one@example.com']);
    expect(delivery!.from).toBe('no-reply@selfcare.invalid');
    expect(delivery!.mail.subject).toContain('Choisissez un nouveau mot de passe');
    expect(readdirSync(t.config.dataDir)).not.toContain('outbox');

    const token = resetTokenIn(delivery!.mail)!;
    const form = await agent.get(`/reset-password/${token}`);
    expect(form.status).toBe(200);
    const done = await agent
      .post(`/reset-password/${token}`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        new_password: 'harbour violet kettle 77',
        new_password_confirm: 'harbour violet kettle 77',
      });
    expect(done.status).toBe(303);
    await t.deps.background.idle();
    expect(received).toHaveLength(2);
    expect(received[1]!.mail.subject).toContain('smtp.one');
    expect(received[1]!.mail.raw).not.toContain('harbour violet kettle 77');
  });
});
