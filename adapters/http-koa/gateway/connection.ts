import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { Compile } from 'typebox/compile';
import { cutAtCodePoint, didYouMean, sdkError, type AgentSdkError, type Logger } from '../../../core/index.js';
import type { ApiKeyVerifier, Principal } from '../auth.js';
import { asAgentSdkError } from '../problem.js';
import { cancelRun, getRun, startRun, streamStart } from '../run-operations.js';
import type { StartRunBody } from '../schemas.js';
import { scopeOf, type ServerServices } from '../services.js';
import type { SendResult } from '../streams/run-feed.js';
import { errorBody, GatewaySubscription } from './subscription.js';
import { InputValidator } from '../validation.js';
import { CLOSE, GATEWAY_METHODS, GATEWAY_PROTOCOL, HelloFrame, methodParams, PingFrame, RequestFrame, type GatewayMethod } from './protocol.js';

export interface ConnectionOptions {
  readonly services: ServerServices;
  readonly auth: ApiKeyVerifier;
  readonly version: string;
  readonly maxBufferedBytes: number;
  readonly maxSubscriptions: number;
  readonly maxFrameBytes: number;
  readonly stallTimeoutMs: number;
  readonly helloTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly logger: Logger;
}

/** Beyond 8 × maxBufferedBytes + this, even control frames stop: the client reads nothing at all. */
const CONTROL_SLACK_BYTES = 8 * 1024 * 1024;
/** How often a stalled connection's buffer is looked at (ws has no drain event). */
const ROOM_POLL_MS = 10;
/** Requests a connection may have in progress at once; more are answered with an error at once. */
const MAX_PENDING_REQUESTS = 64;

const checkHello = Compile(HelloFrame);
const checkRequest = Compile(RequestFrame);
const checkPing = Compile(PingFrame);
const paramValidators = Object.fromEntries(
  Object.entries(methodParams).map(([method, schema]) => [method, new InputValidator(schema, 'frame', { convert: false })]),
) as { [M in GatewayMethod]: InputValidator<(typeof methodParams)[M]> };

/**
 * One gateway connection (protocol v1, docs/gateway.md): `hello` first (protocol version, credentials) →
 * `welcome`; then `req` → `res` by id, `event` frames for its subscriptions, `end` when one ends, and
 * `ping` → `pong`. Everything it sends goes through one bounded buffer: past `maxBufferedBytes` unsent, the
 * client is too slow and is disconnected (each subscription's `end` says where to resume).
 */
export class GatewayConnection {
  readonly id = randomUUID();
  readonly #ws: WebSocket;
  readonly #options: ConnectionOptions;
  #principal: Principal | undefined;
  #welcomed = false;
  #closed = false;
  /** Answered a ping since the last one the server sent. */
  alive = true;
  readonly #subscriptions = new Map<string, GatewaySubscription>();
  #nextSub = 1;
  #pending = 0;
  #roomWait: Promise<boolean> | undefined;
  readonly #helloTimer: NodeJS.Timeout;
  readonly #onClosed: (connection: GatewayConnection) => void;

