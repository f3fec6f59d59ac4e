import { COMPONENT_KEYS, LEVELS } from '../../access/permissions.ts';
import { isLanguage, LANGUAGES } from '../../regional/languages.ts';
import { REGIONAL_FIELDS } from '../../regional/settings.ts';

/**
 * How the audit trail reads to a support agent: one sentence per recorded action, field labels and
 * value names as the forms show them, secrets only as "changed", language names instead of codes.
 * Pure: it gets a translate function and the names of the entities involved.
 */

export type Translate = (key: string, options?: Record<string, unknown>) => string;

/**
 * Every action code the code base records, with its sentence (`audit.sentences.<sentence>`);
 * `outcomes` when a failed or refused attempt has a sentence of its own. A code missing here fails
 * test/features/audit/wording.test.ts.
 */
const ACTIONS = [
  { action: 'admin.create', sentence: 'adminCreate' },
  { action: 'admin.update', sentence: 'adminUpdate' },
  { action: 'admin.disable', sentence: 'adminDisable' },
  { action: 'admin.login', sentence: 'adminLogin', outcomes: true },
  { action: 'admin.logout', sentence: 'adminLogout' },
  { action: 'admin.password.change', sentence: 'adminPasswordChange' },
  { action: 'admin.sessions.end_others', sentence: 'adminSessionsEndOthers' },
  { action: 'admin.step_up', sentence: 'adminStepUp', outcomes: true },
  { action: 'admin_role.create', sentence: 'adminRoleCreate' },
  { action: 'admin_role.update', sentence: 'adminRoleUpdate' },
  { action: 'admin_role.delete', sentence: 'adminRoleDelete' },
  { action: 'api.session.create', sentence: 'apiSessionCreate', outcomes: true },
  { action: 'api.session.refresh', sentence: 'apiSessionRefresh', outcomes: true },
  { action: 'api.session.end', sentence: 'apiSessionEnd' },
  { action: 'api_token.create', sentence: 'apiTokenCreate' },
  { action: 'api_token.revoke', sentence: 'apiTokenRevoke' },
  { action: 'customer.create', sentence: 'customerCreate' },
  { action: 'customer.update', sentence: 'customerUpdate' },
  { action: 'customer.self_care.update', sentence: 'customerSelfCareUpdate' },
  { action: 'customer.profile.update', sentence: 'customerProfileUpdate' },
  { action: 'customer.regional.update', sentence: 'customerRegionalUpdate' },
  { action: 'customer.allowed_roles', sentence: 'customerAllowedRoles' },
  { action: 'customer.sessions.end', sentence: 'customerSessionsEnd' },
  { action: 'customer.password_reset_link.send', sentence: 'customerResetLinkSend' },
  { action: 'individual.create', sentence: 'individualCreate' },
  { action: 'individual.update', sentence: 'individualUpdate' },
  { action: 'individual.delete', sentence: 'individualDelete' },
  { action: 'individual.login_taken', sentence: 'individualLoginTaken' },
  { action: 'individual.credentials_sent', sentence: 'individualCredentialsSent' },
  { action: 'individual.regional.update', sentence: 'individualRegionalUpdate' },
  { action: 'individual.sessions.end', sentence: 'individualSessionsEnd' },
  { action: 'individual.password_reset_link.send', sentence: 'individualResetLinkSend' },
  { action: 'portal.login', sentence: 'portalLogin', outcomes: true },
  { action: 'portal.logout', sentence: 'portalLogout' },
  { action: 'portal.impersonation.start', sentence: 'impersonationStart' },
  { action: 'portal.impersonation.end', sentence: 'impersonationEnd' },
  { action: 'portal.password.change', sentence: 'portalPasswordChange' },
  { action: 'portal.password.reset', sentence: 'portalPasswordReset' },
  { action: 'portal.password_reset.request', sentence: 'portalResetRequest' },
  { action: 'portal.password_reset.refused', sentence: 'portalResetRefused' },
  { action: 'portal.session.end', sentence: 'portalSessionEnd' },
  { action: 'portal.sessions.end_others', sentence: 'portalSessionsEndOthers' },
  { action: 'portal.sign_in_alerts.update', sentence: 'portalSignInAlerts' },
  { action: 'role.create', sentence: 'roleCreate' },
  { action: 'role.update', sentence: 'roleUpdate' },
  { action: 'role.delete', sentence: 'roleDelete' },
  { action: 'two_factor.enable', sentence: 'twoFactorEnable' },
  { action: 'two_factor.disable', sentence: 'twoFactorDisable' },
  { action: 'two_factor.reset', sentence: 'twoFactorReset' },
  { action: 'two_factor.recovery_codes.renew', sentence: 'twoFactorRecoveryCodesRenew' },
] as const satisfies readonly { action: string; sentence: string; outcomes?: boolean }[];

