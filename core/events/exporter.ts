import type { EventEnvelope } from './envelope.js';

/**
 * Receives every durable envelope of the runs this process executes, batch by batch, right after the event
 * log stored them: JSONL files, stdout, metrics derived from events, OpenTelemetry traces. Contributed to
 * `extensionPoints.exporters`; the runtime owns the list, calls `export` and, when it stops (after every run
 * has recorded its end), `shutdown`.
 *
 * `export` runs on the run's path: it must return at once (buffer, then write asynchronously). A throw or a
 * rejected promise is logged and ignored; it never affects a run or the other exporters. A batch holds
 * envelopes of one run in seq order; it includes the copies a nested run mirrors into its parent's log
 * (those carry `origin`), so derive counts from envelopes without `origin`.
 *
 * @example
 * ```ts
 * const counting: EventExporter = {
 *   name: 'count-tool-calls',
 *   export(envelopes) {
 *     for (const e of envelopes) if (e.type === 'tool.call' && !e.origin) calls++;
 *   },
 * };
 * definePlugin({ id: 'tool-call-counter', version: '1.0.0', contributes: [contribution(extensionPoints.exporters, counting)] });
 * ```
 */
export interface EventExporter {
  /** For logs: which exporter failed. */
  readonly name: string;
  export(envelopes: readonly EventEnvelope[]): void | Promise<void>;
  /** Writes what is buffered (tests, `agent-sdk` commands that exit). */
  flush?(): Promise<void>;
  /** The runtime stopped: write what is buffered and release files and connections. Nothing is exported after. */
  shutdown?(): Promise<void>;
}
