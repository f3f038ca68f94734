/**
 * OpenTelemetry traces of runs with the GenAI semantic conventions (docs/observability.md). Optional: not in
 * the batteries. Enable it with `plugins.load` (this module) or `createKernel({ plugins: [otelPlugin] })`.
 */
export { otelPlugin, createOtelPlugin, OtelConfig, OtelTraceExporter, type OtelPluginOptions } from './plugin.js';
export { TraceBuilder, type ModelLookup, type TraceBuilderOptions } from './trace-builder.js';
export { GEN_AI, GEN_AI_OPERATION, AGENT_SDK as AGENT_SDK_ATTRIBUTES } from './gen-ai.js';

import { otelPlugin } from './plugin.js';
export default otelPlugin;
