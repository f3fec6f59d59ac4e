import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import type { Request, RequestHandler, Response } from 'express';
import { generatePassword } from '../../access/passwords.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { checkbox, type FieldError } from '../../http/form.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import { saveSession } from '../../http/session.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import { readRegionalInput } from '../selfcare-access/schema.ts';
import type { RegionalValues } from '../../regional/settings.ts';
import { formString, parseAdminForm, passwordVisibilityAction } from '../../http/form.ts';
import { regionalFieldModel, trustedFieldModel, type PasswordFieldModel } from '../selfcare-access/schema.ts';
import { currentCustomer } from '../../http/loaded.ts';
import type { CustomerListForm, CustomerRecord, CustomerSort } from './schema.ts';
import { mergeForReapply, type CustomerPage, type Reader } from './service.ts';
import {
  CURRENCIES,
  customerBasicsSchema,
  customerEditSchema,
  customerSearchSchema,
  selfCareFormSchema,
} from './schema.ts';
import {
  CUSTOMER_COUNT_CAP,
  CUSTOMERS_PER_PAGE,
  CustomerInputError,
  NoDefaultRoleError,
  selfCareValuesOf,
  StaleVersionError,
  type SelfCareValues,
} from './service.ts';

declare module 'express-session' {
  interface SessionData {
    /** trusted-list notices of the last save, shown once on the panel after the redirect */
    selfCareNotices?: string[];
  }
}

interface PanelState {
  values: SelfCareValues;
  version: number | string;
  errors?: FieldError[];
  status?: number;
  generated?: boolean;
  showPassword?: boolean;
  testAddress?: string;
  showCheck?: boolean;
  conflict?: unknown;
  savedNotices?: string[];
  fragment?: string;
}

/** The panel's values as posted, without judging them (re-render after generate, check, preview). */
function postedValues(body: unknown): { values: SelfCareValues; version: string; raw: Record<string, unknown> } {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const regional: RegionalValues = readRegionalInput(raw);
  return {
    raw,
    version: formString(raw.version),
    values: {
      login: formString(raw.login).trim(),
      password: formString(raw.password),
      password_change_required: checkbox(raw.password_change_required),
      ip_restriction: checkbox(raw.ip_restriction),
      trusted_ips: formString(raw.trusted_ips),
      two_factor_required: checkbox(raw.two_factor_required),
      role_id: formString(raw.role_id).trim(),
      ...regional,
    },
  };
}