const BY_ACTION: ReadonlyMap<string, { sentence: string; outcomes?: boolean }> = new Map(
  ACTIONS.map((entry) => [entry.action, entry]),
);

/** The action codes that have a sentence. */
export const WORDED_ACTIONS: readonly string[] = ACTIONS.map((entry) => entry.action);

/** The sentence key of every action (`audit.sentences.*`), with its outcome variants. */
export function sentenceKeys(): string[] {
  return ACTIONS.flatMap((entry) =>
    'outcomes' in entry ? [entry.sentence, `${entry.sentence}_failure`, `${entry.sentence}_refused`] : [entry.sentence],
  );
}

/** Properties that hold a secret: only the fact that they changed is ever shown. */
const SECRET_FIELDS = new Set(['password', 'password_hash', 'token', 'secret', 'recovery_codes']);
/** Bookkeeping the reader need not see. */
const HIDDEN_FIELDS = new Set(['version']);
/** Fields whose value is an entity named elsewhere (`names`). */
const REFERENCE_FIELDS: Readonly<Record<string, string>> = { role_id: 'role', admin_role_id: 'admin_role' };

const FIELD_KEYS = [
  'login',
  'password',
  'password_change_required',
  'ip_restriction',
  'trusted_ips',
  'two_factor_required',
  'role_id',
  ...REGIONAL_FIELDS,
  'name',
  'email',
  'currency',
  'credit_limit',
  'company_name',
  'contact_name',
  'phone',
  'address_line1',
  'address_line2',
  'city',
  'postal_code',
  'country',
  'activation_at',
  'expiration_at',
  'description',
  'type',
  'is_default',
  'require_two_factor',
  'permissions',
  'admin_role_id',
  'status',
  'prefix',
  'expires_at',
  'revoked_at',
  'reason',
  'second_factor',
  'two_factor',
  'recovery_codes',
  'allowed_roles',
  'session',
  'sessions_ended',
  'other_sessions',
  'portal_sessions',
  'api_sessions',
  'sign_in_alerts',
  'reset_link',
] as const;
const KNOWN_FIELDS: ReadonlySet<string> = new Set(FIELD_KEYS);

/** Values that are words rather than data, by field: their translation under `audit.values.*`. */
const WORDED_VALUES: Readonly<Record<string, ReadonlySet<string>>> = {
  reason: new Set([
    'rate_limited',
    'disabled',
    'wrong_second_factor',
    'wrong_password',
    'no_credentials',
    'ip_not_allowed',
    'not_active',
    'expired',
    'invalid',
    'admin_signed_out',
    'admin_session_ended',
  ]),
  status: new Set(['active', 'disabled']),
  two_factor: new Set(['on', 'off']),
  mode: new Set(['assigned', 'default']),
};

