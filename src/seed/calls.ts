// Where seeded calls go and what they cost: the demo's and the scale seed's call records (xDRs)
// dial real-looking numbers, mostly from the ranges set aside for fiction.

import type { Random } from './random.ts';

export type Country = 'US' | 'DE' | 'UA' | 'BR' | 'GB' | 'IN' | 'FR' | 'ES' | 'PL';

export interface Destination {
  country: Country;
  /** "Outgoing call to <label>" */
  label: string;
  usdPerMinute: number;
  number(rng: Random): string;
}

export const DESTINATIONS: readonly Destination[] = [
  // 555-0100…0199 are the North American numbers reserved for fiction.
  {
    country: 'US',
    label: 'United States',
    usdPerMinute: 0.012,
    number: (r) => `+1${r.pick(['212', '415', '312', '617'])}5550${r.int(100, 199)}`,
  },
  {
    country: 'DE',
    label: 'Germany landline',
    usdPerMinute: 0.018,
    number: (r) => `+49${r.pick(['30', '40', '69', '89'])}${r.digits(7)}`,
  },
  {
    country: 'DE',
    label: 'Germany mobile',
    usdPerMinute: 0.085,
    number: (r) => `+49${r.pick(['151', '160', '170', '176'])}${r.digits(8)}`,
  },
  { country: 'UA', label: 'Ukraine landline', usdPerMinute: 0.09, number: (r) => `+38044${r.digits(7)}` },
  {
    country: 'UA',
    label: 'Ukraine mobile',
    usdPerMinute: 0.14,
    number: (r) => `+380${r.pick(['50', '67', '93', '97'])}${r.digits(7)}`,
  },
  { country: 'BR', label: 'Brazil landline', usdPerMinute: 0.035, number: (r) => `+55113${r.digits(7)}` },
  { country: 'BR', label: 'Brazil mobile', usdPerMinute: 0.07, number: (r) => `+55119${r.digits(8)}` },
  // Ofcom's ranges for drama: 020 7946 0xxx and 07700 900xxx.
  {
    country: 'GB',
    label: 'United Kingdom landline',
    usdPerMinute: 0.015,
    number: (r) => `+442079460${String(r.int(0, 999)).padStart(3, '0')}`,
  },
  {
    country: 'GB',
    label: 'United Kingdom mobile',
    usdPerMinute: 0.075,
    number: (r) => `+447700900${String(r.int(0, 999)).padStart(3, '0')}`,
  },
  {
    country: 'IN',
    label: 'India landline',
    usdPerMinute: 0.03,
    number: (r) => `+9180${r.pick(['2', '4'])}${r.digits(7)}`,
  },
  {
    country: 'IN',
    label: 'India mobile',
    usdPerMinute: 0.025,
    number: (r) => `+91${r.pick(['98', '99', '97', '70'])}${r.digits(8)}`,
  },
  { country: 'FR', label: 'France landline', usdPerMinute: 0.02, number: (r) => `+331${r.digits(8)}` },
  { country: 'FR', label: 'France mobile', usdPerMinute: 0.06, number: (r) => `+336${r.digits(8)}` },
  { country: 'ES', label: 'Spain mobile', usdPerMinute: 0.055, number: (r) => `+346${r.digits(8)}` },
  {
    country: 'PL',
    label: 'Poland mobile',
    usdPerMinute: 0.05,
    number: (r) => `+48${r.pick(['50', '60', '69'])}${r.digits(7)}`,
  },
];

/** Units of a currency per US dollar (rounded; good enough for invented call charges). */
export const USD_RATES: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.79,
  UAH: 41.5,
  BRL: 5.35,
  PLN: 3.95,
};

/** Seconds: most business calls are a few minutes; a few run to the hour. */
export function callDuration(rng: Random): number {
  return Math.round(5 + 3595 * rng.next() ** 4);
}
