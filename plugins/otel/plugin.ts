import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { Type, type Static } from 'typebox';
import { definePlugin, extensionPoints, ports, type EventEnvelope, type EventExporter, type Logger, type ModelPort } from '../../core/index.js';
import { TraceBuilder, type ModelLookup } from './trace-builder.js';

/** `otel:` in the config file. */
export const OtelConfig = Type.Object(
  {
    endpoint: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else http://localhost:4318/v1/traces)',
      }),
    ),
    headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Headers of every export, e.g. { authorization: "Bearer ${env:OTLP_TOKEN}" }' }),
    serviceName: Type.String({ default: 'agent-sdk', minLength: 1, description: 'service.name of the resource' }),
    resourceAttributes: Type.Record(Type.String(), Type.String(), { default: {}, description: 'More resource attributes, e.g. { deployment.environment.name: prod }' }),
    sampleRatio: Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'Share of runs traced (a nested run follows its parent)' }),
    captureContent: Type.Boolean({ default: false, description: 'Record tool arguments and results on tool spans (may hold personal data)' }),
    exportIntervalMs: Type.Integer({ minimum: 1, default: 1000, description: 'How often finished spans are sent' }),
    maxQueueSize: Type.Integer({ minimum: 1, default: 8192, description: 'Finished spans waiting to be sent; beyond, new ones are dropped' }),
    timeoutMs: Type.Integer({ minimum: 1, default: 10_000, description: 'Longest one export may take' }),
  },
  { additionalProperties: false },
);
export type OtelConfig = Static<typeof OtelConfig>;

/**
 * The traces of runs as an exporter: envelopes become spans (TraceBuilder) on a tracer provider of its own
 * (never the global one), sent in batches by the span processor. `flush` sends what is finished; `shutdown`
 * ends anything still open and shuts the provider down.
 */
export class OtelTraceExporter implements EventExporter {
  readonly name = 'otel';
  readonly provider: BasicTracerProvider;
  readonly #builder: TraceBuilder;

  constructor(options: { provider: BasicTracerProvider; models?: ModelLookup; captureContent?: boolean; logger?: Logger; version?: string }) {
    this.provider = options.provider;
    this.#builder = new TraceBuilder({
      tracer: options.provider.getTracer('agent-sdk', options.version),
      models: options.models,
      captureContent: options.captureContent,
      logger: options.logger,
    });
  }

  export(envelopes: readonly EventEnvelope[]): void {
    this.#builder.add(envelopes);
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    this.#builder.endAll('the runtime stopped');
    await this.provider.shutdown();
  }
}

export interface OtelPluginOptions {
  /** Send spans here instead of OTLP/HTTP (tests: InMemorySpanExporter; or any other SpanExporter). */
  readonly spanExporter?: SpanExporter;
  /** Or take over processing entirely (a SimpleSpanProcessor, your own). */
  readonly spanProcessor?: SpanProcessor;
}

/**
 * An `otel` plugin: OpenTelemetry traces of every run (run -> step -> model call / tool call, nested runs under
 * the delegating call) with the GenAI semantic conventions, sent to an OTLP/HTTP collector. Not in the
 * batteries; `createOtelPlugin({ spanExporter })` sends them elsewhere.
 *
 * @example
 * ```ts
 * const kernel = await createKernel({ plugins: [otelPlugin], config: { otel: { endpoint: 'http://collector:4318/v1/traces' } } });
 * ```
 */
export function createOtelPlugin(options: OtelPluginOptions = {}) {
  return definePlugin({
    id: 'otel',
    version: '1.0.0',
    description: 'OpenTelemetry traces of runs (GenAI semantic conventions), sent over OTLP/HTTP',
    config: OtelConfig,
    optional: { model: ports.model },
    init(ctx) {
      const { config } = ctx;
      const processor =
        options.spanProcessor ??
        new BatchSpanProcessor(
          options.spanExporter ?? new OTLPTraceExporter({ ...(config.endpoint && { url: config.endpoint }), headers: { ...config.headers }, timeoutMillis: config.timeoutMs }),
          { scheduledDelayMillis: config.exportIntervalMs, maxQueueSize: config.maxQueueSize, maxExportBatchSize: Math.min(512, config.maxQueueSize), exportTimeoutMillis: config.timeoutMs },
        );
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName, ...config.resourceAttributes }),
        sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
        spanProcessors: [processor],
      });
      // The runtime owns the exporter from here: it shuts it (and the provider) down after the last run.
      ctx.contribute(extensionPoints.exporters, new OtelTraceExporter({ provider, models: modelLookup(ctx.deps.model), captureContent: config.captureContent, logger: ctx.logger }));
    },
  });
}

/** The `otel` plugin with the OTLP/HTTP exporter its config describes. */
export const otelPlugin = createOtelPlugin();

/** Configured model name -> provider and the provider's model id (`openai/gpt-4.1-mini` -> `gpt-4.1-mini`). */
function modelLookup(model: ModelPort | undefined): ModelLookup | undefined {
  if (!model) return undefined;
  let byName: Map<string, { provider: string; model: string }> | undefined;
  return (name) => {
    // The router is configured in its start, after this plugin's init: read the list on first use.
    byName ??= new Map(model.list().map((info) => [info.name, { provider: info.provider, model: info.id.startsWith(`${info.provider}/`) ? info.id.slice(info.provider.length + 1) : info.id }]));
    return byName.get(name);
  };
}
