import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import type { Request, Response } from 'express';
import { generatePassword } from '../../access/passwords.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { notFoundError } from '../../http/errors.ts';
import { formString, passwordVisibilityAction, type FieldError } from '../../http/form.ts';
import { renderPage, seeOther, wantsFragment } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import { currentCustomer } from '../../http/loaded.ts';
import { parseId, pathId } from '../../http/ids.ts';
import { inputExample } from '../../regional/date-format.ts';
import { LOGIN_TAKEN_MESSAGE } from '../selfcare-access/schema.ts';
import { regionalFieldModel, trustedFieldModel, type PasswordFieldModel } from '../selfcare-access/schema.ts';
import {
  adminFieldErrors,
  dateSettings,
  emptyIndividualForm,
  fieldsFromForm,
  formFromIndividual,
  mergeErrors,
  readIndividualForm,
  toOutputText,
  type IndividualForm,
} from './schema.ts';
import {
  IndividualNotFoundError,
  LoginTakenError,
  RoleNotAllowedError,
  StaleIndividualError,
  validateIndividual,
  ValidationError,
  type CustomerDefaults,
  type Individual,
  type IndividualsContext,
} from './service.ts';
import { CustomerNotFoundError } from '../customers/service.ts';

export const STATUS_LABELS = { active: 'Active', not_yet_active: 'Not yet active', expired: 'Expired' } as const;

type Helper = 'password' | 'trusted-check' | 'regional-preview';

const INCOMPLETE_FORM = 'The form is incomplete: reload the page and try again.';

/** How a render of the list or the edit page differs from its plain GET: a post's form, its errors, the answer. */
interface FormPageOptions {
  form?: IndividualForm;
  errors?: FieldError[];
  status?: number;
  generated?: boolean;
  showCheck?: boolean;
  fragment?: string;
}