const humanize = (key: string): string => {
  const words = key.replace(/[_.]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A property's label as on its form. */
export function fieldLabel(field: string, t: Translate): string {
  if (KNOWN_FIELDS.has(field)) return t(`audit.fields.${field}`);
  if (field.startsWith('perm.') && (COMPONENT_KEYS as readonly string[]).includes(field.slice(5)))
    return t('audit.permissionOn', { component: t(`audit.components.${field.slice(5)}`) });
  return humanize(field);
}

/** A language's name in the reader's language ("French"), the code itself when it names none. */
function languageName(code: string, lng: string): string {
  if (!isLanguage(code)) return code;
  try {
    const name = new Intl.DisplayNames([lng], { type: 'language' }).of(code);
    if (name && name !== code) return name.charAt(0).toLocaleUpperCase(lng) + name.slice(1);
  } catch {
    // an unknown reader language: the language's own name below
  }
  return LANGUAGES.find((language) => language.code === code)?.nativeName ?? code;
}

export interface Names {
  /** entity type → id → name (customers, individuals, roles, admin roles, administrators, API tokens) */
  get(type: string, id: number): string | undefined;
}

export const NO_NAMES: Names = { get: () => undefined };

/** One audited or typed value as the form would show it. */
export function valueText(field: string, value: unknown, t: Translate, lng: string, names: Names = NO_NAMES): string {
  if (SECRET_FIELDS.has(field)) return t('audit.values.changed');
  if (value === null || value === undefined || value === '') return t('audit.values.empty');
  if (typeof value === 'boolean') return t(value ? 'audit.values.on' : 'audit.values.off');
  if (Array.isArray(value))
    return value.length === 0
      ? t('audit.values.none')
      : value.map((v) => valueText(field, v, t, lng, names)).join(', ');
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (field === 'language') return languageName(text, lng);
  if (field.startsWith('perm.') && (LEVELS as readonly string[]).includes(text)) return t(`audit.levels.${text}`);
  if (WORDED_VALUES[field]?.has(text)) return t(`audit.values.${field}.${text}`);
  const reference = REFERENCE_FIELDS[field];
  if (reference && /^\d+$/.test(text)) return names.get(reference, Number(text)) ?? `#${text}`;
  // a recorded moment reads as the audit log's own times do (UTC, to the minute)
  if (ISO_MOMENT.test(text)) return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
  return text;
}

const ISO_MOMENT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/;

export interface AuditedEvent {
  actorType: string;
  actorId: number | null;
  actorLabel: string;
  impersonatorAdminId: number | null;
  impersonatorLogin: string | null;
  action: string;
  entityType: string;
  entityId: number | null;
  changes: Record<string, { old: unknown; new: unknown }> | null;
  outcome: string;
}

/** Who acted: "Admin olena", "Customer acme", "Admin olena (logged in as acme)", "Someone using the login x". */
export function actorPhrase(event: AuditedEvent, t: Translate): string {
  const label = event.actorLabel.replace(/\s*\(as admin [^)]*\)$/, '').trim();
  const name = label || (event.actorId === null ? '' : `#${event.actorId}`);
  if (event.impersonatorAdminId !== null && event.actorType !== 'admin') {
    const admin = event.impersonatorLogin ?? `#${event.impersonatorAdminId}`;
    return t('audit.actors.impersonating', { admin, name });
  }
  switch (event.actorType) {
    case 'admin':
    case 'customer':
    case 'individual':
    case 'api':
      return t(`audit.actors.${event.actorType}`, { name });
    case 'system':
      return t('audit.actors.system');
    default:
      return name ? t('audit.actors.anonymousLogin', { name }) : t('audit.actors.anonymous');
  }
}

const ENTITY_TYPES = new Set(['customer', 'individual', 'role', 'admin_role', 'admin', 'api_token']);

/** The entity's name: its current one, else the one a deletion recorded, else its number. */
function entityName(event: AuditedEvent, names: Names): string {
  if (event.entityId === null) return '';
  const current = names.get(event.entityType, event.entityId);
  if (current) return current;
  const recorded = event.changes?.name?.old ?? event.changes?.name?.new ?? event.changes?.login?.old;
  return typeof recorded === 'string' && recorded !== '' ? recorded : `#${event.entityId}`;
}

export interface ChangeLine {
  label: string;
  /** null when there was no value before (a creation) */
  old: string | null;
  new: string;
}

export interface AuditReading {
  sentence: string;
  outcomeText: string;
  /** the changed properties, labelled; replaces the raw `changes` of the event */
  changes: ChangeLine[];
}

/** The whole event as a support agent reads it aloud. */
export function readEvent(event: AuditedEvent, t: Translate, lng: string, names: Names = NO_NAMES): AuditReading {
  const actor = actorPhrase(event, t);
  const name = entityName(event, names);
  const target = ENTITY_TYPES.has(event.entityType) && name ? t(`audit.entities.${event.entityType}`, { name }) : name;
  const mode = event.changes?.mode?.new ?? event.changes?.mode?.old;
  const known = BY_ACTION.get(event.action);
  const params = {
    actor,
    name,
    target,
    mode: typeof mode === 'string' && WORDED_VALUES.mode!.has(mode) ? valueText('mode', mode, t, lng) : '',
  };
  const sentence = known
    ? t(`audit.sentences.${known.sentence}`, {
        ...params,
        ...(known.outcomes && event.outcome !== 'success' ? { context: event.outcome } : {}),
      })
    : t('audit.sentences.other', { ...params, action: event.action });
  const changes = Object.entries(event.changes ?? {})
    .filter(([field]) => !HIDDEN_FIELDS.has(field) && !(field === 'mode' && params.mode))
    .map(([field, change]): ChangeLine => {
      const wasEmpty = change.old === null || change.old === undefined || change.old === '';
      return {
        label: fieldLabel(field, t),
        old: wasEmpty && !SECRET_FIELDS.has(field) ? null : valueText(field, change.old, t, lng, names),
        new: valueText(field, change.new, t, lng, names),
      };
    })
    // A secret reads "changed" on both sides: once is enough.
    .map((line) => (line.old === line.new ? { ...line, old: null } : line));
  const outcomeText = t(
    `audit.outcomes.${['success', 'failure', 'refused'].includes(event.outcome) ? event.outcome : 'other'}`,
  );
  return { sentence, outcomeText, changes };
}

/** The entity references an event names, for one look-up of their names per page. */
export function referencesOf(event: AuditedEvent): { type: string; id: number }[] {
  const refs: { type: string; id: number }[] = [];
  if (event.entityId !== null && ENTITY_TYPES.has(event.entityType))
    refs.push({ type: event.entityType, id: event.entityId });
  for (const [field, type] of Object.entries(REFERENCE_FIELDS)) {
    const change = event.changes?.[field];
    for (const v of change ? [change.old, change.new] : [])
      if (v !== null && v !== undefined && /^\d+$/.test(String(v))) refs.push({ type, id: Number(v) });
  }
  return refs;
}
