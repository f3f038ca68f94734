import { isAgentSdkError, sdkError, type AgentSdkError, type EventEnvelope, type EventLog, type Logger, type OrgScope, type RunHandle } from '../../../core/index.js';
import { FeedEntry } from './feed-entry.js';

/** Why a subscription ended (after its last event, when there is one). */
export type FeedEnd =
  | { readonly kind: 'completed' }
  | { readonly kind: 'failed'; readonly error: AgentSdkError }
  | { readonly kind: 'shutdown' };

/** What a live send did: written; not written because the client has too much unread; or the sink is gone. */
export type SendResult = 'sent' | 'full' | 'closed';

/**
 * Where a subscription's events go (an SSE response, a gateway subscription). `send` is for live events and
 * never waits: when the client has more than its bound unread it writes nothing and answers `full`.
 * `waitForRoom` then waits for the client to read: true once it has, false when it stalled too long (the
 * sink has then told the client and closed). `sendPaced` is for replay and waits for the client itself.
 */
export interface EventSink {
  send(entry: FeedEntry): SendResult;
  sendPaced(entry: FeedEntry): Promise<boolean>;
  waitForRoom(): Promise<boolean>;
  end(reason: FeedEnd): void;
}

/** Events read from the log per query while a subscriber catches up. */
const CATCH_UP_PAGE = 500;

/**
 * One subscriber of a run: the seq it has received so far, and how it is fed: `joining` (replaying from the
 * window or the log), `live`, or `lagging` (its client has too much unread; it gets nothing until it reads,
 * then catches up like a late joiner).
 */
export class Subscription {
  cursor: number;
  state: 'joining' | 'live' | 'lagging' | 'closed' = 'joining';
  readonly feed: RunFeed;
  readonly sink: EventSink;

  constructor(feed: RunFeed, sink: EventSink, afterSeq: number) {
    this.feed = feed;
    this.sink = sink;
    this.cursor = afterSeq;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Stops delivery (client gone, unsubscribed, sink overflowed); the run goes on. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.feed.remove(this);
  }

  /** Delivers one event without waiting; false when the subscriber cannot take it now (lagging or closed). */
  offer(entry: FeedEntry): boolean {
    if (this.state === 'closed' || this.state === 'lagging') return false;
    if (entry.seq <= this.cursor) return true;
    if (entry.seq !== this.cursor + 1) {
      // Cannot happen with a gapless source; refuse to deliver out of order rather than hide a gap.
      this.finish({ kind: 'failed', error: sdkError('ASDK_SERVER_INTERNAL', { method: 'stream', path: this.feed.runId, reason: `seq ${entry.seq} after ${this.cursor}` }) });
      return false;
    }
    const result = this.sink.send(entry);
    if (result === 'sent') {
      this.cursor = entry.seq;
      return true;
    }
    if (result === 'closed') this.close();
    else this.feed.lag(this);
    return false;
  }

  finish(reason: FeedEnd): void {
    if (this.state === 'closed') return;
    this.close();
    this.sink.end(reason);
  }
}

/**
 * The server-side fan-out of one run: a single follower of the run (`RunHandle.events`, replay then live)
 * whose events are serialised once, kept in a bounded window of recent events, and handed to every
 * subscriber. A subscriber whose position is inside the window joins at once; one further behind reads
 * the gap from the event log page by page (paced by its client), then joins. So 1,000 subscribers of one
 * run cost one follower and one serialisation per event, and memory is the window plus each client's
 * bounded send buffer.
 */
export class RunFeed {
  readonly scope: OrgScope;
  readonly runId: string;
  /** Highest seq received from the run. */
  lastSeq: number;
  ended = false;
  readonly #log: EventLog;
  readonly #window: number;
  readonly #logger: Logger;
  readonly #onIdle: (feed: RunFeed) => void;
  readonly #source: AsyncIterator<EventEnvelope>;
  /** Recent entries, oldest first; holds every seq in (floor, lastSeq]. */
  #recent: FeedEntry[] = [];
  #floor: number;
  readonly #live = new Set<Subscription>();
  readonly #catchingUp = new Set<Subscription>();
  #endReason: FeedEnd | undefined;
  #stopped = false;

  constructor(options: { scope: OrgScope; handle: RunHandle; afterSeq: number; log: EventLog; window: number; logger: Logger; onIdle: (feed: RunFeed) => void }) {
    this.scope = options.scope;
    this.runId = options.handle.id;
    this.lastSeq = options.afterSeq;
    this.#floor = options.afterSeq;
    this.#log = options.log;
    this.#window = options.window;
    this.#logger = options.logger;
    this.#onIdle = options.onIdle;
    this.#source = options.handle.events(options.afterSeq)[Symbol.asyncIterator]();
    void this.#pump();
  }

  get subscriberCount(): number {
    return this.#live.size + this.#catchingUp.size;
  }

