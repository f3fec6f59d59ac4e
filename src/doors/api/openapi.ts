import { z } from 'zod';
import type { ApiOperation } from '../../http/api-operation.ts';
import { errorResponse } from './schema.ts';

type JsonSchema = Record<string, unknown>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The body is not valid JSON (`invalid_input`)',
  401: 'Missing, expired or revoked session, or wrong credentials (`invalid_credentials`)',
  403: "The address is outside the customer's trusted networks (`ip_not_allowed`) or the role forbids this (`forbidden`)",
  404: 'No such record for this customer (`not_found`)',
  409: 'The record changed or is in use (`conflict`)',
  413: 'The body is larger than the limit (`invalid_input`)',
  415: 'The body is not UTF-8 (`invalid_input`)',
  422: 'A field is missing or has the wrong type or value; `fields` names each (`invalid_input`)',
  429: 'Too many failed attempts; see `Retry-After` (`rate_limited`)',
  500: 'Unexpected error (`internal_error`)',
  503: 'The database or session store is unavailable (`unavailable`)',
};

/** Errors any operation can answer: the store or database down, or a bug. */
const COMMON_ERRORS = [500, 503];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `/invoices/:id` → `/invoices/{id}` */
export function openApiPath(prefix: string, expressPath: string): string {
  return prefix + expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || (object.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}

/**
 * The OpenAPI 3.1 document of the API, generated from the very zod schemas the handlers validate
 * with: requests as their input shapes, responses as their output shapes.
 */
export function buildOpenApiDocument(
  operations: readonly ApiOperation[],
  opts: { prefix: string; serverUrl: string; version: string },
): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = openApiPath(opts.prefix, op.path);
    const responses: Record<string, unknown> = {
      [String(op.success.status)]: op.success.schema
        ? {
            description: op.success.description,
            content: { 'application/json': { schema: jsonSchema(op.success.schema, 'output') } },
          }
        : { description: op.success.description },
    };
    for (const status of [...new Set([...op.errors, ...COMMON_ERRORS])].sort((a, b) => a - b)) {
      responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
    }
    paths[path] = {
      ...paths[path],
      [op.method]: {
        operationId: `${op.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        summary: op.summary,
        tags: [op.tag],
        security: op.permission === 'public' ? [] : [{ bearerSession: [] }],
        ...(typeof op.permission === 'object'
          ? {
              description: `Needs at least ${op.permission.level === 'read' ? 'View only' : 'Full'} access to \`${op.permission.component}\`.`,
            }
          : {}),
        parameters: [...parametersOf(op.params, 'path'), ...parametersOf(op.query, 'query')],
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
              },
            }
          : {}),
        responses,
      },
    };
  }
  const errorResponses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(ERROR_DESCRIPTIONS)) {
    errorResponses[`Error${status}`] = {
      description,
      ...(status === '429'
        ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } }
        : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Selfcare customer API',
      version: opts.version,
      description:
        "Open a session with the customer's self-care login and an API token (`POST /api/v1/sessions`), then send `Authorization: Bearer <session_id>`. Every timestamp is ISO 8601 in UTC. Lists are cursor-paginated: pass `next_cursor` back as `cursor`.",
    },
    servers: [{ url: opts.serverUrl }],
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerSession: { type: 'http', scheme: 'bearer', description: 'The session_id from POST /api/v1/sessions' },
      },
      schemas: { Error: jsonSchema(errorResponse, 'output') },
      responses: errorResponses,
    },
  };
}
