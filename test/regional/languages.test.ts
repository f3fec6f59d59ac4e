import { describe, expect, it } from 'vitest';
import { DEFAULT_LANGUAGE, LANGUAGES, isLanguage, pickLanguage, toILang } from '../../src/regional/languages.ts';

describe('LANGUAGES', () => {
  it('offers the six interface languages, each named in its own language', () => {
    expect(LANGUAGES.map((language) => [language.code, language.nativeName])).toEqual([
      ['en', 'English'],
      ['es', 'Español'],
      ['fr', 'Français'],
      ['de', 'Deutsch'],
      ['pt-BR', 'Português (Brasil)'],
      ['uk', 'Українська'],
    ]);
    expect(DEFAULT_LANGUAGE).toBe('en');
  });
});

describe('isLanguage', () => {
  it('accepts the exact codes only', () => {
    for (const code of ['en', 'es', 'fr', 'de', 'pt-BR', 'uk']) expect(isLanguage(code)).toBe(true);
    for (const code of ['pt', 'pt-br', 'PT-BR', 'EN', 'uk-UA', 'ru', '', ' en', undefined, null, 7, ['en']])
      expect(isLanguage(code)).toBe(false);
  });
});

describe('toILang', () => {
  it('writes Brazilian Portuguese the way the billing API expects and keeps the others', () => {
    expect(toILang('pt-BR')).toBe('pt-br');
    expect(toILang('uk')).toBe('uk');
    expect(toILang('en')).toBe('en');
  });
});

describe('pickLanguage', () => {
  it('answers English without a header or with an empty one', () => {
    expect(pickLanguage(undefined)).toBe('en');
    expect(pickLanguage('')).toBe('en');
    expect(pickLanguage('   ')).toBe('en');
  });

  it('takes the first supported language of a typical browser header', () => {
    expect(pickLanguage('de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7')).toBe('de');
    expect(pickLanguage('fr-CA,fr;q=0.9')).toBe('fr');
    expect(pickLanguage('es-419,es;q=0.9')).toBe('es');
  });

  it('maps any Portuguese to Brazilian Portuguese, in any case', () => {
    expect(pickLanguage('pt')).toBe('pt-BR');
    expect(pickLanguage('pt-PT')).toBe('pt-BR');
    expect(pickLanguage('pt-br')).toBe('pt-BR');
    expect(pickLanguage('PT-BR')).toBe('pt-BR');
  });

  it('maps uk-UA to Ukrainian and never mistakes Russian for it', () => {
    expect(pickLanguage('uk-UA,uk;q=0.9')).toBe('uk');
    expect(pickLanguage('ru-RU,ru;q=0.9')).toBe('en');
    expect(pickLanguage('ru-RU,ru;q=0.9,uk;q=0.8')).toBe('uk');
  });

  it('orders by q-value, then by position', () => {
    expect(pickLanguage('en;q=0.5,de;q=0.8,fr;q=0.7')).toBe('de');
    expect(pickLanguage('fr;q=0.7,es;q=0.7')).toBe('fr');
    expect(pickLanguage('es;q=0.7,fr;q=0.7')).toBe('es');
    expect(pickLanguage('uk;q=1.0,de')).toBe('uk');
    expect(pickLanguage('de;q=0.001,uk;q=0.002')).toBe('uk');
  });

  it('skips unsupported languages to reach a supported one', () => {
    expect(pickLanguage('ja,zh-CN;q=0.9,fr;q=0.1')).toBe('fr');
    expect(pickLanguage('it-IT,it;q=0.9')).toBe('en');
  });

  it('never picks a language refused with q=0', () => {
    expect(pickLanguage('fr;q=0,de')).toBe('de');
    expect(pickLanguage('de,fr;q=0')).toBe('de');
    expect(pickLanguage('pt;q=0,*')).not.toBe('pt-BR');
    expect(pickLanguage('en;q=0,*')).toBe('es');
  });

  it('does not widen a regional refusal to its relatives', () => {
    expect(pickLanguage('pt-BR;q=0.9,pt-PT;q=0')).toBe('pt-BR');
  });

  it('reads * as any language not refused, in the portal order', () => {
    expect(pickLanguage('*')).toBe('en');
    expect(pickLanguage('ja,*;q=0.5')).toBe('en');
    expect(pickLanguage('en;q=0,es;q=0,*')).toBe('fr');
    expect(pickLanguage('de;q=0.4,*;q=0.5')).toBe('en');
    expect(pickLanguage('en;q=0,es;q=0,fr;q=0,de;q=0,pt;q=0,uk;q=0,*')).toBe('en');
  });

  it('ignores malformed entries and reads the rest', () => {
    expect(pickLanguage('de;q=2,fr')).toBe('fr');
    expect(pickLanguage('de;q=abc,fr;q=0.5')).toBe('fr');
    expect(pickLanguage('de;q=-1,uk')).toBe('uk');
    expect(pickLanguage('12345,uk')).toBe('uk');
    expect(pickLanguage('de_DE,fr')).toBe('fr');
    expect(pickLanguage(',,;;,fr')).toBe('fr');
    expect(pickLanguage(' fr ; q=0.5 , de ; q=0.4 ')).toBe('fr');
  });

  it('answers English for garbage of any kind without throwing', () => {
    for (const header of ['<script>', ';q=1', 'q=0.5', '\u0000\u0001', '-de', 'de-', 'xxxxxxxxx-yy', '👍']) {
      expect(pickLanguage(header)).toBe('en');
    }
  });

  it('stops reading a very long header early instead of scanning it all', () => {
    const long = `${'xx;q=0.1,'.repeat(200)}uk`;
    expect(pickLanguage(long)).toBe('en');
    expect(pickLanguage(`uk,${'xx,'.repeat(10000)}`)).toBe('uk');
  });
});
