import { STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import websockify from 'koa-websocket';
import type Koa from 'koa';
import { sdkError, type ContributedItem, type Logger, type MetricsPort, type Transport } from '../../core/index.js';
import { serverMetrics } from './server-metrics.js';
import { createKoaApp } from './app.js';
import { ApiKeyVerifier } from './auth.js';
import type { ServerConfig } from './config.js';
import { renderDocsPage } from './docs-page.js';
import { Gateway } from './gateway/gateway.js';
import { InFlight } from './in-flight.js';
import { openApiDocument } from './openapi.js';
import { OriginPolicy } from './origins.js';
import { problemBody } from './problem.js';
import type { AnyRoute } from './route.js';
import { RouteTable } from './route-table.js';
import { catalogRoutes, metaRoutes, type ApiDocuments } from './routes/meta.js';
import { runRoutes } from './routes/runs.js';
import { sessionRoutes } from './routes/sessions.js';
import type { ServerServices } from './services.js';

/** Where the built-in routes come from, for conflicts and logs. */
const OWNER = 'server (built in)';

export interface HttpServerOptions {
  readonly config: ServerConfig;
  readonly services: ServerServices;
  readonly auth: ApiKeyVerifier;
  readonly logger: Logger;
  readonly version: string;
  /** Records requests and open streams when a plugin provides ports.metrics. */
  readonly metrics?: MetricsPort;
}

/** Counts the observability plugin reads (SSE and gateway subscribers). */
export interface StreamStats {
  readonly subscribers: number;
  readonly runs: number;
  readonly sse: number;
  readonly wsConnections: number;
  readonly wsSubscriptions: number;
}

/**
 * The HTTP transport (`ports.transport`, name `http`): the Koa app with the built-in and contributed routes,
 * the WebSocket gateway on the same port, and a graceful stop. `address()` is `http://host:port` once
 * listening.
 */
export class HttpServer implements Transport {
  readonly name = 'http';
  readonly #options: HttpServerOptions;
  readonly #inFlight = new InFlight();
  readonly #origins: OriginPolicy;
  #server: Server | undefined;
  #gateway: Gateway | undefined;
  #address: string | undefined;
  #startedAt = Date.now();
  #stopping: Promise<void> | undefined;

  constructor(options: HttpServerOptions) {
    this.#options = options;
    this.#origins = new OriginPolicy(options.config.allowedOrigins);
  }

  address(): string | undefined {
    return this.#address;
  }

  /** Whether requests need an API key (false: open, loopback only). */
  get authRequired(): boolean {
    return this.#options.auth.required;
  }

  /** Notices for whoever starts the server (the CLI prints them). */
  warnings(): readonly string[] {
    return this.authRequired ? [] : ['no API key is set: the server is open to anyone on this machine (set AGENT_SDK_API_KEY to require one)'];
  }

  streamStats(): StreamStats {
    const { hub, sse } = this.#options.services;
    return {
      subscribers: hub.subscriberCount,
      runs: hub.feedCount,
      sse: sse.count,
      wsConnections: this.#gateway?.connectionCount ?? 0,
      wsSubscriptions: this.#gateway?.subscriptionCount ?? 0,
    };
  }

  /** Mounts the routes (built in + contributed), then listens. */
  async start(contributed: readonly ContributedItem<AnyRoute>[]): Promise<void> {
    const { config, services, auth, logger, version } = this.#options;
    let documents: { json: string; html?: string; document: Record<string, unknown> } | undefined;
    const docs: ApiDocuments = {
      json: () => documents!.json,
      html: () => (documents!.html ??= renderDocsPage(documents!.document, { examplePreset: services.runs.presets()[0]?.name })),
    };
    const serveRoot = !contributed.some(({ item }) => item?.method === 'GET' && item?.path === '/');
    const builtIn = [
      ...runRoutes(services),
      ...sessionRoutes(services),
      ...catalogRoutes(services),
      ...metaRoutes(
        services,
        {
          version,
          startedAt: this.#startedAt,
          authRequired: auth.required,
          draining: () => this.#inFlight.draining,
          streams: () => {
            const stats = this.streamStats();
            return { subscribers: stats.subscribers, runs: stats.runs, sse: stats.sse, wsConnections: stats.wsConnections };
          },
        },
        docs,
        { serveRoot },
      ),
    ];
    const table = new RouteTable(
      [...builtIn.map((route) => ({ route, owner: OWNER })), ...contributed.map(({ item, pluginId }) => ({ route: item, owner: `plugin "${pluginId}"` }))],
      { auth, bodyLimitBytes: config.bodyLimitBytes, validateResponses: config.validateResponses },
    );
    const document = openApiDocument(table.mounted, { version, authRequired: auth.required });
    documents = { document, json: JSON.stringify(document) };

    const metrics = this.#options.metrics && serverMetrics(this.#options.metrics, () => this.streamStats());
    let app: Koa = createKoaApp({ table, auth, origins: this.#origins, inFlight: this.#inFlight, logger, ...(metrics && { metrics }) });
    if (config.ws.enabled) {
      const gateway = new Gateway({
        services,
        auth,
        version,
        origins: this.#origins,
        inFlight: this.#inFlight,
        logger,
        maxBufferedBytes: config.ws.maxBufferedBytes,
        maxSubscriptions: config.ws.maxSubscriptions,
        maxFrameBytes: config.ws.maxFrameBytes,
        stallTimeoutMs: config.ws.stallTimeoutMs,
        helloTimeoutMs: config.ws.helloTimeoutMs,
        pingIntervalMs: config.ws.pingIntervalMs,
      });
      this.#gateway = gateway;
      const wsApp = websockify(app, gateway.wsServerOptions() as never);
      // koa-websocket's context type says nothing of ctx.req on ws contexts; it is the upgrade request.
      wsApp.ws.use(async (ctx) => gateway.accept(ctx.websocket, (ctx as unknown as Koa.Context).req));
      app = wsApp;
    }
    this.#server = await this.#listen(app, config.host, config.port);
    const { port } = this.#server.address() as AddressInfo;
    this.#address = `http://${config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host}:${port}`;
    this.#startedAt = Date.now();
    logger.info('listening', { address: this.#address, auth: auth.required ? 'api keys' : 'open', routes: table.mounted.length, gateway: config.ws.enabled });
    for (const warning of this.warnings()) logger.warn(warning, { address: this.#address });
  }

  /**
   * Graceful stop: refuse new connections and requests (503), end every stream with a notice (SSE
   * `stream.shutdown`, gateway `end` + close 1001), let requests in flight finish within
   * server.shutdownGraceMs, close what is left, then flush the event log.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const server = this.#server;
    const { services, config, logger } = this.#options;
    this.#inFlight.draining = true;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    services.hub.close();
    this.#gateway?.close();
    services.sse.close();
    server?.closeIdleConnections();
    const idle = await this.#inFlight.whenIdle(config.shutdownGraceMs);
    if (!idle) logger.warn('requests still in flight after the grace period; closing their connections', { inFlight: this.#inFlight.count, graceMs: config.shutdownGraceMs });
    server?.closeIdleConnections();
    // Whatever is left (slow clients, sockets mid-request, gateway sockets not done closing) is cut.
    const cut = setTimeout(() => {
      server?.closeAllConnections();
      this.#gateway?.terminate();
    }, idle ? 200 : 0);
    await closed;
    clearTimeout(cut);
    this.#gateway?.terminate();
    try {
      await services.storage.flush();
    } catch (error) {
      logger.error('flushing the event log at shutdown failed', { error });
    }
    this.#address = undefined;
  }

  #listen(app: Koa, host: string, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = app.listen(port, host);
      const wss = (app as unknown as { ws?: { server?: { on(event: 'error', listener: (error: Error) => void): void } } }).ws?.server;
      // ws re-emits the HTTP server's errors; without a listener a failed listen would crash the process.
      wss?.on('error', () => undefined);
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(listenError(error, host, port));
      };
      const onListening = () => {
        server.off('error', onError);
        server.on('error', (error) => this.#options.logger.error('server error', { error }));
        resolve(server);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => answerClientError(error, socket, host));
      // Long-lived streams are ended by the server; a request body must arrive within a minute.
      server.requestTimeout = 60_000;
      server.headersTimeout = 30_000;
      server.keepAliveTimeout = 5_000;
    });
  }
}

/** Why listening on host:port failed, with the fix for the usual causes (also what `agent-sdk doctor` reports). */
export function listenError(error: NodeJS.ErrnoException, host: string, port: number) {
  const fix =
    error.code === 'EADDRINUSE'
      ? `Another process listens on port ${port} (another agent-sdk server?): stop it, or choose another port (--port, AGENT_SDK_PORT, server.port; 0 picks a free one); a kernel embedded in your own service can leave the server out with plugins.disable: ['server']`
      : error.code === 'EACCES'
        ? `Port ${port} needs privileges here: use a port above 1023 (--port, AGENT_SDK_PORT, server.port)`
        : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
          ? `${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its addresses (--host, AGENT_SDK_HOST, server.host)`
          : 'Check server.host and server.port';
  return sdkError('ASDK_SERVER_LISTEN_FAILED', { host, port, reason: error.code ?? error.message, fix }, { cause: error });
}

/** A request Node could not parse (malformed, headers too large): a problem+json answer, never a crash. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, host: string): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const sdk =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? sdkError('ASDK_HTTP_HEADERS_TOO_LARGE')
      : sdkError('ASDK_HTTP_BAD_REQUEST', { reason: error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'it did not arrive in time' : `it is not valid HTTP/1.1 (${error.code ?? 'parse error'})` });
  const body = JSON.stringify(problemBody(sdk, { origin: `http://${host.includes(':') ? `[${host}]` : host}:${socket.localPort}`, path: '' }));
  socket.end(
    `HTTP/1.1 ${sdk.status} ${STATUS_CODES[sdk.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
