import type { ComponentKey } from '../../access/permissions.ts';

/** English names of the self-care components on admin pages. */
export const COMPONENT_LABELS: Readonly<Record<ComponentKey, string>> = {
  dashboard: 'Dashboard',
  profile: 'Profile',
  'profile.contacts': 'Contacts',
  'profile.address': 'Address',
  invoices: 'Invoices',
  xdrs: 'Call history (xDRs)',
  payments: 'Payments',
  individuals: 'Individuals',
  api_access: 'API access',
  settings: 'Settings',
  'settings.regional': 'Regional settings',
  'settings.password': 'Password',
};
