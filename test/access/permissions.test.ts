import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  COMPONENTS,
  LEVELS,
  LEVEL_LABELS,
  atLeast,
  canGrant,
  combineForIndividual,
  effectiveLevel,
  effectiveLevels,
  isComponentKey,
  isLevel,
  minLevel,
  normalizePermissionInput,
  type ComponentKey,
  type EffectiveLevels,
  type Level,
  type PermissionMap,
} from '../../src/access/permissions.ts';

const TOP_LEVEL = COMPONENTS.filter((c) => c.parent === null).map((c) => c.key);
const CHILDREN = COMPONENTS.flatMap((c) => (c.parent === null ? [] : [{ key: c.key, parent: c.parent }]));
const ALL_KEYS = COMPONENTS.map((c) => c.key);
const rank = (level: Level): number => LEVELS.indexOf(level);

function allAt(level: Level): EffectiveLevels {
  return Object.fromEntries(ALL_KEYS.map((k) => [k, level])) as EffectiveLevels;
}

const levelArb = fc.constantFrom(...LEVELS);
const permissionMapArb: fc.Arbitrary<PermissionMap> = fc.record(
  Object.fromEntries(ALL_KEYS.map((k) => [k, levelArb])) as Record<ComponentKey, fc.Arbitrary<Level>>,
  { requiredKeys: [] },
);

describe('the component tree', () => {
  it('lists the components of the design in order, each parent before its children', () => {
    expect(COMPONENTS).toEqual([
      { key: 'dashboard', parent: null },
      { key: 'profile', parent: null },
      { key: 'profile.contacts', parent: 'profile' },
      { key: 'profile.address', parent: 'profile' },
      { key: 'invoices', parent: null },
      { key: 'xdrs', parent: null },
      { key: 'payments', parent: null },
      { key: 'individuals', parent: null },
      { key: 'api_access', parent: null },
      { key: 'settings', parent: null },
      { key: 'settings.regional', parent: 'settings' },
      { key: 'settings.password', parent: 'settings' },
    ]);
  });

  it('orders the levels from least to most and labels them as the reference product does', () => {
    expect(LEVELS).toEqual(['hidden', 'read', 'modify']);
    expect(LEVEL_LABELS).toEqual({ hidden: 'Forbidden', read: 'View only', modify: 'Full' });
  });

  it('recognises component keys and levels and nothing else', () => {
    for (const key of ALL_KEYS) expect(isComponentKey(key)).toBe(true);
    for (const junk of ['', 'profile.', 'Profile', 'settings.other', '__proto__', 'constructor', 42, null]) {
      expect(isComponentKey(junk)).toBe(false);
    }
    for (const level of LEVELS) expect(isLevel(level)).toBe(true);
    for (const junk of ['', 'Read', 'write', 'toString', undefined]) expect(isLevel(junk)).toBe(false);
  });
});

