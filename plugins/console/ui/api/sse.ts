import { ApiError, readProblem, type ApiClient } from './client.js';
import type { Envelope, Problem } from './types.js';

/** One dispatched server-sent event. */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/**
 * The text/event-stream format (WHATWG HTML §9.2) fed chunk by chunk: lines end in CRLF, LF or CR (a CR
 * at the end of a chunk waits for the next one), `:` starts a comment, one optional space follows the colon,
 * an empty line dispatches, `retry:` sets the reconnection delay.
 */
export class SseParser {
  /** The last `retry:` the server sent, in ms. */
  retryMs: number | undefined;
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #id: string | undefined;
  #started = false;

  push(chunk: string): SseMessage[] {
    let text = this.#buffer + chunk;
    if (!this.#started && text.length) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 13 && i === text.length - 1) break; // maybe the CR of a CRLF split across chunks
      this.#line(text.slice(start, i), out);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.#buffer = text.slice(start);
    return out;
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.#data.length) out.push({ event: this.#event || 'message', data: this.#data.join('\n'), ...(this.#id !== undefined && { id: this.#id }) });
      this.#data = [];
      this.#event = '';
      this.#id = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}

/** Where a followed stream is. */
export type StreamPhase =
  | { readonly phase: 'connecting'; readonly attempt: number }
  | { readonly phase: 'live' }
  | { readonly phase: 'reconnecting'; readonly attempt: number; readonly inMs: number; readonly reason: string }
  | { readonly phase: 'ended' }
  | { readonly phase: 'failed'; readonly problem: Problem };

export interface FollowOptions {
  /** Resume after this seq (events up to it are already shown). */
  readonly afterSeq?: number;
  readonly signal: AbortSignal;
  /** Called once per event, in seq order, never twice for one seq. */
  readonly onEvent: (envelope: Envelope) => void;
  readonly onPhase?: (phase: StreamPhase) => void;
  /** Longest silence before the connection is presumed dead (the server sends a comment every 15 s). */
  readonly stallMs?: number;
}

const TERMINAL = new Set(['run.completed', 'run.failed', 'run.cancelled']);
/** Delays between reconnection attempts: quick at first (a dropped connection), slower while the server is down. */
const BACKOFF_MS = [150, 500, 1000, 2000, 4000, 8000];

/**
 * Follows `GET /run/{id}/events` until the run's terminal event, across dropped connections and server
 * restarts: each reconnection sends `Last-Event-ID` with the last seq received, so the server replays
 * exactly what is missing. fetch + a stream reader (not EventSource) so the API key goes in a header and
 * errors arrive as problem+json. Resolves when the run has ended, the signal aborted, or it gave up
 * (401, 404, 400: `failed`).
 */
export async function followRun(api: ApiClient, runId: string, options: FollowOptions): Promise<void> {
  const { signal, onEvent } = options;
  const phase = options.onPhase ?? (() => undefined);
  const stallMs = options.stallMs ?? 45_000;
  let lastSeq = options.afterSeq ?? 0;
  let failures = 0;
  let retryHint: number | undefined;

  while (!signal.aborted) {
    phase({ phase: 'connecting', attempt: failures + 1 });
    const attempt = new AbortController();
    const abortAttempt = () => attempt.abort();
    signal.addEventListener('abort', abortAttempt, { once: true });
    let reason = 'the connection closed before the run ended';
    let delay: number | undefined;
    try {
      const response = await api.fetch(`run/${encodeURIComponent(runId)}/events`, {
        signal: attempt.signal,
        headers: { Accept: 'text/event-stream', ...(lastSeq > 0 && { 'Last-Event-ID': String(lastSeq) }) },
      });
      if (response.status === 204) {
        phase({ phase: 'ended' });
        return;
      }
      if (!response.ok || !response.body) {
        const problem = await readProblem(response);
        if (response.status === 503 || response.status === 502 || response.status === 504 || response.status === 429) {
          reason = problem.detail ?? problem.title;
          const after = Number(response.headers.get('retry-after'));
          if (after > 0) delay = after * 1000;
          throw new Retry();
        }
        phase({ phase: 'failed', problem });
        return;
      }
      phase({ phase: 'live' });
      failures = 0;
      const parser = new SseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let stall = setTimeout(abortAttempt, stallMs);
      try {
        for (;;) {
          const { value, done } = await reader.read();
          clearTimeout(stall);
          if (done) break;
          stall = setTimeout(abortAttempt, stallMs);
          if (parser.retryMs !== undefined) retryHint = parser.retryMs;
          for (const message of parser.push(value)) {
            if (message.event === 'stream.overflow') {
              reason = 'the server said this client fell behind';
              delay = 0;
              continue;
            }
            if (message.event === 'stream.shutdown') {
              reason = 'the server is shutting down';
              continue;
            }
            if (message.event === 'stream.error') {
              reason = describe(message.data);
              continue;
            }
            const envelope = parseEnvelope(message.data);
            if (!envelope || envelope.runId !== runId) continue;
            if (envelope.seq <= lastSeq) continue; // already shown: a replay overlapping what we had
            lastSeq = envelope.seq;
            onEvent(envelope);
            if (TERMINAL.has(envelope.type) && !envelope.origin) {
              phase({ phase: 'ended' });
              return;
            }
          }
        }
      } finally {
        clearTimeout(stall);
        reader.cancel().catch(() => undefined);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError) {
        if (error.status !== 0) {
          phase({ phase: 'failed', problem: error.problem });
          return;
        }
        reason = error.problem.detail ?? error.problem.title;
      } else if (!(error instanceof Retry)) {
        reason = attempt.signal.aborted ? 'no data arrived for a while' : ((error as Error)?.message ?? String(error));
      }
    } finally {
      signal.removeEventListener('abort', abortAttempt);
      attempt.abort();
    }
    if (signal.aborted) return;
    failures++;
    const wait = delay ?? Math.max(BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)], failures > 2 ? (retryHint ?? 0) : 0);
    phase({ phase: 'reconnecting', attempt: failures, inMs: wait, reason });
    await sleep(wait, signal);
  }
}

class Retry extends Error {}

function parseEnvelope(data: string): Envelope | undefined {
  try {
    const value = JSON.parse(data) as Envelope;
    return value && typeof value === 'object' && typeof value.seq === 'number' && typeof value.type === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function describe(data: string): string {
  try {
    const problem = JSON.parse(data) as Problem;
    return `${problem.code ?? problem.title}: ${problem.detail ?? ''}`.trim();
  } catch {
    return 'the stream ended with an error';
  }
}

/** Waits, cut short by the signal or by the browser coming back online. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      globalThis.removeEventListener?.('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    globalThis.addEventListener?.('online', done, { once: true });
  });
}
