import { sdkError } from '../errors/agent-sdk-error.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { EventExporter } from '../events/exporter.js';
import type { ContributedItem } from '../plugin.js';
import type { Logger } from '../ports/logger.js';

/** Longest the runtime waits for one exporter's shutdown when it stops. */
export const EXPORTER_SHUTDOWN_TIMEOUT_MS = 5_000;

interface Loaded {
  readonly exporter: EventExporter;
  readonly pluginId: string;
  failures: number;
}

/**
 * The contributed exporters (`extensionPoints.exporters`), as the runtime calls them: every batch the event
 * log accepted goes to each one, and a failing exporter (a throw, a rejected promise) is logged, first time
 * and then every 1000th, without affecting the run or the others. With no exporter, `export` returns at once.
 */
export class EventExporters {
  #loaded: readonly Loaded[] = [];
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** How many exporters receive envelopes. */
  get size(): number {
    return this.#loaded.length;
  }

  /** Takes the contributions (runtime start); an item that is not an exporter is refused with its plugin named. */
  load(contributions: readonly ContributedItem<EventExporter>[]): void {
    const loaded: Loaded[] = [];
    for (const { item, pluginId } of contributions) {
      const missing = typeof item?.export !== 'function' ? 'an export() function' : typeof item.name !== 'string' || !item.name ? 'a name' : undefined;
      if (missing) throw sdkError('ASDK_EXPORTER_INVALID', { plugin: pluginId, missing });
      loaded.push({ exporter: item, pluginId, failures: 0 });
    }
    this.#loaded = loaded;
  }

  /** Hands a batch of durable envelopes to every exporter. Never throws. */
  export(envelopes: readonly EventEnvelope[]): void {
    const loaded = this.#loaded;
    if (loaded.length === 0 || envelopes.length === 0) return;
    for (const entry of loaded) {
      try {
        const pending = entry.exporter.export(envelopes);
        if (pending !== undefined && typeof (pending as Promise<void>).then === 'function') {
          (pending as Promise<void>).then(undefined, (error) => this.#failed(entry, error, envelopes[0]));
        }
      } catch (error) {
        this.#failed(entry, error, envelopes[0]);
      }
    }
  }

  /** Writes what every exporter buffers. */
  async flush(): Promise<void> {
    await Promise.all(this.#loaded.map((entry) => this.#settle(entry, 'flush')));
  }

  /** Shuts every exporter down (each within EXPORTER_SHUTDOWN_TIMEOUT_MS); nothing is exported afterwards. */
  async shutdown(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = [];
    await Promise.all(loaded.map((entry) => this.#settle(entry, 'shutdown')));
  }

  async #settle(entry: Loaded, hook: 'flush' | 'shutdown'): Promise<void> {
    const call = entry.exporter[hook];
    if (typeof call !== 'function') return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => call.call(entry.exporter)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${hook}() did not finish within ${EXPORTER_SHUTDOWN_TIMEOUT_MS} ms`)), EXPORTER_SHUTDOWN_TIMEOUT_MS);
          timer.unref();
        }),
      ]);
    } catch (error) {
      this.#logger.error(`an exporter's ${hook} failed`, { exporter: entry.exporter.name, plugin: entry.pluginId, error });
    } finally {
      clearTimeout(timer);
    }
  }

  #failed(entry: Loaded, error: unknown, first: EventEnvelope): void {
    entry.failures++;
    if (entry.failures === 1 || entry.failures % 1000 === 0) {
      this.#logger.error('an exporter failed; the run goes on without it for this batch', {
        exporter: entry.exporter.name,
        plugin: entry.pluginId,
        failures: entry.failures,
        runId: first.runId,
        seq: first.seq,
        error,
      });
    }
  }
}
