import type { Request } from 'express';
import { pendingSignIn } from '../../http/pending-sign-in.ts';
import { isLanguage, pickLanguage } from '../../regional/languages.ts';

/**
 * Language before sign-in: a `?lang=` switch (remembered in the session), else the browser's
 * Accept-Language. Once the password is right the account is known, so a sign-in waiting for its
 * second step speaks the account's language; a signed-in viewer's own language replaces it in
 * `loadViewer`.
 */
export function portalLanguage(req: Request): string {
  const asked = req.query.lang;
  if (isLanguage(asked)) req.session.language = asked;
  const account = pendingSignIn(req, 'portalPending')?.language;
  if (isLanguage(account)) return account;
  return isLanguage(req.session.language) ? req.session.language : pickLanguage(req.get('Accept-Language'));
}
