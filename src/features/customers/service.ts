import type { Knex } from 'knex';
import { hashPassword } from '../../access/passwords.ts';
import type { PermissionMap } from '../../access/permissions.ts';
import type { Infra } from '../../infra.ts';
import type { FieldError } from '../../http/form.ts';
import { diffForAudit, fieldLabel, SECRET_MASK, valueText, type Translate } from '../audit/service.ts';
import type { AuditContext } from '../../http/actor.ts';
import type { CustomerSummary } from '../../http/loaded.ts';
import { getDefaultRoleId, listSelfcareRoles } from '../roles/service.ts';
import { LoginNamespace, LoginTakenError } from '../selfcare-access/service.ts';
import {
  checkTrustedNetworks,
  LOGIN_TAKEN_MESSAGE,
  loginFieldError,
  passwordFieldError,
  regionalFieldErrors,
  trustedNetworksFieldErrors,
} from '../selfcare-access/schema.ts';
import { regionalValuesOf, type RegionalValues } from '../../regional/settings.ts';
import type { TrustedNetworkNotice } from '../../access/trusted-networks.ts';
import { DEFAULT_LANGUAGE } from '../../regional/languages.ts';
import { CustomerRepo, type ImportedCustomer, type ListCursor, type ListedCustomer } from './repo.ts';
import {
  CURRENCIES,
  profileValuesOf,
  type CustomerAccount,
  type CustomerBasics,
  type CustomerListItem,
  type CustomerRecord,
  type SelfServiceColumns,
} from './schema.ts';
import type { CustomerBasicsForm, CustomerListForm, SelfCareForm } from './schema.ts';
import { parseId } from '../../http/ids.ts';

/** The one mapping of a `customers` row, for features that read a customer beside their own rows. */
export { customerFromRow } from './repo.ts';

export const CUSTOMERS_PER_PAGE = 25;
/**
 * The list counts matches up to here and says "more than" beyond: counting costs one index entry
 * per match, so the cap is what a page of a million customers costs over a page of a thousand. At
 * 1,000 (40 numbered pages) a page at a million customers is as quick as at ten thousand.
 */
export const CUSTOMER_COUNT_CAP = 1_000;

export interface CustomerPage {
  items: CustomerListItem[];
  hasPrevious: boolean;
  hasNext: boolean;
  /** matches, at most CUSTOMER_COUNT_CAP + 1 (= "more than the cap") */
  total: number;
  /** 1-based; null when the page lies beyond the counted rows */
  page: number | null;
  /** null when there are more matches than the cap */
  pages: number | null;
}
export const DEFAULT_TIME_ZONE = 'UTC';

export class CustomerNotFoundError extends Error {
  constructor() {
    super('Customer not found');
    this.name = 'CustomerNotFoundError';
  }
}

export class NoDefaultRoleError extends Error {
  constructor() {
    super('There is no default customer self-care role');
    this.name = 'NoDefaultRoleError';
  }
}

export class CustomerInputError extends Error {
  constructor(readonly errors: FieldError[]) {
    super('Invalid customer settings');
    this.name = 'CustomerInputError';
  }
}

/** What changed on the customer since the version the admin's form was built from. */
export interface ChangesMeanwhile {
  /** property → { old (at the form's version), new (now) }; secrets show as "changed" */
  changes: Record<string, { old: unknown; new: unknown }>;
  /** false when some change is missing from the audit log (only current values are known) */
  complete: boolean;
  /** who saved meanwhile, newest last */
  actors: string[];
}

export class StaleVersionError extends Error {
  constructor(
    readonly current: CustomerRecord,
    readonly meanwhile: ChangesMeanwhile,
  ) {
    super('The customer was changed by someone else');
    this.name = 'StaleVersionError';
  }
}

/** The panel's values as the form shows them (strings, checkboxes as booleans). */
export type SelfCareValues = Omit<SelfCareForm, 'version'> & RegionalValues;

export function selfCareValuesOf(c: CustomerRecord): SelfCareValues {
  return {
    login: c.selfcareLogin ?? '',
    password: '',
    password_change_required: c.passwordChangeRequired,
    ip_restriction: c.ipRestriction,
    trusted_ips: c.trustedIps,
    two_factor_required: c.twoFactorRequired,
    role_id: String(c.roleId),
    ...regionalValuesOf(c),
  };
}

