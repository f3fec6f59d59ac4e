import type { RequestHandler, Router } from 'express';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A route always names its permission: nothing is reachable by accident. */
export interface RouteDef<P> {
  method: Method;
  path: string;
  permission: P;
  handler: RequestHandler | RequestHandler[];
}

export function mountRoutes<P>(router: Router, routes: ReadonlyArray<RouteDef<P>>, gate: (permission: P) => RequestHandler[]): Router {
  for (const route of routes) {
    const handlers = Array.isArray(route.handler) ? route.handler : [route.handler];
    router[route.method](route.path, ...gate(route.permission), ...handlers);
  }
  return router;
}
