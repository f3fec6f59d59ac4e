import type { ErrorRequestHandler } from 'express';
import { isUnavailable } from '../../http/errors.ts';
import type { Logger } from '../../logger.ts';

// Every failure of the `/rest` door is a fault of the reference billing system's JSON API: HTTP 500
// with `{"faultcode","faultstring"}` (405 for a method other than POST). The codes its published
// clients match on are kept exactly (README, "Fault codes", names the client behind each).

export const FAULTS = {
  loginFailed: {
    code: 'Server.Session.auth_failed',
    meaning: 'Session/login: wrong login or API token, the login of an individual, missing params',
  },
  loginThrottled: {
    code: 'Server.Session.cannot_login_brute_force_activity',
    meaning: 'Session/login: too many failed attempts; `Retry-After` says when to try again',
  },
  addressRefused: {
    code: 'Server.Session.ip_not_allowed',
    meaning: "Session/login, Session/refresh_access_token: the address is outside the customer's trusted networks",
  },
  refreshFailed: {
    code: 'Server.Session.refresh_access_token.refresh_failed',
    meaning:
      'Session/refresh_access_token: the refresh token is unknown, spent, or its session was logged out or revoked',
  },
  checkAuth: {
    code: 'Server.Session.check_auth.auth_failed',
    meaning:
      'no session, or the session has ended (logout, idle or absolute expiry, token revoked or expired, credentials changed)',
  },
  checkAuthAddress: {
    code: 'Server.Session.check_auth.ip_not_allowed',
    meaning: "the session is live but this address is outside the customer's trusted networks",
  },
  accessToken: {
    code: 'Client.Session.check_auth.failed_to_process_access_token',
    meaning: 'the access token does not verify: bad signature, another algorithm, past `exp`, malformed',
  },
  logoutAccessToken: {
    code: 'Client.Session.logout.failed_to_process_access_token',
    meaning: 'Session/logout: the access token does not verify',
  },
  customerNotFound: {
    code: 'Server.Customer.not_found',
    meaning: '`i_customer` or `login` names a customer other than the caller (or none)',
  },
  forbidden: {
    code: 'Client.Forbidden',
    meaning: 'the role does not allow this (profile hidden, or a change without Full access)',
  },
  invalidParams: {
    code: 'Client.InvalidParams',
    meaning: '`params` has a field of the wrong type, an invalid value, or a field that cannot be changed',
  },
  invalidRequest: {
    code: 'Client.InvalidRequest',
    meaning:
      'the body cannot be read: bad JSON (body, `params` or `auth_info`), larger than 16 kB, a file part, an unknown charset',
  },
  unknownMethod: { code: 'Server.Service.unknown_method', meaning: 'no such `<Service>/<method>`' },
  methodNotAllowed: {
    code: 'Client.MethodNotAllowed',
    meaning: 'an HTTP method other than POST (HTTP 405, `Allow: POST`)',
  },
  unavailable: {
    code: 'Server.Service.unavailable',
    meaning: 'the database or the session store does not answer; `Retry-After: 5`',
  },
  internal: { code: 'Server.Service.internal_error', meaning: 'an unexpected error (logged)' },
} as const;

export type FaultKey = keyof typeof FAULTS;
/** Faults any method can answer. */
export const COMMON_FAULTS: FaultKey[] = ['invalidRequest', 'unavailable', 'internal'];
export const FAULT_CODES = Object.values(FAULTS).map((f) => f.code);

export class RestFault extends Error {
  readonly faultcode: string;

  constructor(
    readonly key: FaultKey,
    readonly faultstring: string,
    readonly opts: { status?: number; retryAfter?: number } = {},
  ) {
    super(faultstring);
    this.name = 'RestFault';
    this.faultcode = FAULTS[key].code;
  }
}

export const fault = (key: FaultKey, faultstring: string, opts?: { status?: number; retryAfter?: number }): RestFault =>
  new RestFault(key, faultstring, opts);

/** Body-parser failures (express.json / urlencoded) as faults. */
function bodyFault(err: unknown, limit: string): RestFault | null {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return fault('invalidRequest', 'The request body is not valid JSON');
  if (type === 'entity.too.large') return fault('invalidRequest', `The request body is larger than ${limit}`);
  if (type === 'parameters.too.many') return fault('invalidRequest', 'The request body has too many fields');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return fault('invalidRequest', 'Send the body as UTF-8');
  if (typeof type === 'string' && type.startsWith('request.'))
    return fault('invalidRequest', 'The request body could not be read');
  return null;
}

/** The door's last handler: nothing under /rest reaches the app's HTML or JSON error pages. */
export function faultHandler(opts: { logger: Logger; bodyLimit: string }): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    let answer = err instanceof RestFault ? err : bodyFault(err, opts.bodyLimit);
    if (!answer && isUnavailable(err)) {
      opts.logger.error({ err, reqId: req.id, url: req.originalUrl }, 'dependency unavailable');
      answer = fault('unavailable', 'The service is temporarily unavailable; try again in a moment', { retryAfter: 5 });
    }
    if (!answer) {
      opts.logger.error({ err, reqId: req.id, url: req.originalUrl }, 'request failed');
      answer = fault('internal', 'Something went wrong on our side');
    }
    if (answer.opts.retryAfter) res.setHeader('Retry-After', String(answer.opts.retryAfter));
    if (answer.opts.status === 405) res.setHeader('Allow', 'POST');
    res.status(answer.opts.status ?? 500).json({ faultcode: answer.faultcode, faultstring: answer.faultstring });
  };
}
