import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../../src/i18n/index.ts';
import { LANGUAGES } from '../../../src/regional/languages.ts';
import {
  readEvent,
  sentenceKeys,
  WORDED_ACTIONS,
  type AuditedEvent,
  type Translate,
} from '../../../src/features/audit/wording.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const WORDING = 'src/features/audit/wording.ts';

/**
 * What the placeholders of a templated action code (`` `two_factor.${how}` ``) can be. A new
 * placeholder fails the scan until it is listed here with its values.
 */
const PLACEHOLDERS: Readonly<Record<string, readonly string[]>> = {
  how: ['reset', 'disable'],
  'ref.kind': ['customer', 'individual'],
  'kindOf(account)': ['customer', 'individual'],
};

const CODE = /^[a-z_]+(\.[a-z_]+)+$/;

/** Every action code an `action:` property in src/ can hold: literals, both arms of a ternary, expanded templates. */
function recordedActions(): { codes: Map<string, string>; unknownPlaceholders: string[] } {
  const codes = new Map<string, string>();
  const unknownPlaceholders: string[] = [];
  const files = readdirSync(path.join(ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .filter((file) => file !== WORDING);
  for (const file of files) {
    const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      const at = /\baction\s*:\s*(.*)$/.exec(line);
      if (!at) return;
      const where = `${file}:${index + 1}`;
      for (const m of at[1]!.matchAll(/'([^']*)'/g)) if (CODE.test(m[1]!)) codes.set(m[1]!, where);
      for (const m of at[1]!.matchAll(/`([^`]*)`/g)) {
        // A form address (`${base}/…`) is not an action code.
        if (!/^([a-z_.]|\$\{[^}]*\})+$/.test(m[1]!)) continue;
        let variants = [''];
        for (const part of m[1]!.split(/(\$\{[^}]*\})/)) {
          const placeholder = /^\$\{([^}]*)\}$/.exec(part)?.[1];
          if (placeholder === undefined) {
            variants = variants.map((v) => v + part);
            continue;
          }
          const values = PLACEHOLDERS[placeholder.trim()];
          if (!values) {
            unknownPlaceholders.push(`${placeholder} (${where})`);
            variants = [];
            break;
          }
          variants = variants.flatMap((v) => values.map((value) => v + value));
        }
        for (const code of variants) if (CODE.test(code)) codes.set(code, where);
      }
    });
  }
  return { codes, unknownPlaceholders };
}

const i18n = createI18n();
const tIn =
  (lng: string): Translate =>
  (key, options) =>
    i18n.getFixedT(lng)(key, options ?? {}) as string;

function event(overrides: Partial<AuditedEvent>): AuditedEvent {
  return {
    actorType: 'admin',
    actorId: 1,
    actorLabel: 'olena',
    impersonatorAdminId: null,
    impersonatorLogin: null,
    action: 'customer.update',
    entityType: 'customer',
    entityId: 7,
    changes: null,
    outcome: 'success',
    ...overrides,
  };
}
const acme = { get: (type: string, id: number) => (type === 'customer' && id === 7 ? 'Acme' : undefined) };

describe('audit wording', () => {
  it('has a sentence for every action code the code base records', () => {
    const { codes, unknownPlaceholders } = recordedActions();
    expect(unknownPlaceholders).toEqual([]);
    // The scan itself must keep finding the call sites it is meant to guard.
    for (const sample of [
      'portal.impersonation.start',
      'admin.login',
      'two_factor.reset',
      'individual.regional.update',
    ])
      expect(codes.has(sample), sample).toBe(true);
    const missing = [...codes]
      .filter(([code]) => !WORDED_ACTIONS.includes(code))
      .map(([c, where]) => `${c} (${where})`);
    expect(missing).toEqual([]);
  });

  it('lists no action code that nothing records', () => {
    const { codes } = recordedActions();
    expect(WORDED_ACTIONS.filter((code) => !codes.has(code))).toEqual([]);
  });

  it.each(LANGUAGES.map((l) => l.code))('words every sentence in %s, with every placeholder filled', (lng) => {
    const t = tIn(lng);
    for (const key of sentenceKeys()) {
      expect(i18n.exists(`audit.sentences.${key}`, { lng, fallbackLng: false }), `${lng}: ${key}`).toBe(true);
    }
    for (const action of WORDED_ACTIONS) {
      for (const outcome of ['success', 'failure', 'refused']) {
        const { sentence } = readEvent(event({ action, outcome }), t, lng, acme);
        expect(sentence, `${lng}: ${action}`).not.toMatch(/\{\{|audit\.|undefined/);
        expect(sentence, `${lng}: ${action}`).not.toContain(action);
      }
    }
  });

  it('reads an impersonation as a support agent says it', () => {
    const t = tIn('en');
    const start = readEvent(
      event({
        action: 'portal.impersonation.start',
        impersonatorAdminId: 1,
        changes: { mode: { old: null, new: 'default' } },
      }),
      t,
      'en',
      acme,
    );
    expect(start.sentence).toBe('Admin olena logged in as Acme using the default role');
    expect(start.changes).toEqual([]);
    const during = readEvent(
      event({
        actorType: 'customer',
        actorLabel: 'acme (as admin olena)',
        impersonatorAdminId: 1,
        impersonatorLogin: 'olena',
        action: 'customer.profile.update',
      }),
      t,
      'en',
      acme,
    );
    expect(during.sentence).toBe('Admin olena (logged in as acme) changed the profile of the customer Acme');
  });

  it('labels fields as the forms do, names languages, and shows a secret only as changed', () => {
    const changes = {
      language: { old: 'fr', new: 'de' },
      password: { old: 'changed', new: 'changed' },
      ip_restriction: { old: false, new: true },
      version: { old: 3, new: 4 },
    };
    const en = readEvent(event({ action: 'customer.self_care.update', changes }), tIn('en'), 'en', acme);
    expect(en.sentence).toBe('Admin olena changed the Web self-care settings of the customer Acme');
    expect(en.changes).toEqual([
      { label: 'Web interface language', old: 'French', new: 'German' },
      { label: 'Password', old: null, new: 'changed' },
      { label: 'Allow access only from trusted IP addresses', old: 'off', new: 'on' },
    ]);
    const de = readEvent(event({ action: 'customer.self_care.update', changes }), tIn('de'), 'de', acme);
    expect(de.sentence).toBe('Admin olena hat die Self-Care-Einstellungen für den Kunden Acme geändert');
    expect(de.changes[0]).toEqual({ label: 'Sprache der Weboberfläche', old: 'Französisch', new: 'Deutsch' });
    expect(de.changes[1]).toEqual({ label: 'Passwort', old: null, new: 'geändert' });
  });

  it('writes a recorded moment as the log’s own times, not as ISO 8601 with milliseconds', () => {
    const changes = { expires_at: { old: null, new: '2026-12-01T10:44:54.377Z' } };
    const reading = readEvent(event({ action: 'customer.self_care.update', changes }), tIn('en'), 'en', acme);
    expect(reading.changes[0]?.new).toBe('2026-12-01 10:44 UTC');
  });

  it('words a refused sign-in and its reason', () => {
    const reading = readEvent(
      event({
        actorType: 'anonymous',
        actorId: null,
        actorLabel: 'acme',
        action: 'portal.login',
        outcome: 'refused',
        changes: { reason: { old: null, new: 'ip_not_allowed' } },
      }),
      tIn('en'),
      'en',
      acme,
    );
    expect(reading.sentence).toBe('Someone using the login acme was refused sign-in to the self-care portal');
    expect(reading.outcomeText).toBe('Refused');
    expect(reading.changes).toEqual([{ label: 'Reason', old: null, new: 'not allowed from this address' }]);
  });
});