/** Audit view of the panel (the password as its hash, masked by diffForAudit). */
function selfCareAuditView(c: CustomerRecord): Record<string, unknown> {
  return {
    ...selfCareValuesOf(c),
    login: c.selfcareLogin,
    role_id: c.roleId,
    password: c.passwordHash,
    version: c.version,
  };
}

function basicsAuditView(c: CustomerRecord | (CustomerBasics & { version?: number })): Record<string, unknown> {
  const { email, ...profile } = profileValuesOf(c);
  return {
    name: c.name,
    email,
    currency: c.currency,
    credit_limit: c.creditLimit,
    ...profile,
    ...('version' in c && c.version !== undefined ? { version: c.version } : {}),
  };
}

function basicsFromForm(form: CustomerBasicsForm): CustomerBasics {
  return {
    name: form.name,
    email: form.email,
    currency: form.currency,
    creditLimit: form.credit_limit,
    companyName: form.company_name,
    contactName: form.contact_name,
    phone: form.phone,
    addressLine1: form.address_line1,
    addressLine2: form.address_line2,
    city: form.city,
    postalCode: form.postal_code,
    country: form.country,
  };
}

export interface SelfCarePanelData {
  customer: CustomerRecord;
  roles: { id: number; name: string; isDefault: boolean }[];
  defaultRoleId: number | null;
  activeTokens: number;
}

export class CustomerService {
  private readonly repo: CustomerRepo;
  private readonly logins: LoginNamespace;

  constructor(private readonly deps: Pick<Infra, 'db' | 'audit' | 'config'>) {
    this.repo = new CustomerRepo(deps.db);
    this.logins = new LoginNamespace(deps.db);
  }

  /** One page of the search in name order, and the cursor of the next page (null on the last one); nothing counted. */
  async search(q: string, afterId: number | null): Promise<{ items: CustomerListItem[]; nextAfter: number | null }> {
    const from = afterId === null ? null : await this.repo.cursorOf(afterId, 'name');
    const rows = await this.repo.list(
      { prefix: q, sort: 'name', dir: 'asc', from, backward: false },
      CUSTOMERS_PER_PAGE + 1,
    );
    const items = rows.slice(0, CUSTOMERS_PER_PAGE).map((r) => r.item);
    return { items, nextAfter: rows.length > CUSTOMERS_PER_PAGE ? (items[items.length - 1]?.id ?? null) : null };
  }

  /**
   * One page of the customer list: sorted, searched, reached by keyset from either side (first,
   * previous, next, last), with its position counted no further than CUSTOMER_COUNT_CAP. The count
   * runs beside the page's own reads (on another connection of the pool).
   */
  async list(form: CustomerListForm): Promise<CustomerPage> {
    const per = CUSTOMERS_PER_PAGE;
    const base = { prefix: form.q, sort: form.sort, dir: form.dir };
    const counting = this.repo.count(base, CUSTOMER_COUNT_CAP);
    const cursorId = form.page === 'last' ? null : (form.before ?? form.after);
    const read = async (size: number) => {
      const cursor = cursorId === null ? null : await this.repo.cursorOf(cursorId, form.sort);
      const backward = form.page === 'last' || (cursor !== null && form.before !== null);
      return { cursor, backward, rows: await this.repo.list({ ...base, from: cursor, backward }, size + 1) };
    };
    let total: number;
    let page: { cursor: ListCursor | null; backward: boolean; rows: ListedCustomer[] };
    let size = per;
    if (form.page === 'last') {
      total = await counting;
      // The last page holds what is left over, so that paging back from it meets the same pages.
      if (total <= CUSTOMER_COUNT_CAP) size = total % per || per;
      page = await read(size);
    } else {
      [total, page] = await Promise.all([counting, read(size)]);
    }
    const { cursor, backward: back, rows } = page;
    let listed = back ? rows.slice(Math.max(0, rows.length - size)) : rows.slice(0, size);
    let hasPrevious = back ? rows.length > size : cursor !== null;
    let hasNext = back ? form.page !== 'last' : rows.length > size;
    if (back && !hasPrevious && listed.length < per) {
      // Paged back past the start (rows came and went): the first page instead.
      const first = await this.repo.list({ ...base, from: null, backward: false }, per + 1);
      listed = first.slice(0, per);
      hasPrevious = false;
      hasNext = first.length > per;
    }
    const firstKey = hasPrevious ? (listed[0]?.key ?? null) : null;
    const before = firstKey ? await this.repo.count({ ...base, before: firstKey }, CUSTOMER_COUNT_CAP) : 0;
    return {
      items: listed.map((r) => r.item),
      hasPrevious,
      hasNext,
      total,
      page: before <= CUSTOMER_COUNT_CAP ? Math.floor(before / per) + 1 : null,
      pages: total <= CUSTOMER_COUNT_CAP ? Math.max(1, Math.ceil(total / per)) : null,
    };
  }

