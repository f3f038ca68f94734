import { Type } from 'typebox';
import { routes } from '../../adapters/http-koa/index.js';
import { definePlugin, extensionPoints, ports } from '../../core/index.js';
import { observabilityRoutes } from './routes.js';
import { RunMetricsExporter } from './run-metrics.js';

/** `observability:` in the config file. */
export const ObservabilityConfig = Type.Object(
  {
    auth: Type.Union([Type.Literal('required'), Type.Literal('public')], {
      default: 'required',
      description: 'GET /metrics and /stats need an API key when the server has keys (required), or never (public: for a scraper that holds no key)',
    }),
  },
  { additionalProperties: false },
);

/**
 * The `observability` plugin: derives run, step, token and tool metrics from every envelope (an exporter), and
 * serves `GET /metrics` (Prometheus text) and `GET /stats` (a JSON summary for the console) through the
 * server's routes. It reads `ports.metrics` (the `metrics` plugin) and, when present, the model router for
 * the providers of the configured models (docs/observability.md).
 *
 * @example
 * ```yaml
 * observability:
 *   auth: public   # let Prometheus scrape /metrics without an API key
 * ```
 */
export const observabilityPlugin = definePlugin({
  id: 'observability',
  version: '1.0.0',
  description: 'Metrics derived from run events, served at GET /metrics (Prometheus) and GET /stats',
  config: ObservabilityConfig,
  requires: { metrics: ports.metrics },
  optional: { model: ports.model },
  init(ctx) {
    const { metrics, model } = ctx.deps;
    ctx.contribute(extensionPoints.exporters, new RunMetricsExporter(metrics));
    if (model) {
      metrics.gauge({
        name: 'agent_sdk_model_info',
        help: 'The configured models (value 1): name, provider and the provider model id',
        labelNames: ['model', 'provider', 'model_id'],
        collect: (gauge) => {
          for (const info of model.list()) gauge.set(1, { model: info.name, provider: info.provider, model_id: info.id });
        },
      });
    }
    ctx.contribute(routes, ...observabilityRoutes({ metrics, model, auth: ctx.config.auth, startedAt: Date.now() }));
  },
});
