import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALES_DIR, loadResources } from '../../src/i18n/index.ts';
import { LANGUAGES } from '../../src/regional/languages.ts';
import { ADMIN_PERMISSIONS } from '../../src/access/route-permissions.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Keys the code builds at run time from a prefix and a value (`'portal.invoices.statuses.' + status`,
 * `` `individuals.errors.${e.code}` ``). Every key under such a prefix counts as used, or only the
 * listed ones when `keys` is given. Each prefix must still occur in the code that way, and every
 * such prefix in the code must be listed here.
 */
const DYNAMIC_KEYS: ReadonlyArray<{ prefix: string; keys?: readonly string[]; where: string }> = [
  { prefix: 'audit.actors.', where: 'src/features/audit/wording.ts: one per kind of actor' },
  { prefix: 'audit.components.', where: 'src/features/audit/wording.ts: one per self-care component of a role' },
  { prefix: 'audit.entities.', where: 'src/features/audit/wording.ts: one per kind of audited entity' },
  { prefix: 'audit.fields.', where: 'src/features/audit/wording.ts: one label per audited property' },
  { prefix: 'audit.levels.', where: 'src/features/audit/wording.ts: one per permission level' },
  { prefix: 'audit.outcomes.', where: 'src/features/audit/wording.ts: one per event outcome' },
  { prefix: 'audit.sentences.', where: 'src/features/audit/wording.ts: one sentence per action code' },
  { prefix: 'audit.values.', where: 'src/features/audit/wording.ts: words for the values of some properties' },
  { prefix: 'email.credentials.', where: 'src/features/individuals/mail.ts: the lines of the credentials e-mail' },
  { prefix: 'fieldLabels.', where: 'src/http/door.ts: the field a general message (“Enter a value”) is about' },
  {
    prefix: 'email.newSignIn.',
    where: 'src/features/sessions/service.ts: the lines of the new-address sign-in e-mail',
  },
  {
    prefix: 'email.passwordChanged.',
    where: 'src/features/password-reset/service.ts: the lines of the password-changed e-mail',
  },
  {
    prefix: 'email.passwordReset.',
    where: 'src/features/password-reset/service.ts: the lines of the password-reset link e-mail',
  },
  {
    prefix: 'individuals.errors.',
    where: 'src/features/individuals/portal-routes.ts: one message per service error code',
  },
  { prefix: 'individuals.status.', where: 'views/portal/individuals/_row.ejs: active, not_yet_active, expired' },
  { prefix: 'portal.impersonation.modes.', where: 'views/layouts/portal.ejs: the impersonation mode in the banner' },
  { prefix: 'portal.invoices.statuses.', where: 'views/portal/invoices/_status.ejs: one per invoice status' },
  { prefix: 'portal.password.errors.', where: 'src/features/portal/auth-routes.ts: one per password-policy code' },
  {
    prefix: 'portal.password.fields.',
    where: 'views/portal/settings/_new-password-fields.ejs: the two new-password fields',
  },
  { prefix: 'portal.payments.methods.', where: 'views/portal/payments/_table.ejs: one per payment method' },
  { prefix: 'portal.profile.fields.', where: 'views/portal/profile/index.ejs: one label per profile field' },
  { prefix: 'portal.profile.sections.', where: 'views/portal/profile/index.ejs: one heading per profile section' },
  { prefix: 'portal.settings.errors.', where: 'src/features/portal/routes.ts: one message per regional field' },
  {
    prefix: 'regionalSettings.fields.',
    where: 'views/partials/_regional-fields.ejs, views/portal/settings/index.ejs: one label per regional field',
  },
  {
    prefix: 'regionalSettings.inherit.',
    where: 'views/partials/_regional-fields.ejs: customer (admin) or company (portal)',
  },
  {
    prefix: 'regionalSettings.inheritHint.',
    where: 'views/partials/_regional-fields.ejs: customer (admin) or company (portal)',
  },
  { prefix: 'portal.signIn.errors.', where: 'src/features/portal/auth-routes.ts: one message per refusal reason' },
  { prefix: 'portal.xdrs.', keys: ['from', 'to'], where: 'views/portal/xdrs/_panel.ejs: the two range fields' },
  {
    prefix: 'passwordReset.invalid.',
    where: 'views/portal/password-reset/invalid.ejs: one message per reason a link cannot be used',
  },
  { prefix: 'sessions.history.reasons.', where: 'views/portal/settings/sessions.ejs: one per sign-in outcome' },
];