  async summary(id: number): Promise<CustomerSummary | null> {
    const c = await this.repo.findById(id);
    return c ? { id: c.id, name: c.name, email: c.email, selfcareLogin: c.selfcareLogin } : null;
  }

  /** The customer's row, or null: the portal's and the API's reads of their own customer. */
  find(id: number): Promise<CustomerRecord | null> {
    return this.repo.findById(id);
  }

  /** The customer's row and its role's explicit levels, read together (the portal's every request). */
  findWithRolePermissions(id: number): Promise<{ customer: CustomerRecord; rolePermissions: PermissionMap } | null> {
    return this.repo.findWithRolePermissions(id);
  }

  findWithRoleName(id: number): Promise<CustomerAccount | null> {
    return this.repo.findWithRoleName(id);
  }

  /** A change the customer makes itself (portal, API): moves the version on, optionally ends sessions. */
  applySelfServiceChange(
    id: number,
    columns: SelfServiceColumns,
    opts: { endSessions?: boolean } = {},
  ): Promise<{ version: number; sessionEpoch: number }> {
    return this.repo.applySelfServiceChange(id, columns, opts);
  }

  recordLogin(id: number): Promise<void> {
    return this.repo.recordLogin(id);
  }

  /** Customers with self-care credentials that an e-mail address names, ignoring case. */
  findByEmail(email: string, limit: number): Promise<CustomerRecord[]> {
    return this.repo.findByEmail(email.trim().toLowerCase(), limit);
  }

  /** Ends every portal and API session of the customer (its session epoch moves on). */
  async endSessions(id: number): Promise<void> {
    await this.get(id);
    await this.repo.endSessions(id);
  }

  async get(id: number): Promise<CustomerRecord> {
    const customer = await this.repo.findById(id);
    if (!customer) throw new CustomerNotFoundError();
    return customer;
  }

  /** The role every new customer gets; a customer with another one was assigned it. */
  defaultRoleId(): Promise<number | null> {
    return getDefaultRoleId(this.deps.db);
  }

  async roleName(roleId: number): Promise<string | null> {
    return (await this.repo.role(roleId))?.name ?? null;
  }

