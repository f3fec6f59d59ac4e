import { ADMIN_LANGUAGE } from '../regional/languages.ts';
import { formatMoney } from '../regional/money.ts';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Infra } from '../infra.ts';
import { clientIp } from './client-ip.ts';
import { csrfProtection } from './csrf.ts';
import type { FieldError } from './form.ts';
import { mountRoutes, type RouteDef } from './route-table.ts';
import { enforceAbsoluteTimeout, sessionMiddleware, slideIdleTimeout, type Door } from './session.ts';

export const formBody = express.urlencoded({ extended: true, limit: '100kb', parameterLimit: 2000 });

/** Pages behind a session are personal: never cached by the browser or a proxy. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

// bounds, whatever a request names: languages are a handful, texts emptied when full
const MAX_CACHED_LANGUAGES = 32;
const MAX_CACHED_TEXTS = 20_000;

/** A cache key for a translation whose options are strings, numbers or booleans only; else null. */
function plainOptionsKey(key: string, options: Record<string, unknown>): string | null {
  for (const name in options) {
    const kind = typeof options[name];
    if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return null;
  }
  return JSON.stringify([key, options]);
}

type Translate = (key: string, options?: Record<string, unknown>) => string;

/**
 * A language's translator for templates. A page asks for dozens of strings and the translations
 * never change while the process runs: a text is looked up in i18next once per language, key
 * and plain options, then read from a map.
 */
const translators = new WeakMap<Infra['i18n'], Map<string, Translate>>();
function translator(deps: Infra, lang: string): Translate {
  let cache = translators.get(deps.i18n);
  if (!cache) {
    cache = new Map();
    translators.set(deps.i18n, cache);
  }
  let translate = cache.get(lang);
  if (translate) return translate;
  const t = deps.i18n.getFixedT(lang);
  const texts = new Map<string, string>();
  translate = (key, options) => {
    // options of plain values (names, numbers) give the same text every time: kept too
    const cacheKey = options === undefined ? key : plainOptionsKey(key, options);
    if (cacheKey === null) return t(key, options) as string;
    let text = texts.get(cacheKey);
    if (text === undefined) {
      text = t(key, options ?? {}) as string;
      if (texts.size >= MAX_CACHED_TEXTS) texts.clear();
      texts.set(cacheKey, text);
    }
    return text;
  };
  if (cache.size < MAX_CACHED_LANGUAGES) cache.set(lang, translate);
  return translate;
}

/** Messages that do not say which field they are about. */
const GENERAL_MESSAGES: ReadonlySet<string> = new Set(['errors.required', 'errors.invalid', 'errors.tooLong']);

/** Locals every page template relies on: translator, field messages, flash, current path. */
export function pageLocals(deps: Infra, pickLanguage: (req: Parameters<RequestHandler>[0]) => string): RequestHandler {
  return (req, res, next) => {
    const lang = pickLanguage(req);
    const t = translator(deps, lang);
    res.locals.lang = lang;
    res.locals.t = t;
    // What speaks to an administrator inside the portal (the log-in-as banner) speaks the admin door's language.
    (res.locals as Record<string, unknown>).tAdmin = translator(deps, ADMIN_LANGUAGE);
    (res.locals as Record<string, unknown>).fieldMessage = (e: FieldError) => {
      if (e.text !== undefined) return e.text;
      const key = e.key ?? 'errors.invalid';
      const message = t(key, e.params ?? {});
      // A general message ("Enter a value") names its field, so the summary says which one.
      const label = `fieldLabels.${e.field}`;
      return GENERAL_MESSAGES.has(key) && deps.i18n.exists(label, { lng: lang })
        ? t('errors.named', { label: t(label), message })
        : message;
    };
    res.locals.money = (amount: number, currency: string) => formatMoney(amount, currency, lang);
    res.locals.currentPath = req.path;
    res.locals.clientIp = clientIp(req);
    if (req.session.flash) {
      res.locals.flash = req.session.flash;
      delete req.session.flash;
    }
    next();
  };
}

/**
 * The middleware of one door, in order: body, session (its own cookie), absolute timeout, CSRF,
 * page locals, then the door's route table behind its gate, then the door's own not-found and
 * error answers.
 */
export function buildDoor<P>(
  deps: Infra,
  door: Door,
  opts: {
    language: (req: Parameters<RequestHandler>[0]) => string;
    before?: RequestHandler[];
    routes: ReadonlyArray<RouteDef<P>>;
    gate: (route: RouteDef<P>) => RequestHandler[];
    /** the door's own answers for an unknown address and a thrown error it renders itself */
    after?: Array<RequestHandler | ErrorRequestHandler>;
  },
): Router {
  const router = express.Router();
  router.use(noStore, formBody);
  router.use(sessionMiddleware(door, deps.sessionStores[door], deps.config));
  router.use(enforceAbsoluteTimeout(deps.config));
  router.use(slideIdleTimeout(deps.config));
  router.use(csrfProtection);
  router.use(pageLocals(deps, opts.language));
  for (const mw of opts.before ?? []) router.use(mw);
  mountRoutes(router, opts.routes, opts.gate);
  for (const mw of opts.after ?? []) router.use(mw);
  return router;
}