type Tree = { [key: string]: unknown };

const LANGUAGE_CODES = LANGUAGES.map((language) => language.code);
const TRANSLATIONS = LANGUAGE_CODES.filter((code) => code !== 'en');
const FILES = readdirSync(path.join(LOCALES_DIR, 'en'))
  .filter((file) => file.endsWith('.json'))
  .sort();

function flatten(tree: Tree, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, value] of Object.entries(tree)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      flatten(value as Tree, `${prefix}${key}.`, into);
    else into.set(`${prefix}${key}`, value);
  }
  return into;
}

function readLocale(lng: string, file: string): Map<string, unknown> {
  return flatten(JSON.parse(readFileSync(path.join(LOCALES_DIR, lng, file), 'utf8')) as Tree);
}

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** `a.b_one` + `a.b_other` → `a.b` with its categories; i18next treats a key as plural only when `_other` exists. */
function pluralsOf(keys: Iterable<string>): Map<string, Set<string>> {
  const all = new Set(keys);
  const plurals = new Map<string, Set<string>>();
  for (const key of all) {
    const match = PLURAL_SUFFIX.exec(key);
    if (!match) continue;
    const base = key.slice(0, match.index);
    if (!all.has(`${base}_other`)) continue;
    plurals.set(base, (plurals.get(base) ?? new Set()).add(match[1]!));
  }
  return plurals;
}

/** Keys with the plural forms folded into their base, so languages with other categories compare equal. */
function logicalKeys(keys: Iterable<string>): Set<string> {
  const list = [...keys];
  const plurals = pluralsOf(list);
  return new Set(
    list.map((key) => {
      const match = PLURAL_SUFFIX.exec(key);
      const base = match ? key.slice(0, match.index) : key;
      return match && plurals.has(base) ? base : key;
    }),
  );
}

const placeholders = (text: string): string[] =>
  [...new Set(text.match(/\{\{\s*[\w.]+\s*\}\}/g) ?? [])].map((p) => p.replace(/\s/g, '')).sort();

/** The English text a translated key answers to (`_other` for any plural form). */
function englishFor(english: Map<string, unknown>, key: string): string | undefined {
  const direct = english.get(key);
  if (typeof direct === 'string') return direct;
  const match = PLURAL_SUFFIX.exec(key);
  const other = match ? english.get(`${key.slice(0, match.index)}_other`) : undefined;
  return typeof other === 'string' ? other : undefined;
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ext))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

interface CodeKeys {
  /** whole keys written as string literals, with where they were found */
  literals: Map<string, string[]>;
  /** prefixes completed at run time (`'a.b.' + x`, `` `a.b.${x}` ``), with where they were found */
  prefixes: Map<string, string[]>;
}

/**
 * Every quoted dotted name in src/**\/*.ts and views/**\/*.ejs whose first segment is a top-level
 * key of the English strings. Audit event names (`action: 'portal.login'`) share those words and
 * are not translation keys, so literals on a line that sets `action:` are skipped.
 */