export function individualsAdminRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.individuals;
  const base = (customerId: number) => `/admin/customers/${customerId}/individuals`;
  const ctxOf = (req: Request, res: Response): IndividualsContext => ({
    ...auditContext(req, res),
    granter: { kind: 'admin' },
  });

  const loadIndividual = async (customerId: number, raw: unknown): Promise<Individual> => {
    try {
      return await service.get(customerId, pathId(raw));
    } catch (err) {
      if (err instanceof IndividualNotFoundError) throw notFoundError();
      throw err;
    }
  };

  /** One row of the list, with what it needs to render alone (the inline role change answer). */
  const rowLocals = (individual: Individual, customer: CustomerDefaults) => {
    const s = dateSettings(customer, individual.timeZone);
    return {
      ...individual,
      statusLabel: STATUS_LABELS[individual.status],
      lastLogin: toOutputText(individual.lastLoginAt, s),
      activation: toOutputText(individual.activationAt, s),
      expiration: toOutputText(individual.expirationAt, s),
    };
  };

  /** The form's locals: the shared password, trusted-networks and regional partial models. */
  const formLocals = (
    customer: CustomerDefaults,
    form: IndividualForm,
    opts: { action: string; saveButton: string; hasCurrentPassword: boolean; generated?: boolean; showCheck?: boolean },
  ) => {
    const password: PasswordFieldModel = {
      value: form.password,
      visible: form.show_password || opts.generated === true,
      generated: opts.generated === true,
      hasCurrent: opts.hasCurrentPassword,
      changeRequired: form.password_change_required,
      generateAction: `${opts.action}/password`,
      saveButton: opts.saveButton,
    };
    const inherited = {
      time_zone: customer.timeZone,
      language: customer.language,
      out_date_format: customer.outDateFormat,
      out_time_format: customer.outTimeFormat,
      in_date_format: customer.inDateFormat,
      in_time_format: customer.inTimeFormat,
    };
    const s = dateSettings(customer, form.regional.time_zone || null);
    return {
      form,
      formAction: opts.action,
      password,
      trusted: trustedFieldModel({
        enabled: form.ip_restriction,
        text: form.trusted_ips,
        checkAction: `${opts.action}/trusted-check`,
        testAddress: form.test_address,
        showCheck: opts.showCheck ?? false,
      }),
      regional: regionalFieldModel({
        values: form.regional,
        inherited,
        previewAction: `${opts.action}/regional-preview`,
      }),
      dateHint: {
        example: inputExample(new Date(), {
          dateFormat: s.inDateFormat,
          timeFormat: s.inTimeFormat,
          timeZone: s.timeZone,
          locale: 'en',
        }),
        timeZone: s.timeZone,
      },
    };
  };

  /** The list page or the edit page with the individual form, as a GET shows it or as a post answers. */
  const renderWithForm = async (
    req: Request,
    res: Response,
    customer: CustomerDefaults,
    opts: FormPageOptions,
    page: {
      view: string;
      title: string;
      locals: Record<string, unknown>;
      form: IndividualForm;
      action: string;
      saveButton: string;
      hasCurrentPassword: boolean;
    },
  ) => {
    const errors = opts.errors ?? [];
    await renderPage(req, res, {
      view: page.view,
      fragment: opts.fragment,
      status: opts.status ?? (errors.length > 0 ? 422 : 200),
      locals: {
        title: page.title,
        nav: 'customers',
        customer: currentCustomer(res),
        tab: 'individuals',
        ...page.locals,
        errors,
        ...formLocals(customer, opts.form ?? page.form, {
          action: page.action,
          saveButton: page.saveButton,
          hasCurrentPassword: page.hasCurrentPassword,
          generated: opts.generated,
          showCheck: opts.showCheck,
        }),
      },
    });
  };

  const renderList = async (req: Request, res: Response, opts: FormPageOptions = {}) => {
    const customer = await service.customer(currentCustomer(res).id);
    const [individuals, roles] = await Promise.all([service.list(customer.id), service.allowedRoles(customer.id)]);
    await renderWithForm(req, res, customer, opts, {
      view: 'admin/individuals/index',
      title: `Individuals – ${customer.name}`,
      locals: { individuals: individuals.map((i) => rowLocals(i, customer)), roles },
      form: emptyIndividualForm(),
      action: base(customer.id),
      saveButton: 'Add individual',
      hasCurrentPassword: false,
    });
  };

  const renderEdit = async (req: Request, res: Response, individual: Individual, opts: FormPageOptions = {}) => {
    const customer = await service.customer(currentCustomer(res).id);
    const roles = await service.allowedRoles(customer.id);
    await renderWithForm(req, res, customer, opts, {
      view: 'admin/individuals/edit',
      title: `Individual ${individual.login} – ${customer.name}`,
      locals: {
        individual: rowLocals(individual, customer),
        portalSessions: await deps.services.sessions.individualCount(individual.id),
        roles,
        twoFactor: await deps.services.twoFactor.status({ type: 'individual', id: individual.id }),
      },
      form: formFromIndividual(individual, customer),
      action: `${base(customer.id)}/${individual.id}`,
      saveButton: 'Save',
      hasCurrentPassword: individual.hasPassword,
    });
  };

  /** Errors the service raises for a form, as field errors; anything else is rethrown. */
  const formErrorsOf = (err: unknown): FieldError[] => {
    if (err instanceof ValidationError) return adminFieldErrors(err.fields);
    if (err instanceof LoginTakenError) return [{ field: 'login', text: LOGIN_TAKEN_MESSAGE }];
    if (err instanceof RoleNotAllowedError)
      return [{ field: 'role_id', text: 'Choose one of the customer’s allowed roles' }];
    throw err;
  };

  /**
   * After a save: the credentials e-mail (never with the password) and, when asked, a 24-hour
   * link to choose a password. Returns what to add to the flash message.
   */
  const sendMailAfterSave = async (
    req: Request,
    res: Response,
    customerId: number,
    individual: Individual,
    form: IndividualForm,
  ): Promise<string> => {
    if (individual.email === '' || !(form.send_credentials || form.send_reset_link)) return '';
    const notes: string[] = [];
    if (form.send_credentials) {
      await service.sendCredentials(customerId, individual.id, ctxOf(req, res));
      notes.push(` The sign-in details were sent to ${individual.email}.`);
    }
    if (form.send_reset_link) {
      const sent = await deps.services.passwordReset.sendAdminLink(
        { customerId, individualId: individual.id },
        auditContext(req, res),
      );
      notes.push(
        sent.ok
          ? ` A link to choose a password (valid 24 hours) was sent to ${sent.email}.`
          : ' No link to choose a password was sent: the individual has no e-mail address.',
      );
    }
    return notes.join('');
  };

  /** Generate / show password, check the trusted list, preview the regional settings: no state change. */
  const helperHandler = (helper: Helper, page: 'list' | 'edit') => async (req: Request, res: Response) => {
    const customer = currentCustomer(res);
    const form = readIndividualForm(req.body);
    let generated = false;
    if (helper === 'password') {
      const visibility = passwordVisibilityAction(req.body);
      generated = visibility === null;
      if (generated) form.password = generatePassword();
      form.show_password = visibility !== 'hide';
    }
    const fragment = {
      password: 'partials/_password-field',
      'trusted-check': 'partials/_trusted-networks-check',
      'regional-preview': 'partials/_regional-preview',
    }[helper];
    const opts = { form, generated, showCheck: helper === 'trusted-check', fragment, status: 200, errors: [] };
    if (page === 'list') return renderList(req, res, opts);
    return renderEdit(req, res, await loadIndividual(customer.id, req.params.individualId), opts);
  };

  const helperRoutes = (page: 'list' | 'edit'): RouteDef<AdminPermission>[] =>
    (['password', 'trusted-check', 'regional-preview'] as const).map((helper) => ({
      method: 'post' as const,
      path:
        page === 'list' ? `/customers/:id/individuals/${helper}` : `/customers/:id/individuals/:individualId/${helper}`,
      permission: 'individuals.manage' as const,
      loads: 'customer',
      handler: helperHandler(helper, page),
    }));

  /** The form's problems plus a taken login, so that one round reports them all. */
  const withTakenLogin = async (
    req: Request,
    res: Response,
    errors: FieldError[],
    login: string,
    individualId: number | null,
  ): Promise<FieldError[]> => {
    if (errors.some((e) => e.field === 'login')) return errors;
    const taken = await service.loginTakenProblem(currentCustomer(res).id, login, individualId, ctxOf(req, res));
    return taken ? mergeErrors(errors, adminFieldErrors([taken])) : errors;
  };

  /** The posted form read and checked against the customer: its fields and every problem, in form order. */
  const checkedForm = async (
    req: Request,
    res: Response,
    customer: CustomerDefaults,
    opts: { passwordRequired: boolean; individualId: number | null },
  ) => {
    const form = readIndividualForm(req.body);
    const { fields, errors: dateErrors } = fieldsFromForm(form, customer);
    const errors = mergeErrors(
      dateErrors,
      adminFieldErrors(validateIndividual(fields, { passwordRequired: opts.passwordRequired })),
    );
    if (errors.length === 0) return { form, fields, errors };
    return { form, fields, errors: await withTakenLogin(req, res, errors, fields.login, opts.individualId) };
  };

  /** A route on one individual of the customer: an id of another customer's individual is 404. */
  const onIndividual = (
    method: 'get' | 'post',
    suffix: string,
    handle: (req: Request, res: Response, customerId: number, individual: Individual) => Promise<void>,
  ): RouteDef<AdminPermission> => ({
    method,
    path: `/customers/:id/individuals/:individualId${suffix}`,
    permission: 'individuals.manage',
    loads: 'customer',
    handler: [
      async (req, res) => {
        const customerId = currentCustomer(res).id;
        await handle(req, res, customerId, await loadIndividual(customerId, req.params.individualId));
      },
    ],
  });

  return [
    {
      method: 'get',
      path: '/customers/:id/individuals',
      permission: 'individuals.manage',
      loads: 'customer',
      handler: async (req, res) => renderList(req, res),
    },
    {
      method: 'post',
      path: '/customers/:id/individuals',
      permission: 'individuals.manage',
      loads: 'customer',
      handler: [
        async (req, res) => {
          const summary = currentCustomer(res);
          const customer = await service.customer(summary.id);
          const { form, fields, errors } = await checkedForm(req, res, customer, {
            passwordRequired: true,
            individualId: null,
          });
          if (errors.length > 0) return renderList(req, res, { form, errors });
          let created: Individual;
          try {
            created = await service.create(customer.id, fields, ctxOf(req, res));
          } catch (err) {
            return renderList(req, res, { form, errors: formErrorsOf(err) });
          }
          const mailNote = await sendMailAfterSave(req, res, customer.id, created, form);
          req.session.flash = { kind: 'info', message: `Individual ${created.login} created.${mailNote}` };
          seeOther(res, base(customer.id));
        },
      ],
    },
    ...helperRoutes('list'),
    onIndividual('get', '', (req, res, _customerId, individual) => renderEdit(req, res, individual)),
    {
      method: 'post',
      path: '/customers/:id/individuals/:individualId',
      permission: 'individuals.manage',
      loads: 'customer',
      handler: [
        async (req, res) => {
          const summary = currentCustomer(res);
          const customer = await service.customer(summary.id);
          const individual = await loadIndividual(customer.id, req.params.individualId);
          const body = req.body as Record<string, unknown>;
          // Both forms carry the version they were built from: without a well-formed one the
          // lost-update check cannot be made, so nothing is saved.
          const version = /^\d{1,9}$/.test(formString(body.version)) ? Number(formString(body.version)) : undefined;
          if (body.inline === 'role')
            return inlineRoleChange(req, res, customer, individual, String(body.role_id ?? ''), version);
          if (version === undefined)
            return renderEdit(req, res, individual, {
              status: 422,
              errors: [{ field: 'form', text: INCOMPLETE_FORM }],
            });
          const { form, fields, errors } = await checkedForm(req, res, customer, {
            passwordRequired: !individual.hasPassword,
            individualId: individual.id,
          });
          if (errors.length > 0) return renderEdit(req, res, individual, { form, errors });
          let updated: Individual;
          try {
            updated = await service.update(customer.id, individual.id, { ...fields, version }, ctxOf(req, res));
          } catch (err) {
            if (err instanceof StaleIndividualError) {
              return renderEdit(req, res, individual, {
                status: 409,
                errors: [
                  {
                    field: 'form',
                    text: 'Someone else changed this individual while you were editing. The form now shows the current values; make your change again.',
                  },
                ],
              });
            }
            return renderEdit(req, res, individual, { form, errors: formErrorsOf(err) });
          }
          const mailNote = await sendMailAfterSave(req, res, customer.id, updated, form);
          req.session.flash = {
            kind: 'info',
            message: `Individual ${updated.login} saved.${form.password !== '' ? ' The new password ends its open sessions.' : ''}${mailNote}`,
          };
          seeOther(res, `${base(customer.id)}/${individual.id}`);
        },
      ],
    },
    ...helperRoutes('edit'),
    onIndividual('post', '/send-credentials', async (req, res, customerId, individual) => {
      try {
        await service.sendCredentials(customerId, individual.id, ctxOf(req, res));
      } catch (err) {
        if (err instanceof ValidationError)
          return renderEdit(req, res, individual, {
            errors: [
              {
                field: 'email',
                text: 'This individual has no e-mail address: add one and save, then send the credentials.',
              },
            ],
          });
        throw err;
      }
      req.session.flash = {
        kind: 'info',
        message: `The sign-in details were sent to ${individual.email} (never with a password).`,
      };
      seeOther(res, `${base(customerId)}/${individual.id}`);
    }),
    onIndividual('post', '/reset-link', async (req, res, customerId, individual) => {
      const sent = await deps.services.passwordReset.sendAdminLink(
        { customerId, individualId: individual.id },
        auditContext(req, res),
      );
      if (!sent.ok) {
        return renderEdit(req, res, individual, {
          status: 422,
          errors: [
            {
              field: 'email',
              text: 'This individual has no e-mail address: add one and save, then send the password-reset link.',
            },
          ],
        });
      }
      req.session.flash = {
        kind: 'info',
        message: `A password-reset link was sent to ${sent.email}. It works once, for 24 hours.`,
      };
      seeOther(res, `${base(customerId)}/${individual.id}`);
    }),
    onIndividual('post', '/end-sessions', async (req, res, customerId, individual) => {
      const ended = await deps.services.sessions.endAllOfIndividual(customerId, individual.id, auditContext(req, res));
      req.session.flash = {
        kind: 'info',
        message: `${ended === 1 ? '1 portal session' : `${ended} portal sessions`} of ${individual.login} ended.`,
      };
      seeOther(res, `${base(customerId)}/${individual.id}`);
    }),
    {
      method: 'get',
      path: '/customers/:id/individuals/:individualId/two-factor/reset',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: async (req, res) => {
        const customerId = currentCustomer(res).id;
        await askToResetTwoFactor(req, res, customerId, await loadIndividual(customerId, req.params.individualId), 200);
      },
    },
    {
      method: 'post',
      path: '/customers/:id/individuals/:individualId/two-factor/reset',
      permission: 'selfcare.credentials',
      loads: 'customer',
      handler: async (req, res) => {
        const customerId = currentCustomer(res).id;
        const individual = await loadIndividual(customerId, req.params.individualId);
        if (!confirmed(req)) return askToResetTwoFactor(req, res, customerId, individual, 422);
        const reset = await deps.services.twoFactor.remove(
          { type: 'individual', id: individual.id, customerId },
          auditContext(req, res),
          'reset',
        );
        req.session.flash = {
          kind: 'info',
          message: reset
            ? `Two-factor sign-in of ${individual.login} was reset: it signs in with its password and sets it up again if it is required.`
            : `${individual.login} had no two-factor sign-in.`,
        };
        seeOther(res, `${base(customerId)}/${individual.id}`);
      },
    },
    onIndividual('get', '/delete', async (req, res, _customerId, individual) => {
      const customer = currentCustomer(res);
      await renderPage(req, res, {
        view: 'admin/individuals/delete',
        locals: { title: `Delete ${individual.login}`, nav: 'customers', customer, tab: 'individuals', individual },
      });
    }),
    onIndividual('post', '/delete', async (req, res, customerId, individual) => {
      try {
        await service.delete(customerId, individual.id, ctxOf(req, res));
      } catch (err) {
        if (err instanceof IndividualNotFoundError) throw notFoundError();
        throw err;
      }
      req.session.flash = { kind: 'info', message: `Individual ${individual.login} deleted; its sessions have ended.` };
      seeOther(res, base(customerId));
    }),
  ];

  /** The list's role select: with htmx the row comes back alone; without JS, back to the list. */
  async function inlineRoleChange(
    req: Request,
    res: Response,
    customer: CustomerDefaults,
    individual: Individual,
    rawRoleId: string,
    version: number | undefined,
  ): Promise<void> {
    const roleId = parseId(rawRoleId) ?? 0;
    let rowError: string | null = null;
    let status = 200;
    let current = individual;
    if (version === undefined) {
      // the row's form always carries the version: without it no lost-update check, no save
      rowError = INCOMPLETE_FORM;
      status = 422;
    } else {
      try {
        current = await service.update(customer.id, individual.id, { roleId, version }, ctxOf(req, res));
      } catch (err) {
        if (err instanceof StaleIndividualError) {
          rowError = 'Someone else changed this individual; this row now shows the current role.';
          status = 409;
        } else if (err instanceof RoleNotAllowedError || err instanceof ValidationError) {
          rowError = 'Choose one of the customer’s allowed roles.';
          status = 422;
        } else if (err instanceof CustomerNotFoundError || err instanceof IndividualNotFoundError) {
          throw notFoundError();
        } else {
          throw err;
        }
        current = await loadIndividual(customer.id, String(individual.id));
      }
    }
    if (!wantsFragment(req)) {
      if (rowError)
        return renderList(req, res, {
          status,
          errors: [{ field: `role_id-${individual.id}`, text: `${individual.login}: ${rowError}` }],
        });
      req.session.flash = { kind: 'info', message: `Role of ${current.login} changed to ${current.roleName}.` };
      return seeOther(res, base(customer.id));
    }
    const roles = await service.allowedRoles(customer.id);
    const summary = currentCustomer(res);
    await renderPage(req, res, {
      view: 'admin/individuals/index',
      fragment: 'admin/individuals/_row',
      status,
      locals: { customer: summary, row: rowLocals(current, customer), roles, rowError, rowSaved: rowError === null },
    });
  }
}

/** Asks before an individual's two-factor sign-in is reset. */
function askToResetTwoFactor(
  req: Request,
  res: Response,
  customerId: number,
  individual: { id: number; login: string },
  status: number,
): Promise<void> {
  const page = `/admin/customers/${customerId}/individuals/${individual.id}`;
  return renderConfirmation(
    req,
    res,
    'admin',
    {
      question: `Reset the two-factor sign-in of ${individual.login}?`,
      detail: `${individual.login} then signs in with its password alone, and sets two-factor sign-in up again if it is required.`,
      action: `${page}/two-factor/reset`,
      button: 'Reset two-factor sign-in',
      cancelHref: page,
      cancel: 'Cancel',
    },
    status,
  );
}