  /** Adds a subscriber that has every event up to `afterSeq`. */
  subscribe(sink: EventSink, afterSeq: number): Subscription {
    const subscription = new Subscription(this, sink, afterSeq);
    this.#catchingUp.add(subscription);
    if (afterSeq >= this.#floor) this.#join(subscription);
    else void this.#catchUp(subscription);
    return subscription;
  }

  /**
   * A live subscriber's client has too much unread: it leaves live delivery, and once its client has read
   * (within the sink's stall timeout) it catches up from the window or the log, then is live again.
   */
  lag(subscription: Subscription): void {
    if (subscription.state === 'closed' || subscription.state === 'lagging') return;
    subscription.state = 'lagging';
    this.#live.delete(subscription);
    this.#catchingUp.add(subscription);
    void subscription.sink.waitForRoom().then(
      (room) => {
        if (subscription.state !== 'lagging') return;
        if (!room) return subscription.close();
        subscription.state = 'joining';
        void this.#catchUp(subscription);
      },
      () => subscription.close(),
    );
  }

  remove(subscription: Subscription): void {
    this.#live.delete(subscription);
    this.#catchingUp.delete(subscription);
    if (this.subscriberCount === 0 && !this.ended) this.stop();
  }

  /** Ends every subscription with `reason` and lets go of the run. */
  stop(reason?: FeedEnd): void {
    if (!this.#stopped) {
      this.#stopped = true;
      void this.#source.return?.().catch(() => undefined);
      this.#onIdle(this);
    }
    if (reason) for (const subscription of [...this.#live, ...this.#catchingUp]) subscription.finish(reason);
  }

  /** Sends the window's entries after the subscriber's cursor, then makes it live (or ends it). */
  #join(subscription: Subscription): void {
    for (const entry of this.#recent) {
      // A client that cannot take the window now lags (lag() took over), or is gone.
      if (!subscription.offer(entry)) return;
    }
    if (subscription.state !== 'joining') return;
    if (this.#endReason && subscription.cursor >= this.lastSeq) {
      subscription.finish(this.#endReason);
      return;
    }
    subscription.state = 'live';
    this.#catchingUp.delete(subscription);
    this.#live.add(subscription);
  }

  async #catchUp(subscription: Subscription): Promise<void> {
    try {
      while (!subscription.closed && subscription.cursor < this.#floor) {
        const page = await this.#log.read(this.scope, this.runId, subscription.cursor, CATCH_UP_PAGE);
        if (subscription.closed) return;
        if (!page.length) break;
        for (const envelope of page) {
          if (envelope.seq <= subscription.cursor) continue;
          if (envelope.seq !== subscription.cursor + 1 || subscription.closed) break;
          // Entries the window still holds are shared; older ones are made for this subscriber only.
          const entry = envelope.seq > this.#floor ? this.#entryAt(envelope.seq) ?? new FeedEntry(envelope) : new FeedEntry(envelope);
          subscription.cursor = entry.seq;
          if (!(await subscription.sink.sendPaced(entry))) {
            subscription.close();
            return;
          }
          if (subscription.cursor >= this.#floor) break;
        }
      }
      if (!subscription.closed) this.#join(subscription);
    } catch (error) {
      const failure = isAgentSdkError(error) ? error : sdkError('ASDK_SERVER_INTERNAL', { method: 'stream', path: this.runId, reason: String((error as Error)?.message ?? error) });
      this.#logger.warn('a stream subscriber could not catch up from the event log', { runId: this.runId, error });
      subscription.finish({ kind: 'failed', error: failure });
    }
  }

  #entryAt(seq: number): FeedEntry | undefined {
    const first = this.#recent[0]?.seq;
    return first === undefined ? undefined : this.#recent[seq - first];
  }

  async #pump(): Promise<void> {
    let reason: FeedEnd = { kind: 'completed' };
    try {
      for (;;) {
        const next = await this.#source.next();
        if (next.done || this.#stopped) break;
        const entry = new FeedEntry(next.value);
        this.#recent.push(entry);
        this.lastSeq = entry.seq;
        if (this.#recent.length > this.#window * 2) {
          const dropped = this.#recent.splice(0, this.#recent.length - this.#window);
          this.#floor = dropped[dropped.length - 1].seq;
        }
        for (const subscription of this.#live) subscription.offer(entry);
      }
    } catch (error) {
      if (this.#stopped) return;
      this.#logger.warn('following a run failed', { runId: this.runId, error });
      const failure = isAgentSdkError(error) ? error : sdkError('ASDK_SERVER_INTERNAL', { method: 'stream', path: this.runId, reason: String((error as Error)?.message ?? error) });
      reason = { kind: 'failed', error: failure };
    }
    if (this.#stopped) return;
    this.ended = true;
    this.#endReason = reason;
    for (const subscription of [...this.#live]) subscription.finish(reason);
    // Subscribers still catching up finish when they reach the end of the window (#join).
    this.stop();
  }
}
