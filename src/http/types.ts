import 'express-session';
import type { Level, ComponentKey } from '../access/permissions.ts';
import type { RegionalSettings } from '../regional/viewer-formatters.ts';

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
    admin?: { id: number; epoch: number };
    portal?: PortalSessionUser;
    /** one message shown on the next page (e.g. "signed out because …") */
    flash?: { kind: 'info' | 'error'; message: string };
    language?: string;
  }
}

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
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      csrfToken?: string;
      admin?: AdminPrincipal;
      viewer?: Viewer;
      clientIp?: string;
      lang?: string;
      t?: (key: string, options?: Record<string, unknown>) => string;
      title?: string;
      flash?: { kind: 'info' | 'error'; message: string };
      currentPath?: string;
    }
  }
}
