// agent-sdk/otel — the OpenTelemetry trace exporter as its own entry point, so the OpenTelemetry SDK is only
// loaded by those who want traces: `plugins: { load: [agent-sdk/otel] }` in a config file, or
// `import { otelPlugin } from 'agent-sdk/otel'` in code.
export * from './plugins/otel/index.js';
export { default } from './plugins/otel/index.js';
