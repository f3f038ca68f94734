import { isAgentSdkError, sdkError } from '../errors/agent-sdk-error.js';
import type { ErrorCode } from '../errors/registry.js';
import type { Citation, Usage } from '../events/envelope.js';
import type { TokenUsage } from '../ports/model.js';

/** How a run ended, before it is written down. */
export type RunOutcome =
  | { readonly status: 'completed'; readonly output: string; readonly citations?: readonly Citation[] }
  | { readonly status: 'failed'; readonly error: { readonly code: string; readonly message: string } }
  | { readonly status: 'cancelled'; readonly reason: string };

/** Ends the loop with `run.failed` and this code: a limit, a policy denial, a model that did not answer. */
export class RunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static of(code: ErrorCode, params: Record<string, unknown>, cause?: unknown): RunFailure {
    return new RunFailure(code, sdkError(code, params).message, cause === undefined ? undefined : { cause });
  }
}

export function failedOutcome(error: unknown): RunOutcome | undefined {
  if (error instanceof RunFailure) return { status: 'failed', error: { code: error.code, message: error.message } };
  if (isAgentSdkError(error)) return { status: 'failed', error: { code: error.code, message: error.message } };
  return undefined;
}

/**
 * Token and cost totals. Cost is only reported while every model that was used has a price: a partial sum
 * would look like a real cost and be wrong.
 */
export class UsageMeter {
  inputTokens = 0;
  outputTokens = 0;
  #cost = 0;
  #priced = true;

  add(usage: TokenUsage, cost: number | undefined): void {
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    if (cost === undefined) {
      if (usage.inputTokens || usage.outputTokens) this.#priced = false;
    } else this.#cost += cost;
  }

  /** Adds another meter (a nested run's totals). */
  merge(other: Usage): void {
    this.inputTokens += other.inputTokens;
    this.outputTokens += other.outputTokens;
    if (other.costUsd === undefined) {
      if (other.inputTokens || other.outputTokens) this.#priced = false;
    } else this.#cost += other.costUsd;
  }

  get total(): number {
    return this.inputTokens + this.outputTokens;
  }

  snapshot(): Usage {
    if (this.#priced && (this.inputTokens || this.outputTokens)) {
      return { inputTokens: this.inputTokens, outputTokens: this.outputTokens, costUsd: Math.round(this.#cost * 1e9) / 1e9 };
    }
    return { inputTokens: this.inputTokens, outputTokens: this.outputTokens };
  }
}
