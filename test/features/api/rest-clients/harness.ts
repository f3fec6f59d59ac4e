// What every replay of a published client of the reference billing API needs: an app with a
// customer and an API token, raw HTTP requests with the client's exact content type and body, the
// encoders of the client's language (PHP's json_encode, urlencode, base64_decode; Elixir's
// URI.encode_query; Python's json.dumps; curl's multipart), and a check that each answer is what
// the /rest door documents.
import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import type { Deps } from '../../../../src/deps.ts';
import { ApiTokenService } from '../../../../src/features/api-tokens/service.ts';
import { ApiAuth } from '../../../../src/doors/api/auth.ts';
import { COMMON_FAULTS, FAULTS } from '../../../../src/doors/api/rest-faults.ts';
import { restMethods } from '../../../../src/doors/api/rest.ts';
import { faultAnswer } from '../../../../src/doors/api/rest-schema.ts';
import type { TestApp } from '../../../helpers/app.ts';
import { createCustomer } from '../../../helpers/fixtures.ts';
import { issueToken } from '../api-client.ts';

export interface RestCustomer {
  id: number;
  login: string;
  name: string;
  token: string;
  tokenId: number;
}

export async function restCustomer(
  t: TestApp,
  input: Parameters<typeof createCustomer>[1] = {},
): Promise<RestCustomer> {
  const login = (input.login as string | undefined) ?? 'acme-rest';
  const name = input.name ?? 'Acme Trading Ltd';
  const customer = await createCustomer(t.deps, {
    login,
    name,
    email: 'billing@acme.test',
    language: 'de',
    timeZone: 'Europe/Berlin',
    balance: 12.5,
    creditLimit: 100,
    currency: 'EUR',
    ...input,
  });
  const { token, id } = await issueToken(t.deps, customer.id);
  return { id: customer.id, login, name, token, tokenId: id };
}

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  headers: Record<string, string>;
}

/** One HTTP request exactly as a client builds it: method, path, headers, body bytes. */
export async function raw(
  app: Express,
  path: string,
  opts: { method?: 'post' | 'get'; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  let req = request(app)[opts.method ?? 'post'](path);
  for (const [name, value] of Object.entries(opts.headers ?? {})) req = req.set(name, value);
  // supertest must not re-encode the body: send the bytes the client would send.
  const res = await (opts.body === undefined ? req : req.send(opts.body)).buffer(true).parse((r, done) => {
    let text = '';
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => (text += chunk));
    r.on('end', () => done(null, text));
  });
  return {
    status: res.status,
    contentType: String(res.headers['content-type'] ?? ''),
    text: res.body as string,
    headers: res.headers as Record<string, string>,
  };
}

/**
 * Checks an answer of `/rest/<name>` against the door's documented contract: the method's answer
 * schema on 200, a fault with one of its documented codes on 500, JSON either way.
 */
export function restContract(deps: Deps): (name: string, answer: RawAnswer) => void {
  const tokens = new ApiTokenService(deps);
  const methods = new Map(restMethods(deps, tokens, new ApiAuth(deps, tokens)).map((m) => [m.name, m]));
  return (name, answer) => {
    expect(answer.contentType, `${name}: ${answer.text}`).toMatch(/^application\/json/);
    const body = JSON.parse(answer.text) as unknown;
    const method = methods.get(name as never);
    if (answer.status === 200 && method) {
      method.answer.parse(body);
      return;
    }
    expect(answer.status, `${name} answered ${answer.status}: ${answer.text}`).toBe(answer.status === 405 ? 405 : 500);
    const fault = faultAnswer.parse(body);
    const allowed = method
      ? [...method.faults, method.paramsFault ?? 'invalidParams', ...COMMON_FAULTS].map((k) => FAULTS[k].code)
      : [FAULTS.unknownMethod.code, FAULTS.invalidRequest.code];
    if (answer.status === 405) allowed.push(FAULTS.methodNotAllowed.code);
    expect(allowed, `${name}: undocumented fault ${fault.faultcode}`).toContain(fault.faultcode);
  };
}

// ---- PHP ---------------------------------------------------------------------------------------

/** PHP json_encode with default flags: `/` escaped, non-ASCII as \uXXXX, [] as an array. */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** PHP urlencode (RFC 1738 as http_build_query uses it): all but [A-Za-z0-9_.-] escaped, space as +. */
export function phpUrlencode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : b === 0x20
          ? '+'
          : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** PHP http_build_query of string fields, in insertion order. */
export function phpHttpBuildQuery(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${phpUrlencode(k)}=${phpUrlencode(v)}`)
    .join('&');
}

/** PHP json_decode($text) as an object: null when the text is not JSON. */
export function phpJsonDecode(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** PHP base64_decode without strict: characters outside the base64 alphabet are dropped. */
export function phpBase64Decode(text: string): string {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
}

/**
 * What curl sends for `CURLOPT_POSTFIELDS = <PHP array>`: multipart/form-data, one part per field,
 * no per-part content type, a boundary of dashes and hex digits.
 */
export function curlMultipart(fields: Record<string, string>): { contentType: string; body: Buffer } {
  const boundary = '------------------------' + 'd74496d66958873e';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8'),
  };
}

// ---- Elixir ------------------------------------------------------------------------------------

/** Elixir URI.encode_query/1 (:www_form): all but unreserved [A-Za-z0-9-._~] escaped, space as +. */
export function elixirEncodeQuery(fields: [string, string][]): string {
  const encode = (text: string): string =>
    [...Buffer.from(text, 'utf8')]
      .map((b) =>
        /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : b === 0x20
            ? '+'
            : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('');
  return fields.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

// ---- Python ------------------------------------------------------------------------------------

/** Python json.dumps with its defaults (ensure_ascii, ", " and ": " separators). */
export function pythonJsonDumps(value: unknown): string {
  const ascii = (text: string): string =>
    text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const dump = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (Array.isArray(v)) return `[${v.map(dump).join(', ')}]`;
    if (typeof v === 'object')
      return `{${Object.entries(v)
        .map(([k, x]) => `${ascii(JSON.stringify(k))}: ${dump(x)}`)
        .join(', ')}}`;
    return ascii(JSON.stringify(v));
  };
  return dump(value);
}

/** python-jose jwt.decode without signature verification but with verify_exp: the claims, or throws. */
export function pythonJoseDecodeVerifyingExp(token: string, now = new Date()): Record<string, unknown> {
  const segments = token.split('.');
  if (segments.length !== 3) throw new Error('JWTError: Not enough segments');
  const claims = JSON.parse(Buffer.from(segments[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  if ('exp' in claims) {
    if (typeof claims.exp !== 'number')
      throw new Error('JWTClaimsError: Expiration Time claim (exp) must be an integer.');
    if (claims.exp < Math.floor(now.getTime() / 1000)) throw new Error('ExpiredSignatureError: Signature has expired.');
  }
  return claims;
}
