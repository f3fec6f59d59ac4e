import { z } from 'zod';
import { COMMON_FAULTS, FAULTS, type FaultKey } from './rest-faults.ts';
import type { RestMethod } from './rest-schema.ts';
import { authInfo } from './rest-schema.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const SESSION_TEXT: Record<RestMethod['session'], string> = {
  none: 'No session: `auth_info` and a Bearer header sent along are ignored.',
  auth: 'The session goes in `auth_info.session_id`, `auth_info.access_token`, or `Authorization: Bearer <session_id or access_token>`.',
  'params-or-auth':
    'The session goes in `params.session_id` / `params.access_token`, else `auth_info`, else `Authorization: Bearer …`.',
};

function faultSchema(keys: readonly FaultKey[]): JsonSchema {
  return {
    type: 'object',
    required: ['faultcode', 'faultstring'],
    additionalProperties: false,
    properties: {
      faultcode: { type: 'string', enum: [...new Set(keys.map((k) => FAULTS[k].code))] },
      faultstring: { type: 'string' },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the `/rest` door, generated from the params and answer schemas its
 * methods validate with. Each method is `POST /rest/<Service>/<method>` with three encodings of the
 * same two fields.
 */
export function buildRestOpenApiDocument(methods: readonly RestMethod[], opts: { serverUrl: string }): JsonSchema {
  const paths: Record<string, unknown> = {};
  for (const m of methods) {
    const faults = [
      ...new Set([...m.faults, ...(m.paramsFault ? [m.paramsFault] : ['invalidParams' as const]), ...COMMON_FAULTS]),
    ];
    const params = jsonSchema(m.params, 'input');
    const fields: Record<string, JsonSchema> = { params };
    const formFields: Record<string, JsonSchema> = { params: { type: 'string', description: '`params` as JSON text' } };
    if (m.session !== 'none') {
      fields.auth_info = jsonSchema(authInfo, 'input');
      formFields.auth_info = { type: 'string', description: '`auth_info` as JSON text' };
    }
    const [service] = m.name.split('/');
    paths[`/rest/${m.name}`] = {
      post: {
        operationId: m.name.replace('/', '_'),
        summary: m.summary,
        description: `${SESSION_TEXT[m.session]} Faults: ${faults.map((k) => `\`${FAULTS[k].code}\``).join(', ')}.`,
        tags: [service],
        // `{}`: the session may also travel in the body (auth_info, or params for logout and ping).
        security: m.session === 'none' ? [] : [{ bearerSession: [] }, {}],
        requestBody: {
          required: false,
          content: {
            'application/json': { schema: { type: 'object', properties: fields } },
            'application/x-www-form-urlencoded': { schema: { type: 'object', properties: formFields } },
            'multipart/form-data': { schema: { type: 'object', properties: formFields } },
          },
        },
        responses: {
          '200': {
            description: 'Success',
            content: { 'application/json': { schema: jsonSchema(m.answer, 'output') } },
          },
          '405': {
            description: '`Client.MethodNotAllowed`: only POST',
            content: { 'application/json': { schema: faultSchema(['methodNotAllowed']) } },
          },
          '500': { description: 'A fault', content: { 'application/json': { schema: faultSchema(faults) } } },
        },
      },
    };
  }
  paths['/rest/openapi.json'] = {
    get: {
      operationId: 'restOpenApiDocument',
      summary: 'This OpenAPI 3.1 document',
      tags: ['Contract'],
      security: [],
      responses: {
        '200': { description: 'The document', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Selfcare compatibility API (/rest)',
      version: '1',
      description:
        'Integrations written for the reference billing system\'s JSON API: `POST /rest/<Service>/<method>` (a trailing slash is accepted). Sign in with the customer\'s self-care login and an API token (never the self-care password). Every failure is HTTP 500 `{"faultcode","faultstring"}`; any verb but POST is HTTP 405.',
    },
    servers: [{ url: opts.serverUrl }],
    paths,
    components: {
      securitySchemes: {
        bearerSession: {
          type: 'http',
          scheme: 'bearer',
          description: 'The `session_id` or the `access_token` (a JWT) of Session/login',
        },
      },
    },
  };
}
