import type { Request, Response } from 'express';
import { atLeast, type ComponentKey } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { parseForm, type FieldError } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { LANGUAGES } from '../../regional/languages.ts';
import { readRegionalInput, regionalFieldErrors, regionalFieldModel } from '../selfcare-access/schema.ts';
import { REGIONAL_FIELDS, regionalValuesOf, type RegionalField, type RegionalValues } from '../../regional/settings.ts';
import { keepSessionAfterPasswordChange } from './sign-in-routes.ts';
import { can, type PortalPermission } from '../../access/route-permissions.ts';
import { settingsTabs } from '../../access/portal-navigation.ts';
import { profileValuesOf } from '../customers/schema.ts';
import type { ProfileField } from './schema.ts';
import {
  addressSchema,
  companySchema,
  contactsSchema,
  newPasswordsShown,
  readPasswordForm,
  type NewPasswordsShown,
} from './schema.ts';
import { passwordErrors, signedIn, type PortalAccount } from './service.ts';

type ProfileSection = 'company' | 'contacts' | 'address';

const PROFILE_SECTIONS: ReadonlyArray<{ section: ProfileSection; component: ComponentKey; fields: ProfileField[] }> = [
  { section: 'company', component: 'profile', fields: ['company_name'] },
  { section: 'contacts', component: 'profile.contacts', fields: ['contact_name', 'email', 'phone'] },
  {
    section: 'address',
    component: 'profile.address',
    fields: ['address_line1', 'address_line2', 'city', 'postal_code', 'country'],
  },
];

/** The portal's words for a regional field error: a typed time zone names what it could mean. */
function portalRegionalError(e: FieldError): FieldError {
  if (e.field === 'time_zone' && e.params?.value !== undefined)
    return {
      field: e.field,
      key: e.params.matches ? 'portal.settings.errors.timeZoneMatches' : 'portal.settings.errors.timeZoneUnknown',
      params: e.params,
    };
  return { field: e.field, key: `portal.settings.errors.${e.field}` };
}

const ownRegional = (account: PortalAccount): RegionalValues =>
  regionalValuesOf(account.individual?.regional ?? account.customer);

