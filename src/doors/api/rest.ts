import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { atLeast } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { noStore } from '../../http/door.ts';
import { isLanguage, toILang } from '../../regional/languages.ts';
import { ApiAuth, bearerSessionId } from './auth.ts';
import { type ApiCaller } from '../../http/api-operation.ts';
import { API_BODY_LIMIT, apiJsonBody, bodyErrorOf } from './operations.ts';
import { visibleGroups } from '../../features/accounts/service.ts';

// Compatibility with integrations written for the reference billing system's customer API:
// `POST /rest/<Service>/<method>` with `params` and `auth_info` as JSON (in a JSON body or as form
// fields holding JSON); every failure is HTTP 500 with `{"faultcode","faultstring"}`.

export const FAULT_LOGIN = 'Server.Session.auth_failed';
export const FAULT_CHECK_AUTH = 'Server.Session.check_auth.auth_failed';

class Fault extends Error {
  constructor(
    readonly faultcode: string,
    readonly faultstring: string,
    readonly retryAfter?: number,
  ) {
    super(faultstring);
  }
}

/** A field that is JSON in a JSON body, or a form field holding JSON text. */
function jsonField(req: Request, name: string): unknown {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new Fault('Client.InvalidRequest', `${name} is not valid JSON`);
  }
}

const loginParams = z.object({ login: z.string().min(1).max(64), token: z.string().min(1).max(200) });
const authInfo = z.object({ session_id: z.string().min(1).max(100) });

function sessionIdOf(req: Request): string | null {
  const bearer = bearerSessionId(req);
  if (bearer) return bearer;
  const info = authInfo.safeParse(jsonField(req, 'auth_info'));
  return info.success ? info.data.session_id : null;
}

export function compatRouter(deps: Deps): Router {
  const tokens = deps.services.apiTokens;
  const auth = new ApiAuth(deps, tokens);
  const profiles = deps.services.profiles;
  const router = express.Router();
  router.use(noStore, apiJsonBody, express.urlencoded({ extended: false, limit: API_BODY_LIMIT, parameterLimit: 20 }));

  const authenticated = async (req: Request): Promise<ApiCaller> => {
    const result = await auth.check(sessionIdOf(req), clientIp(req));
    if (!result.ok) throw new Fault(FAULT_CHECK_AUTH, result.reason === 'ip_not_allowed' ? 'Access from this address is not allowed' : 'Authentication failed');
    return result.caller;
  };

  router.post('/Session/login', async (req: Request, res: Response) => {
    const params = loginParams.safeParse(jsonField(req, 'params'));
    if (!params.success) throw new Fault(FAULT_LOGIN, 'params must be {"login","token"}');
    const result = await tokens.signIn(params.data.login, params.data.token, clientIp(req));
    if (result.ok) {
      res.json({ session_id: result.sessionId, expires_at: result.expiresAt.toISOString() });
      return;
    }
    if (result.reason === 'rate_limited') throw new Fault(FAULT_LOGIN, `Too many failed attempts. Try again in ${result.retryAfterSeconds} seconds`, result.retryAfterSeconds);
    throw new Fault(FAULT_LOGIN, result.reason === 'ip_not_allowed' ? 'Access from this address is not allowed' : 'Authentication failed');
  });

  router.post('/Session/logout', async (req: Request, res: Response) => {
    const caller = await authenticated(req);
    await tokens.sessions.close(caller.sessionId);
    await deps.audit.record({ actor: caller.actor, ip: caller.ip, action: 'api.session.end', entityType: 'api_token', entityId: caller.tokenId, customerId: caller.customerId });
    res.json({ success: 1 });
  });

  router.post('/Session/ping', async (req: Request, res: Response) => {
    const result = await auth.check(sessionIdOf(req), clientIp(req));
    res.json({ user_id: result.ok ? result.caller.customerId : 0 });
  });

  router.post('/Customer/get_customer_info', async (req: Request, res: Response) => {
    const caller = await authenticated(req);
    if (!atLeast(caller.levels.profile, 'read')) throw new Fault('Client.Forbidden', 'Your role does not allow reading the customer profile');
    const account = await profiles.get(caller.customerId);
    const groups = visibleGroups(caller.levels);
    res.json({
      customer_info: {
        i_customer: account.id,
        login: account.selfcareLogin ?? '',
        name: account.name,
        companyname: account.companyName,
        email: groups.contacts ? account.email : '',
        i_lang: toILang(isLanguage(account.language) ? account.language : 'en'),
        time_zone: account.timeZone,
        out_date_format: account.outDateFormat,
        out_time_format: account.outTimeFormat,
        in_date_format: account.inDateFormat,
        in_time_format: account.inTimeFormat,
        balance: account.balance,
        credit_limit: account.creditLimit,
        iso_4217: account.currency,
      },
    });
  });

  const faults: ErrorRequestHandler = (err, _req, res, next) => {
    const bodyError = bodyErrorOf(err);
    const fault = err instanceof Fault ? err : bodyError ? new Fault('Client.InvalidRequest', bodyError.message) : null;
    if (!fault || res.headersSent) return next(err);
    if (fault.retryAfter) res.setHeader('Retry-After', String(fault.retryAfter));
    res.status(500).json({ faultcode: fault.faultcode, faultstring: fault.faultstring });
  };
  router.use(faults);
  return router;
}
