import { randomUUID } from 'node:crypto';
import type { ParameterizedContext as Context } from 'koa';
import type { Logger } from '../../core/index.js';
import type { ApiKeyVerifier, Principal } from './auth.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const KEY = Symbol('agent-sdk.request');

const ANONYMOUS_PUBLIC: Principal = Object.freeze({ orgId: 'default', actor: 'anonymous', scopes: Object.freeze([]), authenticated: false });

/**
 * What the server keeps per request: its id (the client's X-Request-Id when well-formed), the caller once
 * known, an abort signal for a client that goes away, and a logger carrying the request id. The signal and
 * the logger are made on first use: most requests never need them.
 */
export class RequestState {
  readonly requestId: string;
  principal: Principal | undefined;
  /** Set by stream handlers: the request is a long-lived stream, ended by the server at shutdown. */
  streaming = false;
  readonly #ctx: Context;
  readonly #baseLogger: Logger;
  #controller: AbortController | undefined;
  #logger: Logger | undefined;

  constructor(ctx: Context, logger: Logger) {
    const given = ctx.get('x-request-id');
    this.requestId = REQUEST_ID.test(given) ? given : randomUUID();
    this.#ctx = ctx;
    this.#baseLogger = logger;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = new AbortController();
      this.#controller = controller;
      const res = this.#ctx.res;
      if (res.writableFinished || res.destroyed) controller.abort();
      else res.once('close', () => {
        if (!res.writableFinished) controller.abort(new Error('the client closed the connection'));
      });
    }
    return this.#controller.signal;
  }

  get logger(): Logger {
    this.#logger ??= this.#baseLogger.child({ requestId: this.requestId });
    return this.#logger;
  }

  /** On a public route: the caller when valid credentials came along, else anonymous (never an error). */
  principalIfAny(auth: ApiKeyVerifier): Principal {
    try {
      return auth.authenticateHeaders(this.#ctx.req.headers);
    } catch {
      return ANONYMOUS_PUBLIC;
    }
  }
}

export function attachRequestState(ctx: Context, logger: Logger): RequestState {
  const state = new RequestState(ctx, logger);
  (ctx.state as Record<symbol, unknown>)[KEY] = state;
  return state;
}

export function requestState(ctx: Context): RequestState {
  return (ctx.state as Record<symbol, RequestState>)[KEY];
}
