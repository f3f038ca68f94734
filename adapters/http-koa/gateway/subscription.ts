import { sdkError, type AgentSdkError } from '../../../core/index.js';
import type { FeedEntry } from '../streams/feed-entry.js';
import type { EventSink, FeedEnd, SendResult, Subscription } from '../streams/run-feed.js';
import type { GatewayConnection } from './connection.js';

/** One run.subscribe of a connection, as an event sink. */
export class GatewaySubscription implements EventSink {
  subscription: Subscription | undefined;
  lastSeq: number;
  readonly #prefix: string;
  #ended = false;

  constructor(
    readonly id: string,
    readonly runId: string,
    afterSeq: number,
    readonly connection: GatewayConnection,
  ) {
    this.lastSeq = afterSeq;
    this.#prefix = `{"type":"event","sub":${JSON.stringify(id)},"envelope":`;
  }

  send(entry: FeedEntry): SendResult {
    if (this.#ended) return 'closed';
    const result = this.connection.sendEvent(`${this.#prefix}${entry.json}}`);
    if (result === 'sent') this.lastSeq = entry.seq;
    return result;
  }

  async sendPaced(entry: FeedEntry): Promise<boolean> {
    if (this.#ended) return false;
    const text = `${this.#prefix}${entry.json}}`;
    if (!this.connection.congested) {
      if (this.connection.sendEvent(text) !== 'sent' && !(await this.connection.sendEventAndWait(text))) return false;
    } else if (!(await this.connection.sendEventAndWait(text))) return false;
    this.lastSeq = entry.seq;
    return !this.#ended;
  }

  waitForRoom(): Promise<boolean> {
    return this.connection.waitForRoom();
  }

  end(reason: FeedEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.connection.forget(this);
    const error = reason.kind === 'failed' ? reason.error : reason.kind === 'shutdown' ? sdkError('ASDK_SERVER_SHUTTING_DOWN') : undefined;
    this.connection.send({ type: 'end', sub: this.id, runId: this.runId, reason: reason.kind, lastSeq: this.lastSeq, ...(error && { error: errorBody(error) }) });
  }
}

/** An error as gateway frames carry it: like a problem body, without the HTTP parts. */
export function errorBody(error: AgentSdkError): Record<string, unknown> {
  return {
    code: error.code,
    status: error.status,
    message: error.message,
    hint: error.hint,
    errors: error.problems.map((p) => ({ path: p.path ?? '', message: p.message })),
  };
}

