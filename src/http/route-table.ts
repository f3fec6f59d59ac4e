import type { RequestHandler, Router } from 'express';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A route always names its permission: nothing is reachable by accident. */
export interface RouteDef<P> {
  method: Method;
  path: string;
  permission: P;
  /**
   * The entity the door loads (after the permission check) before the handler runs: `customer`
   * reads `:id`, answers 404 for an unknown one and scopes every sub-resource to it.
   */
  loads?: 'customer';
  /**
   * The admin door asks an administrator who has two-factor sign-in for a fresh code (none in the
   * last ten minutes) before the handler runs ("log in as customer").
   */
  stepUp?: true;
  handler: RequestHandler | RequestHandler[];
}

/** `/customers/:id/self-care/password` → `/customers/:id/self-care`, … → `/`. */
function parentPaths(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const parents: string[] = [];
  for (let n = parts.length - 1; n >= 0; n--) parents.push(`/${parts.slice(0, n).join('/')}`);
  return parents;
}

/**
 * A form-only address (POST without GET) is still an address a browser ends up on: the page a
 * form re-renders there can be reloaded, bookmarked or opened again. GET on it answers 303 to the
 * nearest page above it, behind that page's own permission, so it never shows "Page not found".
 */
function pagesAboveFormOnlyAddresses<P>(routes: ReadonlyArray<RouteDef<P>>): RouteDef<P>[] {
  const pages = new Map(routes.filter((r) => r.method === 'get').map((r) => [r.path, r]));
  const added: RouteDef<P>[] = [];
  for (const route of routes) {
    if (route.method !== 'post' || pages.has(route.path)) continue;
    const page = parentPaths(route.path)
      .map((path) => pages.get(path))
      .find((found) => found !== undefined);
    if (!page) continue;
    const redirect: RequestHandler = (req, res) => {
      const params = req.params as Record<string, string | undefined>;
      const target = page.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
      res.redirect(303, `${req.baseUrl}${target === '/' && req.baseUrl !== '' ? '' : target}`);
    };
    const def: RouteDef<P> = { method: 'get', path: route.path, permission: page.permission, handler: redirect };
    if (page.loads) def.loads = page.loads;
    pages.set(route.path, def);
    added.push(def);
  }
  return added;
}

/** Mounts a door's routes, each behind what its door's gate makes of the route's declaration. */
export function mountRoutes<P>(
  router: Router,
  routes: ReadonlyArray<RouteDef<P>>,
  gate: (route: RouteDef<P>) => RequestHandler[],
): Router {
  // First, so that `…/individuals/password` is not taken for the individual `:individualId`.
  for (const route of [...pagesAboveFormOnlyAddresses(routes), ...routes]) {
    const handlers = Array.isArray(route.handler) ? route.handler : [route.handler];
    router[route.method](route.path, ...gate(route), ...handlers);
  }
  return router;
}
