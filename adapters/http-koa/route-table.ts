import { Router } from '@koa/router';
import type { ParameterizedContext as Context, Next } from 'koa';
import { Type, type TObject } from 'typebox';
import { Compile } from 'typebox/compile';
import { sdkError } from '../../core/index.js';
import type { ApiKeyVerifier, Principal } from './auth.js';
import { readBody } from './body.js';
import type { AnyRoute, HttpMethod, RouteReply } from './route.js';
import { requestState } from './request-state.js';
import { InputValidator, inputProblem, validationError } from './validation.js';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const PATH = /^\/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]+|\{\*?[A-Za-z_][A-Za-z0-9_]*\}|\/)*$/;

/** A route with who contributed it, its compiled validators and its Koa path. */
export interface MountedRoute {
  readonly route: AnyRoute;
  readonly owner: string;
  readonly operationId: string;
  readonly koaPath: string;
  readonly params?: InputValidator<TObject>;
  readonly query?: InputValidator<TObject>;
  readonly body?: InputValidator;
  readonly responseCheckers: ReadonlyMap<number, ReturnType<typeof Compile>>;
}

export interface RouteTableOptions {
  readonly auth: ApiKeyVerifier;
  readonly bodyLimitBytes: number;
  readonly validateResponses: boolean;
}

/**
 * Every route the server serves, checked when the server starts: well-formed paths whose `{params}` all
 * have a schema, one handler per method and path (a conflict names both owners), unique operation ids.
 * `middleware()` mounts them on @koa/router with the same pipeline for all: auth, params, query, body,
 * handler, reply (and a response check when server.validateResponses is on).
 */
export class RouteTable {
  readonly mounted: readonly MountedRoute[];
  readonly #router = new Router({ strict: true });
  readonly #options: RouteTableOptions;

  constructor(entries: readonly { route: AnyRoute; owner: string }[], options: RouteTableOptions) {
    this.#options = options;
    const seen = new Map<string, string>();
    const operationIds = new Map<string, string>();
    const mounted: MountedRoute[] = [];
    for (const { route, owner } of entries) {
      const entry = mount(route, owner, options.validateResponses);
      const key = `${route.method} ${route.path.replace(/\{\*?[^}]+\}/g, '{}')}`;
      const first = seen.get(key);
      if (first !== undefined) throw sdkError('ASDK_SERVER_ROUTE_CONFLICT', { method: route.method, path: route.path, first, second: owner });
      seen.set(key, owner);
      const clash = operationIds.get(entry.operationId);
      if (clash !== undefined) throw invalid(route, owner, `operationId "${entry.operationId}" is also used by ${clash}`);
      operationIds.set(entry.operationId, owner);
      mounted.push(entry);
    }
    this.mounted = mounted;
    for (const entry of mounted) {
      this.#router.register(entry.koaPath, [entry.route.method], (ctx: Context) => this.#serve(entry, ctx), { name: entry.operationId });
    }
  }

  /** Koa middleware dispatching to the routes; leaves unmatched requests to the next middleware. */
  middleware(): (ctx: Context, next: Next) => Promise<void> {
    return this.#router.routes() as unknown as (ctx: Context, next: Next) => Promise<void>;
  }

