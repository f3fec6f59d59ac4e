import busboy from 'busboy';
import type { Request, RequestHandler } from 'express';
import { fault, type RestFault } from './rest-faults.ts';

// The three body encodings the reference API accepts: a JSON body `{"params","auth_info"}`, form
// fields `params=<json>&auth_info=<json>`, and the same fields as multipart/form-data (what PHP
// curl sends for an array of POST fields). JSON and urlencoded bodies go through Express's own
// parsers; this module adds multipart (fields only, through busboy) and reads a field either way.

/** At most this many fields: the door reads two. */
export const REST_MAX_FIELDS = 20;

/**
 * multipart/form-data → `req.body` as `{ name: value }`. Fields only: a file part is refused, and
 * so is a body over `limitBytes` in all, as the JSON and form parsers refuse theirs.
 */
export function multipartFields(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    if (!req.is('multipart/form-data')) return next();
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > limitBytes)
      return next(fault('invalidRequest', `The request body is larger than ${limitBytes / 1024}kb`));
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defCharset: 'utf8',
        limits: {
          fields: REST_MAX_FIELDS,
          parts: REST_MAX_FIELDS,
          files: 0,
          fieldNameSize: 100,
          fieldSize: limitBytes,
        },
      });
    } catch {
      return next(fault('invalidRequest', 'The multipart body has no boundary'));
    }
    const fields = new Map<string, string>();
    let problem: RestFault | null = null;
    let done = false;
    let received = 0;
    const finish = (error: RestFault | null): void => {
      if (done) return;
      done = true;
      req.unpipe(parser);
      if (error) {
        req.resume();
        next(error);
        return;
      }
      req.body = Object.fromEntries(fields);
      next();
    };
    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated)
        problem ??= fault('invalidRequest', `The request body is larger than ${limitBytes / 1024}kb`);
      else fields.set(name, value);
    });
    parser.on('file', (_name, stream) => {
      problem ??= fault('invalidRequest', 'File uploads are not accepted');
      stream.resume();
    });
    parser.on('filesLimit', () => (problem ??= fault('invalidRequest', 'File uploads are not accepted')));
    parser.on('fieldsLimit', () => (problem ??= fault('invalidRequest', 'The request body has too many fields')));
    parser.on('partsLimit', () => (problem ??= fault('invalidRequest', 'The request body has too many parts')));
    parser.on('error', () => finish(fault('invalidRequest', 'The multipart body could not be read')));
    parser.on('close', () => finish(problem));
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes)
        finish(fault('invalidRequest', `The request body is larger than ${limitBytes / 1024}kb`));
    });
    req.pipe(parser);
  };
}

/**
 * One body field: already JSON in a JSON body, JSON text in a form field. Absent → undefined;
 * text that is not JSON → a fault naming the field.
 */
export function jsonField(req: Request, name: 'params' | 'auth_info'): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || !Object.prototype.hasOwnProperty.call(body, name)) return undefined;
  const value = body[name];
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw fault('invalidRequest', `${name} is not valid JSON`);
  }
}
