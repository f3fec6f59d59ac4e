import type { MailMessage } from './mailer.ts';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A plain message built from paragraphs of lines: the text part as written, the HTML part escaped,
 * in the message's language, with each address in `links` made clickable.
 */
export function composeMail(opts: {
  to: string;
  subject: string;
  language: string;
  paragraphs: string[][];
  links?: string[];
}): MailMessage {
  const text = opts.paragraphs.map((lines) => lines.join('\n')).join('\n\n') + '\n';
  const linked = (line: string): string => {
    let html = escapeHtml(line);
    for (const url of opts.links ?? []) {
      const safe = escapeHtml(url);
      html = html.split(safe).join(`<a href="${safe}">${safe}</a>`);
    }
    return html;
  };
  const html = `<!doctype html><html lang="${escapeHtml(opts.language)}"><body>${opts.paragraphs
    .map((lines) => `<p>${lines.map(linked).join('<br>')}</p>`)
    .join('')}</body></html>`;
  return { to: opts.to, subject: opts.subject, text, html };
}