describe('effectiveLevel', () => {
  it.each(TOP_LEVEL)('hides the top-level component %s when it has no level', (key) => {
    expect(effectiveLevel({}, key)).toBe('hidden');
  });

  it.each(TOP_LEVEL.flatMap((key) => LEVELS.map((level) => [key, level] as const)))(
    'gives the top-level component %s its own level %s',
    (key, level) => {
      expect(effectiveLevel({ [key]: level }, key)).toBe(level);
    },
  );

  // Every child × every parent level (or none) × every own level (or none).
  const parentStates = [...LEVELS, undefined] as const;
  const ownStates = [...LEVELS, undefined] as const;
  const inheritanceCases = CHILDREN.flatMap(({ key, parent }) =>
    parentStates.flatMap((parentLevel) => ownStates.map((ownLevel) => ({ key, parent, parentLevel, ownLevel }))),
  );

  it('covers 4 children × 4 parent states × 4 own states', () => {
    expect(inheritanceCases).toHaveLength(64);
  });

  it.each(inheritanceCases)(
    'resolves $key with parent $parent at $parentLevel and its own level $ownLevel',
    ({ key, parent, parentLevel, ownLevel }) => {
      const perms: PermissionMap = {};
      if (parentLevel !== undefined) perms[parent] = parentLevel;
      if (ownLevel !== undefined) perms[key] = ownLevel;
      const expected: Level = ownLevel ?? parentLevel ?? 'hidden';
      expect(effectiveLevel(perms, key)).toBe(expected);
    },
  );

  it('lets a child with no level inherit a read parent', () => {
    expect(effectiveLevel({ profile: 'read' }, 'profile.contacts')).toBe('read');
  });

  it("lets a child's own level stand above its parent's, so view-only settings can still allow a password change", () => {
    expect(effectiveLevel({ settings: 'read', 'settings.password': 'modify' }, 'settings.password')).toBe('modify');
  });

  it("does not let a child's level leak to its parent or its siblings", () => {
    const perms: PermissionMap = { 'profile.contacts': 'modify' };
    expect(effectiveLevel(perms, 'profile')).toBe('hidden');
    expect(effectiveLevel(perms, 'profile.address')).toBe('hidden');
  });

  it('treats a corrupt stored level as hidden instead of inheriting the parent', () => {
    const perms = { settings: 'modify', 'settings.password': 'admin' } as unknown as PermissionMap;
    expect(effectiveLevel(perms, 'settings.password')).toBe('hidden');
    expect(effectiveLevel({ dashboard: 'everything' } as unknown as PermissionMap, 'dashboard')).toBe('hidden');
  });

  it('answers hidden for a key outside the tree', () => {
    expect(effectiveLevel({}, 'billing' as ComponentKey)).toBe('hidden');
    expect(effectiveLevel({}, '__proto__' as ComponentKey)).toBe('hidden');
  });

  it('ignores levels inherited through the prototype chain', () => {
    const perms = Object.create({ dashboard: 'modify' }) as PermissionMap;
    expect(effectiveLevel(perms, 'dashboard')).toBe('hidden');
  });
});

describe('effectiveLevels', () => {
  it('resolves every component of an empty role to hidden', () => {
    expect(effectiveLevels({})).toEqual(allAt('hidden'));
  });

  it('resolves every component at once, inheriting where children are blank', () => {
    expect(
      effectiveLevels({ dashboard: 'read', profile: 'modify', 'profile.address': 'read', settings: 'read' }),
    ).toEqual({
      dashboard: 'read',
      profile: 'modify',
      'profile.contacts': 'modify',
      'profile.address': 'read',
      invoices: 'hidden',
      xdrs: 'hidden',
      payments: 'hidden',
      individuals: 'hidden',
      api_access: 'hidden',
      settings: 'read',
      'settings.regional': 'read',
      'settings.password': 'read',
    });
  });

  it('agrees with effectiveLevel for any role', () => {
    fc.assert(
      fc.property(permissionMapArb, (perms) => {
        const all = effectiveLevels(perms);
        for (const key of ALL_KEYS) expect(all[key]).toBe(effectiveLevel(perms, key));
      }),
    );
  });
});

describe('minLevel and atLeast', () => {
  const pairs = LEVELS.flatMap((a) => LEVELS.map((b) => [a, b] as const));

  it.each(pairs)('takes the lesser of %s and %s', (a, b) => {
    const expected = rank(a) <= rank(b) ? a : b;
    expect(minLevel(a, b)).toBe(expected);
    expect(minLevel(b, a)).toBe(expected);
  });

  it.each(pairs)('says whether %s is at least %s', (level, required) => {
    expect(atLeast(level, required)).toBe(rank(level) >= rank(required));
  });

  it('never lets hidden satisfy read, nor read satisfy modify', () => {
    expect(atLeast('hidden', 'read')).toBe(false);
    expect(atLeast('read', 'modify')).toBe(false);
    expect(atLeast('bogus' as Level, 'hidden')).toBe(false);
  });
});

