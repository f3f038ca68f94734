import type { TSchema } from 'typebox';
import { EventEnvelopeSchema } from '../../core/index.js';
import { ProblemSchema, PROBLEM_CONTENT_TYPE } from './problem.js';
import type { MountedRoute } from './route-table.js';

type Json = Record<string, unknown>;

export interface OpenApiInfo {
  readonly version: string;
  readonly authRequired: boolean;
}

/** Error answers every route may give, by when they apply. */
const COMMON_PROBLEMS: Readonly<Record<number, string>> = {
  400: 'Invalid input (ASDK_HTTP_VALIDATION, ASDK_HTTP_MALFORMED_JSON, ...): see errors[]',
  401: 'Missing or invalid API key (ASDK_AUTH_REQUIRED, ASDK_AUTH_INVALID_KEY)',
  413: 'The body is too large (ASDK_HTTP_BODY_TOO_LARGE)',
  415: 'The body\'s Content-Type is not accepted (ASDK_HTTP_UNSUPPORTED_MEDIA_TYPE)',
};

/**
 * The OpenAPI 3.1 document of the routes, generated from the same TypeBox schemas the server validates
 * with (TypeBox schemas are JSON Schema 2020-12, OpenAPI 3.1's dialect). Schemas with an `$id` become
 * components referenced by `$ref`; every route documents its problem+json answers.
 */
export function openApiDocument(routes: readonly MountedRoute[], info: OpenApiInfo): Json {
  const components = new Components();
  components.add(ProblemSchema);
  components.add(EventEnvelopeSchema);
  const paths: Record<string, Json> = {};
  for (const mounted of routes) {
    const { route } = mounted;
    if (route.hidden) continue;
    const operation: Json = {
      operationId: mounted.operationId,
      summary: route.summary,
      ...(route.description && { description: route.description }),
      tags: [...(route.tags ?? ['other'])],
    };
    const parameters = [
      ...parametersOf(route.params as TSchema | undefined, 'path', components),
      ...parametersOf(route.query as TSchema | undefined, 'query', components),
    ];
    if (route.method === 'POST' && route.path === '/run') {
      parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, description: '1 to 255 visible ASCII characters; see the operation', schema: { type: 'string', maxLength: 255 } });
    }
    if (route.path.endsWith('/events') && route.method === 'GET') {
      parameters.push({ name: 'Last-Event-ID', in: 'header', required: false, description: 'The seq of the last event received (EventSource sends it on reconnect); wins over `after`', schema: { type: 'string', pattern: '^\\d{1,16}$' } });
    }
    if (parameters.length) operation.parameters = parameters;
    if (route.body) {
      const content: Json = {};
      for (const type of route.body.contentTypes ?? ['application/json']) content[type] = { schema: components.inline(route.body.schema) };
      operation.requestBody = { required: route.body.required !== false, ...(route.body.description && { description: route.body.description }), content };
    }
    const responses: Json = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.headers && { headers: Object.fromEntries(Object.entries(response.headers).map(([name, h]) => [name, { description: h.description, schema: { type: 'string' } }])) }),
        ...(response.schema && {
          content: {
            [response.contentType ?? 'application/json']: {
              schema: components.inline(response.schema),
              ...(response.contentType === 'text/event-stream' && { 'x-sse-data': { $ref: '#/components/schemas/EventEnvelopeV1' } }),
            },
          },
        }),
      };
    }
    const problemRef = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } };
    const applies: number[] = [];
    if (route.params || route.query || route.body) applies.push(400);
    if (route.auth !== 'public') applies.push(401);
    if (route.body) applies.push(413, 415);
    for (const status of applies) responses[String(status)] ??= { description: COMMON_PROBLEMS[status], content: problemRef };
    responses.default = { description: 'Any other problem (docs/errors.md lists every code)', content: problemRef };
    operation.responses = responses;
    if (route.auth === 'public') operation.security = [];
    const path = route.path.replace(/\{\*([^}]+)\}/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'agent-sdk',
      version: info.version,
      description:
        'The agent-sdk server: start runs, follow their events (SSE, or the WebSocket gateway at /ws), browse sessions. ' +
        'Errors are application/problem+json with a stable `code`, `errors[]` and a `hint`. ' +
        (info.authRequired ? 'This server requires an API key.' : 'This server runs open (no API key), on a loopback address.'),
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'runs', description: 'Start, follow and cancel runs' },
      { name: 'sessions', description: 'Conversations and their runs' },
      { name: 'catalog', description: 'What runs can use' },
      { name: 'meta', description: 'Health and this document' },
    ],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    'x-auth-required': info.authRequired,
  };
}

function parametersOf(schema: TSchema | undefined, location: 'path' | 'query', components: Components): Json[] {
  const s = schema as { properties?: Record<string, TSchema>; required?: string[] } | undefined;
  if (!s?.properties) return [];
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties).map(([name, property]) => {
    const { description, ...rest } = components.inline(property) as Json & { description?: string };
    return { name, in: location, required: location === 'path' || required.has(name), ...(description && { description }), schema: rest };
  });
}

/** Collects `$id` schemas as named components and replaces them by `$ref`s. */
class Components {
  readonly schemas: Record<string, Json> = {};

  add(schema: TSchema): void {
    this.inline(schema);
  }

  /** A JSON copy of `schema` with every `$id` sub-schema hoisted into components. */
  inline(schema: TSchema): Json {
    return this.#walk(JSON.parse(JSON.stringify(schema)) as Json);
  }

  #walk(node: unknown): any {
    if (Array.isArray(node)) return node.map((n) => this.#walk(n));
    if (!node || typeof node !== 'object') return node;
    const obj = node as Json;
    const out: Json = {};
    for (const [key, value] of Object.entries(obj)) if (key !== '$id') out[key] = this.#walk(value);
    const id = obj.$id;
    if (typeof id === 'string') {
      this.schemas[id] ??= out;
      return { $ref: `#/components/schemas/${id}` };
    }
    return out;
  }
}
