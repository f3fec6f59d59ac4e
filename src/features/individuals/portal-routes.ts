import type { Request, Response } from 'express';
import { atLeast } from '../../access/permissions.ts';
import type { Deps } from '../../deps.ts';
import { auditContext } from '../../http/actor.ts';
import { confirmed, renderConfirmation } from '../../http/confirm.ts';
import { notFoundError } from '../../http/errors.ts';
import { checkbox, type FieldError } from '../../http/form.ts';
import { renderPage, seeOther, wantsFragment } from '../../http/render.ts';
import type { RouteDef } from '../../http/route-table.ts';
import type { Viewer } from '../../http/types.ts';
import { formatInstant, parseDateTimeInput } from '../../regional/date-format.ts';
import type { PortalPermission } from '../../access/route-permissions.ts';
import { parseId, pathId } from '../../http/ids.ts';
import { formString } from '../../http/form.ts';
import {
  IndividualNotFoundError,
  IndividualOutOfReachError,
  LoginChecksThrottledError,
  LoginTakenError,
  RoleNotAllowedError,
  StaleIndividualError,
  validateIndividual,
  ValidationError,
  NO_REGIONAL_OVERRIDES,
  type Granter,
  type Individual,
  type IndividualFields,
  type IndividualsContext,
} from './service.ts';

const READ: PortalPermission = { component: 'individuals', level: 'read' };
const MODIFY: PortalPermission = { component: 'individuals', level: 'modify' };

interface PortalIndividualForm {
  login: string;
  name: string;
  email: string;
  password: string;
  password_change_required: boolean;
  role_id: string;
  activation_at: string;
  expiration_at: string;
}

const EMPTY_FORM: PortalIndividualForm = {
  login: '',
  name: '',
  email: '',
  password: '',
  password_change_required: true,
  role_id: '',
  activation_at: '',
  expiration_at: '',
};

function viewerOf(res: Response): Viewer {
  const viewer = res.locals.viewer;
  if (!viewer) throw new Error('the portal gate must run before this handler');
  return viewer;
}

function granterOf(viewer: Viewer): Granter {
  return { kind: viewer.kind, id: viewer.id, levels: viewer.levels };
}

function readForm(body: unknown): PortalIndividualForm {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (v: unknown, max: number) => formString(v).slice(0, max);
  return {
    login: text(b.login, 200).trim(),
    name: text(b.name, 400).trim(),
    email: text(b.email, 400).trim(),
    password: text(b.password, 1024),
    password_change_required: checkbox(b.password_change_required),
    role_id: text(b.role_id, 20).trim(),
    activation_at: text(b.activation_at, 100).trim(),
    expiration_at: text(b.expiration_at, 100).trim(),
  };
}

/** Service problems as translated portal field errors (`individuals.errors.<code>`); dates in the viewer's format. */
function portalErrors(errors: FieldError[], res: Response): FieldError[] {
  const show = (v: unknown) => (v instanceof Date ? (res.locals.fmt?.dateTime(v) ?? v.toISOString()) : v);
  return errors.map((e) => ({
    field: e.field,
    key: e.key,
    params: Object.fromEntries(Object.entries(e.params ?? {}).map(([k, v]) => [k, show(v)])),
  }));
}

