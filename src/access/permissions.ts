import type { FieldError } from './field-error.ts';
// Role permissions over the tree of self-care components (DESIGN.md, "Roles").
//
// A role stores explicit levels only; a child component with no level inherits its parent's, and a
// top-level component with no level is `hidden` (deny by default). An individual never gets more
// than its customer: its effective level is the minimum of the two roles' effective levels.

export const LEVELS = ['hidden', 'read', 'modify'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_LABELS: Readonly<Record<Level, string>> = {
  hidden: 'Forbidden',
  read: 'View only',
  modify: 'Full',
};

const LEVEL_RANK: Readonly<Record<Level, number>> = { hidden: 0, read: 1, modify: 2 };

export const COMPONENT_KEYS = [
  'dashboard',
  'profile',
  'profile.contacts',
  'profile.address',
  'invoices',
  'xdrs',
  'payments',
  'individuals',
  'api_access',
  'settings',
  'settings.regional',
  'settings.password',
] as const;
export type ComponentKey = (typeof COMPONENT_KEYS)[number];

export interface Component {
  readonly key: ComponentKey;
  readonly parent: ComponentKey | null;
}

/** The component tree in display order; every parent comes before its children. */
export const COMPONENTS: readonly Component[] = COMPONENT_KEYS.map((key) => {
  const dot = key.indexOf('.');
  const parent = dot === -1 ? null : (key.slice(0, dot) as ComponentKey);
  return Object.freeze({ key, parent });
});

const PARENT_OF: ReadonlyMap<ComponentKey, ComponentKey | null> = new Map(COMPONENTS.map((c) => [c.key, c.parent]));

/** Explicit levels as stored; an absent child inherits its parent's level. */
export type PermissionMap = Partial<Record<ComponentKey, Level>>;
export type EffectiveLevels = Record<ComponentKey, Level>;

export function isComponentKey(value: unknown): value is ComponentKey {
  return typeof value === 'string' && PARENT_OF.has(value as ComponentKey);
}

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && Object.hasOwn(LEVEL_RANK, value);
}

export function effectiveLevel(perms: PermissionMap, key: ComponentKey): Level {
  if (!isComponentKey(key)) return 'hidden';
  const own: unknown = Object.hasOwn(perms, key) ? perms[key] : undefined;
  if (own !== undefined && own !== null) {
    // A corrupt stored value must never widen access by falling through to the parent.
    return isLevel(own) ? own : 'hidden';
  }
  const parent = PARENT_OF.get(key) ?? null;
  return parent === null ? 'hidden' : effectiveLevel(perms, parent);
}

export function effectiveLevels(perms: PermissionMap): EffectiveLevels {
  const result = {} as EffectiveLevels;
  for (const { key } of COMPONENTS) result[key] = effectiveLevel(perms, key);
  return result;
}

export function minLevel(a: Level, b: Level): Level {
  return LEVEL_RANK[a] <= LEVEL_RANK[b] ? a : b;
}

export function atLeast(level: Level, required: Level): boolean {
  return isLevel(level) && LEVEL_RANK[level] >= LEVEL_RANK[required];
}

/** What an individual may do: per component, the lesser of its own role and its customer's role. */
export function combineForIndividual(
  individualRolePerms: PermissionMap,
  customerRolePerms: PermissionMap,
): EffectiveLevels {
  const result = {} as EffectiveLevels;
  for (const { key } of COMPONENTS) {
    result[key] = minLevel(effectiveLevel(individualRolePerms, key), effectiveLevel(customerRolePerms, key));
  }
  return result;
}

/**
 * What an individual may do: never more than its customer (`combineForIndividual`), and never
 * `api_access` — API tokens open sessions with the customer's own rights, so only the customer
 * manages them.
 */
export function individualLevels(
  individualRolePerms: PermissionMap,
  customerRolePerms: PermissionMap,
): EffectiveLevels {
  return { ...combineForIndividual(individualRolePerms, customerRolePerms), api_access: 'hidden' };
}

/** True when the role gives nothing above what the granter effectively has, on every component. */
export function canGrant(granterEffective: EffectiveLevels, roleEffective: EffectiveLevels): boolean {
  return COMPONENTS.every(({ key }) => {
    const granted = roleEffective[key];
    const held = granterEffective[key];
    return isLevel(granted) && isLevel(held) && LEVEL_RANK[granted] <= LEVEL_RANK[held];
  });
}

const FIELD_PATTERN = /^perm\[(.*)\]$/;

function fieldName(key: string): string {
  return `perm[${key}]`;
}

/**
 * Reads the role form's permission selects. `raw` is the `perm` group: keys are component keys
 * (what an extended body parser makes of `perm[<component>]`), or the literal `perm[<component>]`
 * names (what a flat parser produces). Values are `hidden` | `read` | `modify`, or blank to inherit.
 * Errors come in form order, with the form field name.
 */
export function normalizePermissionInput(raw: Record<string, unknown>): {
  perms: PermissionMap;
  errors: FieldError[];
} {
  const perms: PermissionMap = {};
  const values = new Map<ComponentKey, unknown>();
  const unknownKeyErrors: FieldError[] = [];

  for (const [rawKey, value] of Object.entries(raw)) {
    const key = FIELD_PATTERN.exec(rawKey)?.[1] ?? rawKey;
    if (isComponentKey(key)) {
      values.set(key, value);
    } else {
      unknownKeyErrors.push({ field: fieldName(key), text: `Unknown component "${key}"` });
    }
  }

  const errors: FieldError[] = [];
  for (const { key, parent } of COMPONENTS) {
    const value = values.get(key);
    const text = typeof value === 'string' ? value.trim() : value;
    if (text === undefined || text === null || text === '') {
      if (parent === null) errors.push({ field: fieldName(key), text: 'Choose a level' });
      continue;
    }
    if (isLevel(text)) {
      perms[key] = text;
    } else {
      errors.push({
        field: fieldName(key),
        text:
          parent === null
            ? 'Choose Forbidden, View only or Full'
            : 'Choose Forbidden, View only, Full or leave blank to inherit',
      });
    }
  }
  return { perms, errors: [...errors, ...unknownKeyErrors] };
}
