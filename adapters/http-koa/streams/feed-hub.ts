import { sdkError, type EventLog, type Logger, type OrgScope, type RunHandle } from '../../../core/index.js';
import { RunFeed, type EventSink, type Subscription } from './run-feed.js';

export interface FeedHubOptions {
  readonly log: EventLog;
  /** Recent events kept per followed run (server.sse.replayWindow). */
  readonly window: number;
  /** Subscriptions served at once, SSE and gateway together (server.sse.maxSubscribers). */
  readonly maxSubscribers: number;
  readonly logger: Logger;
}

/**
 * Every run the server is streaming, one {@link RunFeed} per run and org, made when its first subscriber
 * arrives and dropped when its last one leaves or the run ends.
 */
export class FeedHub {
  readonly #feeds = new Map<string, RunFeed>();
  readonly #options: FeedHubOptions;
  #closed = false;

  constructor(options: FeedHubOptions) {
    this.#options = options;
  }

  /** The live feed of a run, when one is being followed (no storage access). */
  find(scope: OrgScope, runId: string): RunFeed | undefined {
    const feed = this.#feeds.get(keyOf(scope, runId));
    return feed && !feed.ended ? feed : undefined;
  }

  get subscriberCount(): number {
    let count = 0;
    for (const feed of this.#feeds.values()) count += feed.subscriberCount;
    return count;
  }

  get feedCount(): number {
    return this.#feeds.size;
  }

  /** Throws ASDK_SERVER_BUSY at the subscriber limit, ASDK_SERVER_SHUTTING_DOWN once closed. */
  checkCapacity(): void {
    if (this.#closed) throw sdkError('ASDK_SERVER_SHUTTING_DOWN');
    const count = this.subscriberCount;
    if (count >= this.#options.maxSubscribers) throw sdkError('ASDK_SERVER_BUSY', { count });
  }

  /**
   * Subscribes `sink` to a run from `afterSeq` (the caller checked it is not beyond the run's last event).
   * Refused with ASDK_SERVER_BUSY beyond the subscriber limit, and ASDK_SERVER_SHUTTING_DOWN once closed.
   */
  subscribe(scope: OrgScope, handle: RunHandle, afterSeq: number, sink: EventSink): Subscription {
    this.checkCapacity();
    const key = keyOf(scope, handle.id);
    let feed = this.#feeds.get(key);
    if (!feed || feed.ended) {
      feed = new RunFeed({
        scope,
        handle,
        afterSeq,
        log: this.#options.log,
        window: this.#options.window,
        logger: this.#options.logger,
        onIdle: (idle) => {
          if (this.#feeds.get(key) === idle) this.#feeds.delete(key);
        },
      });
      this.#feeds.set(key, feed);
    }
    return feed.subscribe(sink, afterSeq);
  }

  /** Shutdown: refuses new subscriptions and ends every current one with a notice. */
  close(): void {
    this.#closed = true;
    for (const feed of [...this.#feeds.values()]) feed.stop({ kind: 'shutdown' });
    this.#feeds.clear();
  }
}

function keyOf(scope: OrgScope, runId: string): string {
  return `${scope.orgId}\u0000${runId}`;
}
