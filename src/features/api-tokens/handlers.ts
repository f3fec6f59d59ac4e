import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { notFoundError } from '../../http/errors.ts';
import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import { formString, parseForm, type FieldError } from '../../http/form.ts';
import { renderPage, seeOther, type Layout } from '../../http/render.ts';
import { parseEndOfDay } from '../../regional/calendar-dates.ts';
import { formatInstant, inputExample } from '../../regional/date-format.ts';
import { tokenCreateSchema, tokenIdSchema } from './schema.ts';
import { ApiTokenNotFoundError, ApiTokenService } from './service.ts';

/** Where the tokens page lives: the admin's customer tab or the customer's own portal page. */
export interface TokenPage {
  view: string;
  fragment: string;
  layout: Layout;
  customerId(res: Response): number;
  basePath(res: Response): string;
  /** page locals: title, tabs, whether the viewer may change tokens */
  locals(res: Response): Record<string, unknown>;
  formatTime(res: Response): (instant: Date) => string;
  /** how the viewer types and reads an expiry date: its time zone and date formats */
  expiryDates(res: Response): Promise<ExpiryDates>;
}

/**
 * An expiry is a calendar day of the viewer: typed in its input date format, valid through the end
 * of that day in its time zone, shown in its output date format.
 */
export interface ExpiryDates {
  timeZone: string;
  inputFormat: string;
  outputFormat: string;
  locale: string;
}

const EXAMPLE_DAYS_AHEAD = 30;

/** Locals of the expiry field and column: the hint's example and zone; the date shown. */
function expiryLocals(dates: ExpiryDates, now: Date) {
  const near = new Date(now.getTime() + EXAMPLE_DAYS_AHEAD * 86_400_000);
  return {
    example: inputExample(near, { dateFormat: dates.inputFormat, timeZone: dates.timeZone, locale: dates.locale }),
    zone: dates.timeZone,
    show: (instant: Date) => formatInstant(instant, dates.outputFormat, dates),
  };
}

/** The expiry typed in the form: null for none, or the field error that says what to type. */
function readExpiry(text: string, dates: ExpiryDates, now: Date): { expiresAt: Date | null; error: FieldError | null } {
  if (text === '') return { expiresAt: null, error: null };
  const expiresAt = parseEndOfDay(text, dates.inputFormat, dates);
  if (expiresAt === null) {
    const { example } = expiryLocals(dates, now);
    return { expiresAt: null, error: { field: 'expires_on', key: 'errors.apiTokens.dateFormat', params: { example } } };
  }
  if (expiresAt.getTime() <= now.getTime())
    return { expiresAt: null, error: { field: 'expires_on', key: 'errors.apiTokens.datePast' } };
  return { expiresAt, error: null };
}

interface RenderState {
  status?: number;
  values?: Record<string, unknown>;
  errors?: FieldError[];
  newToken?: { name: string; token: string } | null;
  /** the generate form was sent again (a reload): say so, never show the token again */
  alreadyCreated?: boolean;
}

/** How long a generate form's `request_id` is remembered: a reload a day later still creates nothing. */
const REQUEST_ID_TTL_SECONDS = 86_400;

/** The one-time id each rendered generate form carries, or null when the post has none (a script). */
function requestIdOf(body: unknown): string | null {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).request_id : undefined;
  return typeof value === 'string' && /^[A-Za-z0-9_-]{22,64}$/.test(value) ? value : null;
}

/**
 * List, generate and revoke, the same for admin and portal; only the page and its words differ.
 * A new token is rendered once in the answer to the post (never stored, never redirected to).
 */