function scanCode(namespaces: ReadonlySet<string>): CodeKeys {
  const literals = new Map<string, string[]>();
  const prefixes = new Map<string, string[]>();
  const note = (map: Map<string, string[]>, key: string, where: string) =>
    map.set(key, [...(map.get(key) ?? []), where]);
  // The loader itself names locale files (`portal.json`), not keys.
  const files = [
    ...filesUnder('src', '.ts').filter((file) => !file.startsWith('src/i18n/')),
    ...filesUnder('views', '.ejs'),
  ];
  for (const file of files) {
    const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      const where = `${file}:${index + 1}`;
      for (const match of line.matchAll(/['"`]([A-Za-z_]\w*(?:\.\w+)*(\.?))(?:(['"`])\s*(\+?)|\$\{)/g)) {
        const name = match[1]!;
        if (!namespaces.has(name.split('.')[0]!)) continue;
        if (/\baction\s*:/.test(line.slice(0, match.index))) continue;
        // Admin permission names (`individuals.manage`) have the shape of keys but are not.
        if ((ADMIN_PERMISSIONS as readonly string[]).includes(name)) continue;
        // A name ending in a dot is a prefix, completed on the spot (`'x.' + k`, `x.${k}`) or by the
        // function it is handed to (`accountMail(account, i18n, 'email.passwordReset.')`).
        if (match[2] === '.') {
          note(prefixes, name, where);
        } else if (match[3] !== undefined && name.includes('.')) {
          note(literals, name, where);
        }
      }
    });
  }
  return { literals, prefixes };
}

const english = new Map<string, Map<string, unknown>>(FILES.map((file) => [file, readLocale('en', file)]));
const englishAll = new Map([...english.values()].flatMap((keys) => [...keys]));