describe('combineForIndividual', () => {
  // For every component, every individual-role level × every customer-role level.
  const minCases = ALL_KEYS.flatMap((key) =>
    LEVELS.flatMap((individual) => LEVELS.map((customer) => ({ key, individual, customer }))),
  );

  it('covers 3 × 3 levels for each of the 12 components', () => {
    expect(minCases).toHaveLength(108);
  });

  it.each(minCases)(
    'gives $key the lesser of the individual role ($individual) and the customer role ($customer)',
    ({ key, individual, customer }) => {
      const combined = combineForIndividual({ [key]: individual }, { [key]: customer });
      expect(combined[key]).toBe(rank(individual) <= rank(customer) ? individual : customer);
    },
  );

  it("takes the minimum of effective levels, so a customer's inherited level caps an individual's explicit one", () => {
    const combined = combineForIndividual({ 'profile.contacts': 'modify' }, { profile: 'read' });
    expect(combined['profile.contacts']).toBe('read');
    expect(combined.profile).toBe('hidden');
  });

  it("takes the minimum of effective levels, so an individual's inherited level caps a customer's explicit one", () => {
    const combined = combineForIndividual({ settings: 'read' }, { 'settings.password': 'modify', settings: 'modify' });
    expect(combined['settings.password']).toBe('read');
  });

  it('never gives an individual more than its customer on any component', () => {
    fc.assert(
      fc.property(permissionMapArb, permissionMapArb, (individual, customer) => {
        const combined = combineForIndividual(individual, customer);
        const customerLevels = effectiveLevels(customer);
        const individualLevels = effectiveLevels(individual);
        for (const key of ALL_KEYS) {
          expect(rank(combined[key])).toBeLessThanOrEqual(rank(customerLevels[key]));
          expect(rank(combined[key])).toBeLessThanOrEqual(rank(individualLevels[key]));
        }
      }),
    );
  });
});

describe('canGrant', () => {
  it('lets a granter give a role equal to what it has', () => {
    expect(canGrant(allAt('read'), allAt('read'))).toBe(true);
  });

  it('lets a granter give a role below what it has', () => {
    expect(canGrant(allAt('modify'), allAt('hidden'))).toBe(true);
  });

  it.each(ALL_KEYS)('cannot grant more than it has on %s alone', (key) => {
    const role = { ...allAt('read'), [key]: 'modify' };
    expect(canGrant(allAt('read'), role)).toBe(false);
  });

  it.each(ALL_KEYS)('cannot grant read on %s when that component is hidden from the granter', (key) => {
    const granter = { ...allAt('modify'), [key]: 'hidden' };
    const role = { ...allAt('hidden'), [key]: 'read' };
    expect(canGrant(granter, role)).toBe(false);
  });

  it('refuses when a level is missing or corrupt rather than guessing', () => {
    const role = { ...allAt('read') } as Partial<EffectiveLevels>;
    delete role.invoices;
    expect(canGrant(allAt('modify'), role as EffectiveLevels)).toBe(false);
    expect(canGrant(allAt('modify'), { ...allAt('read'), xdrs: 'root' } as unknown as EffectiveLevels)).toBe(false);
  });

  it('accepts exactly the roles that fit under the granter on every component', () => {
    fc.assert(
      fc.property(permissionMapArb, permissionMapArb, (granterPerms, rolePerms) => {
        const granter = effectiveLevels(granterPerms);
        const role = effectiveLevels(rolePerms);
        const fits = ALL_KEYS.every((k) => rank(role[k]) <= rank(granter[k]));
        expect(canGrant(granter, role)).toBe(fits);
      }),
    );
  });
});

