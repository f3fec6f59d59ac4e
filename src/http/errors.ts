import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { i18n } from 'i18next';
import type { Logger } from '../logger.ts';
import { ADMIN_LANGUAGE, isLanguage, pickLanguage } from '../regional/languages.ts';
import { renderPage } from './render.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFoundError = (): HttpError => new HttpError(404, 'Not found', 'not_found');
export const forbiddenError = (): HttpError => new HttpError(403, 'Forbidden', 'forbidden');

const INFRASTRUCTURE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'ECONNABORTED',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
]);
const INFRASTRUCTURE_NAMES = new Set([
  'KnexTimeoutError',
  'ClientClosedError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'ReconnectStrategyError',
  'ClientOfflineError',
  'StoreUnavailableError',
  'DatabaseUnavailableError',
  'PasswordChecksBusyError',
]);

/** Errors meaning "the database or the session store did not answer": answered 503, fail closed. */
export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name, message } = e as { code?: string; name?: string; message?: string };
    if ((code && INFRASTRUCTURE_CODES.has(code)) || (name && INFRASTRUCTURE_NAMES.has(name))) return true;
    if (
      message &&
      /The client is closed|The client is offline|Connection is closed|Socket closed|connect ECONNREFUSED|Pool is closed|Unable to acquire a connection|Knex: Timeout acquiring|socket has been ended by the other party|connection is in closed state/i.test(
        message,
      )
    )
      return true;
  }
  return false;
}

export function statusOf(err: unknown): number {
  if (isUnavailable(err)) return 503;
  const status =
    (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 600) return status;
  return 500;
}

const API_CODES: Record<number, string> = {
  400: 'invalid_input',
  401: 'invalid_credentials',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'invalid_input',
  415: 'invalid_input',
  422: 'invalid_input',
  429: 'rate_limited',
  503: 'unavailable',
};

const MESSAGES: Record<number, string> = {
  400: 'The request could not be understood.',
  403: 'You do not have permission to do this.',
  404: 'The page or record was not found.',
  409: 'The record was changed by someone else.',
  413: 'The request is too large.',
  422: 'The request contains invalid data.',
  429: 'Too many attempts. Try again later.',
  500: 'Something went wrong on our side.',
  503: 'The service is temporarily unavailable. Try again in a moment.',
};

/**
 * The error page's heading and message per status, as translation keys (errors-page.json): a
 * portal visitor reads them in the portal language, the admin door's translator is English.
 */
const PAGE_TEXT: Record<number, { heading: string; message: string }> = {
  400: { heading: 'errorPage.headings.refused', message: 'errorPage.messages.badRequest' },
  403: { heading: 'errorPage.headings.forbidden', message: 'errorPage.messages.forbidden' },
  404: { heading: 'errorPage.headings.notFound', message: 'errorPage.messages.notFound' },
  409: { heading: 'errorPage.headings.refused', message: 'errorPage.messages.conflict' },
  410: { heading: 'errorPage.headings.gone', message: 'errorPage.messages.gone' },
  413: { heading: 'errorPage.headings.refused', message: 'errorPage.messages.tooLarge' },
  422: { heading: 'errorPage.headings.refused', message: 'errorPage.messages.invalid' },
  429: { heading: 'errorPage.headings.tooManyRequests', message: 'errorPage.messages.tooManyRequests' },
  500: { heading: 'errorPage.headings.failed', message: 'errorPage.messages.failed' },
  503: { heading: 'errorPage.headings.unavailable', message: 'errorPage.messages.unavailable' },
};
const OTHER_REFUSAL = { heading: 'errorPage.headings.refused', message: 'errorPage.messages.refused' };

function pageTextOf(status: number): { heading: string; message: string } {
  return PAGE_TEXT[status] ?? (status >= 500 ? PAGE_TEXT[500]! : OTHER_REFUSAL);
}

function isAdminRequest(req: Request): boolean {
  return req.originalUrl === '/admin' || /^\/admin[/?]/.test(req.originalUrl);
}

/** The portal's language choice without its door: `?lang=`, the session's choice, else the browser's. */
function visitorLanguage(req: Request): string {
  const asked: unknown = req.query.lang;
  if (isLanguage(asked)) return asked;
  const chosen = (req.session as Partial<Request['session']> | undefined)?.language;
  return isLanguage(chosen) ? chosen : pickLanguage(req.get('Accept-Language'));
}

function isApiRequest(req: Request): boolean {
  return req.originalUrl.startsWith('/api/') || req.originalUrl === '/api' || req.originalUrl.startsWith('/rest/');
}

export function apiErrorBody(
  status: number,
  message?: string,
  code?: string,
): { error: { code: string; message: string } } {
  return {
    error: {
      code: code ?? API_CODES[status] ?? 'internal_error',
      message: message ?? MESSAGES[status] ?? 'Unexpected error.',
    },
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFoundError());

export function errorHandler(opts: { logger: Logger; showStack: boolean; i18n: i18n }): ErrorRequestHandler {
  // Express recognises error handlers by their four parameters.
  return (err, req, res, _next) => {
    const status = statusOf(err);
    if (status >= 500)
      opts.logger.error(
        { err, reqId: req.id, url: req.originalUrl },
        status === 503 ? 'dependency unavailable' : 'request failed',
      );
    if (res.headersSent) {
      // The session store failed while express-session saved the session after the page was
      // written: the page is complete, cutting it would break the connection.
      if (!res.writableEnded) res.end();
      return;
    }
    if (status === 503) res.setHeader('Retry-After', '5');
    if (err instanceof HttpError && err.status === 429 && (err as HttpError & { retryAfter?: number }).retryAfter) {
      res.setHeader('Retry-After', String((err as HttpError & { retryAfter?: number }).retryAfter));
    }
    if (isApiRequest(req)) {
      const known = err instanceof HttpError && status < 500;
      res.status(status).json(apiErrorBody(status, known ? err.message : undefined, known ? err.code : undefined));
      return;
    }
    const stack = opts.showStack && status >= 500 && err instanceof Error ? err.stack : undefined;
    // An unknown /admin page falls through to the portal door, which picks the portal language:
    // admin pages stay English. Without a translator the error happened before the door set up
    // its locals (a refused CSRF token, a failed session store): the visitor's choice is read here.
    if (!res.locals.t || isAdminRequest(req)) {
      const lang = isAdminRequest(req) ? ADMIN_LANGUAGE : (res.locals.lang ?? visitorLanguage(req));
      const t = opts.i18n.getFixedT(lang);
      res.locals.lang = lang;
      res.locals.t = (key: string, options?: Record<string, unknown>) => t(key, options ?? {}) as string;
    }
    const t = res.locals.t;
    const text = pageTextOf(status);
    // A refusal that explains itself keeps its own message (already in the visitor's language).
    const message =
      err instanceof HttpError && status < 500 && status !== 404 && status !== 403 ? err.message : t(text.message);
    renderPage(req, res, {
      view: 'errors/error',
      layout: 'bare',
      status,
      locals: {
        title: `${status}`,
        status,
        heading: t(text.heading),
        message,
        stack,
        home: isAdminRequest(req) ? '/admin' : '/',
      },
    }).catch((renderErr: unknown) => {
      opts.logger.error({ err: renderErr }, 'error page failed to render');
      if (!res.headersSent)
        res
          .status(status)
          .type('text/plain')
          .send(MESSAGES[status] ?? 'Error');
    });
  };
}
