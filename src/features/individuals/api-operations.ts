import type { Deps } from '../../deps.ts';
import { REGIONAL_FIELDS } from '../../regional/settings.ts';
import {
  IndividualNotFoundError,
  IndividualOutOfReachError,
  LoginChecksThrottledError,
  LoginTakenError,
  NO_REGIONAL_OVERRIDES,
  RoleNotAllowedError,
  StaleIndividualError,
  ValidationError,
  type Individual,
  type IndividualRegional,
  type IndividualsContext,
} from './service.ts';
import {
  ApiError,
  apiErrors,
  operation,
  type ApiCaller,
  type ApiOperation,
  type FieldProblem,
} from '../../http/api-operation.ts';
import { idParams, page, pageQuery } from '../../http/api-schema.ts';
import { individualCreateBody, individualPatchBody, individualRegional, individualResponse } from './schema.ts';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function individualJson(i: Individual) {
  return {
    id: i.id,
    login: i.login,
    name: i.name,
    email: i.email,
    role: { id: i.roleId, name: i.roleName },
    status: i.status,
    password_change_required: i.passwordChangeRequired,
    activation_at: iso(i.activationAt),
    expiration_at: iso(i.expirationAt),
    regional: {
      time_zone: i.timeZone,
      language: i.language,
      out_date_format: i.outDateFormat,
      out_time_format: i.outTimeFormat,
      in_date_format: i.inDateFormat,
      in_time_format: i.inTimeFormat,
    },
    ip_restriction: i.ipRestriction,
    trusted_ips: i.trustedIps,
    version: i.version,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    last_login_at: iso(i.lastLoginAt),
  };
}

/** Opaque position in the list ordered by (login, id). */
function encodeIndividualCursor(login: string, id: number): string {
  return Buffer.from(JSON.stringify([login.toLowerCase(), id]), 'utf8').toString('base64url');
}

function decodeIndividualCursor(cursor: string): { afterLogin: string; afterId: number } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && Number.isSafeInteger(value[1]))
      return { afterLogin: value[0], afterId: value[1] as number };
  } catch {
    // falls through to the error below
  }
  throw apiErrors.invalid([{ field: 'cursor', message: 'Not a cursor this API returned' }]);
}

const REGIONAL = new Set<string>(REGIONAL_FIELDS);

function regionalOf(
  input: Partial<Record<keyof typeof individualRegional.shape, string | null>> | undefined,
): Partial<IndividualRegional> | undefined {
  if (!input) return undefined;
  const r: Partial<IndividualRegional> = {};
  if (input.time_zone !== undefined) r.timeZone = input.time_zone;
  if (input.language !== undefined) r.language = input.language;
  if (input.out_date_format !== undefined) r.outDateFormat = input.out_date_format;
  if (input.out_time_format !== undefined) r.outTimeFormat = input.out_time_format;
  if (input.in_date_format !== undefined) r.inDateFormat = input.in_date_format;
  if (input.in_time_format !== undefined) r.inTimeFormat = input.in_time_format;
  return r;
}

const dateOf = (value: string | null | undefined): Date | null | undefined =>
  value === undefined ? undefined : value === null ? null : new Date(value);

/** The service's named errors as API errors; fields use the API's names. */
function mapIndividualError(err: unknown): never {
  if (err instanceof ValidationError) {
    throw apiErrors.invalid(
      err.fields.map((f): FieldProblem => ({
        field: REGIONAL.has(f.field) ? `regional.${f.field}` : f.field,
        message: f.text ?? f.key ?? 'Not valid',
      })),
    );
  }
  if (err instanceof LoginTakenError)
    throw new ApiError(409, 'conflict', 'This login is already in use.', [
      { field: 'login', message: 'This login is already in use' },
    ]);
  if (err instanceof LoginChecksThrottledError) throw apiErrors.rateLimited(err.retryAfterSeconds);
  if (err instanceof RoleNotAllowedError) throw apiErrors.invalid([{ field: 'role_id', message: err.message }]);
  if (err instanceof IndividualNotFoundError) throw apiErrors.notFound('No such individual.');
  if (err instanceof IndividualOutOfReachError)
    throw apiErrors.forbidden('This individual has more permissions than you.');
  if (err instanceof StaleIndividualError)
    throw apiErrors.conflict('The individual was changed by someone else; read it again and re-apply your change.');
  throw err;
}

function contextOf(caller: ApiCaller | undefined): IndividualsContext & { customerId: number } {
  if (!caller) throw apiErrors.invalidCredentials();
  return {
    actor: caller.actor,
    ip: caller.ip,
    customerId: caller.customerId,
    granter: { kind: 'customer', id: caller.customerId, levels: caller.levels },
  };
}