export function portalRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const service = deps.services.accounts;
  const billing = deps.services.billing;

  const renderProfile = (
    req: Request,
    res: Response,
    status: number,
    edited?: { section: ProfileSection; values: Record<string, unknown>; errors: FieldError[] },
  ) => {
    const { viewer, account } = signedIn(res);
    const sections = PROFILE_SECTIONS.filter((s) => atLeast(viewer.levels[s.component], 'read')).map((s) => ({
      ...s,
      editable: atLeast(viewer.levels[s.component], 'modify'),
      values: edited?.section === s.section ? edited.values : profileValuesOf(account.customer),
      errors: edited?.section === s.section ? edited.errors : [],
    }));
    return renderPage(req, res, {
      view: 'portal/profile/index',
      layout: 'portal',
      status,
      locals: { title: res.locals.t?.('portal.profile.title'), sections, errors: edited?.errors ?? [] },
    });
  };

  const profilePost = (
    section: ProfileSection,
    schema: typeof companySchema | typeof contactsSchema | typeof addressSchema,
  ): RouteDef<PortalPermission> => {
    const def = PROFILE_SECTIONS.find((s) => s.section === section);
    if (!def) throw new Error(`unknown profile section ${section}`);
    return {
      method: 'post',
      path: section === 'company' ? '/profile' : `/profile/${section}`,
      permission: can(def.component, 'modify'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const form = parseForm(schema, req.body);
        if (!form.ok) return renderProfile(req, res, 422, { section, values: form.values, errors: form.errors });
        await service.updateProfile(
          account,
          form.values as Partial<Record<ProfileField, string>>,
          auditContext(req, res),
        );
        req.session.flash = { kind: 'info', message: res.locals.t?.('portal.profile.saved') ?? '' };
        seeOther(res, '/profile');
      },
    };
  };

  /** A section's own address opens the profile at that section, for whoever may read it (else 403). */
  const profileSectionPage = (section: 'contacts' | 'address'): RouteDef<PortalPermission> => ({
    method: 'get',
    path: `/profile/${section}`,
    permission: can(`profile.${section}`, 'read'),
    handler: (_req, res) => seeOther(res, `/profile#profile-${section}`),
  });

  const renderSettings = (
    req: Request,
    res: Response,
    status: number,
    values?: RegionalValues,
    errors: FieldError[] = [],
    fragment?: string,
  ) => {
    const { viewer, account } = signedIn(res);
    const shown = values ?? ownRegional(account);
    const inherited = account.individual ? regionalValuesOf(account.customer) : null;
    return renderPage(req, res, {
      view: 'portal/settings/index',
      layout: 'portal',
      status,
      fragment,
      locals: {
        title: res.locals.t?.('portal.settings.title'),
        values: shown,
        inherited,
        editable: atLeast(viewer.levels['settings.regional'], 'modify'),
        settingsTabs: settingsTabs(viewer.levels),
        languages: LANGUAGES,
        regional: regionalFieldModel({
          values: shown,
          inherited,
          owner: 'company',
          previewAction: '/settings/preview',
          describe: portalRegionalError,
        }),
        errors,
      },
    });
  };

  const renderPassword = (
    req: Request,
    res: Response,
    status: number,
    errors: FieldError[] = [],
    newPasswords: NewPasswordsShown | null = null,
  ) => {
    const { viewer } = signedIn(res);
    return renderPage(req, res, {
      view: 'portal/settings/password',
      layout: 'portal',
      status,
      locals: {
        title: res.locals.t?.('portal.password.title'),
        editable: atLeast(viewer.levels['settings.password'], 'modify'),
        settingsTabs: settingsTabs(viewer.levels),
        errors,
        newPasswords,
      },
    });
  };

  return [
    {
      method: 'get',
      path: '/',
      permission: can('dashboard', 'read'),
      handler: async (req, res) => {
        const { viewer, account } = signedIn(res);
        const showInvoices = atLeast(viewer.levels.invoices, 'read');
        const showCalls = atLeast(viewer.levels.xdrs, 'read');
        const { invoice: lastInvoice, calls: recentCalls } = await billing.latest(account.customer.id, {
          invoice: showInvoices,
          calls: showCalls ? 5 : 0,
        });
        await renderPage(req, res, {
          view: 'portal/dashboard/index',
          layout: 'portal',
          locals: {
            title: res.locals.t?.('portal.dashboard.title'),
            customer: account.customer,
            showInvoices,
            showCalls,
            lastInvoice,
            recentCalls,
            shortcuts: (res.locals.portalNav ?? []).filter((item) => item.component !== 'dashboard'),
          },
        });
      },
    },
    {
      method: 'get',
      path: '/profile',
      permission: can('profile', 'read'),
      handler: (req, res) => renderProfile(req, res, 200),
    },
    profilePost('company', companySchema),
    profilePost('contacts', contactsSchema),
    profilePost('address', addressSchema),
    profileSectionPage('contacts'),
    profileSectionPage('address'),
    {
      method: 'get',
      path: '/settings',
      permission: can('settings.regional', 'read'),
      handler: (req, res) => renderSettings(req, res, 200),
    },
    {
      method: 'post',
      path: '/settings',
      permission: can('settings.regional', 'modify'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const values = readRegionalInput((req.body ?? {}) as Record<string, unknown>);
        const errors = regionalFieldErrors(values, { allowInherit: account.individual !== null }).map(
          portalRegionalError,
        );
        if (errors.length > 0) return renderSettings(req, res, 422, values, errors);
        const stored = {} as Record<RegionalField, string | null>;
        for (const field of REGIONAL_FIELDS) stored[field] = values[field] === '' ? null : values[field];
        await service.updateRegional(account, stored, auditContext(req, res));
        const language = stored.language ?? account.customer.language;
        req.session.flash = { kind: 'info', message: deps.i18n.getFixedT(language)('portal.settings.saved') };
        seeOther(res, '/settings');
      },
    },
    {
      // The preview of the settings as typed, saving nothing: the htmx fragment, or the whole page
      // with every typed value kept (the "Update the preview" button without JavaScript).
      method: 'post',
      path: '/settings/preview',
      permission: can('settings.regional', 'modify'),
      handler: (req, res) =>
        renderSettings(
          req,
          res,
          200,
          readRegionalInput((req.body ?? {}) as Record<string, unknown>),
          [],
          'partials/_regional-preview',
        ),
    },
    {
      method: 'get',
      path: '/settings/password',
      permission: can('settings.password', 'read'),
      handler: (req, res) => renderPassword(req, res, 200),
    },
    {
      method: 'post',
      path: '/settings/password',
      permission: can('settings.password', 'modify'),
      handler: async (req, res) => {
        const { account } = signedIn(res);
        const shown = newPasswordsShown(req.body);
        if (shown) return renderPassword(req, res, 200, [], shown);
        const { typed, refused } = readPasswordForm(req.body, true);
        const errors = await service.passwordFormErrors(account, typed, refused);
        if (errors.length > 0) return renderPassword(req, res, 422, errors);
        let epoch: number;
        try {
          epoch = await service.changePassword(
            account,
            { current: typed.current, next: typed.next },
            auditContext(req, res),
          );
        } catch (err) {
          return renderPassword(req, res, 422, passwordErrors(err));
        }
        await keepSessionAfterPasswordChange(req, epoch);
        req.session.flash = { kind: 'info', message: res.locals.t?.('portal.password.changed') ?? '' };
        seeOther(res, '/settings/password');
      },
    },
  ];
}
