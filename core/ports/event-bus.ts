import type { EventEnvelope } from '../events/envelope.js';

/**
 * The live side of the event stream: envelopes are published here after the event log made them durable,
 * and delivered to whoever follows the run. The runtime's default is in-process pub/sub
 * (`createMemoryEventBus`); a plugin providing `ports.eventBus` (Postgres LISTEN/NOTIFY, ...) fans out
 * across processes instead. Subscribers must tolerate a gap or a duplicate (they re-read the log by seq), so
 * a bus may drop or coalesce deliveries under pressure.
 *
 * @example
 * ```ts
 * const unsubscribe = bus.subscribe(runId, (envelope) => console.log(envelope.type));
 * ```
 */
export interface EventBus {
  /** Delivers durable envelopes of one run, in seq order. Must not throw. */
  publish(envelopes: readonly EventEnvelope[]): void;
  /** Calls `listener` for every envelope of `runId` published from now on; returns the unsubscribe function. */
  subscribe(runId: string, listener: (envelope: EventEnvelope) => void): () => void;
}
