import { collectDefaultMetrics, Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry } from 'prom-client';
import {
  LATENCY_BUCKETS_SECONDS,
  sdkError,
  type Counter,
  type Gauge,
  type GaugeSpec,
  type Histogram,
  type HistogramSpec,
  type MetricFamily,
  type MetricLabels,
  type MetricSample,
  type MetricSpec,
  type MetricsPort,
} from '../../core/index.js';

type Kind = MetricFamily['type'];
interface Declared {
  readonly kind: Kind;
  readonly labelNames: string;
  readonly instrument: Counter | Gauge | Histogram;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface PromMetricsOptions {
  /** Adds prom-client's process metrics (CPU, memory, event-loop lag, GC, handles) to this registry. */
  readonly defaultMetrics?: boolean;
  /** Labels on every series (e.g. `{ service: 'agents', instance: 'a1' }`). */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

/**
 * `ports.metrics` on prom-client: one Registry per instance (never prom-client's global one, so two kernels
 * in a process share nothing), exposed in the Prometheus text format.
 *
 * @example
 * ```ts
 * const metrics = new PromMetrics({ defaultMetrics: false });
 * metrics.counter({ name: 'demo_total', help: 'Demo', labelNames: ['kind'] }).inc({ kind: 'a' });
 * console.log((await metrics.exposition()).text);
 * ```
 */
export class PromMetrics implements MetricsPort {
  readonly registry = new Registry();
  readonly #declared = new Map<string, Declared>();

  constructor(options: PromMetricsOptions = {}) {
    const defaultLabels = options.defaultLabels ?? {};
    for (const label of Object.keys(defaultLabels)) {
      if (!LABEL_NAME.test(label) || label.startsWith('__')) throw sdkError('ASDK_METRIC_INVALID', { name: '(every metric)', reason: `default label ${JSON.stringify(label)} is not a label name` });
    }
    if (Object.keys(defaultLabels).length) this.registry.setDefaultLabels({ ...defaultLabels });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  counter(spec: MetricSpec): Counter {
    return this.#declare('counter', spec, (labelNames) => {
      const counter = new PromCounter({ name: spec.name, help: spec.help, labelNames, registers: [this.registry] });
      return {
        inc: (labels?: MetricLabels, value = 1) => (labels ? counter.inc(labels, value) : counter.inc(value)),
      };
    }) as Counter;
  }

  gauge(spec: GaugeSpec): Gauge {
    return this.#declare('gauge', spec, (labelNames) => {
      const collect = spec.collect;
      const gauge = new PromGauge({
        name: spec.name,
        help: spec.help,
        labelNames,
        registers: [this.registry],
        ...(collect && {
          collect(this: PromGauge) {
            // Series a collector no longer reports disappear instead of keeping their last value.
            this.reset();
            collect({ set: (value, labels) => (labels ? this.set(labels, value) : this.set(value)) });
          },
        }),
      });
      return {
        set: (value: number, labels?: MetricLabels) => (labels ? gauge.set(labels, value) : gauge.set(value)),
        inc: (labels?: MetricLabels, value = 1) => (labels ? gauge.inc(labels, value) : gauge.inc(value)),
        dec: (labels?: MetricLabels, value = 1) => (labels ? gauge.dec(labels, value) : gauge.dec(value)),
      };
    }) as Gauge;
  }

  histogram(spec: HistogramSpec): Histogram {
    return this.#declare('histogram', spec, (labelNames) => {
      const buckets = [...(spec.buckets ?? LATENCY_BUCKETS_SECONDS)];
      if (!buckets.length || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]))) {
        throw sdkError('ASDK_METRIC_INVALID', { name: spec.name, reason: `buckets must be finite and ascending, found ${JSON.stringify(spec.buckets)}` });
      }
      const histogram = new PromHistogram({ name: spec.name, help: spec.help, labelNames, buckets, registers: [this.registry] });
      return {
        observe: (value: number, labels?: MetricLabels) => (labels ? histogram.observe(labels, value) : histogram.observe(value)),
      };
    }) as Histogram;
  }

  async collect(): Promise<readonly MetricFamily[]> {
    const families = await this.registry.getMetricsAsJSON();
    return families.map((family) => ({
      name: family.name,
      help: family.help,
      type: String(family.type) as Kind,
      samples: family.values.map(
        (value): MetricSample => ({
          name: (value as { metricName?: string }).metricName ?? family.name,
          labels: stringLabels(value.labels),
          value: value.value,
        }),
      ),
    }));
  }

  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  #declare(kind: Kind, spec: MetricSpec, create: (labelNames: string[]) => Counter | Gauge | Histogram): Counter | Gauge | Histogram {
    const name = spec?.name;
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) throw sdkError('ASDK_METRIC_INVALID', { name: JSON.stringify(name), reason: 'the name is not a Prometheus metric name' });
    if (typeof spec.help !== 'string' || !spec.help.trim()) throw sdkError('ASDK_METRIC_INVALID', { name, reason: 'help (one line saying what it counts) is missing' });
    const labelNames = [...(spec.labelNames ?? [])];
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le' || label === 'quantile') {
        throw sdkError('ASDK_METRIC_INVALID', { name, reason: `label ${JSON.stringify(label)} is not allowed` });
      }
    }
    if (new Set(labelNames).size !== labelNames.length) throw sdkError('ASDK_METRIC_INVALID', { name, reason: 'a label name is repeated' });
    const shape = [...labelNames].sort().join(',');
    const existing = this.#declared.get(name);
    if (existing) {
      if (existing.kind === kind && existing.labelNames === shape) return existing.instrument;
      throw sdkError('ASDK_METRIC_CONFLICT', { name, first: describe(existing.kind, existing.labelNames), second: describe(kind, shape) });
    }
    if (this.registry.getSingleMetric(name)) throw sdkError('ASDK_METRIC_CONFLICT', { name, first: 'a process metric', second: describe(kind, shape) });
    const instrument = create(labelNames);
    this.#declared.set(name, { kind, labelNames: shape, instrument });
    return instrument;
  }
}

function describe(kind: Kind, labelNames: string): string {
  return `a ${kind} with labels [${labelNames}]`;
}

function stringLabels(labels: Record<string, string | number | undefined>): MetricLabels {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (value !== undefined) out[key] = String(value);
  return out;
}
