import express, { type Request, type RequestHandler, type Router } from 'express';
import type { z } from 'zod';
import { accessTokenKey, signAccessToken } from '../../access/jwt.ts';
import { atLeast } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { noStore } from '../../http/door.ts';
import type { ApiTokenService } from '../../features/api-tokens/service.ts';
import type { ApiSession } from '../../features/api-tokens/sessions.ts';
import { ProfileGroupForbiddenError } from '../../features/accounts/service.ts';
import { ApiAuth, bearerSessionId, type ApiCaller } from './auth.ts';
import { jsonField, multipartFields, REST_MAX_FIELDS } from './rest-body.ts';
import { customerInfoOf, matchesNamePattern, profilePatchOf, sameCustomerId } from './rest-customer.ts';
import { fault, faultHandler, type FaultKey } from './rest-faults.ts';
import { buildRestOpenApiDocument } from './rest-openapi.ts';
import * as s from './rest-schema.ts';
import type { RestMethod } from './rest-schema.ts';

// Compatibility with integrations written for the reference billing system's JSON API:
// `POST /rest/<Service>/<method>` (a trailing slash is fine) with `params` and `auth_info` in a
// JSON body, as form fields holding JSON, or as multipart fields. The door answers everything
// under /rest itself — an unknown method, another HTTP verb, a broken body are faults too — so no
// request ever reaches the portal's pages or CSRF check. Published clients of the reference API
// are its judges: test/features/api/rest-clients/ replays each one's requests.

export const REST_BODY_LIMIT = '16kb';
const REST_BODY_LIMIT_BYTES = 16 * 1024;

/** Keeps a method's params type while collecting the methods into one table. */
function method<P extends z.ZodType>(
  def: Omit<RestMethod, 'handle' | 'params'> & {
    params: P;
    handle(req: Request, params: z.output<P>): Promise<unknown>;
  },
): RestMethod {
  return def as unknown as RestMethod;
}

/** Faults any method with a session can answer. */
const SESSION_FAULTS: FaultKey[] = ['checkAuth', 'checkAuthAddress', 'accessToken'];

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The session credential a request carries: `params` (logout, ping), `auth_info`, then Bearer. */
function credentialOf(req: Request, fromParams: boolean): string | null {
  if (fromParams) {
    const params = jsonField(req, 'params') as Record<string, unknown> | null | undefined;
    if (params && typeof params === 'object') {
      const named = text(params.session_id) ?? text(params.access_token);
      if (named) return named;
    }
  }
  const info = jsonField(req, 'auth_info') as Record<string, unknown> | null | undefined;
  if (info && typeof info === 'object') {
    const named = text(info.session_id) ?? text(info.access_token);
    if (named) return named;
  }
  return bearerSessionId(req);
}

/** `/Session/login/` → `Session/login`; null for anything that is not `<Service>/<method>`. */
function methodNameOf(path: string): string | null {
  const match = /^\/([A-Za-z][A-Za-z0-9_]{0,63})\/([A-Za-z][A-Za-z0-9_]{0,63})\/?$/.exec(path);
  return match ? `${match[1]}/${match[2]}` : null;
}

const utcText = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