  /** The methods some route serves at `path` (for 405 and OPTIONS). */
  allowedMethods(path: string): HttpMethod[] {
    const allowed = new Set<HttpMethod>();
    for (const method of METHODS) {
      if (this.#router.match(path, method).route) allowed.add(method);
    }
    if (allowed.has('GET')) allowed.add('HEAD' as HttpMethod);
    return [...allowed];
  }

  async #serve(entry: MountedRoute, ctx: Context): Promise<void> {
    const { route } = entry;
    const state = requestState(ctx);
    const principal: Principal =
      route.auth === 'public' ? state.principalIfAny(this.#options.auth) : this.#options.auth.authenticateHeaders(ctx.req.headers);
    state.principal = principal;
    // Path and query problems are reported together, before the body is read.
    const params = entry.params ? entry.params.tryParse(ctx.params ?? {}) : { value: {} };
    const query = entry.query ? entry.query.tryParse(queryObject(ctx)) : { value: {} };
    if ('problems' in params || 'problems' in query) {
      throw validationError([...('problems' in params ? params.problems : []), ...('problems' in query ? query.problems : [])]);
    }
    let body: unknown;
    if (route.body && entry.body) {
      const read = await readBody(
        ctx.req,
        { contentTypes: route.body.contentTypes ?? ['application/json'], limitBytes: route.body.limitBytes ?? this.#options.bodyLimitBytes },
        { method: ctx.method, path: ctx.path },
      );
      if (read.present) body = entry.body.parse(read.value);
      else if (route.body.required !== false) throw validationError([inputProblem('body', 'is required')]);
    }
    const reply = await route.handle({
      params: params.value,
      query: query.value,
      body,
      principal,
      requestId: state.requestId,
      ctx,
      // Made on first use: most handlers need neither.
      get signal() {
        return state.signal;
      },
      get logger() {
        return state.logger;
      },
    });
    if (reply) this.#send(entry, ctx, reply);
  }

  #send(entry: MountedRoute, ctx: Context, reply: RouteReply): void {
    const status = reply.status ?? 200;
    for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
    ctx.status = status;
    if (reply.body === undefined) {
      ctx.body = null;
      ctx.status = status;
      return;
    }
    if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) {
      ctx.type = reply.contentType ?? (typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
      ctx.body = reply.body;
      return;
    }
    const checker = entry.responseCheckers.get(status);
    if (this.#options.validateResponses && checker && !checker.Check(reply.body)) {
      const first = [...checker.Errors(reply.body)].slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
      throw sdkError('ASDK_SERVER_RESPONSE_INVALID', { method: ctx.method, path: ctx.path, status, reason: first.join('; ') });
    }
    if (this.#options.validateResponses && !(status in entry.route.responses)) {
      throw sdkError('ASDK_SERVER_RESPONSE_INVALID', { method: ctx.method, path: ctx.path, status, reason: `status ${status} is not among the documented responses` });
    }
    ctx.type = reply.contentType ?? 'application/json';
    ctx.body = JSON.stringify(reply.body);
  }
}

function mount(route: AnyRoute, owner: string, validateResponses: boolean): MountedRoute {
  if (!route || typeof route !== 'object') throw sdkError('ASDK_SERVER_ROUTE_INVALID', { method: '?', path: '?', plugin: owner, reason: 'the contribution is not a route object' });
  if (!METHODS.includes(route.method)) throw invalid(route, owner, `method must be one of ${METHODS.join(', ')}`);
  if (typeof route.path !== 'string' || !PATH.test(route.path) || (route.path.length > 1 && route.path.endsWith('/'))) {
    throw invalid(route, owner, 'the path must start with "/", have no trailing slash, and use {name} for parameters');
  }
  if (typeof route.handle !== 'function') throw invalid(route, owner, 'handle is not a function');
  if (typeof route.summary !== 'string' || !route.summary) throw invalid(route, owner, 'summary is missing (it is shown in /docs)');
  const names = [...route.path.matchAll(/\{\*?([^}]+)\}/g)].map((m) => m[1]);
  const declared = Object.keys((route.params as TObject | undefined)?.properties ?? {});
  const undeclared = names.filter((n) => !declared.includes(n));
  if (undeclared.length) throw invalid(route, owner, `path parameter(s) ${undeclared.join(', ')} have no schema in params`);
  const extra = declared.filter((n) => !names.includes(n));
  if (extra.length) throw invalid(route, owner, `params declares ${extra.join(', ')}, which the path does not have`);
  for (const part of ['params', 'query'] as const) {
    const schema = route[part] as { type?: unknown } | undefined;
    if (schema !== undefined && schema.type !== 'object') throw invalid(route, owner, `${part} must be a Type.Object schema`);
  }
  if (route.body && !route.body.schema) throw invalid(route, owner, 'body needs a schema');
  const responseCheckers = new Map<number, ReturnType<typeof Compile>>();
  if (validateResponses) {
    for (const [status, response] of Object.entries(route.responses ?? {})) {
      if (response.schema && (response.contentType ?? 'application/json') === 'application/json') responseCheckers.set(Number(status), Compile(response.schema));
    }
  }
  const koaPath = route.path.replace(/\{\*([^}]+)\}/g, '*$1').replace(/\{([^}]+)\}/g, ':$1');
  return {
    route,
    owner,
    operationId: route.operationId ?? defaultOperationId(route.method, route.path),
    koaPath,
    params: route.params ? new InputValidator(route.params as TObject, 'params') : undefined,
    query: route.query ? new InputValidator(route.query as TObject, 'query') : undefined,
    body: route.body ? new InputValidator(route.body.schema, 'body') : undefined,
    responseCheckers,
  };
}

/** `GET /run/{id}/events` → `getRunIdEvents`. */
function defaultOperationId(method: string, path: string): string {
  const words = path
    .replace(/[{}*]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1));
  return `${method.toLowerCase()}${words.join('') || 'Root'}`;
}

function invalid(route: AnyRoute, owner: string, reason: string) {
  return sdkError('ASDK_SERVER_ROUTE_INVALID', { method: String(route?.method), path: String(route?.path), plugin: owner, reason });
}

/** Koa's parsed query (repeated names become arrays), as a plain object. */
function queryObject(ctx: Context): Record<string, unknown> {
  return { ...ctx.query };
}

/** An empty, strict query schema: for routes that take no query parameters but refuse unknown ones. */
export const NoQuery = Type.Object({}, { additionalProperties: false });