  constructor(ws: WebSocket, principal: Principal | undefined, options: ConnectionOptions, onClosed: (connection: GatewayConnection) => void) {
    this.#ws = ws;
    this.#principal = principal;
    this.#options = options;
    this.#onClosed = onClosed;
    this.#helloTimer = setTimeout(() => {
      if (!this.#welcomed) this.fail(sdkError('ASDK_WS_HELLO_TIMEOUT', { timeoutMs: options.helloTimeoutMs }), CLOSE.helloTimeout);
    }, options.helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.#closedByPeer());
    ws.on('error', (error) => options.logger.debug('gateway connection error', { connection: this.id, error }));
  }

  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /**
   * Sends a control frame (welcome, res, end, pong, error): always, they are small. A client that lets even
   * those pile up far past the bound (it sends requests but never reads) is dropped.
   */
  send(frame: Record<string, unknown>): boolean {
    if (this.#closed) return false;
    if (this.#ws.bufferedAmount > this.#options.maxBufferedBytes * 8 + CONTROL_SLACK_BYTES) {
      this.terminate();
      return false;
    }
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends an event frame now, unless the client has more than its bound unread (`full`: nothing sent). */
  sendEvent(text: string): SendResult {
    if (this.#closed) return 'closed';
    if (this.#ws.bufferedAmount > this.#options.maxBufferedBytes) return 'full';
    this.#ws.send(text);
    return 'sent';
  }

  /** Sends an event frame and resolves once it has reached the socket: replay pacing. */
  sendEventAndWait(text: string): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => this.#ws.send(text, (error) => resolve(!error && !this.#closed)));
  }

  /** Replay waits for the socket once half of the bound is in use, so a long replay never reaches it. */
  get congested(): boolean {
    return this.#ws.bufferedAmount > this.#options.maxBufferedBytes / 2;
  }

  /**
   * Resolves true once the client has read below its bound; false when it stayed over it for
   * ws.stallTimeoutMs: the connection is then closed as too slow (4008), each subscription's `end` saying
   * where to resume. One wait per connection, shared by its subscriptions.
   */
  waitForRoom(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#ws.bufferedAmount <= this.#options.maxBufferedBytes) return Promise.resolve(true);
    this.#roomWait ??= new Promise<boolean>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (this.#closed) settle(false);
        else if (this.#ws.bufferedAmount <= this.#options.maxBufferedBytes / 2) settle(true);
        else if (Date.now() - started >= this.#options.stallTimeoutMs) {
          this.#overflow();
          settle(false);
        }
      }, ROOM_POLL_MS);
      const settle = (room: boolean) => {
        clearInterval(poll);
        this.#roomWait = undefined;
        resolve(room);
      };
    });
    return this.#roomWait;
  }

