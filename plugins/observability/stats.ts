import { Type, type Static } from 'typebox';
import type { MetricFamily, MetricLabels, ModelInfo } from '../../core/index.js';

const Seconds = Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'null when nothing was measured' });
const Latency = Type.Object({ count: Type.Integer({ minimum: 0 }), p50Seconds: Seconds, p95Seconds: Seconds });

/** `GET /stats`: a summary of the metrics for the console, since this process started. */
export const StatsSchema = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'When this process started counting' }),
    uptimeSeconds: Type.Number({ minimum: 0 }),
    runs: Type.Object({
      started: Type.Integer({ minimum: 0 }),
      completed: Type.Integer({ minimum: 0 }),
      failed: Type.Integer({ minimum: 0 }),
      cancelled: Type.Integer({ minimum: 0 }),
      active: Type.Integer({ minimum: 0 }),
      queued: Type.Integer({ minimum: 0 }),
      duration: Latency,
    }),
    steps: Latency,
    tokens: Type.Object({ input: Type.Integer({ minimum: 0 }), output: Type.Integer({ minimum: 0 }), costUsd: Type.Number({ minimum: 0 }) }),
    models: Type.Array(
      Type.Object({
        model: Type.String(),
        provider: Type.Union([Type.String(), Type.Null()]),
        calls: Type.Integer({ minimum: 0, description: 'Attempts, retries included' }),
        errors: Type.Integer({ minimum: 0 }),
        latency: Latency,
        inputTokens: Type.Integer({ minimum: 0 }),
        outputTokens: Type.Integer({ minimum: 0 }),
      }),
    ),
    tools: Type.Array(Type.Object({ tool: Type.String(), calls: Type.Integer({ minimum: 0 }), errors: Type.Integer({ minimum: 0 }), latency: Latency })),
    eventLog: Type.Object({ appends: Latency, meanBatchRows: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]) }),
    streams: Type.Object({ sse: Type.Integer({ minimum: 0 }), ws: Type.Integer({ minimum: 0 }) }),
    process: Type.Object({ rssBytes: Type.Integer({ minimum: 0 }), heapUsedBytes: Type.Integer({ minimum: 0 }) }),
  },
  { $id: 'Stats', additionalProperties: false },
);
export type Stats = Static<typeof StatsSchema>;

/** Reads the collected metric families: sums of samples and merged histograms, filtered by labels. */
export class MetricsView {
  readonly #samples = new Map<string, { labels: MetricLabels; value: number }[]>();

  constructor(families: readonly MetricFamily[]) {
    for (const family of families) {
      for (const sample of family.samples) {
        const list = this.#samples.get(sample.name) ?? [];
        list.push({ labels: sample.labels, value: sample.value });
        this.#samples.set(sample.name, list);
      }
    }
  }

