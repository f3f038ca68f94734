import { contribution, definePlugin, extensionPoints, ports, sdkError } from '../../core/index.js';
import { ApiKeyVerifier } from './auth.js';
import { ServerConfig } from './config.js';
import { serverDoctorCheck } from './doctor-check.js';
import { HttpServer } from './http-server.js';
import { IdempotencyGate } from './idempotency.js';
import { isLoopbackAddress } from './origins.js';
import { routes } from './route.js';
import { FeedHub } from './streams/feed-hub.js';
import { SseStreams } from './streams/sse.js';
import { packageVersion } from './version.js';

/**
 * The `server` plugin: the HTTP API on Koa (REST, SSE with replay, OpenAPI, /docs), the WebSocket gateway at
 * /ws, API keys and Idempotency-Key, as `ports.transport` (docs/http-api.md, docs/gateway.md). Other plugins
 * add routes through the `routes` extension point. It refuses to listen on a non-loopback address without
 * an API key.
 *
 * @example
 * ```yaml
 * server:
 *   host: 0.0.0.0
 *   port: 8787
 *   apiKeys: ["${env:AGENT_SDK_API_KEY}"]
 * ```
 */
export const serverPlugin = definePlugin({
  id: 'server',
  version: '1.0.0',
  description: 'HTTP API on Koa (REST, SSE with replay, OpenAPI), the WebSocket gateway, API keys and idempotency',
  config: ServerConfig,
  requires: { runs: ports.runs, storage: ports.storage, tool: ports.tool, logger: ports.logger },
  optional: { policy: ports.policy, metrics: ports.metrics },
  provides: [ports.transport],
  contributes: [contribution(extensionPoints.doctorChecks, serverDoctorCheck)],
  init(ctx) {
    const { config, deps, logger } = ctx;
    if (!isLoopbackAddress(config.host) && config.apiKeys.length === 0) throw sdkError('ASDK_SERVER_NO_API_KEY', { host: config.host });
    for (const [index, origin] of config.allowedOrigins.entries()) {
      if (origin !== 'null' && !/^https?:\/\/[^/]+$/i.test(origin)) {
        throw sdkError('ASDK_SERVER_CONFIG', {
          path: `server.allowedOrigins[${index}]`,
          reason: `${JSON.stringify(origin)} is not an origin`,
          fix: 'Write scheme://host[:port] with no path, e.g. https://app.example.com',
        });
      }
    }
    const hub = new FeedHub({ log: deps.storage.events, window: config.sse.replayWindow, maxSubscribers: config.sse.maxSubscribers, logger });
    const sse = new SseStreams({
      heartbeatMs: config.sse.heartbeatMs,
      retryMs: config.sse.retryMs,
      maxBufferedBytes: config.sse.maxBufferedBytes,
      stallTimeoutMs: config.sse.stallTimeoutMs,
    });
    const gate = new IdempotencyGate(deps.storage.idempotency, { ttlMs: config.idempotency.ttlMs, waitMs: config.idempotency.waitMs, logger });
    const server = new HttpServer({
      config,
      auth: new ApiKeyVerifier(config.apiKeys),
      logger,
      version: packageVersion(),
      ...(deps.metrics && { metrics: deps.metrics }),
      services: { runs: deps.runs, storage: deps.storage, tools: deps.tool, policy: deps.policy, hub, sse, gate, logger },
    });
    ctx.provide(ports.transport, server);
    // This kernel's server, handed to start and stop.
    return server;
  },
  async start(ctx, server) {
    await server.start(ctx.contributions(routes));
  },
  async stop(_ctx, server) {
    await server.stop();
  },
});
