import type { Counter, EventEnvelope, EventExporter, Logger } from '../../core/index.js';

/** What the exporter writes to: process.stdout, or any writable with a buffer length. */
export interface JsonlSink {
  write(text: string): unknown;
  readonly writableLength: number;
}

export interface JsonlStreamOptions {
  readonly sink: JsonlSink;
  /** Event types left out (e.g. `assistant.delta`). */
  readonly exclude?: readonly string[];
  /** While the sink holds more than this unwritten (a reader that does not keep up), envelopes are dropped and counted. */
  readonly maxBufferedBytes?: number;
  readonly logger?: Logger;
  readonly dropped?: Counter;
  readonly name?: string;
}

/**
 * Every envelope as one JSON line on a stream (stdout for a log collector: `agent-sdk server | vector`). The
 * envelopes of one turn of the event loop are written together; a reader that falls behind costs dropped
 * envelopes (counted, warned once per episode), never memory or a slower run.
 */
export class JsonlStreamExporter implements EventExporter {
  readonly name: string;
  readonly stats = { written: 0, dropped: 0 };
  readonly #options: JsonlStreamOptions;
  readonly #exclude: ReadonlySet<string>;
  readonly #maxBuffered: number;
  #pending: EventEnvelope[] = [];
  #scheduled = false;
  #closed = false;
  #dropping = false;

  constructor(options: JsonlStreamOptions) {
    this.#options = options;
    this.name = options.name ?? 'jsonl-stdout';
    this.#exclude = new Set(options.exclude ?? []);
    this.#maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  }

  export(envelopes: readonly EventEnvelope[]): void {
    if (this.#closed) return;
    for (const envelope of envelopes) if (!this.#exclude.has(envelope.type)) this.#pending.push(envelope);
    if (!this.#scheduled && this.#pending.length) {
      this.#scheduled = true;
      setImmediate(() => this.#write());
    }
  }

  async flush(): Promise<void> {
    this.#write();
  }

  async shutdown(): Promise<void> {
    this.#write();
    this.#closed = true;
  }

  #write(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (!batch.length) return;
    this.#pending = [];
    const { sink } = this.#options;
    if (sink.writableLength > this.#maxBuffered) {
      this.stats.dropped += batch.length;
      this.#options.dropped?.inc({ exporter: this.name }, batch.length);
      if (!this.#dropping) this.#options.logger?.warn('the JSONL stream is not read fast enough: envelopes are dropped', { exporter: this.name, buffered: sink.writableLength });
      this.#dropping = true;
      return;
    }
    this.#dropping = false;
    let text = '';
    for (const envelope of batch) text += `${JSON.stringify(envelope)}\n`;
    sink.write(text);
    this.stats.written += batch.length;
  }
}