export function customerRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.customers;

  async function renderPanel(req: Request, res: Response, state: PanelState): Promise<void> {
    const summary = currentCustomer(res);
    const panel = await service.panel(summary.id);
    const base = `/admin/customers/${summary.id}/self-care`;
    const { customer } = panel;
    const v = state.values;
    const sessions = await deps.services.sessions.customerCounts(summary.id);
    await renderPage(req, res, {
      view: 'admin/customers/self-care',
      fragment: state.fragment,
      status: state.status ?? 200,
      locals: {
        title: `Web self-care – ${summary.name}`,
        nav: 'customers',
        tab: 'self-care',
        action: base,
        version: state.version,
        values: v,
        errors: state.errors ?? [],
        conflict: state.conflict ?? null,
        savedNotices: state.savedNotices ?? [],
        roles: panel.roles,
        activeTokens: panel.activeTokens,
        sessions,
        resetLink: { hasLogin: customer.selfcareLogin !== null, email: customer.email },
        twoFactor: await deps.services.twoFactor.status({ type: 'customer', id: summary.id }),
        impersonation: {
          available: customer.selfcareLogin !== null && customer.passwordHash !== null,
          assigned: customer.roleId !== panel.defaultRoleId,
        },
        password: {
          value: v.password,
          visible: state.showPassword === true || state.generated === true,
          generated: state.generated === true,
          hasCurrent: customer.passwordHash !== null,
          changeRequired: v.password_change_required,
          generateAction: `${base}/password`,
          saveButton: 'Save',
        } satisfies PasswordFieldModel,
        trusted: trustedFieldModel({
          enabled: v.ip_restriction,
          text: v.trusted_ips,
          checkAction: `${base}/trusted-ips/check`,
          testAddress: state.testAddress,
          showCheck: state.showCheck,
        }),
        regional: regionalFieldModel({ values: v, previewAction: `${base}/preview` }),
      },
    });
  }

  /**
   * The panel re-rendered from the posted form without saving (generate, check, preview): the
   * whole page without JS, only `fragment` for htmx.
   */
  function rerenderPosted(
    fragment: string,
    extra: (posted: ReturnType<typeof postedValues>) => Partial<PanelState>,
  ): RequestHandler {
    return async (req, res) => {
      const posted = postedValues(req.body);
      await renderPanel(req, res, {
        values: posted.values,
        version: posted.version,
        showPassword: checkbox(posted.raw.show_password),
        fragment,
        ...extra(posted),
      });
    };
  }

  async function renderGeneral(
    req: Request,
    res: Response,
    opts: {
      record: CustomerRecord;
      values?: Record<string, unknown>;
      version?: number;
      errors?: FieldError[];
      status?: number;
      conflict?: unknown;
    },
  ): Promise<void> {
    const r = opts.record;
    const [roleName, defaultRoleId] = await Promise.all([service.roleName(r.roleId), service.defaultRoleId()]);
    await renderPage(req, res, {
      view: 'admin/customers/show',
      status: opts.status ?? 200,
      locals: {
        title: r.name,
        nav: 'customers',
        record: r,
        roleName,
        impersonation: {
          available: r.selfcareLogin !== null && r.passwordHash !== null,
          assigned: r.roleId !== defaultRoleId,
        },
        currencies: CURRENCIES,
        version: opts.version ?? r.version,
        errors: opts.errors ?? [],
        conflict: opts.conflict ?? null,
        values: opts.values ?? basicsValuesOf(r),
      },
    });
  }

  return [
    {
      method: 'get',
      path: '/customers',
      permission: 'customers.read',
      handler: async (req, res) => {
        const form = parseAdminForm(customerSearchSchema, req.query);
        const query: CustomerListForm = form.ok
          ? form.values
          : { q: formString(req.query.q).slice(0, 100), sort: 'name', dir: 'asc', after: null, before: null, page: '' };
        const page = form.ok ? await service.list(query) : null;
        await renderPage(req, res, {
          view: 'admin/customers/index',
          fragment: 'admin/customers/_results',
          status: form.ok ? 200 : 422,
          locals: {
            title: 'Customers',
            nav: 'customers',
            q: query.q,
            sort: query.sort,
            dir: query.dir,
            items: page?.items ?? [],
            list: page && customerListLinks(query, page),
            countCap: CUSTOMER_COUNT_CAP,
            perPage: CUSTOMERS_PER_PAGE,
            errors: form.ok ? [] : form.errors,
          },
        });
      },
    },
    {
      method: 'get',
      path: '/customers/new',
      permission: 'customers.modify',
      handler: async (req, res) => {
        await renderPage(req, res, {
          view: 'admin/customers/new',
          locals: {
            title: 'New customer',
            nav: 'customers',
            values: { currency: 'USD' },
            errors: [],
            currencies: CURRENCIES,
          },
        });
      },
    },
    {
      method: 'post',
      path: '/customers',
      permission: 'customers.modify',
      handler: async (req, res) => {
        const form = parseAdminForm(customerBasicsSchema, req.body);
        const fail = (errors: FieldError[]) =>
          renderPage(req, res, {
            view: 'admin/customers/new',
            status: 422,
            locals: { title: 'New customer', nav: 'customers', values: req.body ?? {}, errors, currencies: CURRENCIES },
          });
        if (!form.ok) return fail(form.errors);
        try {
          const id = await service.create(form.values, auditContext(req, res));
          req.session.flash = {
            kind: 'info',
            message: `Customer “${form.values.name}” created with the default self-care role.`,
          };
          seeOther(res, `/admin/customers/${id}`);
        } catch (err) {
          if (err instanceof NoDefaultRoleError)
            return fail([
              { field: 'name', text: 'There is no default self-care role yet: create one under Roles first' },
            ]);
          throw err;
        }
      },
    },
    {
      method: 'get',
      path: '/customers/:id',
      permission: 'customers.read',
      loads: 'customer',
      handler: [
        async (req, res) => {
          await renderGeneral(req, res, { record: await service.get(currentCustomer(res).id) });
        },
      ],
    },
    {
      method: 'post',
      path: '/customers/:id',
      permission: 'customers.modify',
      loads: 'customer',
      handler: [
        async (req, res) => {
          const id = currentCustomer(res).id;
          const form = parseAdminForm(customerEditSchema, req.body);
          const posted = (req.body ?? {}) as Record<string, unknown>;
          if (!form.ok)
            return renderGeneral(req, res, {
              record: await service.get(id),
              values: posted,
              version: Number(formString(posted.version)) || 0,
              errors: form.errors,
              status: 422,
            });
          try {
            await service.updateBasics(id, form.values.version, form.values, auditContext(req, res));
          } catch (err) {
            if (!(err instanceof StaleVersionError)) throw err;
            const mine = basicsFormValues(posted);
            const merged = mergeForReapply(mine, basicsValuesOf(err.current), err.meanwhile, new Map(), readerOf(res));
            return renderGeneral(req, res, {
              record: err.current,
              values: merged.values,
              version: err.current.version,
              status: 409,
              conflict: merged.conflict,
            });
          }
          req.session.flash = { kind: 'info', message: 'Customer details saved.' };
          seeOther(res, `/admin/customers/${id}`);
        },
      ],
    },
    {
      method: 'get',
      path: '/customers/:id/self-care',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: [
        async (req, res) => {
          const record = await service.get(currentCustomer(res).id);
          const savedNotices = req.session.selfCareNotices ?? [];
          if (req.session.selfCareNotices) delete req.session.selfCareNotices;
          await renderPanel(req, res, { values: selfCareValuesOf(record), version: record.version, savedNotices });
        },
      ],
    },
    {
      method: 'post',
      path: '/customers/:id/self-care',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: [
        async (req, res) => {
          const id = currentCustomer(res).id;
          const posted = postedValues(req.body);
          const form = parseAdminForm(selfCareFormSchema, req.body);
          if (!form.ok)
            return renderPanel(req, res, {
              values: posted.values,
              version: posted.version,
              errors: form.errors,
              status: 422,
              showPassword: checkbox(posted.raw.show_password),
            });
          try {
            const { notices } = await service.saveSelfCare(
              id,
              form.values,
              readRegionalInput(posted.raw),
              auditContext(req, res),
            );
            req.session.flash = { kind: 'info', message: 'Web self-care settings saved.' };
            if (notices.length > 0) req.session.selfCareNotices = notices.map((n) => `Line ${n.line}: ${n.message}`);
            await saveSession(req);
            seeOther(res, `/admin/customers/${id}/self-care`);
          } catch (err) {
            if (err instanceof CustomerInputError) {
              return renderPanel(req, res, {
                values: posted.values,
                version: posted.version,
                errors: err.errors,
                status: 422,
                showPassword: checkbox(posted.raw.show_password),
                showCheck: err.errors.some((e) => e.field === 'trusted_ips'),
              });
            }
            if (err instanceof StaleVersionError) {
              const panel = await service.panel(id);
              const roles = new Map(panel.roles.map((r) => [String(r.id), r.name]));
              const merged = mergeForReapply(
                posted.values,
                selfCareValuesOf(err.current),
                err.meanwhile,
                roles,
                readerOf(res),
              );
              return renderPanel(req, res, {
                values: merged.values,
                version: err.current.version,
                status: 409,
                conflict: merged.conflict,
                showPassword: merged.values.password !== '',
              });
            }
            throw err;
          }
        },
      ],
    },
    {
      // E-mail never carries a password: the customer gets a 24-hour link to choose one.
      method: 'post',
      path: '/customers/:id/self-care/reset-link',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: [
        async (req, res) => {
          const id = currentCustomer(res).id;
          const sent = await deps.services.passwordReset.sendAdminLink(
            { customerId: id, individualId: null },
            auditContext(req, res),
          );
          if (!sent.ok) {
            const record = await service.get(id);
            return renderPanel(req, res, {
              values: selfCareValuesOf(record),
              version: record.version,
              status: 422,
              errors: [
                {
                  field: 'reset-link',
                  text:
                    sent.missing === 'login'
                      ? 'The customer has no self-care login yet: set a login and a password first.'
                      : 'The customer has no e-mail address: add one on the General tab, then send the link.',
                },
              ],
            });
          }
          req.session.flash = {
            kind: 'info',
            message: `A password-reset link was sent to ${sent.email}. It works once, for 24 hours.`,
          };
          seeOther(res, `/admin/customers/${id}/self-care`);
        },
      ],
    },
    {
      method: 'get',
      path: '/customers/:id/self-care/end-sessions',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: (req, res) => askToEndSessions(req, res, currentCustomer(res).id, 200),
    },
    {
      method: 'post',
      path: '/customers/:id/self-care/end-sessions',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: [
        async (req, res) => {
          const id = currentCustomer(res).id;
          if (!confirmed(req)) return askToEndSessions(req, res, id, 422);
          const ended = await deps.services.sessions.endAllOfCustomer(id, auditContext(req, res));
          const count = (n: number, what: string) => (n === 1 ? `1 ${what} session` : `${n} ${what} sessions`);
          req.session.flash = {
            kind: 'info',
            message: `Ended ${count(ended.portal, 'portal')} and ${count(ended.api, 'API')} of the customer.`,
          };
          seeOther(res, `/admin/customers/${id}/self-care`);
        },
      ],
    },
    {
      method: 'get',
      path: '/customers/:id/self-care/two-factor/reset',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: (req, res) => askToResetTwoFactor(req, res, currentCustomer(res).id, 200),
    },
    {
      method: 'post',
      path: '/customers/:id/self-care/two-factor/reset',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: async (req, res) => {
        const customer = currentCustomer(res);
        if (!confirmed(req)) return askToResetTwoFactor(req, res, customer.id, 422);
        const reset = await deps.services.twoFactor.remove(
          { type: 'customer', id: customer.id, customerId: customer.id },
          auditContext(req, res),
          'reset',
        );
        req.session.flash = {
          kind: 'info',
          message: reset
            ? 'The customer’s two-factor sign-in was reset: it signs in with its password and sets it up again if it is required.'
            : 'The customer had no two-factor sign-in.',
        };
        seeOther(res, `/admin/customers/${customer.id}/self-care`);
      },
    },
    {
      // Generate (or, without JS, show or hide) the password: re-renders the form, saves nothing.
      method: 'post',
      path: '/customers/:id/self-care/password',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: rerenderPosted('partials/_password-field', (posted) => {
        const visibility = passwordVisibilityAction(posted.raw);
        if (visibility) return { showPassword: visibility === 'show' };
        return { values: { ...posted.values, password: generatePassword() }, generated: true, showPassword: true };
      }),
    },
    {
      method: 'post',
      path: '/customers/:id/self-care/trusted-ips/check',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: rerenderPosted('partials/_trusted-networks-check', (posted) => ({
        testAddress: formString(posted.raw.test_address),
        showCheck: true,
      })),
    },
    {
      method: 'post',
      path: '/customers/:id/self-care/preview',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: rerenderPosted('partials/_regional-preview', () => ({})),
    },
  ];
}

