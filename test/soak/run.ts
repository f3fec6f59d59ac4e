/**
 * Property soak (`npm run soak`, not part of `npm test`): the trusted-network parser and the
 * date-format grammar, each with SOAK_RUNS (100,000) generated cases per property.
 *
 *   npm run soak                    # both, a few minutes
 *   SOAK_RUNS=10000 npm run soak    # shorter
 *
 * Prints each property with its runs and time; exits 1 on the first counterexample (which
 * fast-check prints with its seed, so the case can be replayed).
 */
import fc from 'fast-check';
import { isAddressAllowed, compileTrustedNetworks, parseTrustedNetworks } from '../../src/access/trusted-networks.ts';
import {
  formatInstant,
  parseInput,
  validateDateFormat,
  validateFormat,
  validateTimeFormat,
} from '../../src/regional/date-format.ts';

const RUNS = Number(process.env.SOAK_RUNS || 100_000);

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((p) => p.join('.'));
const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv6 = fc.oneof(
  fc.array(hex, { minLength: 8, maxLength: 8 }).map((g) => g.join(':')),
  fc
    .tuple(fc.array(hex, { maxLength: 3 }), fc.array(hex, { maxLength: 3 }))
    .map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
  ipv4.map((v4) => `::ffff:${v4}`),
);
/** Entries as an admin might type them, right and wrong. */
const entry = fc.oneof(
  ipv4,
  fc.tuple(ipv4, fc.integer({ min: -1, max: 40 })).map(([a, n]) => `${a}/${n}`),
  fc.tuple(ipv4, ipv4).map(([a, m]) => `${a}/${m}`),
  fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(
    ([a, n]) =>
      `${a}/${'1'
        .repeat(n)
        .padEnd(32, '0')
        .match(/.{8}/g)!
        .map((b) => parseInt(b, 2))
        .join('.')}`,
  ),
  ipv6,
  fc.tuple(ipv6, fc.integer({ min: -1, max: 130 })).map(([a, n]) => `${a}/${n}`),
  fc.constantFrom(
    '10.1',
    '0x0a.0.0.1',
    '010.0.0.1',
    '167772161',
    'fe80::1%eth0',
    '1.2.3.4/08',
    '::/0',
    '0.0.0.0/0',
    '',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const separator = fc.constantFrom(';', '\n', '\r\n', ' ; ', ';\n', '\n\n', '\t;');
const listText = fc
  .array(fc.tuple(fc.constantFrom('', ' ', '  '), entry, separator), { maxLength: 8 })
  .map((parts) => parts.map(([pad, e, sep]) => `${pad}${e}${pad}${sep}`).join(''));

/** Parsing never throws; errors name real lines; a clean list reads back from its canonical text unchanged and matches its own addresses. */
function trustedNetworks(): void {
  fc.assert(
    fc.property(listText, (text) => {
      const parsed = parseTrustedNetworks(text);
      const lines = text.split(/\r\n|\r|\n/).length;
      for (const e of parsed.errors)
        if (e.line < 1 || e.line > lines) throw new Error(`error on line ${e.line} of ${lines}`);
      if (parsed.errors.length > 0) return;
      const again = parseTrustedNetworks(parsed.canonical);
      // Read back, a canonical list changes nothing: no host bits to clear, no duplicates
      // (warnings that it lets everyone in stay).
      const changed = again.notices.filter((n) => n.code === 'host-bits-cleared' || n.code === 'duplicate');
      if (again.errors.length > 0 || changed.length > 0 || again.canonical !== parsed.canonical)
        throw new Error(`canonical text does not read back: ${JSON.stringify(parsed.canonical)}`);
      const compiled = compileTrustedNetworks(parsed.networks);
      for (const line of parsed.canonical.split('\n').filter(Boolean)) {
        const address = line.replace(/;$/, '').split('/')[0]!;
        if (!isAddressAllowed(compiled, address)) throw new Error(`${address} not allowed by its own entry ${line}`);
      }
    }),
    { numRuns: RUNS },
  );
}

/** Client addresses: anything unparsable is refused, never allowed. */
function trustedNetworksClients(): void {
  const everything = compileTrustedNetworks(parseTrustedNetworks('0.0.0.0/0;\n::/0;').networks);
  fc.assert(
    fc.property(
      fc.oneof(ipv4, ipv6, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 })),
      (client) => {
        const allowed = isAddressAllowed(everything, client);
        const wellFormed =
          parseTrustedNetworks(client.includes('/') ? '' : client).errors.length === 0 && client.trim() !== '';
        if (allowed && !wellFormed && !/^::ffff:/i.test(client))
          throw new Error(`unparsable client ${JSON.stringify(client)} allowed`);
      },
    ),
    { numRuns: RUNS },
  );
}

