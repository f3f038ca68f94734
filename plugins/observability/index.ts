/**
 * Observability (docs/observability.md): metrics derived from run events served at GET /metrics and GET /stats
 * (`observability`, over `metrics`), run logs as JSON Lines (`jsonl-file`, `jsonl-stdout`), and the pino
 * logger (`logger`). OpenTelemetry traces are a separate, optional plugin (plugins/otel).
 */
export { observabilityPlugin, ObservabilityConfig } from './plugin.js';
export { RunMetricsExporter } from './run-metrics.js';
export { observabilityRoutes } from './routes.js';
export { StatsSchema, summarize, quantile, MetricsView, type Stats } from './stats.js';
export { jsonlFilePlugin, jsonlStdoutPlugin, JsonlFileConfig, JsonlStdoutConfig } from './jsonl-plugins.js';
export { JsonlFileExporter, readRunLog, type JsonlFileOptions } from './jsonl-file-exporter.js';
export { JsonlStreamExporter, type JsonlSink, type JsonlStreamOptions } from './jsonl-stream-exporter.js';
export { pinoLoggerPlugin, LoggerConfig, asLogger } from './pino-logger.js';
export { metricsPlugin, PromMetrics } from '../metrics/index.js';

import { jsonlFilePlugin } from './jsonl-plugins.js';
import { observabilityPlugin } from './plugin.js';
import { pinoLoggerPlugin } from './pino-logger.js';
import { metricsPlugin } from '../metrics/index.js';

/** The observability batteries, in order: the logger first (so every plugin logs through it), metrics, run metrics and routes, run logs. */
export const plugins = [pinoLoggerPlugin, metricsPlugin, observabilityPlugin, jsonlFilePlugin];
export default plugins;