function basicsValuesOf(r: CustomerRecord): Record<string, unknown> {
  return {
    name: r.name,
    email: r.email,
    currency: r.currency,
    credit_limit: r.creditLimit.toFixed(2),
    company_name: r.companyName,
    contact_name: r.contactName,
    phone: r.phone,
    address_line1: r.addressLine1,
    address_line2: r.addressLine2,
    city: r.city,
    postal_code: r.postalCode,
    country: r.country,
  };
}

function basicsFormValues(body: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(basicsValuesOf({ creditLimit: 0 } as CustomerRecord)))
    values[key] = formString(body[key]).trim();
  return values;
}

/** The admin's translator and language, for values shown in a conflict table. */
function readerOf(res: Response): Reader {
  return { t: res.locals.t ?? ((key: string) => key), lng: res.locals.lang ?? 'en' };
}

/** Newest and largest first are what one looks for in dates and balances. */
const FIRST_DIRECTION: Readonly<Record<CustomerSort, 'asc' | 'desc'>> = {
  name: 'asc',
  login: 'asc',
  created: 'desc',
  balance: 'desc',
};

/**
 * The customer list's links, plain URLs that work without JavaScript: each column's sort (the
 * current one flips its direction) and First / Previous / Next / Last, keeping the search.
 */
function customerListLinks(query: CustomerListForm, page: CustomerPage) {
  const href = (params: Record<string, string>) => {
    const search = new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...params });
    return `/admin/customers${search.size ? `?${search.toString()}` : ''}`;
  };
  const order = { sort: query.sort, dir: query.dir };
  const isDefault = query.sort === 'name' && query.dir === 'asc';
  const sorted = isDefault ? {} : order;
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  return {
    sortHref: (sort: CustomerSort) =>
      href({
        sort,
        dir: sort === query.sort ? (query.dir === 'asc' ? 'desc' : 'asc') : FIRST_DIRECTION[sort],
      }),
    first: page.hasPrevious ? href(sorted) : null,
    previous: page.hasPrevious && first ? href({ ...sorted, before: String(first.id) }) : null,
    next: page.hasNext && last ? href({ ...sorted, after: String(last.id) }) : null,
    last: page.hasNext ? href({ ...sorted, page: 'last' }) : null,
    page: page.page,
    pages: page.pages,
    total: page.total,
  };
}

/** Asks before every session of the customer's own login is ended. */
function askToEndSessions(req: Request, res: Response, customerId: number, status: number): Promise<void> {
  const base = `/admin/customers/${customerId}/self-care`;
  return renderConfirmation(
    req,
    res,
    'admin',
    {
      question: 'End every session of the customer’s own login?',
      detail:
        'Its browsers are signed out and its API sessions closed at once; the customer and its software must sign in again. Its individuals keep their sessions.',
      action: `${base}/end-sessions`,
      button: 'End all sessions',
      cancelHref: base,
      cancel: 'Cancel',
    },
    status,
  );
}

/** Asks before the customer's two-factor sign-in is reset. */
function askToResetTwoFactor(req: Request, res: Response, customerId: number, status: number): Promise<void> {
  const base = `/admin/customers/${customerId}/self-care`;
  return renderConfirmation(
    req,
    res,
    'admin',
    {
      question: 'Reset the customer’s two-factor sign-in?',
      detail: 'It then signs in with its password alone and sets two-factor sign-in up again if it is required.',
      action: `${base}/two-factor/reset`,
      button: 'Reset two-factor sign-in',
      cancelHref: base,
      cancel: 'Cancel',
    },
    status,
  );
}