  /** A new customer with the default role and the default regional settings. */
  async create(form: CustomerBasicsForm, ctx: AuditContext): Promise<number> {
    return this.deps.db.transaction(async (trx) => {
      const roleId = await getDefaultRoleId(trx);
      if (roleId === null) throw new NoDefaultRoleError();
      const basics = basicsFromForm(form);
      const id = await this.repo.insert(
        { ...basics, roleId },
        { timeZone: DEFAULT_TIME_ZONE, language: DEFAULT_LANGUAGE },
        trx,
      );
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'customer.create',
          entityType: 'customer',
          entityId: id,
          customerId: id,
          changes: diffForAudit(
            {},
            { ...basicsAuditView(basics), role_id: roleId, time_zone: DEFAULT_TIME_ZONE, language: DEFAULT_LANGUAGE },
          ),
        },
        trx,
      );
      return id;
    });
  }

  async updateBasics(id: number, version: number, form: CustomerBasicsForm, ctx: AuditContext): Promise<void> {
    const basics = basicsFromForm(form);
    await this.writeLocked(id, version, async (current, trx) => {
      if (!(await this.repo.updateBasics(id, version, basics, trx))) return false;
      const changes = diffForAudit(basicsAuditView(current), { ...basicsAuditView(basics), version: version + 1 });
      await this.deps.audit.record(
        { ...ctx, action: 'customer.update', entityType: 'customer', entityId: id, customerId: id, changes },
        trx,
      );
      return true;
    });
  }

  async panel(id: number): Promise<SelfCarePanelData> {
    const customer = await this.get(id);
    const [roles, defaultRoleId, activeTokens] = await Promise.all([
      listSelfcareRoles(this.deps.db),
      getDefaultRoleId(this.deps.db),
      this.repo.activeTokenCount(id),
    ]);
    return { customer, roles, defaultRoleId, activeTokens };
  }

  /**
   * Saves the Web self-care panel. Throws CustomerInputError with every field error (form order),
   * StaleVersionError when the form's version is not the current one. Returns the notices of the
   * trusted list (accepted but changed entries) to show after the save.
   */
  async saveSelfCare(
    id: number,
    form: SelfCareForm,
    regional: RegionalValues,
    ctx: AuditContext,
  ): Promise<{ notices: TrustedNetworkNotice[] }> {
    const before = await this.get(id);
    if (before.version !== form.version)
      throw new StaleVersionError(before, await this.changesSince(before, form.version));

    const errors: FieldError[] = [];
    const login = form.login;
    const hadLogin = before.selfcareLogin !== null;
    const loginError = loginFieldError(login, { required: hadLogin || form.password !== '' });
    if (loginError) errors.push(loginError);
    else if (login !== '' && !(await this.logins.isAvailable(login, { customerId: id })))
      errors.push({ field: 'login', text: LOGIN_TAKEN_MESSAGE });
    const passwordError = passwordFieldError(form.password, {
      login,
      required: login !== '' && before.passwordHash === null,
    });
    if (passwordError) errors.push(passwordError);
    const trusted = checkTrustedNetworks(form.ip_restriction, form.trusted_ips);
    errors.push(...trustedNetworksFieldErrors(trusted));
    const roleId = parseId(form.role_id) ?? NaN;
    const role = Number.isSafeInteger(roleId) ? await this.repo.role(roleId) : null;
    if (!role || role.type !== 'customer_selfcare')
      errors.push({ field: 'role_id', text: 'Choose one of the customer self-care roles' });
    errors.push(...regionalFieldErrors(regional));
    if (errors.length > 0) throw new CustomerInputError(errors);

    const passwordHash =
      form.password === '' ? undefined : await hashPassword(form.password, this.deps.config.bcryptCost);
    const update = {
      selfcareLogin: login === '' ? null : login,
      passwordHash,
      passwordChangeRequired: form.password_change_required,
      ipRestriction: form.ip_restriction,
      trustedIps: trusted.parsed.canonical,
      twoFactorRequired: form.two_factor_required,
      roleId,
      timeZone: regional.time_zone,
      language: regional.language,
      outDateFormat: regional.out_date_format,
      outTimeFormat: regional.out_time_format,
      inDateFormat: regional.in_date_format,
      inTimeFormat: regional.in_time_format,
    };
    await this.writeLocked(id, form.version, async (current, trx) => {
      try {
        if (update.selfcareLogin !== null) await this.logins.assign(trx, { customerId: id }, update.selfcareLogin);
      } catch (err) {
        if (err instanceof LoginTakenError)
          throw new CustomerInputError([{ field: 'login', text: LOGIN_TAKEN_MESSAGE }]);
        throw err;
      }
      if (!(await this.repo.updateSelfCare(id, form.version, update, trx))) return false;
      const after: CustomerRecord = {
        ...current,
        ...update,
        passwordHash: passwordHash ?? current.passwordHash,
        version: form.version + 1,
      };
      const changes = diffForAudit(selfCareAuditView(current), selfCareAuditView(after), ['password']);
      await this.deps.audit.record(
        { ...ctx, action: 'customer.self_care.update', entityType: 'customer', entityId: id, customerId: id, changes },
        trx,
      );
      return true;
    });
    return { notices: trusted.notices };
  }

  /** Runs a versioned write in a transaction; a lost race becomes StaleVersionError. */
  private async writeLocked(
    id: number,
    version: number,
    write: (current: CustomerRecord, trx: Knex.Transaction) => Promise<boolean>,
  ): Promise<void> {
    const stale = await this.deps.db
      .transaction(async (trx) => {
        const current = await this.repo.findById(id, trx);
        if (!current) throw new CustomerNotFoundError();
        if (current.version !== version) return true;
        if (!(await write(current, trx))) throw new StaleWriteRollback();
        return false;
      })
      .catch((err: unknown) => {
        if (err instanceof StaleWriteRollback) return true;
        throw err;
      });
    if (stale) {
      const current = await this.get(id);
      throw new StaleVersionError(current, await this.changesSince(current, version));
    }
  }

  /**
   * What happened between `version` and now, from the audit trail: every versioned change of
   * the customer records `version` old → new, so the chain tells the value each property had
   * when the admin's form was built.
   */
  async changesSince(current: CustomerRecord, version: number): Promise<ChangesMeanwhile> {
    const rows = await this.deps.audit.changesOf('customer', current.id, 200);
    const steps: { from: number; changes: Record<string, { old: unknown; new: unknown }>; actor: string }[] = [];
    for (const { changes, actorLabel } of rows) {
      const from = Number(changes.version?.old);
      if (!Number.isInteger(from) || from < version || from >= current.version) continue;
      steps.push({ from, changes, actor: actorLabel });
    }
    steps.sort((a, b) => a.from - b.from);
    const covered = new Set(steps.map((s) => s.from));
    let complete = true;
    for (let v = version; v < current.version; v++) if (!covered.has(v)) complete = false;
    const merged: Record<string, { old: unknown; new: unknown }> = {};
    for (const step of steps) {
      for (const [key, change] of Object.entries(step.changes)) {
        if (key === 'version') continue;
        merged[key] = { old: key in merged ? merged[key]!.old : change.old, new: change.new };
      }
    }
    for (const [key, change] of Object.entries(merged)) {
      if (change.old !== SECRET_MASK && JSON.stringify(change.old) === JSON.stringify(change.new)) delete merged[key];
    }
    return { changes: merged, complete, actors: [...new Set(steps.map((s) => s.actor))] };
  }

  /** The highest customer id (0 with no customer): where a bulk load numbers its rows on from. */
  highestId(): Promise<number> {
    return this.repo.highestId();
  }

  /**
   * Every customer's search keys written anew and swapped in at once (after a bulk load that left
   * them out: building them whole is far quicker than keeping them row by row).
   */
  rebuildSearchKeys(onProgress?: (done: number, total: number) => void): Promise<void> {
    return this.repo.rebuildSearchKeys(onProgress);
  }

  /** Whether some customer has no search keys yet (a bulk load stopped before rebuilding them). */
  searchKeysMissing(): Promise<boolean> {
    return this.repo.searchKeysMissing();
  }

  /**
   * A customer loaded whole (the demo seed), audited as created: its password comes as a hash made
   * once for many accounts, and its login is claimed in the shared namespace.
   */
  async importCustomer(customer: ImportedCustomer, ctx: AuditContext): Promise<number> {
    const row = checkedImport(customer, new Map());
    return this.deps.db.transaction(async (trx) => {
      const id = await this.repo.insertImported(trx, row);
      if (row.selfcareLogin !== null) await this.logins.assign(trx, { customerId: id }, row.selfcareLogin);
      await this.deps.audit.record(
        {
          ...ctx,
          action: 'customer.create',
          entityType: 'customer',
          entityId: id,
          customerId: id,
          changes: diffForAudit({}, importAuditView(row), ['password']),
        },
        trx,
      );
      return id;
    });
  }

  /**
   * Customers loaded in bulk (the scale seed) in one transaction: one multi-row INSERT per chunk
   * for the customers and for their logins in the shared namespace. Not audited row by row (a
   * million audit events would double the load). Returns the new ids by lowercase login; throws
   * CustomerInputError for a row the panel would refuse, LoginTakenError when a login is in use.
   * `searchKeys: false` leaves the search keys to a rebuildSearchKeys after the whole load.
   */
  async importCustomers(
    customers: readonly ImportedCustomer[],
    opts: { searchKeys: boolean } = { searchKeys: true },
  ): Promise<Map<string, number>> {
    const regionalChecked = new Map<string, FieldError[]>();
    const rows = customers.map((customer) => checkedImport(customer, regionalChecked));
    return this.deps.db.transaction(async (trx) => {
      await this.repo.insertManyImported(trx, rows, opts);
      const logins = rows.flatMap((row) => (row.selfcareLogin === null ? [] : [row.selfcareLogin.toLowerCase()]));
      const ids = await this.repo.idsByLogin(trx, logins);
      await this.logins.assignToNewOwners(
        trx,
        logins.map((login) => ({ login, owner: { customerId: ids.get(login) ?? 0 } })),
      );
      return ids;
    });
  }
}

