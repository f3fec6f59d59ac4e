import type { Infra } from '../../infra.ts';

export interface CredentialsMail {
  to: string;
  login: string;
  name: string;
  customerName: string;
  /** the individual's effective interface language */
  language: string;
  /** only when the admin asked to send the password it has just set */
  password?: string;
  mustChange: boolean;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The credentials e-mail, in the individual's language, with the portal's sign-in address. */
export async function sendCredentialsMail(
  deps: Pick<Infra, 'mailer' | 'i18n' | 'config'>,
  mail: CredentialsMail,
): Promise<void> {
  const t = deps.i18n.getFixedT(mail.language);
  const tr = (key: string, params: Record<string, unknown> = {}) => String(t(`email.credentials.${key}`, params));
  const url = `${deps.config.publicUrl.replace(/\/+$/, '')}/login`;
  const paragraphs: string[][] = [
    [tr('greeting', { name: mail.name || mail.login })],
    [tr('intro', { customer: mail.customerName })],
    [
      tr('login', { login: mail.login }),
      mail.password !== undefined ? tr('password', { password: mail.password }) : tr('passwordNotIncluded'),
    ],
    [tr('howToSignIn', { url })],
    ...(mail.mustChange ? [[tr('mustChange')]] : []),
    [tr('signature')],
  ];
  const text = paragraphs.map((lines) => lines.join('\n')).join('\n\n') + '\n';
  const html = `<!doctype html><html lang="${escapeHtml(mail.language)}"><body>${paragraphs
    .map(
      (lines) =>
        `<p>${lines.map((line) => escapeHtml(line).replace(escapeHtml(url), `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`)).join('<br>')}</p>`,
    )
    .join('')}</body></html>`;
  await deps.mailer.send({ to: mail.to, subject: tr('subject', { customer: mail.customerName }), text, html });
}
