import type { ParameterizedContext as Context } from 'koa';
import type { Static, TObject, TSchema } from 'typebox';
import { createExtensionPoint, type Logger } from '../../core/index.js';
import type { Principal } from './auth.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One documented answer of a route. `schema` is checked when server.validateResponses is on. */
export interface RouteResponse {
  readonly description: string;
  /** Of the body; omitted for an empty body. */
  readonly schema?: TSchema;
  /** Default `application/json` when a schema is given. */
  readonly contentType?: string;
  /** Response headers worth documenting, by name. */
  readonly headers?: Readonly<Record<string, { readonly description: string }>>;
}

/** The body a route accepts. */
export interface RouteBody<B extends TSchema = TSchema> {
  readonly schema: B;
  /** Default true: a request without a body is a 400. */
  readonly required?: boolean;
  /** Default `['application/json']`; `text/*` bodies arrive as strings, other types as a Buffer. */
  readonly contentTypes?: readonly string[];
  /** Default server.bodyLimitBytes. */
  readonly limitBytes?: number;
  readonly description?: string;
}

/** What a handler receives: validated inputs (defaults applied), the caller, and the raw Koa context. */
export interface RouteRequest<P = Record<string, never>, Q = Record<string, never>, B = undefined> {
  readonly params: P;
  readonly query: Q;
  /** The parsed body, or undefined when the route takes none or an optional body was not sent. */
  readonly body: B;
  readonly principal: Principal;
  /** Aborts when the client goes away before the response is complete. */
  readonly signal: AbortSignal;
  readonly requestId: string;
  readonly logger: Logger;
  /** For what the rest does not cover: headers, streaming, static files (set ctx.body and return nothing). */
  readonly ctx: Context;
}

/** What a handler returns; nothing means it answered through `ctx` itself. */
export interface RouteReply {
  /** Default 200. */
  readonly status?: number;
  /** A value is sent as JSON; a string or Buffer as is, with `contentType`. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A route: method, OpenAPI-style path (`/run/{id}`; `{*rest}` matches the rest of the path), TypeBox
 * schemas for every input, documented responses, and the handler. Every route, built in or contributed,
 * gets the same treatment: auth (unless `auth: 'public'`), validation, problem+json errors, OpenAPI.
 * A route without a `query` schema ignores the query string; one with a schema refuses unknown parameters.
 *
 * @example
 * ```ts
 * import { defineRoute, routes } from '../../adapters/http-koa/index.js';
 * const hello = defineRoute({
 *   method: 'GET', path: '/hello/{name}', summary: 'Greets', tags: ['demo'],
 *   params: Type.Object({ name: Type.String({ maxLength: 50 }) }),
 *   responses: { 200: { description: 'A greeting', schema: Type.Object({ text: Type.String() }) } },
 *   handle: ({ params }) => ({ body: { text: `Hello ${params.name}` } }),
 * });
 * definePlugin({ id: 'hello-route', version: '1.0.0', contributes: [contribution(routes, hello)] });
 * ```
 */
export interface RouteDefinition<P extends TObject = TObject, Q extends TObject = TObject, B extends TSchema = TSchema> {
  readonly method: HttpMethod;
  readonly path: string;
  /** Unique; default derived from method and path. */
  readonly operationId?: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** `required` (default): an API key when the server has keys; `public`: never (health, docs, console assets). */
  readonly auth?: 'required' | 'public';
  readonly params?: P;
  readonly query?: Q;
  readonly body?: RouteBody<B>;
  readonly responses: Readonly<Record<number, RouteResponse>>;
  /** Leaves the route out of /openapi.json and /docs (static assets). */
  readonly hidden?: boolean;
  handle(request: RouteRequest<Static<P>, Static<Q>, Static<B>>): RouteReply | void | Promise<RouteReply | void>;
}

/** A route of any shape, as the server holds it. */
export type AnyRoute = RouteDefinition<any, any, any>;

/** Declares a route; the identity function that types `handle` from the schemas. */
export function defineRoute<P extends TObject = TObject, Q extends TObject = TObject, B extends TSchema = TSchema>(
  route: RouteDefinition<P, Q, B>,
): RouteDefinition<P, Q, B> {
  return route;
}

/**
 * The server's routes extension point (`server.routes`): plugins contribute routes here (the dev console
 * serves `/`, observability `/metrics`, RAG `/collections`), and the server mounts them at start.
 */
export const routes = createExtensionPoint<AnyRoute>({ id: 'server.routes', description: 'HTTP routes served by the server plugin' });
