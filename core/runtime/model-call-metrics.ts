import type { Histogram, MetricsPort } from '../ports/metrics.js';
import { LATENCY_BUCKETS_SECONDS } from '../ports/metrics.js';

/** How one attempt ended: answered, failed (error or timeout), or stopped by its run. */
export type ModelCallOutcome = 'ok' | 'error' | 'cancelled';

/**
 * The router's instruments (docs/observability.md): each attempt's duration by provider, model and outcome,
 * and the time to its first chunk. Only made when a plugin provides `ports.metrics`.
 */
export class ModelCallMetrics {
  readonly #duration: Histogram;
  readonly #firstChunk: Histogram;

  constructor(metrics: MetricsPort) {
    this.#duration = metrics.histogram({
      name: 'agent_sdk_model_call_duration_seconds',
      help: 'Model calls (each attempt), from the request to the end of its stream or its failure',
      labelNames: ['provider', 'model', 'outcome'],
      buckets: LATENCY_BUCKETS_SECONDS,
    });
    this.#firstChunk = metrics.histogram({
      name: 'agent_sdk_model_time_to_first_chunk_seconds',
      help: 'Model calls (each attempt), from the request to the first chunk of the answer',
      labelNames: ['provider', 'model'],
      buckets: LATENCY_BUCKETS_SECONDS,
    });
  }

  /** `startedAt` and `firstChunkAt` from performance.now(); `firstChunkAt` 0 when nothing came. */
  record(provider: string, model: string, outcome: ModelCallOutcome, startedAt: number, firstChunkAt: number): void {
    this.#duration.observe((performance.now() - startedAt) / 1000, { provider, model, outcome });
    if (firstChunkAt > 0) this.#firstChunk.observe((firstChunkAt - startedAt) / 1000, { provider, model });
  }
}
