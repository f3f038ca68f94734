import type { ServerResponse } from 'node:http';
import type { ParameterizedContext as Context } from 'koa';
import { sdkError, type AgentSdkError } from '../../../core/index.js';
import { problemBody, requestOrigin } from '../problem.js';
import type { FeedEntry } from './feed-entry.js';
import type { EventSink, FeedEnd, SendResult, Subscription } from './run-feed.js';

export interface SseOptions {
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly maxBufferedBytes: number;
  /** How long a client may leave more than maxBufferedBytes unread before it is disconnected. */
  readonly stallTimeoutMs: number;
}

const HEARTBEAT = Buffer.from(': keep-alive\n\n');

/**
 * The server's open SSE responses: opens them (headers, `retry:`), sends one heartbeat comment to all of
 * them every `heartbeatMs` from a single timer, and ends them at shutdown.
 */
export class SseStreams {
  readonly #sinks = new Set<SseSink>();
  readonly #corker = new Corker();
  readonly #options: SseOptions;
  readonly #timer: NodeJS.Timeout;

  constructor(options: SseOptions) {
    this.#options = options;
    this.#timer = setInterval(() => {
      for (const sink of this.#sinks) sink.heartbeat();
    }, options.heartbeatMs);
    this.#timer.unref();
  }

  get count(): number {
    return this.#sinks.size;
  }

  /** Takes over the response: `text/event-stream` headers now, events as they come. */
  open(ctx: Context, runId: string): SseSink {
    ctx.respond = false;
    const res = ctx.res;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: ${this.#options.retryMs}\n\n`);
    const sink = new SseSink(res, runId, requestOrigin(ctx), this.#options, this.#corker, () => this.#sinks.delete(sink));
    this.#sinks.add(sink);
    return sink;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

/**
 * One SSE response as an event sink. Live events are written at once while the response holds less than
 * `maxBufferedBytes` unsent; beyond that nothing more is written until the client reads ('drain'). A client
 * that has not read within `stallTimeoutMs` cannot keep up: it gets a final `stream.overflow` event (no
 * `id:`, so its Last-Event-ID stays the last event it got) and the response ends. So a burst never costs a
 * healthy client its stream, and a stuck one holds at most its bound. A client that disconnects only ends
 * its subscription, never the run.
 */
export class SseSink implements EventSink {
  subscription: Subscription | undefined;
  readonly #res: ServerResponse;
  readonly #runId: string;
  readonly #origin: string;
  readonly #maxBuffered: number;
  readonly #stallTimeoutMs: number;
  readonly #onClose: () => void;
  readonly #corker: Corker;
  #lastSeq = 0;
  #closed = false;
  #corked = false;
  #turn = -1;

  constructor(
    res: ServerResponse,
    runId: string,
    origin: string,
    options: Pick<SseOptions, 'maxBufferedBytes' | 'stallTimeoutMs'>,
    corker: Corker,
    onClose: () => void,
  ) {
    this.#res = res;
    this.#corker = corker;
    this.#runId = runId;
    this.#origin = origin;
    this.#maxBuffered = options.maxBufferedBytes;
    this.#stallTimeoutMs = options.stallTimeoutMs;
    this.#onClose = onClose;
    res.once('close', () => this.#close());
  }

  /** The seq of the last event written. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  send(entry: FeedEntry): SendResult {
    if (this.#closed) return 'closed';
    if (this.#res.writableLength > this.#maxBuffered) return 'full';
    this.#cork();
    this.#res.write(entry.sse);
    this.#lastSeq = entry.seq;
    return 'sent';
  }

  /**
   * The first event of a turn of the event loop is written at once; later ones in the same turn (a
   * coalesced append of a run) are held and leave together at the end of the turn, in one write.
   */
  #cork(): void {
    if (this.#corked) return;
    const turn = this.#corker.turn;
    if (this.#turn !== turn) {
      this.#turn = turn;
      this.#corker.touch();
      return;
    }
    this.#corked = true;
    this.#res.cork();
    this.#corker.add(this);
  }

  /** Called by the corker at the end of the turn. */
  uncork(): void {
    this.#corked = false;
    if (!this.#res.destroyed) this.#res.uncork();
  }

  waitForRoom(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#res.writableLength <= this.#maxBuffered) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (room: boolean) => {
        clearTimeout(timer);
        this.#res.off('drain', onDrain);
        this.#res.off('close', onClose);
        resolve(room);
      };
      const onDrain = () => settle(true);
      const onClose = () => settle(false);
      const timer = setTimeout(() => {
        const buffered = this.#res.writableLength;
        this.#finalEvent('stream.overflow', sdkError('ASDK_STREAM_SLOW_CONSUMER', { runId: this.#runId, buffered, limit: this.#maxBuffered, lastSeq: this.#lastSeq }));
        settle(false);
      }, this.#stallTimeoutMs);
      this.#res.on('drain', onDrain);
      this.#res.on('close', onClose);
    });
  }

  async sendPaced(entry: FeedEntry): Promise<boolean> {
    if (this.#closed) return false;
    const flushed = this.#res.write(entry.sse);
    this.#lastSeq = entry.seq;
    if (!flushed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#res.off('drain', done);
          this.#res.off('close', done);
          resolve();
        };
        this.#res.on('drain', done);
        this.#res.on('close', done);
      });
    }
    return !this.#closed;
  }

  end(reason: FeedEnd): void {
    if (this.#closed) return;
    if (reason.kind === 'shutdown') this.#finalEvent('stream.shutdown', sdkError('ASDK_SERVER_SHUTTING_DOWN'));
    else if (reason.kind === 'failed') this.#finalEvent('stream.error', reason.error);
    else {
      this.#res.end();
      this.#close();
    }
  }

  heartbeat(): void {
    if (!this.#closed && this.#res.writableLength <= this.#maxBuffered) this.#res.write(HEARTBEAT);
  }

  /** A last event naming why the stream ends (a problem body plus `lastSeq`), then the end of the response. */
  #finalEvent(type: string, error: AgentSdkError): void {
    const body = { ...problemBody(error, { origin: this.#origin, path: `/run/${this.#runId}/events` }), lastSeq: this.#lastSeq };
    this.#res.end(`event: ${type}\ndata: ${JSON.stringify(body)}\n\n`);
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    this.subscription?.close();
  }
}

/** Counts turns of the event loop in which events were written, and uncorks held sinks at the end of each. */
class Corker {
  /** Changes at the end of every turn in which something was written. */
  turn = 0;
  #corked: SseSink[] = [];
  #scheduled = false;

  /** Something was written this turn: the turn ends with a flush. */
  touch(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  add(sink: SseSink): void {
    this.#corked.push(sink);
    this.touch();
  }

  #flush(): void {
    this.#scheduled = false;
    this.turn++;
    const sinks = this.#corked;
    this.#corked = [];
    for (const sink of sinks) sink.uncork();
  }
}
