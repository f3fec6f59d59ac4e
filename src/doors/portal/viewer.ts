import type { Request, RequestHandler, Response } from 'express';
import { isAddressTrusted } from '../../access/address-check.ts';
import { navFor, type NavItem } from '../../access/portal-navigation.ts';
import type { Deps } from '../../deps.ts';
import {
  accountRefusal,
  effectiveRegional,
  trustedListsOf,
  type PortalAccount,
} from '../../features/accounts/service.ts';
import { auditImpersonationEnd } from '../../features/impersonation/service.ts';
import { clientIp } from '../../http/client-ip.ts';
import { pageLocals } from '../../http/door.ts';
import { redirectAway } from '../../http/redirect.ts';
import { regenerateSession } from '../../http/session.ts';
import type { PortalSessionUser, Viewer } from '../../http/types.ts';
import { viewerFormatters, type ViewerFormatters } from '../../regional/viewer-formatters.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** the signed-in account's rows, loaded once per request by the portal door */
      portalAccount?: PortalAccount;
      portalNav?: NavItem[];
      fmt?: ViewerFormatters;
    }
  }
}

/**
 * Ends the portal session and sends the browser to sign-in with one message, in the viewer's own
 * language when the account is still known (the sign-in page then keeps that language).
 */
async function endPortalSession(
  req: Request,
  res: Response,
  messageKey: string,
  t?: (key: string) => string,
  language?: string,
): Promise<void> {
  const translate = t ?? res.locals.t;
  await regenerateSession(req);
  req.session.flash = { kind: 'error', message: translate ? translate(messageKey) : messageKey };
  if (language) req.session.language = language;
  redirectAway(req, res, '/login');
}

/** Why a session may not go on, as the message key the sign-in page shows; null when it may. */
type Refusal = string | null;

/** An admin's "log in as" session lasts no longer than the admin's own sign-in. */
async function impersonatorGone(deps: Deps, req: Request, user: PortalSessionUser): Promise<Refusal> {
  const imp = user.impersonation;
  if (!imp || (await deps.services.admins.findActive(imp.adminId, imp.adminEpoch))) return null;
  await auditImpersonationEnd(deps, clientIp(req), user, imp, 'admin_session_ended');
  return 'portal.signIn.sessionEnded';
}

/** The account is gone, or its password changed since this session began. */
function sessionOutdated(account: PortalAccount | null, user: PortalSessionUser): Refusal {
  const own = account ? (account.individual ?? account.customer) : null;
  return !account || !own || own.sessionEpoch !== user.epoch ? 'portal.signIn.sessionEnded' : null;
}

/**
 * What binds the account itself (not an admin acting on its behalf): credentials still set, the
 * individual inside its activation window, the client address inside the trusted networks.
 */
function accountClosedTo(account: PortalAccount, address: string): Refusal {
  const own = account.individual ?? account.customer;
  if (!own.passwordHash || (!account.individual && !account.customer.selfcareLogin))
    return 'portal.signIn.sessionEnded';
  const refusal = accountRefusal(account.individual);
  if (refusal) return refusal === 'expired' ? 'portal.signIn.errors.expired' : 'portal.signIn.errors.notActive';
  if (!isAddressTrusted(trustedListsOf(account), address)) return 'portal.signIn.errors.addressNotAllowed';
  return null;
}

function viewerOf(
  user: PortalSessionUser,
  account: PortalAccount,
  levels: Viewer['levels'],
  regional: Viewer['regional'],
): Viewer {
  return {
    kind: user.kind,
    id: user.id,
    customerId: account.customer.id,
    login: account.individual?.login ?? account.customer.selfcareLogin ?? '',
    name: account.individual?.name || account.customer.name,
    levels,
    regional,
    mustChangePassword: !user.impersonation && (account.individual ?? account.customer).passwordChangeRequired,
    ...(user.impersonation ? { impersonation: user.impersonation } : {}),
  };
}

/**
 * Runs before every portal route: for a signed-in session, loads the account afresh (a change
 * made elsewhere applies on the next request), ends the session when it must not go on, and sets
 * the viewer with its effective levels, navigation, language and formats.
 */
export function loadViewer(deps: Deps): RequestHandler {
  const accounts = deps.services.accounts;
  return async (req, res, next) => {
    const user = req.session.portal;
    if (!user) return next();
    const gone = await impersonatorGone(deps, req, user);
    if (gone) return endPortalSession(req, res, gone);
    const account = await accounts.loadAccount(user);
    const outdated = sessionOutdated(account, user);
    if (outdated || !account) return endPortalSession(req, res, outdated ?? 'portal.signIn.sessionEnded');
    const regional = effectiveRegional(account);
    const closed = user.impersonation ? null : accountClosedTo(account, clientIp(req));
    if (closed) return endPortalSession(req, res, closed, deps.i18n.getFixedT(regional.language), regional.language);
    const levels = await accounts.levels(account, user.impersonation);
    res.locals.viewer = viewerOf(user, account, levels, regional);
    res.locals.portalAccount = account;
    // The forced password change opens nothing else: no menu whose links would bounce back.
    res.locals.portalNav = res.locals.viewer.mustChangePassword ? [] : navFor(levels);
    res.locals.fmt = viewerFormatters(regional, account.customer.currency);
    if (!user.impersonation) deps.services.sessions.noteActivity(req.session, clientIp(req));
    // The viewer's language replaces the one picked before sign-in.
    pageLocals(deps, () => regional.language)(req, res, next);
  };
}
