import express, { type Request, type Response, type Router } from 'express';
import { sendCsv } from '../../http/csv.ts';
import type { Deps } from '../../deps.ts';
import { decodeCursor } from '../../db/keyset.ts';
import { noStore } from '../../http/door.ts';
import { clientIp } from '../../http/client-ip.ts';
import type { Invoice, Payment, Xdr } from '../../features/billing/service.ts';
import { ApiTokenService } from '../../features/api-tokens/service.ts';
import { ApiAuth } from './auth.ts';
import { type ApiCaller } from '../../http/api-operation.ts';
import { apiErrorHandler, apiGate, apiJsonBody, mountOperations, unknownOperation } from './operations.ts';
import { apiErrors, operation, type ApiOperation } from '../../http/api-operation.ts';
import * as s from './schema.ts';
import { individualsOperations } from '../../features/individuals/api-operations.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { ProfileGroupForbiddenError, visibleGroups } from '../../features/accounts/service.ts';
import type { CustomerAccount } from '../../features/customers/schema.ts';

export const API_PREFIX = '/api/v1';

const iso = (d: Date): string => d.toISOString();

export const invoiceJson = (i: Invoice) => ({
  id: i.id,
  number: i.number,
  period_from: i.periodFrom,
  period_to: i.periodTo,
  issued_at: iso(i.issuedAt),
  due_at: i.dueOn,
  amount: i.amount,
  currency: i.currency,
  status: i.status,
});
const xdrJson = (x: Xdr) => ({
  id: x.id,
  connect_time: iso(x.connectTime),
  cli: x.cli,
  cld: x.cld,
  description: x.description,
  duration_seconds: x.durationSeconds,
  charged_amount: x.chargedAmount,
});
const paymentJson = (p: Payment) => ({
  id: p.id,
  paid_at: iso(p.paidAt),
  amount: p.amount,
  currency: p.currency,
  method: p.method,
  reference: p.reference,
});

function customerJson(account: CustomerAccount, caller: ApiCaller) {
  const groups = visibleGroups(caller.levels);
  return {
    id: account.id,
    name: account.name,
    company_name: account.companyName,
    currency: account.currency,
    status: account.status,
    balance: account.balance,
    credit_limit: account.creditLimit,
    updated_at: iso(account.updatedAt),
    ...(groups.contacts
      ? { contacts: { contact_name: account.contactName, email: account.email, phone: account.phone } }
      : {}),
    ...(groups.address
      ? {
          address: {
            address_line1: account.addressLine1,
            address_line2: account.addressLine2,
            city: account.city,
            postal_code: account.postalCode,
            country: account.country,
          },
        }
      : {}),
  };
}

export function regionalJson(account: CustomerAccount) {
  return {
    time_zone: account.timeZone,
    language: account.language,
    out_date_format: account.outDateFormat,
    out_time_format: account.outTimeFormat,
    in_date_format: account.inDateFormat,
    in_time_format: account.inTimeFormat,
  };
}

