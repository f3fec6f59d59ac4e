import type { Infra } from '../../infra.ts';
import { composeMail } from '../../mail/compose.ts';

export interface CredentialsMail {
  to: string;
  login: string;
  name: string;
  customerName: string;
  /** the individual's effective interface language */
  language: string;
  mustChange: boolean;
}

/**
 * The credentials e-mail, in the individual's language, with the portal's sign-in address. It
 * never carries a password: whoever does not know it chooses one through "Forgot your password?"
 * (or the administrator sends a password-reset link).
 */
export async function sendCredentialsMail(
  deps: Pick<Infra, 'mailer' | 'i18n' | 'config'>,
  mail: CredentialsMail,
): Promise<void> {
  const t = deps.i18n.getFixedT(mail.language);
  const tr = (key: string, params: Record<string, unknown> = {}) => String(t(`email.credentials.${key}`, params));
  const url = `${deps.config.publicUrl.replace(/\/+$/, '')}/login`;
  const forgotUrl = `${deps.config.publicUrl.replace(/\/+$/, '')}/forgot-password`;
  const paragraphs: string[][] = [
    [tr('greeting', { name: mail.name || mail.login })],
    [tr('intro', { customer: mail.customerName })],
    [tr('login', { login: mail.login }), tr('passwordNotIncluded', { url: forgotUrl })],
    [tr('howToSignIn', { url })],
    ...(mail.mustChange ? [[tr('mustChange')]] : []),
    [tr('signature')],
  ];
  await deps.mailer.send(
    composeMail({
      to: mail.to,
      subject: tr('subject', { customer: mail.customerName }),
      language: mail.language,
      paragraphs,
      links: [url, forgotUrl],
    }),
  );
}
