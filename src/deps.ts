import type { Config } from './config.ts';
import { buildInfra, type Infra, type InfraOverrides } from './infra.ts';
import { CustomerProfileService, PortalService } from './features/accounts/service.ts';
import { AdminRolesService } from './features/admin-roles/service.ts';
import { AdminAuthService } from './features/admins/service.ts';
import { AllowedRolesService } from './features/allowed-roles/service.ts';
import { ApiTokenService } from './features/api-tokens/service.ts';
import { AuditService } from './features/audit/service.ts';
import { BillingService } from './features/billing/service.ts';
import { CustomerService } from './features/customers/service.ts';
import { IndividualsService } from './features/individuals/service.ts';
import { RolesService } from './features/roles/service.ts';
import { PasswordResetService } from './features/password-reset/service.ts';
import { SessionsService } from './features/sessions/service.ts';
import { TwoFactorService } from './features/two-factor/service.ts';

/** Every service of the app, built once per process (or per test app). */
export interface Services {
  admins: AdminAuthService;
  adminRoles: AdminRolesService;
  twoFactor: TwoFactorService;
  customers: CustomerService;
  accounts: PortalService;
  profiles: CustomerProfileService;
  roles: RolesService;
  allowedRoles: AllowedRolesService;
  individuals: IndividualsService;
  apiTokens: ApiTokenService;
  billing: BillingService;
  audit: AuditService;
  sessions: SessionsService;
  passwordReset: PasswordResetService;
}

/** What route tables and doors receive: the infrastructure and the services built on it. */
export interface Deps extends Infra {
  services: Services;
}

export function buildServices(infra: Infra): Services {
  const customers = new CustomerService(infra);
  const individuals = new IndividualsService(infra);
  const adminRoles = new AdminRolesService(infra);
  const twoFactor = new TwoFactorService(infra);
  const accounts = new PortalService(infra, customers, individuals, twoFactor);
  const apiTokens = new ApiTokenService(infra);
  const sessions = new SessionsService(infra, customers, individuals, apiTokens);
  return {
    admins: new AdminAuthService(infra, adminRoles, twoFactor),
    adminRoles,
    twoFactor,
    customers,
    accounts,
    profiles: new CustomerProfileService(infra, customers, individuals),
    roles: new RolesService(infra),
    allowedRoles: new AllowedRolesService(infra),
    individuals,
    apiTokens,
    billing: new BillingService(infra.db),
    audit: new AuditService(infra.db),
    sessions,
    passwordReset: new PasswordResetService(infra, accounts, customers, individuals, sessions),
  };
}

/** Builds the database, stores and every service once. */
export async function buildDeps(config: Config, overrides: InfraOverrides = {}): Promise<Deps> {
  const infra = await buildInfra(config, overrides);
  return { ...infra, services: buildServices(infra) };
}
