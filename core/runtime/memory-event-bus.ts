import type { EventEnvelope } from '../events/envelope.js';
import type { EventBus } from '../ports/event-bus.js';
import type { Logger } from '../ports/logger.js';

type Listener = (envelope: EventEnvelope) => void;

/**
 * The in-process event bus: subscribers by run id, called synchronously in publish order. A listener that
 * throws is logged and does not keep the others from their events.
 *
 * @example
 * ```ts
 * const bus = createMemoryEventBus();
 * const stop = bus.subscribe('run_1', (e) => console.log(e.seq));
 * ```
 */
export function createMemoryEventBus(logger?: Logger): EventBus & { subscriberCount(runId?: string): number } {
  // One listener is stored bare, several in an array: most runs have zero or one follower.
  const listeners = new Map<string, Listener | Listener[]>();
  const deliver = (listener: Listener, envelope: EventEnvelope) => {
    try {
      listener(envelope);
    } catch (error) {
      logger?.error('an event subscriber threw', { runId: envelope.runId, seq: envelope.seq, error });
    }
  };
  return {
    publish(envelopes) {
      if (listeners.size === 0 || envelopes.length === 0) return;
      const entry = listeners.get(envelopes[0].runId);
      if (entry === undefined) return;
      for (const envelope of envelopes) {
        if (typeof entry === 'function') deliver(entry, envelope);
        else for (const listener of entry.slice()) deliver(listener, envelope);
      }
    },
    subscribe(runId, listener) {
      const entry = listeners.get(runId);
      if (entry === undefined) listeners.set(runId, listener);
      else if (typeof entry === 'function') listeners.set(runId, [entry, listener]);
      else entry.push(listener);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        const current = listeners.get(runId);
        if (current === listener) listeners.delete(runId);
        else if (Array.isArray(current)) {
          const index = current.indexOf(listener);
          if (index !== -1) current.splice(index, 1);
          if (current.length === 1) listeners.set(runId, current[0]);
          else if (current.length === 0) listeners.delete(runId);
        }
      };
    },
    subscriberCount(runId) {
      if (runId === undefined) return [...listeners.values()].reduce((n, e) => n + (typeof e === 'function' ? 1 : e.length), 0);
      const entry = listeners.get(runId);
      return entry === undefined ? 0 : typeof entry === 'function' ? 1 : entry.length;
    },
  };
}
