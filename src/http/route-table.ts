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

/** Mounts a door's routes, each behind what its door's gate makes of the route's declaration. */
export function mountRoutes<P>(
  router: Router,
  routes: ReadonlyArray<RouteDef<P>>,
  gate: (route: RouteDef<P>) => RequestHandler[],
): Router {
  for (const route of routes) {
    const handlers = Array.isArray(route.handler) ? route.handler : [route.handler];
    router[route.method](route.path, ...gate(route), ...handlers);
  }
  return router;
}