const TOKENS = ['DD', 'D', 'MM', 'MON', 'MONTH', 'YYYY', 'YY', 'HH', 'HH24', 'HH12', 'MI', 'SS', 'AM', 'PM'];
const patternText = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...TOKENS), fc.constantFrom('-', '/', '.', ' ', ':', ', ', 'T', '’')), {
      maxLength: 9,
    })
    .map((p) => p.join('')),
  fc.string({ maxLength: 45 }),
);
const ZONES = ['UTC', 'America/New_York', 'Europe/Kyiv', 'Asia/Kolkata', 'Pacific/Chatham'];
const LOCALES = ['en', 'es', 'fr', 'de', 'pt-BR', 'uk'];
const instant = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));

/** Any pattern: validation never throws; a valid one formats any instant and reads its own output back without throwing. */
function dateFormats(): void {
  fc.assert(
    fc.property(
      patternText,
      instant,
      fc.constantFrom(...ZONES),
      fc.constantFrom(...LOCALES),
      (pattern, at, timeZone, locale) => {
        validateTimeFormat(pattern);
        if (validateFormat(pattern) !== null) return;
        const text = formatInstant(at, pattern, { timeZone, locale });
        if (typeof text !== 'string') throw new Error('formatInstant gave no text');
        // Reading needs a date in the pattern (parseInput refuses the others by contract).
        if (validateDateFormat(pattern) !== null) return;
        const back = parseInput(text, pattern, { timeZone, locale });
        if (back === null || Number.isNaN(back.getTime()))
          throw new Error(`${JSON.stringify(text)} does not read back`);
      },
    ),
    { numRuns: RUNS },
  );
}

/** Input text of any shape under a valid pattern: null or a valid date, never a throw or an Invalid Date. */
function dateInputs(): void {
  fc.assert(
    fc.property(
      fc.constantFrom('DD.MM.YYYY HH24:MI:SS', 'MM/DD/YY HH12:MI AM', 'YYYY-MON-DD', 'D MONTH YYYY', 'DD/MM/YY'),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.stringMatching(/^[0-9]{1,4}[-./ :][0-9]{1,4}[-./ :][0-9]{1,4}( [0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?)?$/),
      ),
      fc.constantFrom(...ZONES),
      (pattern, text, timeZone) => {
        const parsed = parseInput(text, pattern, { timeZone, locale: 'en' });
        if (parsed !== null && Number.isNaN(parsed.getTime()))
          throw new Error(`Invalid Date from ${JSON.stringify(text)}`);
      },
    ),
    { numRuns: RUNS },
  );
}

const properties: Array<[string, string, () => void]> = [
  ['trusted networks', 'parse, canonical read-back, own addresses match', trustedNetworks],
  ['trusted networks', 'unparsable client addresses are never allowed', trustedNetworksClients],
  ['date formats', 'validate, format, read back any pattern', dateFormats],
  ['date formats', 'any input text: a date or null, never a throw', dateInputs],
];

let failed = 0;
const started = Date.now();
console.log(`Property soak: ${RUNS.toLocaleString('en')} runs per property\n`);
for (const [module, what, run] of properties) {
  const t0 = Date.now();
  try {
    run();
    console.log(
      `pass  ${module}: ${what} — ${RUNS.toLocaleString('en')} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  } catch (err) {
    failed++;
    console.log(`FAIL  ${module}: ${what} — ${err instanceof Error ? err.message : String(err)}`);
  }
}
console.log(
  `\n${properties.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
process.exit(failed === 0 ? 0 : 1);
