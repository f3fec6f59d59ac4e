import type { ComponentKey } from './permissions.ts';

/**
 * Every self-care route declares one of these. `public`: sign-in pages. `signed-in`: any viewer
 * (sign-out, forced password change, exit impersonation). A component permission: the viewer's
 * effective level for that component must be at least `level` (GET pages need `read`, posts
 * need `modify`), else 403; hidden components are also left out of navigation.
 */
export type PortalPermission = 'public' | 'signed-in' | { component: ComponentKey; level: 'read' | 'modify' };

/** Every admin route says whether it is public (sign-in) or needs a signed-in administrator. */
export type AdminPermission = 'public' | 'admin';

/** A portal route's component permission. */
export const can = (component: ComponentKey, level: 'read' | 'modify'): PortalPermission => ({ component, level });
