import { createMultiPortRef, createPortRef } from './port-ref.js';
import type { Clock } from './clock.js';
import type { EmbeddingPort } from './embedding.js';
import type { EventBus } from './event-bus.js';
import type { Logger } from './logger.js';
import type { MetricsPort } from './metrics.js';
import type { ModelPort } from './model.js';
import type { PolicyPort } from './policy.js';
import type { RunService } from './runs.js';
import type { Secrets } from './secrets.js';
import type { StoragePort } from './storage.js';
import type { ToolPort } from './tool.js';
import type { Transport } from './transport.js';
import type { VectorIndexPort } from './vector-index.js';

/**
 * The ports of the kernel. The five main ones (model, tool, storage, transport, policy), the runtime's
 * service, and the small sub-ports every plugin may use (logger, clock, secrets; the kernel provides
 * defaults that a plugin may replace; metrics, which nobody has to provide).
 */
export const ports = {
  model: createPortRef<ModelPort>({ id: 'core.model', description: 'Model router: named models, retries, fallback' }),
  tool: createPortRef<ToolPort>({ id: 'core.tool', description: 'Registry of versioned tools' }),
  storage: createPortRef<StoragePort>({ id: 'core.storage', description: 'Repositories, all scoped by org' }),
  transport: createMultiPortRef<Transport>({ id: 'core.transport', description: 'How runs reach people and programs' }),
  policy: createPortRef<PolicyPort>({ id: 'core.policy', description: 'The ordered policy chain' }),
  runs: createPortRef<RunService>({ id: 'core.runs', description: 'The agent runtime: start, follow and cancel runs' }),
  logger: createPortRef<Logger>({ id: 'core.logger', description: 'Structured logging' }),
  clock: createPortRef<Clock>({ id: 'core.clock', description: 'Time' }),
  secrets: createPortRef<Secrets>({ id: 'core.secrets', description: 'Secret values (API keys)' }),
  metrics: createPortRef<MetricsPort>({ id: 'core.metrics', description: 'Counters, gauges and histograms (optional: records nothing when absent)' }),
  eventBus: createPortRef<EventBus>({ id: 'core.event-bus', description: 'Live delivery of durable events (default: in-process)' }),
  vectorIndex: createPortRef<VectorIndexPort>({ id: 'core.vector-index', description: 'Similarity search over ingested chunks, scoped by org' }),
  embedding: createPortRef<EmbeddingPort>({ id: 'core.embedding', description: 'Texts to unit-length vectors, for similarity search' }),
} as const;

export * from './port-ref.js';
export type * from './clock.js';
export type * from './doctor.js';
export type * from './logger.js';
export * from './metrics.js';
export * from './model.js';
export type * from './event-bus.js';
export type * from './runs.js';
export type * from './secrets.js';
export type * from './transport.js';
export type * from './vector-index.js';
export type * from './embedding.js';
export * from './agent.js';
export * from './policy.js';
export * from './storage.js';
export * from './tool.js';
