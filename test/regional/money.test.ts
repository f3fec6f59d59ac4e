import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/regional/money.ts';

// Intl writes a narrow no-break space (U+202F) or a no-break space between groups in some languages.
const plain = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

describe('formatMoney', () => {
  it('names a dollar amount by its code in German, never a bare "$"', () => {
    expect(plain(formatMoney(5514.64, 'USD', 'de'))).toBe('5.514,64 USD');
  });

  it('groups the thousands the way each language does', () => {
    expect(plain(formatMoney(5514.64, 'UAH', 'en'))).toBe('UAH 5,514.64');
    expect(plain(formatMoney(5514.64, 'UAH', 'fr'))).toBe('5 514,64 UAH');
    expect(plain(formatMoney(5514.64, 'UAH', 'uk'))).toBe('5 514,64 UAH');
    expect(plain(formatMoney(5514.64, 'USD', 'pt-BR'))).toBe('USD 5.514,64');
  });

  it('writes the decimals the currency has', () => {
    expect(plain(formatMoney(1500, 'JPY', 'en'))).toBe('JPY 1,500');
  });
});
