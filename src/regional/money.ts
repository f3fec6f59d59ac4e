const formats = new Map<string, Intl.NumberFormat>();

/**
 * An amount as the language writes numbers (CLDR group and decimal separators, the currency's
 * decimals), with the ISO code of the currency: "$" alone would not say which dollar, and the code
 * reads the same in every language ("5.514,64 USD", "USD 5,514.64").
 */
export function formatMoney(amount: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'code' });
    formats.set(key, format);
  }
  return format.format(amount);
}