class StaleWriteRollback extends Error {}

/** Who reads the conflict table: its translator and language. */
export interface Reader {
  t: Translate;
  lng: string;
}

/** Compares a form value with an audited one (booleans and numbers are stored typed). */
function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  if (norm(a) !== '' && norm(b) !== '' && Number.isFinite(Number(a)) && Number.isFinite(Number(b)))
    return Number(a) === Number(b);
  return norm(a) === norm(b);
}

/**
 * The re-apply form after a conflict: current values, with the admin's own edits (fields that
 * differ from what the form was built from) on top. Fields both sides changed are flagged.
 */
export function mergeForReapply<V extends Record<string, unknown>>(
  mine: V,
  current: V,
  meanwhile: ChangesMeanwhile,
  roles: Map<string, string>,
  reader: Reader,
) {
  const { t, lng } = reader;
  const names = { get: (type: string, id: number) => (type === 'role' ? roles.get(String(id)) : undefined) };
  const shown = (value: unknown, key: string) => valueText(key, value, t, lng, names);
  const merged = { ...current } as Record<string, unknown>;
  const both = new Set<string>();
  for (const key of Object.keys(mine)) {
    if (key === 'password') {
      merged[key] = mine[key];
      if (mine[key] !== '' && meanwhile.changes.password) both.add(key);
      continue;
    }
    const original = meanwhile.complete
      ? key in meanwhile.changes
        ? meanwhile.changes[key]!.old
        : current[key]
      : undefined;
    if (meanwhile.complete && sameValue(mine[key], original)) continue;
    merged[key] = mine[key];
    if (key in meanwhile.changes && !sameValue(mine[key], current[key])) both.add(key);
  }
  const rows = Object.entries(meanwhile.changes).map(([key, change]) => ({
    label: fieldLabel(key, t),
    // a password is never shown: say what happened to it instead of "changed → changed"
    old: key === 'password' ? 'the one before (not shown)' : shown(change.old, key),
    new: key === 'password' ? 'a new one someone else set (not shown)' : shown(change.new, key),
    yours: key === 'password' ? (mine[key] ? 'a new password you typed' : 'unchanged') : shown(merged[key], key),
    both: both.has(key),
  }));
  return {
    values: merged as V,
    conflict: {
      rows,
      complete: meanwhile.complete,
      actors: meanwhile.actors,
      message: meanwhile.complete
        ? 'Here is what changed since you opened the form.'
        : 'The customer changed since you opened the form.',
    },
  };
}

