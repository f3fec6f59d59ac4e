import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import type { Request, Response } from 'express';
import { generatePassword } from '../../access/passwords.ts';
import type { AdminPermission } from '../../access/route-permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { notFoundError } from '../../http/errors.ts';
import { checkbox, formString, parseAdminForm, passwordVisibilityAction, type FieldError } from '../../http/form.ts';
import { pathId } from '../../http/ids.ts';
import { renderPage, seeOther } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { PasswordFieldModel } from '../selfcare-access/schema.ts';
import { adminEditSchema, adminFormSchema, adminSearchSchema } from './schema.ts';
import { ADMINS_PER_PAGE, AdminFormError, StaleAdminError, type AdminRow } from './service.ts';

interface AdminFormValues {
  login: string;
  name: string;
  email: string;
  password: string;
  password_change_required: boolean;
  admin_role_id: string;
  status: string;
}

function valuesOf(a: AdminRow): AdminFormValues {
  return {
    login: a.login,
    name: a.name,
    email: a.email,
    password: '',
    password_change_required: a.passwordChangeRequired,
    admin_role_id: String(a.adminRoleId),
    status: a.status,
  };
}

function postedValues(body: unknown): AdminFormValues {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    login: formString(raw.login).trim(),
    name: formString(raw.name).trim(),
    email: formString(raw.email).trim(),
    password: formString(raw.password),
    password_change_required: checkbox(raw.password_change_required),
    admin_role_id: formString(raw.admin_role_id).trim(),
    status: formString(raw.status).trim() || 'active',
  };
}

interface FormState {
  record: AdminRow | null;
  values: AdminFormValues;
  version?: number | string;
  errors?: FieldError[];
  status?: number;
  generated?: boolean;
  showPassword?: boolean;
  conflict?: string | null;
  fragment?: string;
}

