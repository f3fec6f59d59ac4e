import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

const FROM = 'Selfcare <no-reply@selfcare.invalid>';

/** How long the outbox keeps a message: long enough to look at, short enough not to pile up links. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * SMTP when SMTP_URL is set; otherwise every message is written as an .eml file under outboxDir,
 * readable only by the app's user (folder 0700, files 0600), and files older than seven days are
 * removed (checked at most once an hour, when a message is written).
 */
export function createMailer(opts: {
  smtpUrl: string | undefined;
  outboxDir: string;
  from?: string;
  now?: () => number;
}): Mailer {
  const from = opts.from ?? FROM;
  if (opts.smtpUrl) {
    const transport: Transporter = nodemailer.createTransport(opts.smtpUrl);
    return { send: async (m) => void (await transport.sendMail({ from, ...m })) };
  }
  const now = opts.now ?? Date.now;
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let prunedAt = 0;
  return {
    async send(m) {
      const info = (await transport.sendMail({ from, ...m })) as { message: Buffer };
      await mkdir(opts.outboxDir, { recursive: true, mode: 0o700 });
      await chmod(opts.outboxDir, 0o700);
      const name = `${new Date(now()).toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      await writeFile(path.join(opts.outboxDir, name), info.message, { mode: 0o600, flag: 'wx' });
      if (now() - prunedAt >= PRUNE_INTERVAL_MS) {
        prunedAt = now();
        await pruneOutbox(opts.outboxDir, now() - OUTBOX_RETENTION_MS);
      }
    },
  };
}

/** Removes the outbox's .eml files last written before `before` (ms since the epoch). */
export async function pruneOutbox(dir: string, before: number): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.eml')) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info && info.mtimeMs < before) {
      await unlink(file).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}