describe('translation files', () => {
  it('exist for every interface language, with the same file names as English', () => {
    expect(readdirSync(LOCALES_DIR).sort()).toEqual([...LANGUAGE_CODES].sort());
    for (const lng of TRANSLATIONS) {
      expect(
        readdirSync(path.join(LOCALES_DIR, lng))
          .filter((f) => f.endsWith('.json'))
          .sort(),
        lng,
      ).toEqual(FILES);
    }
  });

  it('give English plural keys exactly the categories English needs', () => {
    const needed = new Intl.PluralRules('en').resolvedOptions().pluralCategories;
    for (const [base, categories] of pluralsOf(englishAll.keys())) {
      expect([...categories].sort(), `en: ${base}`).toEqual([...needed].sort());
    }
  });

  it('writes French with a no-break space before : ; ? ! and inside « », so no line starts with one', () => {
    const broken = FILES.flatMap((file) => [...readLocale('fr', file)]).filter(
      ([, value]) => typeof value === 'string' && /[ \t][:;?!»]|«[ \t]/.test(value),
    );
    expect(broken.map(([key]) => key)).toEqual([]);
  });

  describe.each(TRANSLATIONS)('%s', (lng) => {
    const files = new Map(FILES.map((file) => [file, readLocale(lng, file)]));

    it('has every English key in the same file and no key English lacks', () => {
      const problems: string[] = [];
      for (const [file, englishKeys] of english) {
        const theirs = logicalKeys(files.get(file)!.keys());
        const ours = logicalKeys(englishKeys.keys());
        for (const key of ours) if (!theirs.has(key)) problems.push(`missing ${lng}/${file}: ${key}`);
        for (const key of theirs) if (!ours.has(key)) problems.push(`not in English ${lng}/${file}: ${key}`);
      }
      expect(problems).toEqual([]);
    });

    it('gives every plural key exactly the categories Intl.PluralRules requires', () => {
      const needed = [...new Intl.PluralRules(lng).resolvedOptions().pluralCategories].sort();
      const problems: string[] = [];
      for (const keys of files.values()) {
        for (const [base, categories] of pluralsOf(keys.keys())) {
          const have = [...categories].sort();
          if (have.join() !== needed.join())
            problems.push(`${base}: ${have.join(', ')} instead of ${needed.join(', ')}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('keeps the placeholders of the English text and leaves no string empty', () => {
      const problems: string[] = [];
      for (const keys of files.values()) {
        for (const [key, value] of keys) {
          if (typeof value !== 'string' || value.trim() === '') {
            problems.push(`${key}: empty or not a string`);
            continue;
          }
          const source = englishFor(englishAll, key);
          if (source !== undefined && placeholders(value).join() !== placeholders(source).join()) {
            problems.push(
              `${key}: ${placeholders(value).join(' ') || 'no placeholder'} instead of ${placeholders(source).join(' ') || 'none'}`,
            );
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('translates every sentence rather than repeating the English one', () => {
      const words = (text: string) => text.replace(/\{\{[^}]*\}\}/g, ' ').match(/\p{L}{2,}/gu) ?? [];
      const untranslated = [...files.values()]
        .flatMap((keys) => [...keys])
        .filter(
          ([key, value]) =>
            typeof value === 'string' && value === englishFor(englishAll, key) && words(value).length >= 2,
        )
        .map(([key]) => key);
      expect(untranslated).toEqual([]);
    });
  });
});

describe('translation keys in the code', () => {
  const namespaces = new Set([...englishAll.keys()].map((key) => key.split('.')[0]!));
  const code = scanCode(namespaces);
  const plurals = pluralsOf(englishAll.keys());
  const known = new Set([...englishAll.keys(), ...plurals.keys()]);

  it('uses no key that English lacks', () => {
    const missing = [...code.literals]
      .filter(([key]) => !known.has(key))
      .map(([key, where]) => `${key} (${where.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('builds keys at run time only from the documented prefixes, each still in use', () => {
    const documented = new Set(DYNAMIC_KEYS.map((entry) => entry.prefix));
    const undocumented = [...code.prefixes]
      .filter(([prefix]) => !documented.has(prefix))
      .map(([prefix, where]) => `${prefix} (${where.join(', ')})`);
    expect(undocumented).toEqual([]);
    const notInCode = DYNAMIC_KEYS.filter((entry) => !code.prefixes.has(entry.prefix)).map((entry) => entry.prefix);
    expect(notInCode).toEqual([]);
    const reachNothing = DYNAMIC_KEYS.flatMap((entry) =>
      (entry.keys ?? [''])
        .filter(
          (suffix) =>
            ![...known].some((key) => (suffix === '' ? key.startsWith(entry.prefix) : key === entry.prefix + suffix)),
        )
        .map((suffix) => entry.prefix + suffix),
    );
    expect(reachNothing).toEqual([]);
  });

  it('leaves no English key unused', () => {
    const usedDynamically = (key: string) =>
      DYNAMIC_KEYS.some((entry) =>
        entry.keys ? entry.keys.some((suffix) => key === entry.prefix + suffix) : key.startsWith(entry.prefix),
      );
    const unused = [...englishAll.keys()].filter((key) => {
      const match = PLURAL_SUFFIX.exec(key);
      const base = match && plurals.has(key.slice(0, match.index)) ? key.slice(0, match.index) : key;
      return !code.literals.has(base) && !code.literals.has(key) && !usedDynamically(base);
    });
    expect(unused).toEqual([]);
  });

  it('are loaded for every language by the i18n loader', () => {
    const resources = loadResources();
    for (const lng of LANGUAGE_CODES) {
      const loaded = logicalKeys(flatten(resources[lng]!.translation).keys());
      expect(
        [...logicalKeys(englishAll.keys())].filter((key) => !loaded.has(key)),
        lng,
      ).toEqual([]);
    }
  });
});

describe('GET /login?lang=…', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const escape = (text: string) =>
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&#34;')
      .replace(/'/g, '&#39;');

  it.each(LANGUAGE_CODES)('shows the sign-in page in %s', async (lng) => {
    const strings = flatten(loadResources()[lng]!.translation);
    const res = await request(t.app).get(`/login?lang=${lng}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<html lang="${lng}">`);
    for (const key of ['portal.signIn.title', 'common.login', 'common.password', 'common.signIn']) {
      expect(res.text, key).toContain(escape(String(strings.get(key))));
    }
    if (lng !== 'en') expect(res.text).not.toContain(escape(String(englishAll.get('portal.signIn.title'))));
  });
});

describe('sentences around an interpolated example', () => {
  it('end with one full stop when the example already ends with one ("p. m.")', async () => {
    const { createI18n } = await import('../../src/i18n/index.ts');
    const t = createI18n().getFixedT('es');
    expect(t('individuals.hints.dates', { example: '11/16/2026 02:15 p. m.' })).toBe(
      'Por ejemplo, 11/16/2026 02:15 p. m. La hora es opcional.',
    );
    expect(t('individuals.hints.dates', { example: '16/11/2026 14:15' })).toBe(
      'Por ejemplo, 16/11/2026 14:15. La hora es opcional.',
    );
  });
});
