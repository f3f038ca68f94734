import type { EventDraft, EventEnvelope } from '../events/envelope.js';
import type { EventRunRef, OrgScope } from '../ports/storage.js';
import { describeThrown } from '../util/describe-thrown.js';
import { RunFailure } from './run-outcome.js';
import type { RuntimeServices } from './runtime-services.js';

/** Drafts waiting for the next write, with who waits for them. */
interface Pending {
  readonly drafts: EventDraft[];
  /** How many of `drafts` (from the start) are mirrored into the parent's log; the rest (the terminal) is not. */
  mirrored: number;
  readonly waiters: { resolve(): void; reject(error: unknown): void }[];
}

/** Drafts queued beyond this make `append` callers that asked for backpressure wait for the write in flight. */
const BACKPRESSURE_DRAFTS = 1_024;

/**
 * A run's side of the event log, with group commit: while one append is being made durable, whatever the run
 * emits meanwhile gathers into the next one, so a run costs a few commits instead of one per event (text
 * deltas arrive much faster than a database commits). Batches are written one after another, so seq and
 * publication follow emission order; each batch is published to the bus and the exporters only once the log
 * accepted it, and copied into the parent's log for a nested run.
 *
 * A failed write fails every later append too: the run sees it at its next awaited append (or at close) and
 * ends with ASDK_RUN_STORAGE_FAILED; nothing after the failure is published.
 */
export class RunLogWriter {
  readonly #services: Pick<RuntimeServices, 'storage' | 'bus' | 'exporters'>;
  readonly #scope: OrgScope;
  readonly #ref: EventRunRef;
  readonly #parent: { readonly log: RunLogWriter; readonly agentName: string } | undefined;
  #pending: Pending | undefined;
  #writing: Promise<void> | undefined;
  #failure: unknown;
  #closed = false;
  /** Called once when a write fails (the run interrupts itself). */
  onFailure: ((error: unknown) => void) | undefined;

  constructor(services: Pick<RuntimeServices, 'storage' | 'bus' | 'exporters'>, scope: OrgScope, ref: EventRunRef, parent?: { log: RunLogWriter; agentName: string }) {
    this.#services = services;
    this.#scope = scope;
    this.#ref = ref;
    this.#parent = parent;
  }

  /** The write failure that ends the run, once one happened. */
  get failure(): unknown {
    return this.#failure;
  }

  /**
   * Queues drafts after everything emitted before; resolves once they are durable and published.
   * `mirror: false` keeps them out of the parent's log (the terminal event).
   */
  append(drafts: readonly EventDraft[], mirror = true): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const pending = (this.#pending ??= { drafts: [], mirrored: 0, waiters: [] });
    if (mirror && pending.mirrored !== pending.drafts.length) throw new Error('RunLogWriter: a mirrored draft may not follow the terminal one');
    for (const draft of drafts) pending.drafts.push(draft);
    if (mirror) pending.mirrored = pending.drafts.length;
    const done = new Promise<void>((resolve, reject) => pending.waiters.push({ resolve, reject }));
    this.#writing ??= this.#drain();
    return done;
  }

  /**
   * Queues drafts without waiting for them to be durable (text deltas): a write failure surfaces at the run's
   * next awaited append. Waits only when too much is queued, so a slow database slows the run instead of
   * filling memory.
   */
  emit(drafts: readonly EventDraft[]): Promise<void> | undefined {
    const done = this.append(drafts);
    done.catch(() => undefined);
    return (this.#pending?.drafts.length ?? 0) > BACKPRESSURE_DRAFTS ? done : undefined;
  }

  /** Copies a nested run's events into this log, keeping where they came from in `origin`. */
  mirror(envelopes: readonly EventEnvelope[], agentName: string): Promise<void> {
    // After this run's end nothing may follow its terminal event; the nested run's own log keeps these.
    if (this.#closed) return Promise.resolve();
    const drafts: EventDraft[] = [];
    for (const envelope of envelopes) {
      drafts.push({ type: envelope.type, data: envelope.data, ts: envelope.ts, origin: envelope.origin ?? { runId: envelope.runId, seq: envelope.seq, agent: agentName } } as EventDraft);
    }
    return this.append(drafts);
  }

  /**
   * Stops taking mirrored events and waits until everything queued is written. Rejects with the write
   * failure, if one happened, and clears it: the terminal event gets its own attempt.
   */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#writing) await this.#writing;
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Writes batch after batch until nothing is queued. Never rejects: failures go to the waiters. */
  async #drain(): Promise<void> {
    while (this.#pending) {
      const batch = this.#pending;
      this.#pending = undefined;
      try {
        await this.#write(batch);
        for (const waiter of batch.waiters) waiter.resolve();
      } catch (error) {
        this.#failure = error;
        this.onFailure?.(error);
        for (const waiter of batch.waiters) waiter.reject(error);
        const rest = this.#pending as Pending | undefined;
        this.#pending = undefined;
        for (const waiter of rest?.waiters ?? []) waiter.reject(error);
      }
    }
    this.#writing = undefined;
  }

  async #write(batch: Pending): Promise<void> {
    let envelopes: readonly EventEnvelope[];
    try {
      envelopes = await this.#services.storage.events.append(this.#scope, this.#ref, batch.drafts);
    } catch (error) {
      throw RunFailure.of('ASDK_RUN_STORAGE_FAILED', { runId: this.#ref.runId, operation: 'record its events', reason: describeThrown(error) }, error);
    }
    this.#services.bus.publish(envelopes);
    this.#services.exporters.export(envelopes);
    if (this.#parent && batch.mirrored > 0) {
      // The parent's log failing is the parent's failure (it then stops this run), not this run's.
      await this.#parent.log
        .mirror(batch.mirrored === envelopes.length ? envelopes : envelopes.slice(0, batch.mirrored), this.#parent.agentName)
        .catch(() => undefined);
    }
  }
}