/** CSV when asked for by `format=csv` or an Accept header preferring text/csv (JSON otherwise). */
function wantsCsv(req: Request, query: { format?: 'json' | 'csv' | undefined }): boolean {
  if (query.format) return query.format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/** Every row as CSV, one column per field of its JSON form (ISO 8601 UTC, like the JSON). */
async function sendJsonRowsAsCsv<T, J extends Record<string, unknown>>(
  res: Response,
  filename: string,
  rows: AsyncIterable<T>,
  toJson: (row: T) => J,
  schema: { shape: Record<string, unknown> },
): Promise<void> {
  const fields = Object.keys(schema.shape);
  async function* json(): AsyncGenerator<J> {
    for await (const row of rows) yield toJson(row);
  }
  const cell = (value: unknown): string | number =>
    typeof value === 'number' ? value : value === null || value === undefined ? '' : String(value);
  await sendCsv(
    res,
    filename,
    fields.map((field) => ({ header: field, value: (row: J) => cell(row[field]) })),
    json(),
  );
}

const pageOf = (query: { limit: number; cursor?: string | undefined }) => ({
  limit: query.limit,
  after: query.cursor ? decodeCursor(query.cursor) : null,
});

/** A billing list's answer: the page the query asks for, or every row as CSV when CSV is asked for. */
async function pageOrCsv<T, J extends Record<string, unknown>>(
  req: Request,
  res: Response,
  query: { format?: 'json' | 'csv' | undefined },
  list: {
    page: () => Promise<{ items: T[]; nextCursor: string | null }>;
    all: () => AsyncIterable<T>;
    toJson: (row: T) => J;
    filename: string;
    schema: { shape: Record<string, unknown> };
  },
) {
  if (wantsCsv(req, query)) return sendJsonRowsAsCsv(res, list.filename, list.all(), list.toJson, list.schema);
  const page = await list.page();
  return { items: page.items.map(list.toJson), next_cursor: page.nextCursor };
}

function callerOf(caller: ApiCaller | undefined): ApiCaller {
  if (!caller) throw apiErrors.invalidCredentials();
  return caller;
}

/** The operations of `/api/v1`, in the order the OpenAPI document lists them. */
export function apiOperations(deps: Deps, tokens: ApiTokenService): ApiOperation[] {
  const billing = deps.services.billing;
  const profiles = deps.services.profiles;
  return [
    operation({
      method: 'post',
      path: '/sessions',
      tag: 'Sessions',
      summary: "Open an API session with the customer's login and an API token",
      permission: 'public',
      body: s.sessionCreateBody,
      success: { status: 201, description: 'The session is open', schema: s.sessionCreated },
      errors: [400, 401, 403, 413, 422, 429],
      handle: async ({ body }, _caller, req) => {
        const result = await tokens.signIn(body.login, body.token, clientIp(req));
        if (result.ok) return { session_id: result.sessionId, expires_at: iso(result.expiresAt) };
        if (result.reason === 'rate_limited') throw apiErrors.rateLimited(result.retryAfterSeconds);
        if (result.reason === 'ip_not_allowed') throw apiErrors.ipNotAllowed();
        throw apiErrors.invalidCredentials('The login or token is not valid.');
      },
    }),
    operation({
      method: 'delete',
      path: '/sessions/current',
      tag: 'Sessions',
      summary: 'End the session of this request',
      permission: 'session',
      success: { status: 204, description: 'The session has ended' },
      errors: [401, 403],
      handle: async (_input, caller) => {
        await tokens.sessions.close(callerOf(caller).sessionId);
        await deps.audit.record({
          actor: callerOf(caller).actor,
          ip: callerOf(caller).ip,
          action: 'api.session.end',
          entityType: 'api_token',
          entityId: callerOf(caller).tokenId,
          customerId: callerOf(caller).customerId,
        });
      },
    }),
    operation({
      method: 'get',
      path: '/me',
      tag: 'Account',
      summary: 'Who is calling: customer, role, effective permissions and regional settings',
      permission: 'session',
      success: { status: 200, description: 'The caller', schema: s.meResponse },
      errors: [401, 403],
      handle: async (_input, caller) => {
        const c = callerOf(caller);
        const account = c.account;
        return {
          kind: 'customer' as const,
          customer_id: account.id,
          login: account.selfcareLogin ?? '',
          name: account.name,
          role: { id: account.roleId, name: account.roleName },
          permissions: c.levels,
          regional: regionalJson(account),
          session: { expires_at: iso(new Date(c.session.absoluteExpiresAt)) },
        };
      },
    }),
    operation({
      method: 'get',
      path: '/customer',
      tag: 'Account',
      summary: "The customer's profile; contacts and address only when the role shows them",
      permission: { component: 'profile', level: 'read' },
      success: { status: 200, description: 'The profile', schema: s.customerResponse },
      errors: [401, 403],
      handle: async (_input, caller) => customerJson(callerOf(caller).account, callerOf(caller)),
    }),
    operation({
      method: 'patch',
      path: '/customer',
      tag: 'Account',
      summary: 'Change profile fields; each group needs Full access to its component',
      permission: { component: 'profile', level: 'read' },
      body: s.customerPatchBody,
      success: { status: 200, description: 'The profile after the change', schema: s.customerResponse },
      errors: [400, 401, 403, 413, 422],
      handle: async ({ body }, caller) => {
        const c = callerOf(caller);
        try {
          return customerJson(await profiles.update(c.customerId, c.levels, body, c), c);
        } catch (err) {
          if (err instanceof ProfileGroupForbiddenError)
            throw apiErrors.forbidden(`Your role does not allow changing ${err.group}.`);
          throw err;
        }
      },
    }),
    operation({
      method: 'get',
      path: '/invoices',
      tag: 'Billing',
      summary: 'Invoices, newest first',
      permission: { component: 'invoices', level: 'read' },
      query: s.listQuery,
      success: { status: 200, description: 'A page of invoices (or all of them as CSV)', schema: s.invoicePage },
      errors: [401, 403, 422],
      handle: async ({ query }, caller, req, res) =>
        pageOrCsv(req, res, query, {
          page: () => billing.invoices(callerOf(caller).customerId, pageOf(query)),
          all: () => billing.allInvoices(callerOf(caller).customerId),
          toJson: invoiceJson,
          filename: 'invoices.csv',
          schema: s.invoiceResponse,
        }),
    }),
    operation({
      method: 'get',
      path: '/invoices/:id',
      tag: 'Billing',
      summary: 'One invoice',
      permission: { component: 'invoices', level: 'read' },
      params: s.idParams,
      success: { status: 200, description: 'The invoice', schema: s.invoiceResponse },
      errors: [401, 403, 404],
      handle: async ({ params }, caller) => {
        const invoice = await billing.invoice(callerOf(caller).customerId, Number(params.id));
        if (!invoice) throw apiErrors.notFound('No such invoice.');
        return invoiceJson(invoice);
      },
    }),
    operation({
      method: 'get',
      path: '/xdrs',
      tag: 'Billing',
      summary: 'Call history (xDRs), newest first, optionally within [from, to)',
      permission: { component: 'xdrs', level: 'read' },
      query: s.xdrQuery,
      success: { status: 200, description: 'A page of calls (or all of them as CSV)', schema: s.xdrPage },
      errors: [401, 403, 422],
      handle: async ({ query }, caller, req, res) => {
        const from = query.from ? new Date(query.from) : null;
        const to = query.to ? new Date(query.to) : null;
        if (from && to && from.getTime() >= to.getTime())
          throw apiErrors.invalid([{ field: 'to', message: 'Must be later than from' }]);
        return pageOrCsv(req, res, query, {
          page: () => billing.xdrs(callerOf(caller).customerId, { from, to }, pageOf(query)),
          all: () => billing.allXdrs(callerOf(caller).customerId, { from, to }),
          toJson: xdrJson,
          filename: 'call-history.csv',
          schema: s.xdrResponse,
        });
      },
    }),
    operation({
      method: 'get',
      path: '/payments',
      tag: 'Billing',
      summary: 'Payments, newest first',
      permission: { component: 'payments', level: 'read' },
      query: s.listQuery,
      success: { status: 200, description: 'A page of payments (or all of them as CSV)', schema: s.paymentPage },
      errors: [401, 403, 422],
      handle: async ({ query }, caller, req, res) =>
        pageOrCsv(req, res, query, {
          page: () => billing.payments(callerOf(caller).customerId, pageOf(query)),
          all: () => billing.allPayments(callerOf(caller).customerId),
          toJson: paymentJson,
          filename: 'payments.csv',
          schema: s.paymentResponse,
        }),
    }),
  ];
}

/** Every operation of `/api/v1`, including the OpenAPI document that describes them all. */
export function allApiOperations(deps: Deps, tokens: ApiTokenService): ApiOperation[] {
  const operations: ApiOperation[] = [...apiOperations(deps, tokens), ...individualsOperations(deps)];
  let document: Record<string, unknown> | undefined;
  operations.push(
    operation({
      method: 'get',
      path: '/openapi.json',
      tag: 'Contract',
      summary: 'This OpenAPI 3.1 document',
      permission: 'public',
      success: { status: 200, description: 'The document', schema: s.openApiDocument },
      errors: [],
      handle: async () =>
        (document ??= buildOpenApiDocument(operations, {
          prefix: API_PREFIX,
          serverUrl: deps.config.publicUrl,
          version: '1',
        })),
    }),
  );
  return operations;
}

/** `/api/v1`: JSON in and out, sessions by Bearer header, errors as `{"error":{"code","message"}}`. */
export function apiRouter(deps: Deps): Router {
  const tokens = deps.services.apiTokens;
  const router = express.Router();
  router.use(noStore, apiJsonBody);
  const operations = allApiOperations(deps, tokens);
  mountOperations(router, operations, apiGate(new ApiAuth(deps, tokens)));
  router.use(unknownOperation(operations));
  router.use(apiErrorHandler);
  return router;
}
