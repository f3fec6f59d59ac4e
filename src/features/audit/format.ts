import type { AuditEventRow } from './repo.ts';

/** An audited (or form) value as an admin reads it in the audit pages and the conflict page. */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

const ACTOR_KINDS: Readonly<Record<string, string>> = { admin: 'admin', customer: 'customer', individual: 'individual', api: 'API', anonymous: 'not signed in', system: 'system' };

/**
 * Who acted, as the audit table names it: the recorded label once (a self-care label's own
 * "(as admin …)" left out when the impersonating admin is shown on its own), then what kind of actor
 * it is unless the label already starts with that word.
 */
export function actorOf(event: Pick<AuditEventRow, 'actorType' | 'actorId' | 'actorLabel' | 'impersonatorAdminId' | 'impersonatorLogin'>): { name: string; kind: string | null; impersonator: string | null } {
  const impersonator = event.impersonatorAdminId === null ? null : (event.impersonatorLogin ?? `#${event.impersonatorAdminId}`);
  const label = (impersonator === null ? event.actorLabel : event.actorLabel.replace(/\s*\(as admin [^)]*\)$/, '')).trim();
  const kind = ACTOR_KINDS[event.actorType] ?? event.actorType;
  const name = label || (event.actorId === null ? kind : `${kind} #${event.actorId}`);
  const saysKind = name.toLowerCase() === kind.toLowerCase() || name.toLowerCase().startsWith(`${kind.toLowerCase()} `);
  return { name, kind: saysKind ? null : kind, impersonator };
}
