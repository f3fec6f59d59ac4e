import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n, type TFunction } from 'i18next';

export type { TFunction };

const here = path.dirname(fileURLToPath(import.meta.url));
export const LOCALES_DIR = path.join(here, 'locales');

export function loadResources(): Record<string, { translation: Record<string, unknown> }> {
  const resources: Record<string, { translation: Record<string, unknown> }> = {};
  for (const lng of readdirSync(LOCALES_DIR)) {
    const file = path.join(LOCALES_DIR, lng, 'translation.json');
    if (existsSync(file)) resources[lng] = { translation: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
  }
  return resources;
}

/** One i18next instance for the process; requests use fixed-language `t` functions from it. */
export function createI18n(): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources: loadResources(),
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: false,
    initAsync: false,
    interpolation: { escapeValue: false }, // EJS escapes on output
    returnNull: false,
  });
  return instance;
}