/** Administrators: the list, the new and edit forms, and resetting another admin's two-factor sign-in. */
export function adminDirectoryRoutes(deps: Deps): RouteDef<AdminPermission>[] {
  const service = deps.services.admins;

  const renderForm = async (req: Request, res: Response, state: FormState) => {
    const { record, values } = state;
    const base = record ? `/admin/admins/${record.id}` : '/admin/admins';
    await renderPage(req, res, {
      view: 'admin/admins/form',
      fragment: state.fragment,
      status: state.status ?? ((state.errors ?? []).length > 0 ? 422 : 200),
      locals: {
        title: record ? `Administrator ${record.login}` : 'New administrator',
        nav: 'admins',
        record,
        action: base,
        values,
        version: state.version ?? record?.version ?? 0,
        errors: state.errors ?? [],
        conflict: state.conflict ?? null,
        roles: await deps.services.adminRoles.list(),
        twoFactor: record ? await deps.services.twoFactor.status({ type: 'admin', id: record.id }) : null,
        password: {
          value: values.password,
          visible: state.showPassword === true || state.generated === true,
          generated: state.generated === true,
          hasCurrent: record !== null,
          changeRequired: values.password_change_required,
          generateAction: record ? `${base}/password` : '/admin/admins/new/password',
          saveButton: record ? 'Save' : 'Create administrator',
        } satisfies PasswordFieldModel,
      },
    });
  };

  /** The schema's refusals and, for the fields it let through, the service's, in one answer. */
  const allProblems = async (
    refused: FieldError[],
    values: AdminFormValues,
    opts: { id: number | null; passwordRequired: boolean },
  ): Promise<FieldError[]> => {
    const more = await service.formProblems({ login: values.login, password: values.password }, opts);
    return [...refused, ...more.filter((problem) => !refused.some((r) => r.field === problem.field))];
  };
  const load = async (raw: unknown): Promise<AdminRow> => {
    const admin = await service.find(pathId(raw));
    if (!admin) throw notFoundError();
    return admin;
  };

  /** "Generate password" (or, without JS, "show" / "hide"): the form again with the value filled in, nothing saved. */
  const generate = async (req: Request, res: Response, record: AdminRow | null) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const values = postedValues(raw);
    const visibility = passwordVisibilityAction(raw);
    const makeNew = visibility === null;
    await renderForm(req, res, {
      record,
      values: makeNew ? { ...values, password: generatePassword() } : values,
      version: formString(raw.version),
      generated: makeNew,
      showPassword: visibility !== 'hide',
      fragment: 'partials/_password-field',
    });
  };

  return [
    {
      method: 'get',
      path: '/admins',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const form = parseAdminForm(adminSearchSchema, req.query);
        const q = form.ok ? form.values.q : '';
        const after = form.ok && form.values.after !== '' ? form.values.after : null;
        const page = await service.search(q, after);
        const twoFactor = await deps.services.twoFactor.enabledAmong(
          'admin',
          page.items.map((a) => a.id),
        );
        await renderPage(req, res, {
          view: 'admin/admins/index',
          fragment: 'admin/admins/_results',
          status: form.ok ? 200 : 422,
          locals: {
            title: 'Administrators',
            nav: 'admins',
            q,
            after,
            items: page.items.map((a) => ({ ...a, twoFactor: twoFactor.has(a.id) })),
            nextAfter: page.nextAfter,
            perPage: ADMINS_PER_PAGE,
            errors: form.ok ? [] : form.errors,
          },
        });
      },
    },
    {
      method: 'get',
      path: '/admins/new',
      permission: 'admins.manage',
      handler: async (req, res) => {
        // No role chosen: an admin who forgets to choose must not grant the built-in role's every permission.
        await renderForm(req, res, { record: null, values: { ...postedValues({}), password_change_required: true } });
      },
    },
    {
      method: 'post',
      path: '/admins/new/password',
      permission: 'admins.manage',
      handler: (req, res) => generate(req, res, null),
    },
    {
      method: 'post',
      path: '/admins',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const values = postedValues(req.body);
        const showPassword = checkbox((req.body as Record<string, unknown>).show_password);
        const form = parseAdminForm(adminFormSchema, req.body);
        if (!form.ok) {
          const errors = await allProblems(form.errors, values, { id: null, passwordRequired: true });
          return renderForm(req, res, { record: null, values, errors, showPassword });
        }
        try {
          const id = await service.create(form.values, auditContext(req, res));
          req.session.flash = { kind: 'info', message: `Administrator ${form.values.login} created.` };
          seeOther(res, `/admin/admins/${id}`);
        } catch (err) {
          if (err instanceof AdminFormError)
            return renderForm(req, res, { record: null, values, errors: err.errors, showPassword });
          throw err;
        }
      },
    },
    {
      method: 'get',
      path: '/admins/:id',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const admin = await load(req.params.id);
        await renderForm(req, res, { record: admin, values: valuesOf(admin) });
      },
    },
    {
      method: 'post',
      path: '/admins/:id/password',
      permission: 'admins.manage',
      handler: async (req, res) => generate(req, res, await load(req.params.id)),
    },
    {
      method: 'post',
      path: '/admins/:id',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const admin = await load(req.params.id);
        const values = postedValues(req.body);
        const version = formString((req.body as Record<string, unknown>).version);
        const showPassword = checkbox((req.body as Record<string, unknown>).show_password);
        const form = parseAdminForm(adminEditSchema, req.body);
        if (!form.ok) {
          const errors = await allProblems(form.errors, values, { id: admin.id, passwordRequired: false });
          return renderForm(req, res, { record: admin, values, version, errors, showPassword });
        }
        let saved: AdminRow | null;
        try {
          saved = await service.update(admin.id, form.values, {
            ...auditContext(req, res),
            selfId: res.locals.admin?.id ?? 0,
          });
        } catch (err) {
          if (err instanceof AdminFormError)
            return renderForm(req, res, { record: admin, values, version, errors: err.errors, showPassword });
          if (err instanceof StaleAdminError)
            return renderForm(req, res, {
              record: err.current,
              values: { ...valuesOf(err.current), password: values.password },
              version: err.current.version,
              status: 409,
              showPassword: values.password !== '',
              conflict:
                'Someone else changed this administrator while you were editing. The form now shows the current values; make your change again.',
            });
          throw err;
        }
        if (!saved) throw notFoundError();
        // A new password typed for oneself ends one's other sessions, not this one.
        if (saved.id === req.session.admin?.id && saved.status === 'active')
          req.session.admin = { ...req.session.admin, epoch: saved.sessionEpoch };
        const ended = admin.status === 'active' && saved.status === 'disabled';
        req.session.flash = {
          kind: 'info',
          message: ended
            ? `Administrator ${saved.login} disabled; its sessions and the customer sessions it opened have ended.`
            : `Administrator ${saved.login} saved.`,
        };
        seeOther(res, `/admin/admins/${admin.id}`);
      },
    },
    {
      method: 'get',
      path: '/admins/:id/two-factor/reset',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const admin = await load(req.params.id);
        await askToResetTwoFactor(req, res, admin, 200);
      },
    },
    {
      method: 'post',
      path: '/admins/:id/two-factor/reset',
      permission: 'admins.manage',
      handler: async (req, res) => {
        const admin = await load(req.params.id);
        if (!confirmed(req)) return askToResetTwoFactor(req, res, admin, 422);
        const reset = await service.resetTwoFactor(admin.id, auditContext(req, res));
        req.session.flash = {
          kind: 'info',
          message: reset
            ? `Two-factor sign-in of ${admin.login} was reset. ${admin.login} sets it up again at the next sign-in if the role requires it.`
            : `${admin.login} had no two-factor sign-in.`,
        };
        seeOther(res, `/admin/admins/${admin.id}`);
      },
    },
  ];
}

/** Asks before an administrator's two-factor sign-in is reset. */
function askToResetTwoFactor(
  req: Request,
  res: Response,
  admin: { id: number; login: string },
  status: number,
): Promise<void> {
  return renderConfirmation(
    req,
    res,
    'admin',
    {
      question: `Reset the two-factor sign-in of ${admin.login}?`,
      detail: `${admin.login} then signs in with its password alone, and sets two-factor sign-in up again if its role requires it.`,
      action: `/admin/admins/${admin.id}/two-factor/reset`,
      button: 'Reset two-factor sign-in',
      cancelHref: `/admin/admins/${admin.id}`,
      cancel: 'Cancel',
    },
    status,
  );
}
