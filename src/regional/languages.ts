/** The portal's interface languages and how a browser's Accept-Language picks one. */

export const LANGUAGES = Object.freeze([
  Object.freeze({ code: 'en', nativeName: 'English' }),
  Object.freeze({ code: 'es', nativeName: 'Español' }),
  Object.freeze({ code: 'fr', nativeName: 'Français' }),
  Object.freeze({ code: 'de', nativeName: 'Deutsch' }),
  Object.freeze({ code: 'pt-BR', nativeName: 'Português (Brasil)' }),
  Object.freeze({ code: 'uk', nativeName: 'Українська' }),
] as const);

export type LanguageCode = (typeof LANGUAGES)[number]['code'];
export type ILang = 'en' | 'es' | 'fr' | 'de' | 'pt-br' | 'uk';

export const DEFAULT_LANGUAGE: LanguageCode = 'en';

/** The administration speaks one language. */
export const ADMIN_LANGUAGE: LanguageCode = 'en';

const CODES: ReadonlySet<string> = new Set(LANGUAGES.map((language) => language.code));

export function isLanguage(code: unknown): code is LanguageCode {
  return typeof code === 'string' && CODES.has(code);
}

/** The `i_lang` value of the legacy billing API. */
export function toILang(code: LanguageCode): ILang {
  return code === 'pt-BR' ? 'pt-br' : code;
}

/** Exact tag first ("pt-BR", any case), then the primary subtag ("pt-PT" → pt-BR, "uk-UA" → uk). */
function matchTag(tag: string): LanguageCode | null {
  const lower = tag.toLowerCase();
  const exact = LANGUAGES.find((language) => language.code.toLowerCase() === lower);
  if (exact !== undefined) return exact.code;
  const primary = lower.split('-')[0];
  const byPrimary = LANGUAGES.find((language) => language.code.toLowerCase().split('-')[0] === primary);
  return byPrimary?.code ?? null;
}

interface Preference {
  tag: string;
  quality: number;
  order: number;
}

// A header is a few dozen bytes; anything longer is not a browser and need not be read in full.
const MAX_HEADER_LENGTH = 1000;
const MAX_ENTRIES = 50;

function readPreferences(header: string): Preference[] {
  return header
    .slice(0, MAX_HEADER_LENGTH)
    .split(',')
    .slice(0, MAX_ENTRIES)
    .map((entry, order): Preference | null => {
      const [rawTag = '', ...params] = entry.split(';');
      const tag = rawTag.trim();
      if (!/^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$/u.test(tag)) return null;
      let quality = 1;
      for (const param of params) {
        const [name = '', value = ''] = param.split('=').map((part) => part.trim());
        if (name.toLowerCase() !== 'q') continue;
        if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/u.test(value)) return null;
        quality = Number(value);
      }
      return { tag, quality, order };
    })
    .filter((preference): preference is Preference => preference !== null);
}

/**
 * The best interface language for an Accept-Language header, honouring q-values (q=0 rules a
 * language out, "*" means any language not ruled out); DEFAULT_LANGUAGE when nothing matches.
 */
export function pickLanguage(acceptLanguageHeader: string | undefined): LanguageCode {
  if (acceptLanguageHeader === undefined) return DEFAULT_LANGUAGE;
  const preferences = readPreferences(acceptLanguageHeader);

  // "pt;q=0" rules out pt-BR, "pt-PT;q=0" does not: a refusal is never widened to a relative.
  const refused = new Set<LanguageCode>();
  for (const preference of preferences.filter((candidate) => candidate.quality === 0)) {
    const tag = preference.tag.toLowerCase();
    for (const language of LANGUAGES) {
      const code = language.code.toLowerCase();
      if (tag === code || tag === code.split('-')[0]) refused.add(language.code);
    }
  }

  const wanted = preferences
    .filter((preference) => preference.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.order - b.order);
  for (const preference of wanted) {
    if (preference.tag === '*') {
      const any = LANGUAGES.find((language) => !refused.has(language.code));
      if (any !== undefined) return any.code;
      continue;
    }
    const code = matchTag(preference.tag);
    if (code !== null && !refused.has(code)) return code;
  }
  return DEFAULT_LANGUAGE;
}
