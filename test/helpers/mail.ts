/**
 * Reading the messages the app sent: the .eml files of the outbox (no SMTP_URL) or the raw
 * messages a test SMTP server received. A small MIME reader for what nodemailer writes: headers
 * (RFC 2047 words decoded), and the text and HTML parts in quoted-printable or base64.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SentMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, body: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(body, 'base64').toString('utf8')
        : Buffer.from(
            body
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

function headersOf(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** Splits one message into its headers and its decoded text and HTML parts. */
export function parseMail(raw: string): SentMail {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = headersOf(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const parts: { type: string; content: string }[] = [];
  const collect = (h: Map<string, string>, content: string) => {
    const type = h.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (!boundary) return parts.push({ type, content: decodeBody(content, h.get('content-transfer-encoding')) });
    for (const section of content.split(`--${boundary}`).slice(1)) {
      if (section.startsWith('--')) break;
      const cut = section.search(/\r?\n\r?\n/);
      collect(headersOf(section.slice(0, cut)), section.slice(cut).replace(/^\r?\n\r?\n/, ''));
    }
    return parts.length;
  };
  collect(headers, body);
  return {
    to: decodeWords(headers.get('to') ?? ''),
    subject: decodeWords(headers.get('subject') ?? ''),
    text: parts.find((p) => p.type.startsWith('text/plain'))?.content ?? '',
    html: parts.find((p) => p.type.startsWith('text/html'))?.content ?? '',
    raw,
  };
}

/** Every message in the outbox of a data directory, oldest first. */
export function outboxMails(dataDir: string): SentMail[] {
  const dir = path.join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => parseMail(readFileSync(path.join(dir, f), 'utf8')));
}

/** The token of the password-reset link in a message, or null. */
export function resetTokenIn(mail: SentMail): string | null {
  return /\/reset-password\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? null;
}
