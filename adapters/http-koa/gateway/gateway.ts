import type { IncomingMessage } from 'node:http';
import type { ServerOptions, WebSocket } from 'ws';
import type { Logger } from '../../../core/index.js';
import { ApiKeyVerifier, type Principal } from '../auth.js';
import type { InFlight } from '../in-flight.js';
import { hostName, isLoopbackAddress, type OriginPolicy } from '../origins.js';
import { GatewayConnection, type ConnectionOptions } from './connection.js';

export interface GatewayOptions extends ConnectionOptions {
  readonly origins: OriginPolicy;
  readonly inFlight: InFlight;
}

/**
 * The WebSocket gateway at /ws: checks each upgrade before the handshake (not shutting down, a loopback Host
 * on an open server, an allowed Origin, valid credentials when the upgrade carries any), then runs one
 * {@link GatewayConnection} per socket. One timer pings every connection and drops those that did not
 * answer the previous ping.
 */
export class Gateway {
  readonly #options: GatewayOptions;
  readonly #connections = new Set<GatewayConnection>();
  /** Credentials checked at the handshake, picked up by the connection. */
  readonly #preauthenticated = new WeakMap<IncomingMessage, Principal>();
  readonly #pingTimer: NodeJS.Timeout;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#pingTimer = setInterval(() => this.#ping(), options.pingIntervalMs);
    this.#pingTimer.unref();
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  get subscriptionCount(): number {
    let count = 0;
    for (const connection of this.#connections) count += connection.subscriptionCount;
    return count;
  }

  /** Options for the ws server koa-websocket creates. */
  wsServerOptions(): ServerOptions {
    return {
      path: '/ws',
      maxPayload: this.#options.maxFrameBytes,
      perMessageDeflate: false,
      verifyClient: (info, done) => this.#verify(info.req, done),
    };
  }

  /** A socket that passed the handshake. */
  accept(ws: WebSocket, req: IncomingMessage): void {
    const connection = new GatewayConnection(ws, this.#preauthenticated.get(req), this.#options, (closed) => this.#connections.delete(closed));
    this.#connections.add(connection);
  }

  /** Shutdown: ends every subscription with a notice and closes every socket with 1001. */
  close(): void {
    clearInterval(this.#pingTimer);
    for (const connection of [...this.#connections]) connection.shutdown();
  }

  /** Forcefully drops what is left after the grace period. */
  terminate(): void {
    for (const connection of [...this.#connections]) connection.terminate();
    this.#connections.clear();
  }

  #verify(req: IncomingMessage, done: (ok: boolean, status?: number, message?: string, headers?: Record<string, string>) => void): void {
    const { auth, origins, inFlight } = this.#options;
    if (inFlight.draining) return done(false, 503, 'Service Unavailable: shutting down', { 'Retry-After': '1' });
    const host = req.headers.host;
    if (!auth.required && host && !isLoopbackAddress(hostName(host))) return done(false, 403, 'Forbidden: open server, loopback host names only');
    const origin = req.headers.origin;
    if (origin && origins.classify(origin, host) === 'refused') return done(false, 403, 'Forbidden: origin not allowed (server.allowedOrigins)');
    if (auth.required && ApiKeyVerifier.hasCredentials(req.headers)) {
      try {
        this.#preauthenticated.set(req, auth.authenticateHeaders(req.headers));
      } catch {
        return done(false, 401, 'Unauthorized: invalid API key', { 'WWW-Authenticate': 'Bearer realm="agent-sdk"' });
      }
    }
    done(true);
  }

  #ping(): void {
    for (const connection of this.#connections) {
      if (!connection.alive) {
        this.#options.logger.debug('gateway connection missed a ping; dropped', { connection: connection.id });
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }
}

