// The shape of one API operation: what it validates, who may call it, what it answers. Doors
// mount them (and generate OpenAPI from them); features declare their own.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ComponentKey, EffectiveLevels } from '../access/permissions.ts';
import type { AuditActor } from './actor.ts';
import { HttpError } from './errors.ts';
import type { Method } from './route-table.ts';

/** Every API operation names who may call it: anyone (sign-in), any session, or a component level. */
export type ApiPermission = 'public' | 'session' | { component: ComponentKey; level: 'read' | 'modify' };

/** Who is calling, established afresh on every API request. */
export interface ApiCaller {
  sessionId: string;
  /** when the session ends whatever happens (the idle expiry slides with each request) */
  session: { absoluteExpiresAt: number };
  customerId: number;
  tokenId: number;
  levels: EffectiveLevels;
  actor: AuditActor;
  ip: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** An API error with its code; `fields` name each invalid input (422). */
export class ApiError extends HttpError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly fields?: FieldProblem[],
    readonly retryAfter?: number,
  ) {
    super(status, message, code);
  }
}

export const apiErrors = {
  invalidCredentials: (
    message = 'The session is missing, expired or no longer valid; open a new one with POST /api/v1/sessions.',
  ) => new ApiError(401, 'invalid_credentials', message),
  ipNotAllowed: () => new ApiError(403, 'ip_not_allowed', 'Access from this address is not allowed.'),
  forbidden: (message = 'Your role does not allow this.') => new ApiError(403, 'forbidden', message),
  notFound: (message = 'Not found.') => new ApiError(404, 'not_found', message),
  conflict: (message: string) => new ApiError(409, 'conflict', message),
  invalid: (fields: FieldProblem[]) =>
    new ApiError(422, 'invalid_input', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields),
  rateLimited: (retryAfter: number) =>
    new ApiError(
      429,
      'rate_limited',
      `Too many failed attempts. Try again in ${retryAfter} seconds.`,
      undefined,
      retryAfter,
    ),
};

export interface ApiInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ApiOperation<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
> {
  method: Method;
  /** Express path under the API's mount point, e.g. `/invoices/:id` */
  path: string;
  summary: string;
  tag: string;
  permission: ApiPermission;
  params?: P;
  query?: Q;
  body?: B;
  success: { status: 200 | 201 | 204; description: string; schema?: Schema };
  /** Error statuses this operation can answer besides the ones every operation shares. */
  errors: number[];
  handle(
    input: ApiInput<Out<P>, Out<Q>, Out<B>>,
    caller: ApiCaller | undefined,
    req: Request,
    res: Response,
  ): Promise<unknown>;
}

/** Keeps the inferred input types of one operation while collecting them into one list. */
export function operation<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(def: ApiOperation<P, Q, B>): ApiOperation {
  return def as unknown as ApiOperation;
}

export function problemsOf(error: z.ZodError): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ field: path ? `${path}.${key}` : key, message: 'Unknown field' });
    } else {
      problems.push({ field: path || 'body', message: issue.message });
    }
  }
  return problems;
}