/**
 * The checks of the create form and the self-care panel for a customer loaded whole; its trusted
 * list in canonical form. `regionalChecked` remembers the verdicts on regional settings already
 * seen (a bulk load repeats a few combinations a million times).
 */
function checkedImport(customer: ImportedCustomer, regionalChecked: Map<string, FieldError[]>): ImportedCustomer {
  const errors: FieldError[] = [];
  if (customer.name.trim() === '' || customer.name.length > 160)
    errors.push({ field: 'name', text: 'Enter the customer’s name (at most 160 characters)' });
  if (!(CURRENCIES as readonly string[]).includes(customer.currency))
    errors.push({ field: 'currency', text: 'Choose a currency from the list' });
  const loginError = loginFieldError(customer.selfcareLogin ?? '', { required: false });
  if (loginError) errors.push(loginError);
  if (customer.selfcareLogin !== null && customer.passwordHash === null)
    errors.push({ field: 'password', text: 'A self-care login needs a password' });
  const regional = regionalValuesOf(customer);
  const key = JSON.stringify(regional);
  let regionalErrors = regionalChecked.get(key);
  if (!regionalErrors) regionalChecked.set(key, (regionalErrors = regionalFieldErrors(regional)));
  errors.push(...regionalErrors);
  if (!customer.ipRestriction && customer.trustedIps === '') {
    if (errors.length > 0)
      throw new CustomerInputError(errors.map((e) => ({ ...e, text: `${customer.name}: ${e.text}` })));
    return customer;
  }
  const trusted = checkTrustedNetworks(customer.ipRestriction, customer.trustedIps);
  errors.push(...trustedNetworksFieldErrors(trusted));
  if (errors.length > 0)
    throw new CustomerInputError(errors.map((e) => ({ ...e, text: `${customer.name}: ${e.text}` })));
  return { ...customer, trustedIps: trusted.parsed.canonical };
}

/** What the audit trail records of a customer loaded whole (the password only as "changed"). */
function importAuditView(c: ImportedCustomer): Record<string, unknown> {
  return {
    ...basicsAuditView(c),
    status: c.status,
    balance: c.balance,
    role_id: c.roleId,
    login: c.selfcareLogin,
    password: c.passwordHash,
    ip_restriction: c.ipRestriction,
    trusted_ips: c.trustedIps,
    ...regionalValuesOf(c),
  };
}

export type { ImportedCustomer };