/** The customer's individuals in the portal: the same rules as the admin panel, capped by the viewer's own levels. */
export function individualsPortalRoutes(deps: Deps): RouteDef<PortalPermission>[] {
  const service = deps.services.individuals;
  const ctxOf = (req: Request, res: Response): IndividualsContext => ({
    ...auditContext(req, res),
    granter: granterOf(viewerOf(res)),
  });

  /** "For example …" of the activation and expiration fields. */
  const dateExample = (res: Response) => res.locals.fmt?.inputExample(new Date()) ?? '';
  const toInput = (viewer: Viewer, date: Date) => {
    const opts = { timeZone: viewer.regional.timeZone, locale: viewer.regional.language };
    return `${formatInstant(date, viewer.regional.inDateFormat, opts)} ${formatInstant(date, viewer.regional.inTimeFormat, opts)}`;
  };

  const rowOf = (res: Response, individual: Individual) => {
    const fmt = res.locals.fmt;
    const show = (d: Date | null) => (d ? (fmt?.dateTime(d) ?? d.toISOString()) : '');
    return {
      ...individual,
      lastLogin: show(individual.lastLoginAt),
      activation: show(individual.activationAt),
      expiration: show(individual.expirationAt),
    };
  };

  const render = async (
    req: Request,
    res: Response,
    opts: { form?: PortalIndividualForm; errors?: FieldError[]; status?: number } = {},
  ) => {
    const viewer = viewerOf(res);
    const [individuals, roles, grantable] = await Promise.all([
      service.list(viewer.customerId),
      service.allowedRoles(viewer.customerId),
      service.grantableRoles(viewer.customerId, granterOf(viewer)),
    ]);
    const errors = opts.errors ?? [];
    // An individual with an expiration passes it on: offer it rather than a blank that is refused.
    const limit = opts.form ? null : (await service.granterLimits(viewer.customerId, granterOf(viewer)))?.expirationAt;
    const form = opts.form ?? (limit ? { ...EMPTY_FORM, expiration_at: toInput(viewer, limit) } : EMPTY_FORM);
    await renderPage(req, res, {
      view: 'portal/individuals/index',
      layout: 'portal',
      status: opts.status ?? (errors.length > 0 ? 422 : 200),
      locals: {
        title: res.locals.t?.('individuals.title') ?? 'Individuals',
        canModify: atLeast(viewer.levels.individuals, 'modify'),
        individuals: individuals.map((i) => rowOf(res, i)),
        roles,
        grantableIds: grantable.map((r) => r.id),
        grantable,
        form,
        errors,
        dateExample: dateExample(res),
        selfId: viewer.kind === 'individual' ? viewer.id : null,
      },
    });
  };

  const readFields = (
    res: Response,
    form: PortalIndividualForm,
  ): { fields: IndividualFields; errors: FieldError[] } => {
    const viewer = viewerOf(res);
    const errors: FieldError[] = [];
    const readDate = (field: 'activation_at' | 'expiration_at'): Date | null => {
      if (form[field] === '') return null;
      const date = parseDateTimeInput(form[field], {
        dateFormat: viewer.regional.inDateFormat,
        timeFormat: viewer.regional.inTimeFormat,
        timeZone: viewer.regional.timeZone,
        locale: viewer.regional.language,
      });
      if (!date)
        errors.push({
          field,
          key: `individuals.errors.date_${field}`,
          params: { example: dateExample(res) },
        });
      return date;
    };
    const fields: IndividualFields = {
      login: form.login,
      name: form.name,
      email: form.email,
      password: form.password,
      passwordChangeRequired: form.password_change_required,
      roleId: parseId(form.role_id) ?? 0,
      activationAt: readDate('activation_at'),
      expirationAt: readDate('expiration_at'),
      regional: NO_REGIONAL_OVERRIDES,
      ipRestriction: false,
      trustedIps: '',
    };
    return { fields, errors };
  };

  const domainErrors = (res: Response, err: unknown, field = 'role_id'): FieldError[] => {
    if (err instanceof ValidationError) return portalErrors(err.fields, res);
    if (err instanceof LoginTakenError) return [{ field: 'login', key: 'individuals.errors.login_taken' }];
    if (err instanceof LoginChecksThrottledError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      const minutes = Math.max(1, Math.ceil(err.retryAfterSeconds / 60));
      return [{ field: 'login', key: 'individuals.errors.login_checks_throttled', params: { minutes } }];
    }
    if (err instanceof RoleNotAllowedError)
      return [
        {
          field,
          key: err.reason === 'not_allowed' ? 'individuals.errors.role_not_allowed' : 'individuals.errors.role_exceeds',
        },
      ];
    throw err;
  };

  const loadOwn = async (res: Response, raw: unknown): Promise<Individual> => {
    try {
      return await service.get(viewerOf(res).customerId, pathId(raw));
    } catch (err) {
      if (err instanceof IndividualNotFoundError) throw notFoundError();
      throw err;
    }
  };

  /** The edit form of one individual as stored: dates in the viewer's input format. */
  const formOf = (viewer: Viewer, individual: Individual): PortalIndividualForm => ({
    login: individual.login,
    name: individual.name,
    email: individual.email,
    password: '',
    password_change_required: individual.passwordChangeRequired,
    role_id: String(individual.roleId),
    activation_at: individual.activationAt ? toInput(viewer, individual.activationAt) : '',
    expiration_at: individual.expirationAt ? toInput(viewer, individual.expirationAt) : '',
  });

  const renderEdit = async (
    req: Request,
    res: Response,
    individual: Individual,
    opts: { form?: PortalIndividualForm; errors?: FieldError[]; status?: number } = {},
  ) => {
    const viewer = viewerOf(res);
    const grantable = await service.grantableRoles(viewer.customerId, granterOf(viewer));
    const reachable = grantable.some((r) => r.id === individual.roleId);
    const errors = opts.errors ?? [];
    await renderPage(req, res, {
      view: 'portal/individuals/edit',
      layout: 'portal',
      status: opts.status ?? (errors.length > 0 ? 422 : 200),
      locals: {
        title: res.locals.t?.('individuals.editTitle', { login: individual.login }) ?? individual.login,
        individual: rowOf(res, individual),
        canEdit: atLeast(viewer.levels.individuals, 'modify') && reachable,
        roles: grantable,
        form: opts.form ?? formOf(viewer, individual),
        errors,
        dateExample: dateExample(res),
        selfId: viewer.kind === 'individual' ? viewer.id : null,
      },
    });
  };

  /** The full edit form (`form=edit`): every field of the page, the login and the rest kept. */
  const saveEdit = async (req: Request, res: Response, individual: Individual): Promise<void> => {
    const viewer = viewerOf(res);
    const form = { ...readForm(req.body), login: individual.login };
    const rawVersion = formString((req.body as Record<string, unknown>).version);
    const version = /^\d{1,9}$/.test(rawVersion) ? Number(rawVersion) : undefined;
    const { fields, errors: dateErrors } = readFields(res, form);
    const taken = new Set(dateErrors.map((e) => e.field));
    const limits = await service.granterLimits(viewer.customerId, granterOf(viewer));
    const problems = validateIndividual(fields, {
      passwordRequired: !individual.hasPassword,
      expirationLimit: limits?.expirationAt,
    });
    const errors = [...dateErrors, ...portalErrors(problems, res).filter((e) => !taken.has(e.field))];
    if (errors.length > 0) return renderEdit(req, res, individual, { form, errors });
    const { name, email, password, passwordChangeRequired, roleId, activationAt, expirationAt } = fields;
    let saved: Individual;
    try {
      saved = await service.update(
        viewer.customerId,
        individual.id,
        { name, email, password, passwordChangeRequired, roleId, activationAt, expirationAt, version },
        ctxOf(req, res),
      );
    } catch (err) {
      if (err instanceof IndividualOutOfReachError)
        return renderEdit(req, res, individual, {
          status: 403,
          errors: [{ field: 'form', key: 'individuals.errors.out_of_reach' }],
        });
      if (err instanceof StaleIndividualError) {
        const current = await loadOwn(res, String(individual.id));
        return renderEdit(req, res, current, {
          status: 409,
          errors: [{ field: 'form', key: 'individuals.errors.staleForm' }],
        });
      }
      return renderEdit(req, res, individual, { form, errors: domainErrors(res, err) });
    }
    req.session.flash = {
      kind: 'info',
      message: res.locals.t?.('individuals.savedFlash', { login: saved.login }) ?? 'Saved',
    };
    seeOther(res, `/individuals/${saved.id}`);
  };

  const askToDelete = (req: Request, res: Response, individual: { id: number; login: string }, status: number) => {
    const t = res.locals.t ?? ((key: string) => key);
    return renderConfirmation(
      req,
      res,
      'portal',
      {
        question: t('individuals.confirmQuestion', { login: individual.login }),
        action: `/individuals/${individual.id}/delete`,
        button: t('individuals.delete'),
        cancelHref: '/individuals',
        cancel: t('common.cancel'),
      },
      status,
    );
  };

  return [
    { method: 'get', path: '/individuals', permission: READ, handler: async (req, res) => render(req, res) },
    {
      method: 'get',
      path: '/individuals/:individualId',
      permission: READ,
      handler: async (req, res) => renderEdit(req, res, await loadOwn(res, req.params.individualId)),
    },
    {
      method: 'post',
      path: '/individuals',
      permission: MODIFY,
      handler: async (req, res) => {
        const viewer = viewerOf(res);
        const form = readForm(req.body);
        const { fields, errors: dateErrors } = readFields(res, form);
        const taken = new Set(dateErrors.map((e) => e.field));
        const limits = await service.granterLimits(viewer.customerId, granterOf(viewer));
        const problems = validateIndividual(fields, { passwordRequired: true, expirationLimit: limits?.expirationAt });
        const errors = [...dateErrors, ...portalErrors(problems, res).filter((e) => !taken.has(e.field))];
        if (errors.length > 0) {
          // A taken login is reported in the same round as the other problems.
          if (!errors.some((e) => e.field === 'login')) {
            try {
              const loginTaken = await service.loginTakenProblem(
                viewer.customerId,
                fields.login,
                null,
                ctxOf(req, res),
              );
              if (loginTaken) errors.unshift(...portalErrors([loginTaken], res));
            } catch (err) {
              errors.unshift(...domainErrors(res, err, 'login'));
            }
          }
          return render(req, res, { form, errors });
        }
        try {
          const created = await service.create(viewer.customerId, fields, ctxOf(req, res));
          req.session.flash = {
            kind: 'info',
            message: res.locals.t?.('individuals.created', { login: created.login }) ?? 'Created',
          };
        } catch (err) {
          return render(req, res, { form, errors: domainErrors(res, err) });
        }
        seeOther(res, '/individuals');
      },
    },
    {
      // The edit page's form (form=edit), or the inline role change of a row: with htmx the row comes back alone, without JS the list.
      method: 'post',
      path: '/individuals/:individualId',
      permission: MODIFY,
      handler: async (req, res) => {
        const viewer = viewerOf(res);
        const individual = await loadOwn(res, req.params.individualId);
        const body = req.body as Record<string, unknown>;
        if (formString(body.form) === 'edit') return saveEdit(req, res, individual);
        const roleId = parseId(formString(body.role_id)) ?? 0;
        const version = /^\d{1,9}$/.test(formString(body.version)) ? Number(formString(body.version)) : undefined;
        let rowError: FieldError | null = null;
        let status = 200;
        let current = individual;
        try {
          current = await service.update(viewer.customerId, individual.id, { roleId, version }, ctxOf(req, res));
        } catch (err) {
          if (err instanceof IndividualOutOfReachError) {
            rowError = { field: `role_id-${individual.id}`, key: 'individuals.errors.out_of_reach' };
            status = 403;
          } else if (err instanceof StaleIndividualError) {
            rowError = { field: `role_id-${individual.id}`, key: 'individuals.errors.stale' };
            status = 409;
          } else {
            rowError = { ...domainErrors(res, err, `role_id-${individual.id}`)[0]!, field: `role_id-${individual.id}` };
            status = 422;
          }
          current = await loadOwn(res, String(individual.id));
        }
        if (!wantsFragment(req)) {
          if (rowError) return render(req, res, { status, errors: [rowError] });
          req.session.flash = {
            kind: 'info',
            message:
              res.locals.t?.('individuals.roleChanged', { login: current.login, role: current.roleName }) ?? 'Saved',
          };
          return seeOther(res, '/individuals');
        }
        const [roles, grantable] = await Promise.all([
          service.allowedRoles(viewer.customerId),
          service.grantableRoles(viewer.customerId, granterOf(viewer)),
        ]);
        await renderPage(req, res, {
          view: 'portal/individuals/index',
          fragment: 'portal/individuals/_row',
          layout: 'portal',
          status,
          locals: {
            row: rowOf(res, current),
            roles,
            grantableIds: grantable.map((r) => r.id),
            canModify: true,
            errors: rowError ? [rowError] : [],
            rowSaved: rowError === null,
            selfId: viewer.kind === 'individual' ? viewer.id : null,
          },
        });
      },
    },
    {
      method: 'get',
      path: '/individuals/:individualId/delete',
      permission: MODIFY,
      handler: async (req, res) => askToDelete(req, res, await loadOwn(res, req.params.individualId), 200),
    },
    {
      method: 'post',
      path: '/individuals/:individualId/delete',
      permission: MODIFY,
      handler: async (req, res) => {
        const viewer = viewerOf(res);
        const individual = await loadOwn(res, req.params.individualId);
        if (!confirmed(req)) return askToDelete(req, res, individual, 422);
        try {
          await service.delete(viewer.customerId, individual.id, ctxOf(req, res));
        } catch (err) {
          if (err instanceof IndividualOutOfReachError)
            return render(req, res, {
              status: 403,
              errors: [{ field: `confirm-${individual.id}`, key: 'individuals.errors.out_of_reach' }],
            });
          throw err;
        }
        req.session.flash = {
          kind: 'info',
          message: res.locals.t?.('individuals.deleted', { login: individual.login }) ?? 'Deleted',
        };
        seeOther(res, '/individuals');
      },
    },
  ];
}
