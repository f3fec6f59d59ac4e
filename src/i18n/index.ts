import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n } from 'i18next';

const here = path.dirname(fileURLToPath(import.meta.url));
export const LOCALES_DIR = path.join(here, 'locales');

type Tree = Record<string, unknown>;

function deepMerge(target: Tree, source: Tree): Tree {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && existing && typeof existing === 'object') {
      deepMerge(existing as Tree, value as Tree);
    } else {
      target[key] = value;
    }
  }
  return target;
}

/**
 * Every `locales/<lng>/*.json` file is merged into that language's one namespace, so each
 * feature keeps its strings in a file of its own (`portal.json`, `invoices.json`, …).
 */
export function loadResources(): Record<string, { translation: Tree }> {
  const resources: Record<string, { translation: Tree }> = {};
  for (const lng of readdirSync(LOCALES_DIR)) {
    const dir = path.join(LOCALES_DIR, lng);
    if (!existsSync(dir)) continue;
    const translation: Tree = {};
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      deepMerge(translation, JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Tree);
    }
    resources[lng] = { translation };
  }
  return resources;
}

/**
 * A sentence that ends right after an interpolated value already ending in a full stop (an
 * example date whose AM/PM marker is "p. m.") gets one stop, not two; an ellipsis is left alone.
 */
const singleStops = {
  type: 'postProcessor' as const,
  name: 'singleStops',
  process: (value: string): string => value.replace(/(\p{L})\.\.(?!\.)/gu, '$1.'),
};

/** One i18next instance for the process; requests use fixed-language `t` functions from it. */
export function createI18n(): i18n {
  const instance = i18next.createInstance();
  instance.use(singleStops);
  void instance.init({
    postProcess: [singleStops.name],
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
