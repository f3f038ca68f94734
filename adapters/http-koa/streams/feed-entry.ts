import { isTerminalEventType, type EventEnvelope } from '../../../core/index.js';

/**
 * One event as the server sends it: serialised once, whatever the number of subscribers. The SSE frame is
 * built on first use and shared (the same Buffer is written to every SSE response).
 */
export class FeedEntry {
  readonly seq: number;
  readonly type: string;
  /** The envelope as JSON. */
  readonly json: string;
  readonly terminal: boolean;
  #sse: Buffer | undefined;

  constructor(envelope: EventEnvelope) {
    this.seq = envelope.seq;
    this.type = envelope.type;
    this.json = JSON.stringify(envelope);
    // Events mirrored from a nested run carry its terminal types too; only the run's own one ends the stream.
    this.terminal = isTerminalEventType(envelope.type) && envelope.origin === undefined;
  }

  /** `id: <seq>` / `event: <type>` / `data: <envelope>` (JSON has no raw newlines, so one data line). */
  get sse(): Buffer {
    this.#sse ??= Buffer.from(`id: ${this.seq}\nevent: ${this.type}\ndata: ${this.json}\n\n`);
    return this.#sse;
  }
}
