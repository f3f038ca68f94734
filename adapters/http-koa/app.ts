import Koa, { type ParameterizedContext as Context } from 'koa';
import { sdkError, type AgentSdkError, type Logger } from '../../core/index.js';
import type { ApiKeyVerifier } from './auth.js';
import type { InFlight } from './in-flight.js';
import { hostName, isLoopbackAddress, type OriginPolicy } from './origins.js';
import { asAgentSdkError, problemBody, PROBLEM_CONTENT_TYPE, requestOrigin } from './problem.js';
import { attachRequestState, requestState } from './request-state.js';
import type { RouteTable } from './route-table.js';
import type { RequestMetrics } from './server-metrics.js';

export interface KoaAppOptions {
  readonly table: RouteTable;
  readonly auth: ApiKeyVerifier;
  readonly origins: OriginPolicy;
  readonly inFlight: InFlight;
  readonly logger: Logger;
  readonly metrics?: RequestMetrics;
}

const CORS_REQUEST_HEADERS = 'Authorization, X-API-Key, Content-Type, Idempotency-Key, Last-Event-ID, X-Request-Id';
const CORS_EXPOSED_HEADERS = 'X-Request-Id, Location, Idempotent-Replayed, Retry-After, Allow';

/**
 * The Koa application: one outer middleware that gives each request its id and state, refuses what must
 * be refused before routing (shutting down, a foreign Host on an open server, a refused Origin), answers
 * OPTIONS and CORS, dispatches to the route table, and turns every error, and every unmatched path or
 * method, into `application/problem+json`. Nothing a client sends reaches Koa's default error handler.
 */
export function createKoaApp(options: KoaAppOptions): Koa {
  const { table, auth, origins, inFlight, logger, metrics } = options;
  const app = new Koa();
  // Our own listener replaces Koa's default stderr printer; errors here are write failures on dead sockets.
  app.on('error', (error: Error) => logger.debug('response write failed', { error }));
  const routes = table.middleware();

  app.use(async (ctx, next) => {
    const state = attachRequestState(ctx, logger);
    ctx.set('X-Request-Id', state.requestId);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    const leave = inFlight.enter();
    ctx.res.once('close', leave);
    const started = metrics ? performance.now() : 0;
    try {
      if (inFlight.draining) {
        ctx.set('Connection', 'close');
        throw sdkError('ASDK_SERVER_SHUTTING_DOWN');
      }
      checkHost(ctx, auth);
      const origin = ctx.get('origin');
      if (origin) {
        const verdict = origins.classify(origin, ctx.get('host'));
        if (verdict === 'refused') throw sdkError('ASDK_HTTP_ORIGIN_REFUSED', { origin: JSON.stringify(origin.slice(0, 200)) });
        if (verdict === 'allowed') {
          ctx.set('Access-Control-Allow-Origin', origin);
          ctx.set('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
          ctx.vary('Origin');
        }
      }
      if (ctx.method === 'OPTIONS') {
        answerOptions(ctx, table);
        return;
      }
      await routes(ctx, next);
      if ((ctx as { _matchedRoute?: unknown })._matchedRoute === undefined && ctx.respond !== false) {
        const allowed = table.allowedMethods(ctx.path);
        if (allowed.length) {
          ctx.set('Allow', allowed.join(', '));
          throw sdkError('ASDK_HTTP_METHOD_NOT_ALLOWED', { method: ctx.method, path: ctx.path, allowed: allowed.join(', ') });
        }
        throw sdkError('ASDK_HTTP_NOT_FOUND', { method: ctx.method, path: ctx.path });
      }
    } catch (error) {
      respondWithProblem(ctx, asAgentSdkError(error, { method: ctx.method, path: ctx.path }), logger);
    } finally {
      // A stream is ended by the server itself at shutdown; it does not hold the grace period.
      if (state.streaming) leave();
      if (metrics) {
        // The route's template, not the path: a bounded set of label values.
        const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
        metrics.requests.inc({ method: ctx.method, route, status: String(state.streaming ? 200 : ctx.status) });
        metrics.duration.observe((performance.now() - started) / 1000, { method: ctx.method, route });
      }
    }
  });
  return app;
}

/** Writes an error as problem+json, with the headers its status calls for. */
export function respondWithProblem(ctx: Context, error: AgentSdkError, logger: Logger): void {
  const state = requestState(ctx);
  if (error.status >= 500) {
    const log = error.code === 'ASDK_SERVER_INTERNAL' || error.code === 'ASDK_SERVER_RESPONSE_INVALID' ? 'error' : 'warn';
    logger[log]('request failed', { requestId: state?.requestId, method: ctx.method, path: ctx.path, code: error.code, error: error.cause ?? error });
  }
  if (ctx.headerSent || ctx.respond === false) {
    // Too late for a status: the stream's own code reports what it can; the connection is closed.
    if (!ctx.res.writableEnded) ctx.res.destroy();
    return;
  }
  const body = problemBody(error, { origin: requestOrigin(ctx), path: ctx.path, requestId: state?.requestId });
  if (body.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="agent-sdk"');
  if (body.status === 413) ctx.set('Connection', 'close');
  if ((body.status === 503 || body.status === 409) && !ctx.response.get('Retry-After')) ctx.set('Retry-After', '1');
  if (body.status !== 405) ctx.remove('Allow');
  ctx.status = body.status;
  ctx.type = PROBLEM_CONTENT_TYPE;
  ctx.body = JSON.stringify(body);
}

/** On an open server (no API key), only loopback host names are served: a defence against DNS rebinding. */
function checkHost(ctx: Context, auth: ApiKeyVerifier): void {
  if (auth.required) return;
  const host = ctx.get('host');
  if (!host) return;
  const name = hostName(host);
  if (!isLoopbackAddress(name)) throw sdkError('ASDK_HTTP_HOST_REFUSED', { host: JSON.stringify(host.slice(0, 200)) });
}

function answerOptions(ctx: Context, table: RouteTable): void {
  const allowed = table.allowedMethods(ctx.path);
  if (!allowed.length) throw sdkError('ASDK_HTTP_NOT_FOUND', { method: ctx.method, path: ctx.path });
  const methods = [...allowed, 'OPTIONS'].join(', ');
  ctx.set('Allow', methods);
  if (ctx.response.get('Access-Control-Allow-Origin') && ctx.get('access-control-request-method')) {
    ctx.set('Access-Control-Allow-Methods', methods);
    ctx.set('Access-Control-Allow-Headers', CORS_REQUEST_HEADERS);
    ctx.set('Access-Control-Max-Age', '600');
  }
  ctx.status = 204;
}

