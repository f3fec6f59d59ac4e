import { mkdir, writeFile } from 'node:fs/promises';
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

/** SMTP when SMTP_URL is set; otherwise every message is written as an .eml file under outboxDir. */
export function createMailer(opts: { smtpUrl: string | undefined; outboxDir: string; from?: string }): Mailer {
  const from = opts.from ?? FROM;
  if (opts.smtpUrl) {
    const transport: Transporter = nodemailer.createTransport(opts.smtpUrl);
    return { send: async (m) => void (await transport.sendMail({ from, ...m })) };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = (await transport.sendMail({ from, ...m })) as { message: Buffer };
      await mkdir(opts.outboxDir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}.eml`;
      await writeFile(path.join(opts.outboxDir, name), info.message);
    },
  };
}
