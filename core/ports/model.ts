import type { TSchema } from 'typebox';
import type { Citation } from '../events/envelope.js';

/** A message of a conversation, in the provider-neutral form adapters translate from. */
export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | {
      readonly role: 'assistant';
      readonly content: string;
      readonly toolCalls?: readonly ToolCallRequest[];
      readonly citations?: readonly Citation[];
    }
  | {
      readonly role: 'tool';
      readonly callId: string;
      /** Dotted tool name, e.g. `filesystem.read`. */
      readonly name: string;
      /** The tool's result (JSON) or its error, as the model should read it. */
      readonly content: string;
      readonly isError?: boolean;
    };

/** A tool call the model asked for, arguments complete and parsed. */
export interface ToolCallRequest {
  readonly callId: string;
  readonly name: string;
  readonly args: unknown;
}

/** A tool as the model sees it. Adapters map dotted names to what their vendor accepts. */
export interface ModelToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments (TypeBox schemas are JSON Schema). */
  readonly inputSchema: TSchema;
}

export interface ModelRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ModelToolSpec[];
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  /** Aborts when the run is cancelled or the attempt times out: stop reading and reject (or return). */
  readonly signal?: AbortSignal;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * What a model stream yields. Tool calls arrive complete: adapters assemble argument fragments.
 * `usage` reports the totals of this call so far (a later usage event replaces an earlier one).
 * `citations` is optional: a model (the offline one) may say which sources its answer quotes.
 */
export type ModelStreamEvent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_call'; readonly call: ToolCallRequest }
  | { readonly type: 'usage'; readonly usage: TokenUsage }
  | { readonly type: 'citations'; readonly citations: readonly Citation[] }
  | { readonly type: 'finish'; readonly reason: FinishReason };

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter';

/** One configured model (`models.fast` in the config), as an adapter serves it. */
export interface ModelClient {
  /** `provider/model`, e.g. `openai/gpt-4.1-mini`; used in events, metrics and price lookup. */
  readonly id: string;
  /**
   * Streams one completion. A failure is thrown (from the call or during iteration), preferably as a
   * {@link ModelCallError} so the router knows whether to retry; anything else counts as not retryable.
   */
  stream(request: ModelRequest): AsyncIterable<ModelStreamEvent>;
}

/** What a provider's `create` receives besides the options. */
export interface ModelProviderContext {
  /** The model's name in the config (`fast`). */
  readonly name: string;
  /** A secret by name (environment by default), e.g. `OPENAI_API_KEY`. */
  secret(name: string): string | undefined;
}

/**
 * A model provider (offline, openai, anthropic, ...), contributed to `extensionPoints.modelProviders`.
 * `options` is the model's config entry minus the router's own keys (`provider`, `retry`, `timeoutMs`,
 * `price`), validated against `optionsSchema` first (defaults applied).
 *
 * @example
 * ```ts
 * const echoProvider: ModelProvider<{ prefix: string }> = {
 *   name: 'echo',
 *   optionsSchema: Type.Object({ prefix: Type.String({ default: '' }) }),
 *   create: (options) => ({ id: 'echo/v1', async *stream(req) { yield { type: 'text', text: options.prefix + 'hi' }; } }),
 * };
 * ```
 */
export interface ModelProvider<O = any> {
  readonly name: string;
  readonly description?: string;
  readonly optionsSchema: TSchema;
  /** Builds the client; throws (a message naming the option) when the options cannot work. No network here. */
  create(options: O, context: ModelProviderContext): ModelClient;
  /**
   * For `agent-sdk doctor --online`: whether the endpoint answers with these options (a cheap request such as
   * listing models). Resolves to a short detail; rejects with a message saying what failed.
   */
  checkOnline?(options: O, context: ModelProviderContext & { readonly signal: AbortSignal }): Promise<string>;
}

/**
 * Why a model call failed, so the router can decide: retry (429, 5xx, timeouts, dropped connections),
 * fall back, or give up (other 4xx).
 */
export interface ModelCallFailure {
  readonly retryable: boolean;
  readonly status?: number;
  /** From Retry-After, when the provider sent one. */
  readonly retryAfterMs?: number;
}

export type ModelFailureKind = 'rate_limited' | 'server' | 'timeout' | 'connection' | 'rejected' | 'invalid_response';

/**
 * The error adapters throw for a failed model call. `retryable` drives the router; `kind` and `status`
 * end up in the `model.retry` / `model.fallback` reason.
 *
 * @example
 * ```ts
 * throw new ModelCallError('rate_limited', 'openai answered 429', { status: 429, retryAfterMs: 2000 });
 * ```
 */
export class ModelCallError extends Error implements ModelCallFailure {
  override readonly name = 'ModelCallError';
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(
    readonly kind: ModelFailureKind,
    message: string,
    options: { status?: number; retryAfterMs?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? kind !== 'rejected';
  }

  /** Classifies an HTTP status: 408, 429 and 5xx are worth retrying, every other status is not. */
  static fromStatus(status: number, message: string, options: { retryAfterMs?: number; cause?: unknown } = {}): ModelCallError {
    const kind: ModelFailureKind = status === 429 ? 'rate_limited' : status === 408 ? 'timeout' : status >= 500 ? 'server' : 'rejected';
    return new ModelCallError(kind, message, { ...options, status });
  }
}

/**
 * Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date) into milliseconds; undefined when absent
 * or unreadable. `now` is injectable for tests.
 */
export function parseRetryAfter(headers: { get(name: string): string | null | undefined } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms != null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value == null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A retry or a fallback, as the router reports it in the stream (the runtime turns it into an event). */
export type ModelNotice =
  | { readonly type: 'retry'; readonly model: string; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  | { readonly type: 'fallback'; readonly from: string; readonly to: string; readonly reason: string };

/**
 * What the router's stream yields: the serving model's events, notices in between attempts (whatever an
 * attempt yielded before a notice is void: its text is superseded and its tool calls never run), and one
 * final `finish` naming the model that answered.
 */
export type RoutedModelEvent =
  | Exclude<ModelStreamEvent, { readonly type: 'finish' }>
  | ModelNotice
  | { readonly type: 'finish'; readonly reason: FinishReason; readonly model: string; readonly modelId: string };

/** A configured model as the router lists it. */
export interface ModelInfo {
  readonly name: string;
  readonly provider: string;
  /** `provider/model`. */
  readonly id: string;
  readonly priced: boolean;
}

/** The model port: the router over named models, with retries and fallback. */
export interface ModelPort {
  /** Names of configured models (`default`, `fast`, ...). */
  names(): readonly string[];
  /** Every configured model with its provider (for `doctor`, the console and `GET /models`). */
  list(): readonly ModelInfo[];
  /**
   * Streams a completion from the first model of `chain` that answers, retrying each model on transient
   * failures (429, 5xx, timeouts, dropped connections; honouring Retry-After) and falling back to the next
   * model on any failure. Retries and fallbacks arrive in the stream as notices. Throws AgentSdkError
   * ASDK_MODEL_UNAVAILABLE or ASDK_MODEL_REJECTED when the whole chain failed, or the abort reason.
   */
  stream(chain: readonly string[], request: ModelRequest): AsyncIterable<RoutedModelEvent>;
  /** Cost in USD of `usage` on the model named `modelName` when a price is configured, else undefined. */
  cost(modelName: string, usage: TokenUsage): number | undefined;
}
