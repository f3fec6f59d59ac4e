import type { ComponentKey } from './permissions.ts';

/**
 * Every self-care route declares one of these. `public`: sign-in pages. `signed-in`: any viewer
 * (sign-out, forced password change, exit impersonation). `two-factor-setup`: a viewer, or a
 * visitor whose password was right and who must set up two-factor sign-in before anything else. A
 * component permission: the viewer's effective level for that component must be at least `level`
 * (GET pages need `read`, posts need `modify`), else 403; hidden components are also left out of
 * navigation.
 */
export type PortalPermission =
  'public' | 'signed-in' | 'two-factor-setup' | { component: ComponentKey; level: 'read' | 'modify' };

/** What an admin role may grant, in the order the role form lists them. */
export const ADMIN_PERMISSIONS = [
  'customers.read',
  'customers.modify',
  'selfcare.credentials',
  'selfcare.impersonate',
  'api_tokens.manage',
  'roles.manage',
  'individuals.manage',
  'audit.read',
  'admins.manage',
] as const;

export type AdminPermissionName = (typeof ADMIN_PERMISSIONS)[number];

/** How the role form and the 403 page name each permission. */
export const ADMIN_PERMISSION_LABELS: Readonly<Record<AdminPermissionName, { label: string; hint: string }>> = {
  'customers.read': { label: 'Read customers', hint: 'See the customer list and each customer’s details.' },
  'customers.modify': { label: 'Change customers', hint: 'Create customers and edit their details.' },
  'selfcare.credentials': {
    label: 'Self-care credentials',
    hint: 'See and set the self-care login, password, trusted IP addresses, role and regional settings; reset two-factor sign-in of customers and individuals.',
  },
  'selfcare.impersonate': {
    label: 'Log in as customer',
    hint: 'Open the self-care portal as a customer or individual.',
  },
  'api_tokens.manage': { label: 'API tokens', hint: 'Generate and revoke customers’ API tokens.' },
  'roles.manage': {
    label: 'Self-care roles',
    hint: 'Create and edit self-care roles and each customer’s allowed roles.',
  },
  'individuals.manage': { label: 'Individuals', hint: 'Create, edit and delete customers’ individuals.' },
  'audit.read': { label: 'Audit log', hint: 'Read the audit log.' },
  'admins.manage': {
    label: 'Administrators',
    hint: 'Create and edit administrators and admin roles; reset an administrator’s two-factor sign-in.',
  },
};

export function isAdminPermission(value: unknown): value is AdminPermissionName {
  return typeof value === 'string' && (ADMIN_PERMISSIONS as readonly string[]).includes(value);
}

/**
 * Every admin route declares one of these. `public`: sign-in and its second step (which check
 * their own state). `own-account`: any signed-in administrator, even one who must change its
 * password first (its account page). `two-factor-setup`: a signed-in administrator, or one whose
 * password was right and whose role requires two-factor sign-in not set up yet. `signed-in`: any
 * signed-in administrator (the home page). A permission name: the administrator's role must hold
 * it, else 403 naming the permission.
 */
export type AdminPermission = 'public' | 'own-account' | 'two-factor-setup' | 'signed-in' | AdminPermissionName;

/** A portal route's component permission. */
export const can = (component: ComponentKey, level: 'read' | 'modify'): PortalPermission => ({ component, level });
