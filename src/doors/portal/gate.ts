import type { Request, RequestHandler, Response } from 'express';
import { atLeast, type ComponentKey, type EffectiveLevels } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import { clientIp } from '../../http/client-ip.ts';
import { pageLocals } from '../../http/door.ts';
import { renderPage } from '../../http/render.ts';
import { regenerateSession } from '../../http/session.ts';
import { isAddressTrusted } from '../../http/trusted-networks-gate.ts';
import type { Viewer } from '../../http/types.ts';
import { isLanguage, pickLanguage } from '../../regional/languages.ts';
import { AdminAuthService } from '../../features/admins/service.ts';
import { viewerFormatters, type ViewerFormatters } from '../../regional/viewer-formatters.ts';
import { auditImpersonationEnd } from '../../features/impersonation/service.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import { accountRefusal, effectiveRegional, PortalService, trustedListsOf, type PortalAccount } from '../../features/accounts/service.ts';

export interface NavItem {
  component: ComponentKey;
  href: string;
  /** translation key of the label */
  label: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** the signed-in account's rows, loaded once per request by the portal gate */
      portalAccount?: PortalAccount;
      portalNav?: NavItem[];
      fmt?: ViewerFormatters;
    }
  }
}

/** Where the forced password change lives; with "must change" set nothing else opens. */
export const FORCED_PASSWORD_PATH = '/change-password';

/**
 * The portal's components in navigation order. The API tokens and Individuals pages are other
 * features' routes; they appear here so the navigation knows them.
 */
const NAV: ReadonlyArray<NavItem & { alsoShownFor?: ComponentKey[] }> = [
  { component: 'dashboard', href: '/', label: 'portal.nav.dashboard' },
  { component: 'profile', href: '/profile', label: 'portal.nav.profile' },
  { component: 'invoices', href: '/invoices', label: 'portal.nav.invoices' },
  { component: 'xdrs', href: '/xdrs', label: 'portal.nav.xdrs' },
  { component: 'payments', href: '/payments', label: 'portal.nav.payments' },
  { component: 'individuals', href: '/individuals', label: 'portal.nav.individuals' },
  { component: 'api_access', href: '/api-tokens', label: 'portal.nav.apiTokens' },
  { component: 'settings.regional', href: '/settings', label: 'portal.nav.settings' },
];

/** Navigation entries the levels permit; Settings opens the password page when regional is hidden. */
export function navFor(levels: EffectiveLevels): NavItem[] {
  const items: NavItem[] = [];
  for (const item of NAV) {
    if (atLeast(levels[item.component], 'read')) items.push(item);
    else if (item.component === 'settings.regional' && atLeast(levels['settings.password'], 'read')) items.push({ ...item, component: 'settings.password', href: '/settings/password' });
  }
  return items;
}

/** The first page a viewer may open: the dashboard when permitted. */
export function homePath(levels: EffectiveLevels): string {
  return navFor(levels)[0]?.href ?? '/';
}

/**
 * Language before sign-in: a `?lang=` switch (remembered in the session), else the browser's
 * Accept-Language. A signed-in viewer's own language replaces it in `loadViewer`.
 */
export function portalLanguage(req: Request): string {
  const asked = req.query.lang;
  if (isLanguage(asked)) req.session.language = asked;
  return isLanguage(req.session.language) ? req.session.language : pickLanguage(req.get('Accept-Language'));
}

/**
 * Ends the portal session and sends the browser to sign-in with one message, in the viewer's own
 * language when the account is still known (the sign-in page then keeps that language).
 */
export async function endPortalSession(req: Request, res: Response, messageKey: string, t?: (key: string) => string, language?: string): Promise<void> {
  const translate = t ?? res.locals.t;
  const message = translate ? translate(messageKey) : messageKey;
  await regenerateSession(req);
  req.session.flash = { kind: 'error', message };
  if (language) req.session.language = language;
  if (req.get('HX-Request') === 'true') res.setHeader('HX-Redirect', '/login');
  res.redirect(303, '/login');
}

/**
 * Runs before every portal route: for a signed-in session, loads the account afresh, ends the
 * session when it must not go on (password changed elsewhere, account gone or outside its
 * activation window, address no longer trusted, the impersonating admin's sign-in ended), and sets `res.locals.viewer` with the effective
 * levels, the navigation and the viewer's language and formats.
 */