export function restMethods(deps: Deps, tokens: ApiTokenService, auth: ApiAuth): RestMethod[] {
  const profiles = deps.services.profiles;
  const signingKey = accessTokenKey(deps.config.secretKey);

  /** The login and refresh answer: the session id, a JWT pointing at it and a fresh refresh token. */
  const sessionAnswer = async (sessionId: string, session: ApiSession): Promise<z.output<typeof s.sessionAnswer>> => {
    const exp = Math.floor(session.absoluteExpiresAt / 1000);
    const claims = {
      sub: String(session.customerId),
      i_customer: session.customerId,
      login: session.loginLower,
      realm: 'customer' as const,
      iat: Math.floor(Date.now() / 1000),
      exp,
      jti: sessionId,
    };
    return {
      session_id: sessionId,
      access_token: await signAccessToken(claims, signingKey),
      refresh_token: await tokens.sessions.issueRefreshToken(sessionId, session),
      expires_at: utcText(exp),
      expires_in: Math.max(0, exp - Math.floor(Date.now() / 1000)),
    };
  };

  const authenticated = async (req: Request): Promise<ApiCaller> => {
    const result = await auth.check(credentialOf(req, false), clientIp(req));
    if (result.ok) return result.caller;
    if (result.reason === 'ip_not_allowed') throw fault('checkAuthAddress', 'Access from this address is not allowed');
    if (result.detail === 'unverifiable_access_token')
      throw fault('accessToken', 'The access token is invalid or has expired');
    throw fault('checkAuth', 'Authentication failed');
  };

  const readableProfile = async (req: Request): Promise<ApiCaller> => {
    const caller = await authenticated(req);
    if (!atLeast(caller.levels.profile, 'read'))
      throw fault('forbidden', 'Your role does not allow reading the customer profile');
    return caller;
  };

  const ownCustomer = (
    params: { i_customer?: number | string | undefined; login?: string | undefined },
    caller: ApiCaller,
    login: string,
  ): void => {
    const other =
      (params.i_customer !== undefined && !sameCustomerId(params.i_customer, caller.customerId)) ||
      (params.login !== undefined && params.login.toLowerCase() !== login.toLowerCase());
    if (other) throw fault('customerNotFound', 'Customer not found');
  };

  const updateCustomer = method({
    name: 'Customer/update_customer_info',
    summary:
      "Change the caller's profile fields its role may change (`params.customer_info`, or the fields directly in `params`)",
    session: 'auth',
    params: s.updateCustomerParams.loose(),
    answer: s.updateCustomerAnswer,
    faults: [...SESSION_FAULTS, 'forbidden', 'customerNotFound', 'invalidParams'],
    handle: async (req, params) => {
      const caller = await readableProfile(req);
      const { customer_info: nested, ...flat } = params;
      const info = nested ?? flat;
      const account = await profiles.get(caller.customerId);
      const shown = customerInfoOf(account, caller.levels);
      const sent = info.i_customer;
      if (
        sent !== undefined &&
        !((typeof sent === 'number' || typeof sent === 'string') && sameCustomerId(sent, caller.customerId))
      )
        throw fault('customerNotFound', 'Customer not found');
      const patch = profilePatchOf(info, shown);
      try {
        await profiles.update(caller.customerId, caller.levels, patch, caller);
      } catch (err) {
        if (err instanceof ProfileGroupForbiddenError)
          throw fault('forbidden', `Your role does not allow changing ${err.group}`);
        throw err;
      }
      return { i_customer: caller.customerId };
    },
  });

  return [
    method({
      name: 'Session/login',
      summary:
        "Open an API session with the customer's self-care login and an API token (in `token`, or in `password`); any `auth_info` or Bearer sent along is ignored",
      session: 'none',
      params: s.loginParams,
      paramsFault: 'loginFailed',
      answer: s.sessionAnswer,
      faults: ['loginFailed', 'loginThrottled', 'addressRefused'],
      handle: async (req, params) => {
        const result = await tokens.signIn(params.login, params.token ?? params.password ?? '', clientIp(req));
        if (result.ok) return sessionAnswer(result.sessionId, result.session);
        if (result.reason === 'rate_limited')
          throw fault('loginThrottled', `Too many failed attempts. Try again in ${result.retryAfterSeconds} seconds`, {
            retryAfter: result.retryAfterSeconds,
          });
        if (result.reason === 'ip_not_allowed')
          throw fault('addressRefused', 'Access from this address is not allowed');
        throw fault('loginFailed', 'The login or API token is incorrect');
      },
    }),
    method({
      name: 'Session/refresh_access_token',
      summary:
        'Spend a refresh token for a successor session: a new session id, access token and refresh token; the old session ends',
      session: 'none',
      params: s.refreshParams,
      paramsFault: 'refreshFailed',
      answer: s.sessionAnswer,
      faults: ['refreshFailed', 'addressRefused'],
      handle: async (req, params) => {
        const result = await tokens.refresh(params.refresh_token, clientIp(req));
        if (result.ok) return sessionAnswer(result.sessionId, result.session);
        if (result.reason === 'ip_not_allowed')
          throw fault('addressRefused', 'Access from this address is not allowed');
        throw fault('refreshFailed', 'The refresh token is invalid, spent or revoked');
      },
    }),
    method({
      name: 'Session/logout',
      summary:
        'End the session named in `params` (`session_id` or `access_token`), `auth_info` or the Bearer header, with its refresh token',
      session: 'params-or-auth',
      params: s.sessionParams.loose(),
      answer: s.logoutAnswer,
      faults: ['checkAuth', 'logoutAccessToken'],
      handle: async (req) => {
        const resolved = await auth.resolve(credentialOf(req, true));
        if (!resolved.ok) {
          if (resolved.detail === 'unverifiable_access_token')
            throw fault('logoutAccessToken', 'The access token is invalid or has expired');
          throw fault('checkAuth', 'Authentication failed');
        }
        const { sessionId, session } = resolved;
        await tokens.sessions.close(sessionId);
        await deps.audit.record({
          actor: { type: 'api', id: session.customerId, label: session.loginLower },
          ip: clientIp(req),
          action: 'api.session.end',
          entityType: 'api_token',
          entityId: session.tokenId,
          customerId: session.customerId,
        });
        return { success: 1 };
      },
    }),
    method({
      name: 'Session/ping',
      summary:
        'The customer id of the session named in `params`, `auth_info` or the Bearer header; 0 when there is none or it has ended',
      session: 'params-or-auth',
      params: s.sessionParams.loose(),
      answer: s.pingAnswer,
      faults: [],
      handle: async (req) => {
        const result = await auth.check(credentialOf(req, true), clientIp(req));
        return { user_id: result.ok ? result.caller.customerId : 0 };
      },
    }),
    method({
      name: 'Customer/get_customer_info',
      summary: "The caller's customer; `i_customer` or `login` naming any other customer is a fault",
      session: 'auth',
      params: s.customerInfoParams.loose(),
      answer: s.customerInfoAnswer,
      faults: [...SESSION_FAULTS, 'forbidden', 'customerNotFound', 'invalidParams'],
      handle: async (req, params) => {
        const caller = await readableProfile(req);
        const account = await profiles.get(caller.customerId);
        ownCustomer(params, caller, account.selfcareLogin ?? '');
        return { customer_info: customerInfoOf(account, caller.levels) };
      },
    }),
    method({
      name: 'Customer/get_customer_list',
      summary: "A list holding only the caller's own customer, when it matches `i_customer`, `login` and `name`",
      session: 'auth',
      params: s.customerListParams.loose(),
      answer: s.customerListAnswer,
      faults: [...SESSION_FAULTS, 'forbidden', 'invalidParams'],
      handle: async (req, params) => {
        const caller = await readableProfile(req);
        const account = await profiles.get(caller.customerId);
        const matches =
          (params.i_customer === undefined || sameCustomerId(params.i_customer, account.id)) &&
          (params.login === undefined || params.login.toLowerCase() === (account.selfcareLogin ?? '').toLowerCase()) &&
          (params.name === undefined || matchesNamePattern(account.name, params.name));
        const total = matches ? 1 : 0;
        const shown = matches && (params.offset ?? 0) === 0 && params.limit !== 0;
        return {
          customer_list: shown ? [customerInfoOf(account, caller.levels)] : [],
          ...(params.get_total ? { total } : {}),
        };
      },
    }),
    updateCustomer,
    {
      ...updateCustomer,
      name: 'Customer/update_customer',
      summary: "The reference product's name for Customer/update_customer_info",
    },
  ];
}