  /** The sum of every sample named `name` whose labels include `match`. */
  sum(name: string, match: MetricLabels = {}): number {
    let total = 0;
    for (const sample of this.#samples.get(name) ?? []) if (matches(sample.labels, match)) total += sample.value;
    return total;
  }

  /** The distinct values of `label` among the samples named `name`. */
  values(name: string, label: string): string[] {
    const seen = new Set<string>();
    for (const sample of this.#samples.get(name) ?? []) if (sample.labels[label] !== undefined) seen.add(sample.labels[label]);
    return [...seen].sort();
  }

  /** Count and estimated median and 95th percentile of histogram `name` over the series matching `match`. */
  latency(name: string, match: MetricLabels = {}): Static<typeof Latency> {
    const buckets = new Map<number, number>();
    for (const sample of this.#samples.get(`${name}_bucket`) ?? []) {
      if (!matches(sample.labels, match)) continue;
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
    }
    const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
    const count = Math.round(this.sum(`${name}_count`, match));
    return { count, p50Seconds: quantile(0.5, sorted), p95Seconds: quantile(0.95, sorted) };
  }
}

/**
 * Estimates a quantile from cumulative buckets the way Prometheus' histogram_quantile does: linear
 * interpolation inside the bucket that holds the rank; the upper bound of the last finite bucket when the
 * rank falls in +Inf.
 */
export function quantile(q: number, cumulative: readonly (readonly [number, number])[]): number | null {
  const total = cumulative.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [upperBound, count] of cumulative) {
    if (count >= rank) {
      if (upperBound === Infinity) return lowerBound;
      if (count === lowerCount) return upperBound;
      return lowerBound + (upperBound - lowerBound) * ((rank - lowerCount) / (count - lowerCount));
    }
    lowerBound = upperBound;
    lowerCount = count;
  }
  return lowerBound;
}

function matches(labels: MetricLabels, match: MetricLabels): boolean {
  for (const key in match) if (labels[key] !== match[key]) return false;
  return true;
}

/** The /stats summary from the collected metrics (and the configured models, for their providers). */
export function summarize(families: readonly MetricFamily[], options: { startedAt: number; now: number; models?: readonly ModelInfo[] }): Stats {
  const view = new MetricsView(families);
  const int = (n: number) => Math.max(0, Math.round(n));
  const providers = new Map((options.models ?? []).map((m) => [m.name, m.provider]));
  const modelNames = new Set([
    ...view.values('agent_sdk_model_call_duration_seconds_count', 'model'),
    ...view.values('agent_sdk_tokens_total', 'model'),
  ]);
  const models = [...modelNames].sort().map((model) => ({
    model,
    provider: providers.get(model) ?? view.values('agent_sdk_model_call_duration_seconds_count', 'provider').find((p) => view.sum('agent_sdk_model_call_duration_seconds_count', { model, provider: p }) > 0) ?? null,
    calls: int(view.sum('agent_sdk_model_call_duration_seconds_count', { model })),
    errors: int(view.sum('agent_sdk_model_call_duration_seconds_count', { model, outcome: 'error' })),
    latency: view.latency('agent_sdk_model_call_duration_seconds', { model, outcome: 'ok' }),
    inputTokens: int(view.sum('agent_sdk_tokens_total', { model, type: 'input' })),
    outputTokens: int(view.sum('agent_sdk_tokens_total', { model, type: 'output' })),
  }));
  const tools = view.values('agent_sdk_tool_calls_total', 'tool').map((tool) => ({
    tool,
    calls: int(view.sum('agent_sdk_tool_calls_total', { tool })),
    errors: int(view.sum('agent_sdk_tool_errors_total', { tool })),
    latency: view.latency('agent_sdk_tool_duration_seconds', { tool }),
  }));
  const batches = view.sum('agent_sdk_event_log_batch_rows_count');
  const memory = process.memoryUsage();
  return {
    since: new Date(options.startedAt).toISOString(),
    uptimeSeconds: Math.max(0, (options.now - options.startedAt) / 1000),
    runs: {
      started: int(view.sum('agent_sdk_runs_started_total')),
      completed: int(view.sum('agent_sdk_runs_finished_total', { status: 'completed' })),
      failed: int(view.sum('agent_sdk_runs_finished_total', { status: 'failed' })),
      cancelled: int(view.sum('agent_sdk_runs_finished_total', { status: 'cancelled' })),
      active: int(view.sum('agent_sdk_runs_active')),
      queued: int(view.sum('agent_sdk_runs_queued')),
      duration: view.latency('agent_sdk_run_duration_seconds'),
    },
    steps: view.latency('agent_sdk_step_duration_seconds'),
    tokens: {
      input: int(view.sum('agent_sdk_tokens_total', { type: 'input' })),
      output: int(view.sum('agent_sdk_tokens_total', { type: 'output' })),
      costUsd: view.sum('agent_sdk_cost_usd_total'),
    },
    models,
    tools,
    eventLog: { appends: view.latency('agent_sdk_event_log_append_duration_seconds'), meanBatchRows: batches ? view.sum('agent_sdk_event_log_batch_rows_sum') / batches : null },
    streams: { sse: int(view.sum('agent_sdk_stream_subscribers', { transport: 'sse' })), ws: int(view.sum('agent_sdk_stream_subscribers', { transport: 'ws' })) },
    process: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
  };
}