describe('normalizePermissionInput', () => {
  const completeForm: Record<string, string> = {
    dashboard: 'read',
    profile: 'modify',
    'profile.contacts': '',
    'profile.address': 'read',
    invoices: 'read',
    xdrs: 'hidden',
    payments: 'read',
    individuals: 'hidden',
    api_access: 'hidden',
    settings: 'read',
    'settings.regional': '',
    'settings.password': 'modify',
  };

  it('keeps explicit levels and leaves blank children to inherit', () => {
    const { perms, errors } = normalizePermissionInput(completeForm);
    expect(errors).toEqual([]);
    expect(perms).toEqual({
      dashboard: 'read',
      profile: 'modify',
      'profile.address': 'read',
      invoices: 'read',
      xdrs: 'hidden',
      payments: 'read',
      individuals: 'hidden',
      api_access: 'hidden',
      settings: 'read',
      'settings.password': 'modify',
    });
    expect('profile.contacts' in perms).toBe(false);
  });

  it('accepts the literal perm[<component>] field names of a flat body parser', () => {
    const flat = Object.fromEntries(Object.entries(completeForm).map(([k, v]) => [`perm[${k}]`, v]));
    expect(normalizePermissionInput(flat)).toEqual(normalizePermissionInput(completeForm));
  });

  it('trims spaces around a level', () => {
    const { perms, errors } = normalizePermissionInput({ ...completeForm, dashboard: ' modify ' });
    expect(errors).toEqual([]);
    expect(perms.dashboard).toBe('modify');
  });

  it.each(TOP_LEVEL)('asks to choose a level when the top-level component %s is blank', (key) => {
    const { errors } = normalizePermissionInput({ ...completeForm, [key]: '' });
    expect(errors).toEqual([{ field: `perm[${key}]`, text: 'Choose a level' }]);
  });

  it('asks to choose a level when a top-level component is missing from the form', () => {
    const { api_access: _omitted, ...rest } = completeForm;
    const { errors } = normalizePermissionInput(rest);
    expect(errors).toEqual([{ field: 'perm[api_access]', text: 'Choose a level' }]);
  });

  it('refuses a level that is not one of the three and names the field', () => {
    const { perms, errors } = normalizePermissionInput({
      ...completeForm,
      invoices: 'write',
      'settings.regional': 'all',
    });
    expect(errors.map((e) => e.field)).toEqual(['perm[invoices]', 'perm[settings.regional]']);
    expect(perms.invoices).toBeUndefined();
    expect(perms['settings.regional']).toBeUndefined();
  });

  it('refuses a repeated field or any other value that is not a string', () => {
    const { errors } = normalizePermissionInput({ ...completeForm, xdrs: ['read', 'modify'], payments: { a: 1 } });
    expect(errors.map((e) => e.field)).toEqual(['perm[xdrs]', 'perm[payments]']);
  });

  it('refuses an unknown component after the form-order errors', () => {
    const { perms, errors } = normalizePermissionInput({ ...completeForm, dashboard: '', admin: 'modify' });
    expect(errors).toEqual([
      { field: 'perm[dashboard]', text: 'Choose a level' },
      { field: 'perm[admin]', text: 'Unknown component "admin"' },
    ]);
    expect(Object.keys(perms)).not.toContain('admin');
  });

  it('reports every top-level component of an empty form in form order', () => {
    const { perms, errors } = normalizePermissionInput({});
    expect(perms).toEqual({});
    expect(errors.map((e) => e.field)).toEqual(TOP_LEVEL.map((k) => `perm[${k}]`));
  });

  it('round-trips any role through the form it would render', () => {
    fc.assert(
      fc.property(permissionMapArb, (stored) => {
        const complete: PermissionMap = { ...stored };
        for (const key of TOP_LEVEL) complete[key] ??= 'hidden';
        const form = Object.fromEntries(ALL_KEYS.map((k) => [k, complete[k] ?? '']));
        const { perms, errors } = normalizePermissionInput(form);
        expect(errors).toEqual([]);
        expect(perms).toEqual(complete);
      }),
    );
  });
});

describe('individualLevels', () => {
  it('never gives an individual API access, even when both roles grant it in full', async () => {
    const { individualLevels } = await import('../../src/access/permissions.ts');
    const levels = individualLevels(
      { dashboard: 'modify', api_access: 'modify' },
      { dashboard: 'modify', api_access: 'modify' },
    );
    expect(levels.api_access).toBe('hidden');
    expect(levels.dashboard).toBe('modify');
  });
});