  /** Sends a connection-level error and closes. */
  fail(error: AgentSdkError, code: number): void {
    if (this.#closed) return;
    this.#ws.send(JSON.stringify({ type: 'error', ...errorBody(error) }));
    this.close(code, error.code);
  }

  /** Shutdown: every subscription ends with `shutdown`, then the socket closes with 1001. */
  shutdown(): void {
    if (this.#closed) return;
    for (const sub of [...this.#subscriptions.values()]) {
      if (sub.subscription) sub.subscription.finish({ kind: 'shutdown' });
      else sub.end({ kind: 'shutdown' });
    }
    this.close(CLOSE.goingAway, 'server shutting down');
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#release();
    this.#ws.close(code, reason.slice(0, 120));
  }

  /** A WebSocket ping; the pong sets `alive`. */
  ping(): void {
    if (!this.#closed) this.#ws.ping();
  }

  /** Drops a socket that stopped answering pings. */
  terminate(): void {
    this.#release();
    this.#ws.terminate();
  }

  #closedByPeer(): void {
    this.#release();
  }

  #release(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#helloTimer);
    for (const sub of this.#subscriptions.values()) sub.subscription?.close();
    this.#subscriptions.clear();
    this.#onClosed(this);
  }

  #overflow(): void {
    const buffered = this.#ws.bufferedAmount;
    for (const sub of [...this.#subscriptions.values()]) {
      const error = sdkError('ASDK_STREAM_SLOW_CONSUMER', { runId: sub.runId, buffered, limit: this.#options.maxBufferedBytes, lastSeq: sub.lastSeq });
      this.#ws.send(JSON.stringify({ type: 'end', sub: sub.id, runId: sub.runId, reason: 'overflow', lastSeq: sub.lastSeq, error: errorBody(error) }));
    }
    this.close(CLOSE.slowConsumer, 'slow consumer');
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    let frame: unknown;
    try {
      if (isBinary) throw new Error('binary frames are not accepted; send JSON text');
      frame = JSON.parse(data.toString('utf8'));
    } catch (error) {
      return this.#protocolError(`not a JSON text frame (${cutAtCodePoint((error as Error).message, 100)})`);
    }
    const type = (frame as { type?: unknown } | null)?.type;
    if (!this.#welcomed) {
      if (type !== 'hello') {
        this.fail(sdkError('ASDK_WS_HELLO_REQUIRED', { found: typeof type === 'string' ? JSON.stringify(cutAtCodePoint(type, 40)) : 'a frame without a type' }), CLOSE.protocolError);
        return;
      }
      return this.#hello(frame);
    }
    if (type === 'req') return void this.#request(frame);
    if (type === 'ping') {
      if (!checkPing.Check(frame)) return this.#protocolError('ping takes only an optional numeric ts');
      // A client that pings but does not read gets no more pongs than it reads.
      if (this.#ws.bufferedAmount > this.#options.maxBufferedBytes) return;
      const ts = (frame as { ts?: number }).ts;
      this.send({ type: 'pong', ...(ts !== undefined && { ts }), serverTime: Date.now() });
      return;
    }
    if (type === 'hello') return this.#protocolError('hello was already received');
    return this.#protocolError(`unknown frame type ${JSON.stringify(cutAtCodePoint(String(type), 40))}; expected req or ping`);
  }

  #protocolError(reason: string): void {
    this.send({ type: 'error', ...errorBody(sdkError('ASDK_WS_PROTOCOL', { reason })) });
  }

  #hello(frame: unknown): void {
    if (!checkHello.Check(frame)) {
      const found = (frame as { protocol?: unknown }).protocol;
      if (typeof found === 'number' && found !== GATEWAY_PROTOCOL) {
        return this.fail(sdkError('ASDK_WS_PROTOCOL_VERSION', { found, supported: GATEWAY_PROTOCOL }), CLOSE.protocolError);
      }
      return this.fail(sdkError('ASDK_WS_PROTOCOL', { reason: 'hello needs "protocol": 1, and optionally "apiKey" and "client"' }), CLOSE.protocolError);
    }
    if (frame.protocol !== GATEWAY_PROTOCOL) {
      return this.fail(sdkError('ASDK_WS_PROTOCOL_VERSION', { found: frame.protocol, supported: GATEWAY_PROTOCOL }), CLOSE.protocolError);
    }
    try {
      this.#principal ??= this.#options.auth.authenticateKey(frame.apiKey, 'hello.apiKey');
    } catch (error) {
      return this.fail(asAgentSdkError(error, { method: 'hello', path: '/ws' }), CLOSE.unauthorized);
    }
    this.#welcomed = true;
    clearTimeout(this.#helloTimer);
    this.send({
      type: 'welcome',
      protocol: GATEWAY_PROTOCOL,
      connectionId: this.id,
      server: { name: 'agent-sdk', version: this.#options.version },
      auth: { required: this.#options.auth.required, orgId: this.#principal.orgId, actor: this.#principal.actor },
      limits: { maxFrameBytes: this.#options.maxFrameBytes, maxSubscriptions: this.#options.maxSubscriptions, maxBufferedBytes: this.#options.maxBufferedBytes },
      pingIntervalMs: this.#options.pingIntervalMs,
      methods: GATEWAY_METHODS,
    });
  }

  async #request(frame: unknown): Promise<void> {
    const id = (frame as { id?: unknown }).id;
    const replyId = typeof id === 'string' || typeof id === 'number' ? id : null;
    if (!checkRequest.Check(frame)) {
      this.send({ type: 'res', id: replyId, ok: false, error: errorBody(sdkError('ASDK_WS_PROTOCOL', { reason: 'req needs an id (string or integer), a method and optional object params' })) });
      return;
    }
    if (this.#pending >= MAX_PENDING_REQUESTS) {
      this.send({ type: 'res', id: frame.id, ok: false, error: errorBody(sdkError('ASDK_WS_PROTOCOL', { reason: `more than ${MAX_PENDING_REQUESTS} requests are in progress; wait for answers` })) });
      return;
    }
    this.#pending++;
    try {
      const result = await this.#call(frame.method, frame.params ?? {}, frame.id);
      if (result !== undefined) this.send({ type: 'res', id: frame.id, ok: true, result });
    } catch (error) {
      this.send({ type: 'res', id: frame.id, ok: false, error: errorBody(asAgentSdkError(error, { method: frame.method, path: '/ws' })) });
    } finally {
      this.#pending--;
    }
  }

  /** Runs a method; returns its result, or undefined when it answered itself (run.subscribe). */
  async #call(method: string, params: Record<string, unknown>, requestId: string | number): Promise<unknown> {
    if (!(method in paramValidators)) {
      throw sdkError('ASDK_WS_UNKNOWN_METHOD', { method: cutAtCodePoint(method, 100), suggestion: didYouMean(method, GATEWAY_METHODS), available: GATEWAY_METHODS.join(', ') });
    }
    const principal = this.#principal!;
    const services = this.#options.services;
    switch (method as GatewayMethod) {
      case 'run.start': {
        const { idempotencyKey, subscribe, ...body } = paramValidators['run.start'].parse(params);
        const started = await startRun(services, principal, body as StartRunBody, idempotencyKey);
        if (!subscribe) return { ...started.body, replayed: started.replayed };
        return this.#subscribe(started.body.runId, 0, requestId, { ...started.body, replayed: started.replayed });
      }
      case 'run.get':
        return getRun(services, principal, paramValidators['run.get'].parse(params).runId);
      case 'run.cancel': {
        const { runId, reason } = paramValidators['run.cancel'].parse(params);
        const { ended, run } = await cancelRun(services, principal, runId, reason ?? `cancelled over the gateway by ${principal.actor}`);
        return { ended, run };
      }
      case 'run.subscribe': {
        const { runId, afterSeq } = paramValidators['run.subscribe'].parse(params);
        return this.#subscribe(runId, afterSeq ?? 0, requestId, {});
      }
      case 'run.unsubscribe': {
        const { sub } = paramValidators['run.unsubscribe'].parse(params);
        const found = this.#subscriptions.get(sub);
        if (!found) throw sdkError('ASDK_WS_SUBSCRIPTION_NOT_FOUND', { sub: cutAtCodePoint(sub, 64) });
        this.#subscriptions.delete(sub);
        found.subscription?.close();
        return { sub };
      }
    }
  }

  /**
   * Subscribes after checks, answering the request *before* the first event frame (the hub may deliver
   * replayed events synchronously while subscribing).
   */
  async #subscribe(runId: string, afterSeq: number, requestId: string | number, extra: Record<string, unknown>): Promise<undefined> {
    const services = this.#options.services;
    const principal = this.#principal!;
    if (this.#subscriptions.size >= this.#options.maxSubscriptions) {
      throw sdkError('ASDK_WS_TOO_MANY_SUBSCRIPTIONS', { count: this.#subscriptions.size });
    }
    const { handle, complete } = await streamStart(services, principal, runId, afterSeq, 'afterSeq');
    services.hub.checkCapacity();
    if (this.#closed) return undefined;
    const sub = new GatewaySubscription(`s${this.#nextSub++}`, runId, afterSeq, this);
    this.send({ type: 'res', id: requestId, ok: true, result: { ...extra, sub: sub.id, runId, afterSeq, complete } });
    if (complete) {
      sub.end({ kind: 'completed' });
      return undefined;
    }
    this.#subscriptions.set(sub.id, sub);
    try {
      sub.subscription = services.hub.subscribe(scopeOf(principal), handle, afterSeq, sub);
    } catch (error) {
      sub.end({ kind: 'failed', error: asAgentSdkError(error, { method: 'run.subscribe', path: '/ws' }) });
    }
    return undefined;
  }

  /** A subscription ended: forget it (its end frame was sent). */
  forget(sub: GatewaySubscription): void {
    if (this.#subscriptions.get(sub.id) === sub) this.#subscriptions.delete(sub.id);
  }
}
