import { isTerminalEventType, type EventEnvelope, type EventType } from '../events/envelope.js';
import type { EventBus } from '../ports/event-bus.js';
import type { EventLog, OrgScope } from '../ports/storage.js';

/** Live envelopes held for a slow reader before it falls back to reading the log (bounds memory). */
const MAX_BUFFERED = 4096;
const READ_PAGE = 1000;
/** Polling of the log for a run not executing here: from this delay, doubling up to the next. */
const POLL_MIN_MS = 250;
const POLL_MAX_MS = 5_000;

/**
 * What a reader knows about where its run executes. A run executing in this process publishes every event on
 * the bus, so a caught-up reader just waits for the bus. Any other run (executing in another process, already
 * ended, or ended without its terminal event because that append failed or its process died) may never
 * publish here: the reader polls the log instead, and stops when the run is over and the log has nothing newer.
 */
export interface RunFollowing {
  /** True while the run executes in this process. */
  executingHere(): boolean;
  /** Settles when the local execution has ended (wakes a reader waiting on the bus); absent for other runs. */
  readonly localEnd?: Promise<unknown>;
  /** Whether the run is over for good (its record is terminal, or its local execution has ended). */
  isOver(): Promise<boolean> | boolean;
}

/**
 * Follows one run: every envelope with `seq > afterSeq`, in order, without gaps or duplicates, replayed from
 * the event log and then live from the bus, ending after the terminal event. It subscribes before reading
 * so nothing published in between is lost; whatever the bus skips (a reader too slow, a lossy bus) is read
 * back from the log by seq.
 */
export class RunEventIterator implements AsyncIterableIterator<EventEnvelope> {
  readonly #log: EventLog;
  readonly #bus: EventBus;
  readonly #scope: OrgScope;
  readonly #runId: string;
  #lastSeq: number;
  /** Read from the log, not yet delivered. */
  #replay: readonly EventEnvelope[] = [];
  #replayAt = 0;
  /** Arrived from the bus, not yet delivered. */
  #live: EventEnvelope[] = [];
  #liveAt = 0;
  #caughtUp = false;
  #done = false;
  #unsubscribe: (() => void) | undefined;
  #wake: (() => void) | undefined;
  readonly #following: RunFollowing | undefined;
  #localEndWatched = false;
  #pollDelay = 0;
  /** The last poll found the run over with nothing newer in the log (one more look, then the end). */
  #overSeen = false;

  /**
   * Without `following`, the reader waits on the bus once caught up (the run is taken to execute here); the
   * runtime's handles always pass it.
   */
  constructor(log: EventLog, bus: EventBus, scope: OrgScope, runId: string, afterSeq = 0, following?: RunFollowing) {
    this.#log = log;
    this.#bus = bus;
    this.#scope = scope;
    this.#runId = runId;
    this.#lastSeq = Math.max(0, Math.floor(afterSeq));
    this.#following = following;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<EventEnvelope>> {
    if (this.#done) return { value: undefined, done: true };
    this.#unsubscribe ??= this.#bus.subscribe(this.#runId, (envelope) => this.#arrive(envelope));
    for (;;) {
      const envelope = this.#take();
      if (envelope) {
        this.#lastSeq = envelope.seq;
        if (isTerminalEventType(envelope.type)) this.#close();
        return { value: envelope, done: false };
      }
      if (!this.#caughtUp || this.#live.length > this.#liveAt) {
        // First call, or the next live event is not the next seq: read what is missing from the log.
        await this.#readLog();
        continue;
      }
      const following = this.#following;
      if (following && !following.executingHere()) {
        if (!(await this.#poll(following))) return { value: undefined, done: true };
        continue;
      }
      if (following?.localEnd && !this.#localEndWatched) {
        // When the local execution ends, look again: its terminal event may never come (its append failed).
        this.#localEndWatched = true;
        following.localEnd.then(() => this.#wake?.(), () => this.#wake?.());
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
      if (this.#done) return { value: undefined, done: true };
    }
  }

  /**
   * Caught up on a run that does not execute here: waits (250 ms doubling to 5 s, or until the bus has
   * something), then reads the log. Returns false once the run is over and the log had nothing newer on two
   * looks in a row: the record of a run is written before its terminal event, so one look could come between.
   */
  async #poll(following: RunFollowing): Promise<boolean> {
    const delay = (this.#pollDelay = this.#pollDelay ? Math.min(POLL_MAX_MS, this.#pollDelay * 2) : POLL_MIN_MS);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
    if (this.#done) return false;
    if (this.#live.length > this.#liveAt) {
      this.#pollDelay = 0;
      return true;
    }
    const over = await following.isOver();
    await this.#readLog();
    if (this.#done) return false;
    if (this.#replay.length > 0) {
      this.#pollDelay = 0;
      this.#overSeen = false;
      return true;
    }
    if (!over) return true;
    if (this.#overSeen) {
      this.#close();
      return false;
    }
    this.#overSeen = true;
    this.#pollDelay = 0;
    return true;
  }

  async return(): Promise<IteratorResult<EventEnvelope>> {
    this.#close();
    return { value: undefined, done: true };
  }

  /** The next envelope if it is the next seq, from the replay or the live queue. */
  #take(): EventEnvelope | undefined {
    const expected = this.#lastSeq + 1;
    while (this.#replayAt < this.#replay.length) {
      const envelope = this.#replay[this.#replayAt++];
      if (envelope.seq === expected) return envelope;
    }
    while (this.#liveAt < this.#live.length) {
      const envelope = this.#live[this.#liveAt];
      if (envelope.seq < expected) {
        this.#liveAt++;
        continue;
      }
      if (envelope.seq !== expected) return undefined;
      this.#liveAt++;
      if (this.#liveAt === this.#live.length) {
        this.#live = [];
        this.#liveAt = 0;
      }
      return envelope;
    }
    return undefined;
  }

  async #readLog(): Promise<void> {
    const page = await this.#log.read(this.#scope, this.#runId, this.#lastSeq, READ_PAGE);
    this.#caughtUp = page.length < READ_PAGE;
    this.#replay = page;
    this.#replayAt = 0;
    if (page.length === 0 && this.#live.length > this.#liveAt) {
      // The bus is ahead of the log we can see (another process's log not yet visible): wait for more.
      this.#caughtUp = true;
      this.#live = this.#live.slice(this.#liveAt);
      this.#liveAt = 0;
      await new Promise<void>((resolve) => setTimeout(resolve, 10));
    }
  }

  #arrive(envelope: EventEnvelope): void {
    if (envelope.seq <= this.#lastSeq) return;
    if (this.#live.length - this.#liveAt >= MAX_BUFFERED) {
      // Too slow a reader: drop the buffer; the gap is read back from the log.
      this.#live = [];
      this.#liveAt = 0;
    }
    this.#live.push(envelope);
    this.#wake?.();
  }

  #close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#live = [];
    this.#wake?.();
  }
}

/**
 * Narrows an envelope by its type, so `event.data` is typed.
 *
 * @example
 * ```ts
 * for await (const event of run.events()) {
 *   if (isEvent(event, 'assistant.delta')) process.stdout.write(event.data.text);
 * }
 * ```
 */
export function isEvent<T extends EventType>(event: EventEnvelope, type: T): event is EventEnvelope<T> {
  return event.type === type;
}
