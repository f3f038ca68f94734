import type { Counter, Histogram, MetricsPort } from '../../core/index.js';

/** What the server records per request. */
export interface RequestMetrics {
  readonly requests: Counter;
  readonly duration: Histogram;
}

/**
 * The server's instruments on `ports.metrics` (when a plugin provides it; observability does): requests by
 * method, route and status, their latency, and, read at each scrape, the streams being served.
 *
 * - `agent_sdk_http_requests_total{method,route,status}`
 * - `agent_sdk_http_request_duration_seconds{method,route}` (for SSE and the gateway: until the stream is set up)
 * - `agent_sdk_stream_subscribers{transport="sse"|"ws"}`: SSE responses and gateway subscriptions open now
 * - `agent_sdk_ws_connections`: gateway connections open now
 */
export function serverMetrics(metrics: MetricsPort, streams: () => { sse: number; wsSubscriptions: number; wsConnections: number }): RequestMetrics {
  metrics.gauge({
    name: 'agent_sdk_stream_subscribers',
    help: 'Event stream subscriptions being served, by transport (SSE responses, gateway subscriptions)',
    labelNames: ['transport'],
    collect: (gauge) => {
      const now = streams();
      gauge.set(now.sse, { transport: 'sse' });
      gauge.set(now.wsSubscriptions, { transport: 'ws' });
    },
  });
  metrics.gauge({
    name: 'agent_sdk_ws_connections',
    help: 'Open WebSocket gateway connections',
    collect: (gauge) => gauge.set(streams().wsConnections),
  });
  return {
    requests: metrics.counter({ name: 'agent_sdk_http_requests_total', help: 'HTTP requests answered, by method, route and status', labelNames: ['method', 'route', 'status'] }),
    duration: metrics.histogram({ name: 'agent_sdk_http_request_duration_seconds', help: 'Time to answer an HTTP request (streams: until set up)', labelNames: ['method', 'route'] }),
  };
}