export function tokenPageHandlers(
  deps: Deps,
  page: TokenPage,
): { list: RequestHandler; create: RequestHandler; confirmRevoke: RequestHandler; revoke: RequestHandler } {
  const service = deps.services.apiTokens;

  const render = async (req: Request, res: Response, state: RenderState): Promise<void> => {
    const tokens = await service.list(page.customerId(res));
    const expiry = expiryLocals(await page.expiryDates(res), new Date());
    await renderPage(req, res, {
      view: page.view,
      fragment: page.fragment,
      layout: page.layout,
      status: state.status ?? 200,
      locals: {
        ...page.locals(res),
        tokens,
        base: page.basePath(res),
        formatTime: page.formatTime(res),
        expiry,
        values: { name: '', expires_on: '', ...state.values },
        errors: state.errors ?? [],
        newToken: state.newToken ?? null,
        alreadyCreated: state.alreadyCreated ?? false,
        requestId: randomBytes(16).toString('base64url'),
      },
    });
  };

  /** The customer's token the address names, revoked or not; any other id is not found. */
  const tokenOf = async (req: Request, res: Response) => {
    const idText = tokenIdSchema.safeParse(req.params.tokenId);
    if (!idText.success) throw notFoundError();
    const token = await service.repo.findForCustomer(page.customerId(res), Number(idText.data));
    if (!token) throw notFoundError();
    return token;
  };

  const askToRevoke = (req: Request, res: Response, token: { id: number; name: string }, status: number) => {
    const t = res.locals.t ?? ((key: string) => key);
    const base = page.basePath(res);
    return renderConfirmation(
      req,
      res,
      page.layout,
      {
        question: t('apiTokens.confirmQuestion', { name: token.name }),
        action: `${base}/${token.id}/revoke`,
        button: t('apiTokens.revoke'),
        cancelHref: base,
        cancel: t('common.cancel'),
      },
      status,
    );
  };

  return {
    list: async (req, res) => render(req, res, {}),
    create: async (req, res) => {
      // Every problem in one answer: the name's and the date's.
      const form = parseForm(tokenCreateSchema, req.body);
      const expiry = readExpiry(
        form.ok ? form.values.expires_on : formString(form.values.expires_on).trim(),
        await page.expiryDates(res),
        new Date(),
      );
      const formErrors = form.ok ? [] : form.errors;
      const errors = [
        ...formErrors.filter((e) => e.field !== 'expires_on'),
        ...(expiry.error ? [expiry.error] : formErrors.filter((e) => e.field === 'expires_on')),
      ];
      if (!form.ok || errors.length > 0) {
        return render(req, res, { status: 422, values: form.values, errors });
      }
      const expiresAt = expiry.expiresAt;
      // The secret can be shown only in this answer: no redirect, and nothing may cache it.
      res.setHeader('Cache-Control', 'no-store');
      // Reloading the answer sends the form again: its one-time id creates one token at most.
      const requestId = requestIdOf(req.body);
      const requestKey = `token-request:${requestId}`;
      if (requestId && !(await deps.kv.setIfAbsent(requestKey, '1', REQUEST_ID_TTL_SECONDS))) {
        return render(req, res, { status: 409, alreadyCreated: true });
      }
      let created: Awaited<ReturnType<ApiTokenService['create']>>;
      try {
        created = await service.create(
          page.customerId(res),
          { name: form.values.name, expiresAt },
          auditContext(req, res),
        );
      } catch (err) {
        // Nothing was created, so sending the form again may try again; the original error is what matters.
        if (requestId) await deps.kv.del(requestKey).catch(() => undefined);
        throw err;
      }
      await render(req, res, { status: 200, newToken: { name: form.values.name, token: created.token } });
    },
    confirmRevoke: async (req, res) => askToRevoke(req, res, await tokenOf(req, res), 200),
    revoke: async (req, res) => {
      const token = await tokenOf(req, res);
      if (!confirmed(req)) return askToRevoke(req, res, token, 422);
      const customerId = page.customerId(res);
      const tokenId = token.id;
      try {
        await service.revoke(customerId, tokenId, auditContext(req, res));
      } catch (err) {
        if (err instanceof ApiTokenNotFoundError) throw notFoundError();
        throw err;
      }
      const t = res.locals.t;
      req.session.flash = {
        kind: 'info',
        message: t ? t('apiTokens.revoked', { name: token.name }) : `The token “${token.name}” was revoked.`,
      };
      seeOther(res, page.basePath(res));
    },
  };
}
