/**
 * Metrics: `ports.metrics` on prom-client (docs/observability.md). The `observability` plugin serves it at
 * `GET /metrics`.
 */
export { metricsPlugin, MetricsConfig } from './plugin.js';
export { PromMetrics, type PromMetricsOptions } from './prom-metrics.js';

import { metricsPlugin } from './plugin.js';
export default metricsPlugin;
