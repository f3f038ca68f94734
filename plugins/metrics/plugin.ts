import { Type } from 'typebox';
import { definePlugin, ports } from '../../core/index.js';
import { PromMetrics } from './prom-metrics.js';

/** `metrics:` in the config file. */
export const MetricsConfig = Type.Object(
  {
    defaultMetrics: Type.Boolean({ default: true, description: 'Also expose process metrics (CPU, memory, event-loop lag, GC, handles) as process_* and nodejs_*' }),
    defaultLabels: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Labels added to every series, e.g. { service: agents }',
    }),
  },
  { additionalProperties: false },
);

/**
 * The `metrics` plugin: provides `ports.metrics` on prom-client (one registry per kernel). It requires nothing,
 * so the plugins that record (the model router, the event log, the server) can take it as an optional
 * dependency without a cycle; the `observability` plugin serves it at `GET /metrics`.
 *
 * @example
 * ```yaml
 * metrics:
 *   defaultMetrics: true
 *   defaultLabels: { service: agents }
 * ```
 */
export const metricsPlugin = definePlugin({
  id: 'metrics',
  version: '1.0.0',
  description: 'Counters, gauges and histograms on prom-client (ports.metrics)',
  config: MetricsConfig,
  provides: [ports.metrics],
  init(ctx) {
    ctx.provide(ports.metrics, new PromMetrics({ defaultMetrics: ctx.config.defaultMetrics, defaultLabels: ctx.config.defaultLabels }));
  },
});
