import { atLeast, type EffectiveLevels } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import { diffForAudit, type AuditActor } from '../audit/audit-log.ts';
import { profileValuesOf } from './repo.ts';
import { PortalRepo, type ProfileField } from '../accounts/repo.ts';
import { ApiRepo, type CustomerAccount } from './profile-repo.ts';

export class ProfileGroupForbiddenError extends Error {
  constructor(readonly group: 'profile' | 'profile.contacts' | 'profile.address') {
    super(`Your role does not allow changing ${group}`);
    this.name = 'ProfileGroupForbiddenError';
  }
}

export class CustomerGoneError extends Error {}

export interface ProfilePatch {
  company_name?: string;
  contacts?: { contact_name?: string; email?: string; phone?: string };
  address?: { address_line1?: string; address_line2?: string; city?: string; postal_code?: string; country?: string };
}

/** Which profile groups a role lets the caller see: the top-level fields need `profile`. */
export function visibleGroups(levels: EffectiveLevels): { contacts: boolean; address: boolean } {
  return { contacts: atLeast(levels['profile.contacts'], 'read'), address: atLeast(levels['profile.address'], 'read') };
}

/**
 * The customer's own profile as a caller with the given levels may see and change it: company name
 * needs Full on `profile`, contacts on `profile.contacts`, the address on `profile.address`.
 */
export class CustomerProfileService {
  private readonly repo: ApiRepo;
  private readonly portal: PortalRepo;

  constructor(private readonly deps: Pick<Deps, 'db' | 'audit'>) {
    this.repo = new ApiRepo(deps.db);
    this.portal = new PortalRepo(deps.db);
  }

  async get(customerId: number): Promise<CustomerAccount> {
    const account = await this.repo.account(customerId);
    if (!account) throw new CustomerGoneError();
    return account;
  }

  async update(customerId: number, levels: EffectiveLevels, patch: ProfilePatch, ctx: { actor: AuditActor; ip: string }): Promise<CustomerAccount> {
    if (patch.company_name !== undefined && !atLeast(levels.profile, 'modify')) throw new ProfileGroupForbiddenError('profile');
    if (patch.contacts && Object.keys(patch.contacts).length > 0 && !atLeast(levels['profile.contacts'], 'modify')) throw new ProfileGroupForbiddenError('profile.contacts');
    if (patch.address && Object.keys(patch.address).length > 0 && !atLeast(levels['profile.address'], 'modify')) throw new ProfileGroupForbiddenError('profile.address');
    const changes: Partial<Record<ProfileField, string>> = { ...(patch.company_name !== undefined ? { company_name: patch.company_name } : {}), ...patch.contacts, ...patch.address };
    const before = await this.get(customerId);
    if (Object.keys(changes).length === 0) return before;
    const diff = diffForAudit(profileValuesOf(before), changes);
    if (Object.keys(diff).length === 0) return before;
    const version = await this.portal.updateProfile(customerId, changes);
    await this.deps.audit.record({ ...ctx, action: 'customer.profile.update', entityType: 'customer', entityId: customerId, customerId, changes: { ...diff, version } });
    return this.get(customerId);
  }
}
