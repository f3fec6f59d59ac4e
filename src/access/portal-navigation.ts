import { atLeast, type ComponentKey, type EffectiveLevels } from './permissions.ts';

export interface NavItem {
  component: ComponentKey;
  href: string;
  /** translation key of the label */
  label: string;
}

/** Where the forced password change lives; with "must change" set nothing else opens. */
export const FORCED_PASSWORD_PATH = '/change-password';

/** The portal's components in navigation order. */
const NAV: ReadonlyArray<NavItem> = [
  { component: 'dashboard', href: '/', label: 'portal.nav.dashboard' },
  { component: 'profile', href: '/profile', label: 'portal.nav.profile' },
  { component: 'invoices', href: '/invoices', label: 'portal.nav.invoices' },
  { component: 'xdrs', href: '/xdrs', label: 'portal.nav.xdrs' },
  { component: 'payments', href: '/payments', label: 'portal.nav.payments' },
  { component: 'individuals', href: '/individuals', label: 'portal.nav.individuals' },
  { component: 'api_access', href: '/api-tokens', label: 'portal.nav.apiTokens' },
  { component: 'settings.regional', href: '/settings', label: 'portal.nav.settings' },
];

/** The pages under Settings, in tab order. The sessions page needs `settings` itself. */
const SETTINGS_TABS: ReadonlyArray<NavItem> = [
  { component: 'settings.regional', href: '/settings', label: 'portal.settings.regionalTab' },
  { component: 'settings.password', href: '/settings/password', label: 'portal.settings.passwordTab' },
  { component: 'settings', href: '/settings/sessions', label: 'portal.settings.sessionsTab' },
];

/** The Settings tabs the levels permit. */
export function settingsTabs(levels: EffectiveLevels): NavItem[] {
  return SETTINGS_TABS.filter((tab) => atLeast(levels[tab.component], 'read'));
}

/** Navigation entries the levels permit; Settings opens its first tab the levels permit. */
export function navFor(levels: EffectiveLevels): NavItem[] {
  const items: NavItem[] = [];
  for (const item of NAV) {
    if (atLeast(levels[item.component], 'read')) items.push(item);
    else if (item.component === 'settings.regional') {
      const tab = settingsTabs(levels)[0];
      if (tab) items.push({ ...item, component: tab.component, href: tab.href });
    }
  }
  return items;
}

/** The first page a viewer may open: the dashboard when permitted. */
export function homePath(levels: EffectiveLevels): string {
  return navFor(levels)[0]?.href ?? '/';
}
