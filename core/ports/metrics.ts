/**
 * Label values of one series, by label name. Every name must be declared in the instrument's `labelNames`.
 * Keep the values few (a model, a tool, a status): each distinct combination is one series to store.
 */
export type MetricLabels = Readonly<Record<string, string>>;

/** What every instrument is declared with. Names follow Prometheus: `agent_sdk_<what>_<unit>` (`_total` for counters). */
export interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

/** A value that only goes up (requests, tokens, errors). */
export interface Counter {
  inc(labels?: MetricLabels, value?: number): void;
}

/** A value that goes up and down (subscribers, runs in flight). */
export interface Gauge {
  set(value: number, labels?: MetricLabels): void;
  inc(labels?: MetricLabels, value?: number): void;
  dec(labels?: MetricLabels, value?: number): void;
}

/** A distribution (latencies, sizes), in buckets. */
export interface Histogram {
  observe(value: number, labels?: MetricLabels): void;
}

export interface GaugeSpec extends MetricSpec {
  /**
   * Read at every collection (a scrape of `/metrics`): set the current values through `gauge`. For counts
   * someone else keeps (open streams, queue lengths), so nothing is updated on the hot path.
   */
  readonly collect?: (gauge: Pick<Gauge, 'set'>) => void;
}

export interface HistogramSpec extends MetricSpec {
  /** Upper bounds, ascending. Default: latencies in seconds from 1 ms to 60 s. */
  readonly buckets?: readonly number[];
}

/** One series of a collected metric. Histograms report `<name>_bucket` (with `le`), `<name>_sum` and `<name>_count`. */
export interface MetricSample {
  readonly name: string;
  readonly labels: MetricLabels;
  readonly value: number;
}

/** A metric as collected: its declaration and its current samples. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly samples: readonly MetricSample[];
}

/**
 * The metrics sub-port (`ports.metrics`): counters, gauges and histograms with labels, for what events cannot
 * express (model call latency, event-log append latency, open streams). Declaring an instrument twice with
 * the same type and labels returns the same instrument; a different shape under a taken name throws.
 * Nobody has to provide it: code that records takes it as an `optional` dependency and records nothing
 * without it (or uses {@link noopMetrics}).
 *
 * @example
 * ```ts
 * const latency = deps.metrics?.histogram({ name: 'acme_lookup_seconds', help: 'Lookup latency', labelNames: ['source'] });
 * const started = performance.now();
 * await lookup();
 * latency?.observe((performance.now() - started) / 1000, { source: 'cache' });
 * ```
 */
export interface MetricsPort {
  counter(spec: MetricSpec): Counter;
  gauge(spec: GaugeSpec): Gauge;
  histogram(spec: HistogramSpec): Histogram;
  /** Every metric's current values (gauges with `collect` are read now). */
  collect(): Promise<readonly MetricFamily[]>;
  /** The current values in a text format for scrapers, and its content type (`GET /metrics`). */
  exposition(): Promise<{ readonly contentType: string; readonly text: string }>;
}

/** Latency buckets in seconds, 1 ms to 60 s: model calls, runs, appends. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const noopInstrument = { inc() {}, dec() {}, set() {}, observe() {} };

/** A metrics port that records nothing: for code that wants one unconditionally. */
export const noopMetrics: MetricsPort = Object.freeze({
  counter: () => noopInstrument,
  gauge: () => noopInstrument,
  histogram: () => noopInstrument,
  collect: async () => [],
  exposition: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', text: '' }),
});