/** Every verb but POST is a fault (405); the OpenAPI document is the one thing read with GET. */
const onlyPost: RequestHandler = (req, _res, next) => {
  next(
    req.method === 'POST'
      ? undefined
      : fault('methodNotAllowed', `Use POST for ${req.baseUrl}/<Service>/<method>`, { status: 405 }),
  );
};

export function compatRouter(deps: Deps): Router {
  const tokens = deps.services.apiTokens;
  const auth = new ApiAuth(deps, tokens);
  const methods = restMethods(deps, tokens, auth);
  const byName = new Map(methods.map((m) => [m.name, m]));
  let document: Record<string, unknown> | undefined;

  const router = express.Router();
  router.use(noStore);
  router.get('/openapi.json', (_req, res) => {
    res.json((document ??= buildRestOpenApiDocument(methods, { serverUrl: deps.config.publicUrl })));
  });
  router.use(onlyPost);
  router.use(
    express.json({ limit: REST_BODY_LIMIT }),
    express.urlencoded({ extended: false, limit: REST_BODY_LIMIT, parameterLimit: REST_MAX_FIELDS }),
    multipartFields(REST_BODY_LIMIT_BYTES),
  );
  router.use(async (req, res) => {
    const name = methodNameOf(req.path);
    const target = name ? byName.get(name as RestMethod['name']) : undefined;
    if (!target) throw fault('unknownMethod', name ? `Unknown method ${name}` : 'Call /rest/<Service>/<method>');
    const raw = jsonField(req, 'params');
    const parsed = target.params.safeParse(raw === undefined || raw === null ? {} : raw);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'params'}: ${issue.message}`)
        .join('; ');
      throw fault(target.paramsFault ?? 'invalidParams', `params: ${problems}`);
    }
    res.json(await target.handle(req, parsed.data as never));
  });
  router.use(faultHandler({ logger: deps.logger, bodyLimit: REST_BODY_LIMIT }));
  return router;
}
