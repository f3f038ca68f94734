import type { ApiClient } from '../api/client.js';
import { followRun, type StreamPhase } from '../api/sse.js';
import { RunModel } from './run-model.js';

/**
 * One run's events, followed once and shared by every view that shows the run (its chat turn, its detail
 * page): the model, the state of the connection, and listeners told when either changes.
 */
export class RunFeed {
  readonly runId: string;
  model: RunModel;
  phase: StreamPhase = { phase: 'connecting', attempt: 1 };
  #api: ApiClient;
  #controller: AbortController | undefined;
  #listeners = new Set<() => void>();
  #scheduled = false;

  constructor(api: ApiClient, runId: string) {
    this.#api = api;
    this.runId = runId;
    this.model = new RunModel(runId);
  }

  get following(): boolean {
    return this.#controller !== undefined;
  }

  get ended(): boolean {
    return this.phase.phase === 'ended' || this.model.terminal !== undefined;
  }

  /** Starts following (again, after a failure), from the last seq already applied. */
  start(): void {
    if (this.#controller || this.ended) return;
    const controller = new AbortController();
    this.#controller = controller;
    void followRun(this.#api, this.runId, {
      afterSeq: this.model.lastSeq,
      signal: controller.signal,
      onEvent: (envelope) => {
        if (this.model.apply(envelope)) this.#changed();
      },
      onPhase: (phase) => {
        this.phase = phase;
        this.#changed();
      },
    }).finally(() => {
      if (this.#controller === controller) this.#controller = undefined;
      this.#changed();
    });
  }

  stop(): void {
    this.#controller?.abort();
    this.#controller = undefined;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Listeners hear at most once per animation frame: a burst of deltas is one render. */
  #changed(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const flush = () => {
      this.#scheduled = false;
      for (const listener of [...this.#listeners]) listener();
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(flush);
    else setTimeout(flush, 50);
  }
}

/** The feeds of this page, by run id; ended runs are kept (up to a bound) so going back is instant. */
export class RunFeeds {
  readonly #api: ApiClient;
  readonly #feeds = new Map<string, RunFeed>();
  readonly #limit: number;

  constructor(api: ApiClient, limit = 200) {
    this.#api = api;
    this.#limit = limit;
  }

  get(runId: string): RunFeed {
    let feed = this.#feeds.get(runId);
    if (feed) {
      // Most recently used last.
      this.#feeds.delete(runId);
      this.#feeds.set(runId, feed);
      return feed;
    }
    feed = new RunFeed(this.#api, runId);
    this.#feeds.set(runId, feed);
    this.#evict();
    return feed;
  }

  /** After the API key changed: feeds that stopped on a 401 start again. */
  restartFailed(): void {
    for (const feed of this.#feeds.values()) {
      if (feed.phase.phase === 'failed' && feed.phase.problem.status === 401 && feed.listenerCount > 0) {
        feed.phase = { phase: 'connecting', attempt: 1 };
        feed.start();
      }
    }
  }

  #evict(): void {
    for (const [id, feed] of this.#feeds) {
      if (this.#feeds.size <= this.#limit) return;
      if (feed.listenerCount === 0) {
        feed.stop();
        this.#feeds.delete(id);
      }
    }
  }
}
