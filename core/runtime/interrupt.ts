import { describeThrown } from '../util/describe-thrown.js';

/** Why a run (or one tool call) stopped before it finished. */
export type InterruptKind = 'cancelled' | 'timeout' | 'shutdown' | 'failed';

/**
 * The reason an interrupted run's signal carries: an Error named AbortError, so `fetch` and friends reject
 * with it and tools can tell a cancellation from a failure.
 */
export class RunInterrupted extends Error {
  override readonly name = 'AbortError';
  constructor(
    readonly kind: InterruptKind,
    readonly reason: string,
    /** For `failed`: what failed (e.g. the event log), reported as the run's error. */
    readonly failure?: unknown,
  ) {
    super(reason);
  }
}

/**
 * The cancellation state of a run, cheaper than an AbortController: creating an AbortSignal costs a couple
 * of microseconds and most runs never need one (an instant model and a pure tool never look). The signal is
 * made on first use; listeners are a plain list.
 */
/** A listener as an object, so a pending call can listen without allocating closures. */
export interface InterruptListener {
  interrupted(reason: RunInterrupted): void;
}

export class Interrupt {
  #reason: RunInterrupted | undefined;
  #controller: AbortController | undefined;
  #listeners: ((() => void) | InterruptListener)[] | undefined;

  get interrupted(): boolean {
    return this.#reason !== undefined;
  }

  get reason(): RunInterrupted | undefined {
    return this.#reason;
  }

  /** An AbortSignal that aborts with the interrupt (made on first access). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Interrupts once; later calls keep the first reason. */
  trigger(reason: RunInterrupted): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) typeof listener === 'function' ? listener() : listener.interrupted(reason);
  }

  /** Adds a listener object (see `onInterrupt` for a function); it is called at once if already interrupted. */
  listen(listener: InterruptListener): void {
    if (this.#reason) listener.interrupted(this.#reason);
    else (this.#listeners ??= []).push(listener);
  }

  unlisten(listener: InterruptListener | (() => void)): void {
    const list = this.#listeners;
    if (!list) return;
    const index = list.indexOf(listener);
    if (index !== -1) list.splice(index, 1);
  }

  /** Calls `listener` once when interrupted (at once if already); returns a function that removes it. */
  onInterrupt(listener: () => void): () => void {
    if (this.#reason) {
      listener();
      return noop;
    }
    (this.#listeners ??= []).push(listener);
    return () => this.unlisten(listener);
  }
}

/**
 * Makes `signal` (the ports' public form of cancellation) trigger `interrupt` (the runtime's), at once when it
 * is already aborted. Returns the function that removes the link. An abort reason that is not a
 * RunInterrupted becomes a cancellation with the reason described as text; describing it never throws (an
 * exception in an abort listener would take the process down).
 */
export function linkSignal(signal: AbortSignal | undefined, interrupt: Interrupt): () => void {
  if (!signal) return noop;
  const onAbort = () => interrupt.trigger(asInterruption(signal.reason));
  if (signal.aborted) {
    onAbort();
    return noop;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

function asInterruption(reason: unknown): RunInterrupted {
  return reason instanceof RunInterrupted ? reason : new RunInterrupted('cancelled', reason === undefined ? 'aborted' : describeThrown(reason));
}

function noop(): void {}
