import type { Request } from 'express';
import { isLanguage, pickLanguage } from '../../regional/languages.ts';

/**
 * Language before sign-in: a `?lang=` switch (remembered in the session), else the browser's
 * Accept-Language. A signed-in viewer's own language replaces it in `loadViewer`.
 */
export function portalLanguage(req: Request): string {
  const asked = req.query.lang;
  if (isLanguage(asked)) req.session.language = asked;
  return isLanguage(req.session.language) ? req.session.language : pickLanguage(req.get('Accept-Language'));
}