export function loadViewer(deps: Deps): RequestHandler {
  const service = new PortalService(deps);
  const admins = new AdminAuthService(deps);
  return async (req, res, next) => {
    const user = req.session.portal;
    if (!user) return next();
    // An admin's "log in as" session lasts no longer than the admin's own sign-in: a deleted
    // admin or a new admin epoch (password change) ends it.
    if (user.impersonation && !(await admins.findActive(user.impersonation.adminId, user.impersonation.adminEpoch))) {
      await auditImpersonationEnd(deps, clientIp(req), user, user.impersonation, 'admin_session_ended');
      return endPortalSession(req, res, 'portal.signIn.sessionEnded');
    }
    const account = await service.loadAccount(user);
    const own = account ? (account.individual ?? account.customer) : null;
    if (!account || !own || own.sessionEpoch !== user.epoch) return endPortalSession(req, res, 'portal.signIn.sessionEnded');
    const regional = effectiveRegional(account);
    if (!user.impersonation) {
      const end = (key: string) => endPortalSession(req, res, key, deps.i18n.getFixedT(regional.language), regional.language);
      if (!own.passwordHash || (!account.individual && !account.customer.selfcareLogin)) return end('portal.signIn.sessionEnded');
      const refusal = accountRefusal(account.individual);
      if (refusal) return end(refusal === 'expired' ? 'portal.signIn.errors.expired' : 'portal.signIn.errors.notActive');
      // The customer's trusted networks bind the customer, not an admin acting on its behalf.
      if (!isAddressTrusted(trustedListsOf(account), clientIp(req))) return end('portal.signIn.errors.addressNotAllowed');
    }
    const levels = await service.levels(account, user.impersonation);
    const viewer: Viewer = {
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
    res.locals.viewer = viewer;
    res.locals.portalAccount = account;
    res.locals.portalNav = navFor(levels);
    res.locals.fmt = viewerFormatters(regional, account.customer.currency);
    // The viewer's language replaces the one picked before sign-in.
    pageLocals(deps, () => regional.language)(req, res, next);
  };
}

async function renderForbidden(req: Request, res: Response): Promise<void> {
  await renderPage(req, res, { view: 'portal/portal/error', layout: 'portal', status: 403, locals: { title: res.locals.t?.('portal.errors.forbiddenTitle'), status: 403 } });
}

/** The portal's own 404 page, in the viewer's language and with its navigation. */
export async function renderNotFound(req: Request, res: Response): Promise<void> {
  await renderPage(req, res, { view: 'portal/portal/error', layout: 'portal', status: 404, locals: { title: res.locals.t?.('portal.errors.notFoundTitle'), status: 404 } });
}

/**
 * Turns a route's permission into its middleware: `public` nothing; `signed-in` a session;
 * a component level a session, no pending forced password change, and at least that level
 * (403 page otherwise — the session stays).
 */
export function portalGate(deps: Deps): (permission: PortalPermission) => RequestHandler[] {
  void deps;
  const requireViewer: RequestHandler = (req, res, next) => {
    if (res.locals.viewer) return next();
    if (req.get('HX-Request') === 'true') res.setHeader('HX-Redirect', '/login');
    res.redirect(303, '/login');
  };
  const requirePasswordChanged: RequestHandler = (req, res, next) => {
    if (!res.locals.viewer?.mustChangePassword) return next();
    if (req.get('HX-Request') === 'true') res.setHeader('HX-Redirect', FORCED_PASSWORD_PATH);
    res.redirect(303, FORCED_PASSWORD_PATH);
  };
  const requireLevel =
    (component: ComponentKey, level: 'read' | 'modify'): RequestHandler =>
    (req, res, next) => {
      const viewer = res.locals.viewer;
      if (viewer && atLeast(viewer.levels[component], level)) return next();
      renderForbidden(req, res).catch(next);
    };
  return (permission) => {
    if (permission === 'public') return [];
    if (permission === 'signed-in') return [requireViewer];
    return [requireViewer, requirePasswordChanged, requireLevel(permission.component, permission.level)];
  };
}
