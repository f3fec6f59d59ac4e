import 'express-session';
import type { Level, ComponentKey } from '../access/permissions.ts';
import type { RegionalSettings } from '../regional/settings.ts';
import type { AdminPermissionName } from '../access/route-permissions.ts';

export type ImpersonationMode = 'assigned' | 'default' | 'individual';

export interface PortalSessionUser {
  kind: 'customer' | 'individual';
  id: number;
  customerId: number;
  epoch: number;
  /** set in an admin's "log in as" session; `adminEpoch` ends it when the admin's own sessions end */
  impersonation?: { adminId: number; adminLogin: string; adminEpoch: number; mode: ImpersonationMode };
}

declare module 'express-session' {
  interface SessionData {
    createdAt: number;
    /** when the idle timeout last slid (ms): see `slideIdleTimeout` */
    slidAt?: number;
    /** a signed-in administrator; `verifiedAt` is when it last gave a two-factor code (ms) */
    admin?: { id: number; epoch: number; verifiedAt?: number };
    /**
     * An administrator whose password was right but who still owes the second step: a code, or
     * setting two-factor sign-in up. Not a signed-in session: the gate lets it reach only that step.
     */
    adminPending?: PendingSignIn<{ id: number; epoch: number }>;
    /** the same for a customer or individual at the portal, in the account's interface language */
    portalPending?: PendingSignIn<{ user: PortalSessionUser; mustChangePassword: boolean; language?: string }>;
    /** a two-factor set-up in progress: the new seed, sealed, and when it was made (ms) */
    twoFactorSetup?: { sealed: string; startedAt: number };
    /** recovery codes just made, shown once on the next page, then where to go on */
    recoveryCodes?: { codes: string[]; next: string; renewed?: boolean };
    /** where and when this session was last used (the admin's list of its own sessions) */
    seen?: { ip: string; agent: string; at: number; since: number };
    portal?: PortalSessionUser;
    /** one message shown on the next page (e.g. "signed out because …") */
    flash?: { kind: 'info' | 'error'; message: string };
    language?: string;
  }
}

/** A sign-in waiting for its second step, until `until` (ms since the epoch). */
export type PendingSignIn<Who> = Who & { stage: 'code' | 'setup'; until: number; next: string };

export interface Viewer {
  kind: 'customer' | 'individual';
  id: number;
  customerId: number;
  login: string;
  name: string;
  levels: Record<ComponentKey, Level>;
  regional: RegionalSettings;
  impersonation?: PortalSessionUser['impersonation'];
  mustChangePassword: boolean;
}

export interface AdminPrincipal {
  id: number;
  login: string;
  name: string;
  roleName: string;
  permissions: readonly AdminPermissionName[];
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      csrfToken?: string;
      admin?: AdminPrincipal;
      /** whether the signed-in administrator's role holds a permission (navigation, tabs, buttons) */
      adminCan?: (permission: AdminPermissionName) => boolean;
      viewer?: Viewer;
      clientIp?: string;
      lang?: string;
      t?: (key: string, options?: Record<string, unknown>) => string;
      title?: string;
      flash?: { kind: 'info' | 'error'; message: string };
      currentPath?: string;
      /** an amount in the page's language, with its currency's code */
      money?: (amount: number, currency: string) => string;
    }
  }
}
