import { defineRoute, type AnyRoute } from '../../adapters/http-koa/index.js';
import type { MetricsPort, ModelPort } from '../../core/index.js';
import { StatsSchema, summarize } from './stats.js';

export interface ObservabilityRouteOptions {
  readonly metrics: MetricsPort;
  readonly model?: ModelPort;
  /** `public`: served without an API key even when the server requires one (a scraper inside your network). */
  readonly auth: 'required' | 'public';
  readonly startedAt: number;
}

/** `GET /metrics` (Prometheus text) and `GET /stats` (the console's JSON summary). */
export function observabilityRoutes(options: ObservabilityRouteOptions): AnyRoute[] {
  const { metrics, model } = options;
  const scrape = defineRoute({
    method: 'GET',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Metrics in the Prometheus text format',
    description:
      'Runs, steps, tokens, tool calls, model call latency, event-log append latency and open streams of this process, plus process metrics. ' +
      'Scrape it with Prometheus (docs/observability.md lists every series).',
    tags: ['observability'],
    auth: options.auth,
    responses: { 200: { description: 'The current values (text/plain; version=0.0.4)', contentType: 'text/plain; version=0.0.4; charset=utf-8' } },
    async handle() {
      const { contentType, text } = await metrics.exposition();
      return { body: text, contentType, headers: { 'Cache-Control': 'no-store' } };
    },
  });
  const stats = defineRoute({
    method: 'GET',
    path: '/stats',
    operationId: 'getStats',
    summary: 'A summary of the metrics, for the console',
    description: 'Counts since this process started: runs by status, latencies (median and 95th percentile), tokens, models, tools, the event log and open streams.',
    tags: ['observability'],
    auth: options.auth,
    responses: { 200: { description: 'The summary', schema: StatsSchema } },
    async handle() {
      const body = summarize(await metrics.collect(), { startedAt: options.startedAt, now: Date.now(), models: model?.list() });
      return { body, headers: { 'Cache-Control': 'no-store' } };
    },
  });
  return [scrape, stats];
}