/** `/individuals`: the customer's staff, through the same service and rules as the portal and admin panel. */
export function individualsOperations(deps: Deps): ApiOperation[] {
  const individuals = deps.services.individuals;
  return [
    operation({
      method: 'get',
      path: '/individuals',
      tag: 'Individuals',
      summary: "The customer's individuals, by login",
      permission: { component: 'individuals', level: 'read' },
      query: pageQuery,
      success: { status: 200, description: 'A page of individuals', schema: page(individualResponse) },
      errors: [401, 403, 422],
      handle: async ({ query }, caller) => {
        const ctx = contextOf(caller);
        const after = query.cursor ? decodeIndividualCursor(query.cursor) : {};
        const rows = await individuals.list(ctx.customerId, { limit: query.limit + 1, ...after });
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        return {
          items: items.map(individualJson),
          next_cursor: rows.length > query.limit && last ? encodeIndividualCursor(last.login, last.id) : null,
        };
      },
    }),
    operation({
      method: 'post',
      path: '/individuals',
      tag: 'Individuals',
      summary: "Create an individual with one of the customer's allowed roles",
      permission: { component: 'individuals', level: 'modify' },
      body: individualCreateBody,
      success: { status: 201, description: 'The new individual', schema: individualResponse },
      errors: [400, 401, 403, 409, 413, 422],
      handle: async ({ body }, caller) => {
        const ctx = contextOf(caller);
        try {
          const created = await individuals.create(
            ctx.customerId,
            {
              login: body.login,
              password: body.password,
              roleId: body.role_id,
              name: body.name,
              email: body.email,
              passwordChangeRequired: body.password_change_required,
              activationAt: dateOf(body.activation_at),
              expirationAt: dateOf(body.expiration_at),
              regional: { ...NO_REGIONAL_OVERRIDES, ...regionalOf(body.regional) },
              ipRestriction: body.ip_restriction,
              trustedIps: body.trusted_ips,
            },
            ctx,
          );
          return individualJson(created);
        } catch (err) {
          mapIndividualError(err);
        }
      },
    }),
    operation({
      method: 'get',
      path: '/individuals/:id',
      tag: 'Individuals',
      summary: 'One individual',
      permission: { component: 'individuals', level: 'read' },
      params: idParams,
      success: { status: 200, description: 'The individual', schema: individualResponse },
      errors: [401, 403, 404],
      handle: async ({ params }, caller) => {
        try {
          return individualJson(await individuals.get(contextOf(caller).customerId, Number(params.id)));
        } catch (err) {
          mapIndividualError(err);
        }
      },
    }),
    operation({
      method: 'patch',
      path: '/individuals/:id',
      tag: 'Individuals',
      summary: 'Change an individual; send `version` to refuse a stale change',
      permission: { component: 'individuals', level: 'modify' },
      params: idParams,
      body: individualPatchBody,
      success: { status: 200, description: 'The individual after the change', schema: individualResponse },
      errors: [400, 401, 403, 404, 409, 413, 422],
      handle: async ({ params, body }, caller) => {
        const ctx = contextOf(caller);
        const patch = {
          ...(body.login !== undefined ? { login: body.login } : {}),
          ...(body.password !== undefined ? { password: body.password } : {}),
          ...(body.role_id !== undefined ? { roleId: body.role_id } : {}),
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.email !== undefined ? { email: body.email } : {}),
          ...(body.password_change_required !== undefined
            ? { passwordChangeRequired: body.password_change_required }
            : {}),
          ...(body.activation_at !== undefined ? { activationAt: dateOf(body.activation_at) ?? null } : {}),
          ...(body.expiration_at !== undefined ? { expirationAt: dateOf(body.expiration_at) ?? null } : {}),
          ...(body.ip_restriction !== undefined ? { ipRestriction: body.ip_restriction } : {}),
          ...(body.trusted_ips !== undefined ? { trustedIps: body.trusted_ips } : {}),
          ...(body.version !== undefined ? { version: body.version } : {}),
        };
        const regional = regionalOf(body.regional);
        try {
          const current = await individuals.get(ctx.customerId, Number(params.id));
          const merged = regional
            ? {
                ...patch,
                regional: {
                  timeZone: current.timeZone,
                  language: current.language,
                  outDateFormat: current.outDateFormat,
                  outTimeFormat: current.outTimeFormat,
                  inDateFormat: current.inDateFormat,
                  inTimeFormat: current.inTimeFormat,
                  ...regional,
                },
              }
            : patch;
          return individualJson(await individuals.update(ctx.customerId, Number(params.id), merged, ctx));
        } catch (err) {
          mapIndividualError(err);
        }
      },
    }),
    operation({
      method: 'delete',
      path: '/individuals/:id',
      tag: 'Individuals',
      summary: 'Delete an individual; its sessions end',
      permission: { component: 'individuals', level: 'modify' },
      params: idParams,
      success: { status: 204, description: 'Deleted' },
      errors: [401, 403, 404],
      handle: async ({ params }, caller) => {
        const ctx = contextOf(caller);
        try {
          await individuals.delete(ctx.customerId, Number(params.id), ctx);
        } catch (err) {
          mapIndividualError(err);
        }
      },
    }),
  ];
}
