import { isAgentSdkError, sdkError } from '../errors/agent-sdk-error.js';
import type { ContributedItem } from '../plugin.js';
import type { Clock } from '../ports/clock.js';
import type { MetricsPort } from '../ports/metrics.js';
import {
  ModelCallError,
  type FinishReason,
  type ModelClient,
  type ModelInfo,
  type ModelPort,
  type ModelProvider,
  type ModelRequest,
  type ModelStreamEvent,
  type RoutedModelEvent,
  type TokenUsage,
} from '../ports/model.js';
import type { Secrets } from '../ports/secrets.js';
import { validateValue } from '../config/validate.js';
import { cutAtCodePoint } from '../util/code-points.js';
import { describeThrown } from '../util/describe-thrown.js';
import { didYouMean } from '../util/suggest.js';
import { Interrupt, linkSignal, RunInterrupted } from './interrupt.js';
import { ModelCallMetrics } from './model-call-metrics.js';
import { backoffDelay, DEFAULT_MODEL_TIMEOUT_MS, RETRY_DEFAULTS, ROUTER_KEYS, type ModelEntry, type ModelsConfig } from './model-config.js';

interface ConfiguredModel {
  readonly name: string;
  readonly provider: string;
  readonly client: ModelClient;
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
  readonly price?: { readonly inputPerMillion: number; readonly outputPerMillion: number };
}

export interface ModelRouterOptions {
  /** The backoff between retries sleeps on it (with the run's signal), so a test clock drives retries. */
  readonly clock: Pick<Clock, 'sleep'>;
  readonly secrets: Secrets;
  /** Jitter source; tests pin it. */
  readonly random?: () => number;
  /** When given, each attempt's duration and time to first chunk are recorded (by provider and model). */
  readonly metrics?: MetricsPort;
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * The model port: named models built from the `models:` config and the contributed providers, streamed with
 * retries (429, 5xx, timeouts, dropped connections; exponential backoff with jitter; Retry-After honoured)
 * and fallback along a chain. Retries and fallbacks are reported in the stream itself.
 */
export class ModelRouter implements ModelPort {
  readonly #models = new Map<string, ConfiguredModel>();
  readonly #options: ModelRouterOptions;
  readonly #random: () => number;
  readonly #metrics: ModelCallMetrics | undefined;

  constructor(options: ModelRouterOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#metrics = options.metrics ? new ModelCallMetrics(options.metrics) : undefined;
  }

  /**
   * Builds every configured model. Collects every problem (unknown provider, invalid options, a provider
   * that refuses its options) into one error.
   */
  configure(config: ModelsConfig, providers: readonly ContributedItem<ModelProvider>[]): void {
    const byName = new Map<string, ContributedItem<ModelProvider>>();
    for (const contribution of providers) {
      const existing = byName.get(contribution.item.name);
      if (existing) {
        throw sdkError('ASDK_MODEL_PROVIDER_DUPLICATE', { provider: contribution.item.name, first: existing.pluginId, second: contribution.pluginId });
      }
      byName.set(contribution.item.name, contribution);
    }
    const entries: [string, string | ModelEntry][] = Object.entries(config);
    // `default` is the offline model unless configured (when the offline provider is there at all).
    if (!entries.some(([name]) => name === 'default') && byName.has('offline')) entries.unshift(['default', 'offline']);
    const problems: string[] = [];
    const errors: Error[] = [];
    for (const [name, raw] of entries) {
      try {
        this.#models.set(name, this.#build(name, raw, byName));
      } catch (error) {
        errors.push(error as Error);
        problems.push((error as Error).message);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw sdkError('ASDK_MODEL_CONFIG_INVALID', { model: '*', reason: problems.join('; ') }, { cause: new AggregateError(errors) });
  }

  #build(name: string, raw: string | ModelEntry, providers: Map<string, ContributedItem<ModelProvider>>): ConfiguredModel {
    if (!MODEL_NAME.test(name)) {
      throw sdkError('ASDK_MODEL_CONFIG_INVALID', { model: name, reason: 'a model name uses letters, digits, "_", "-" and "."' });
    }
    const entry: ModelEntry = typeof raw === 'string' ? { provider: raw } : raw;
    const provider = providers.get(entry.provider)?.item;
    if (!provider) {
      const available = [...providers.keys()];
      throw sdkError('ASDK_MODEL_PROVIDER_UNKNOWN', {
        model: name,
        provider: entry.provider,
        suggestion: didYouMean(entry.provider, available),
        available: available.join(', ') || 'none',
      });
    }
    const given: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry)) if (!ROUTER_KEYS.has(key)) given[key] = value;
    const validated = validateValue(provider.optionsSchema, given, `models.${name}`);
    if (validated.problems.length) {
      const reason = validated.problems.map((p) => `${p.path ?? `models.${name}`}: ${p.message}`).join('; ');
      throw sdkError('ASDK_MODEL_CONFIG_INVALID', { model: name, reason });
    }
    let client: ModelClient;
    try {
      client = provider.create(validated.value, { name, secret: (secret) => this.#options.secrets.get(secret) });
    } catch (error) {
      if (isAgentSdkError(error)) throw error;
      throw sdkError('ASDK_MODEL_CONFIG_INVALID', { model: name, reason: describeThrown(error) }, { cause: error });
    }
    return {
      name,
      provider: provider.name,
      client,
      maxRetries: entry.retry?.maxRetries ?? RETRY_DEFAULTS.maxRetries,
      initialDelayMs: entry.retry?.initialDelayMs ?? RETRY_DEFAULTS.initialDelayMs,
      maxDelayMs: entry.retry?.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
      timeoutMs: entry.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS,
      price: entry.price,
    };
  }

  names(): readonly string[] {
    return [...this.#models.keys()];
  }

  list(): readonly ModelInfo[] {
    return [...this.#models.values()].map((m) => ({ name: m.name, provider: m.provider, id: m.client.id, priced: m.price !== undefined }));
  }

  has(name: string): boolean {
    return this.#models.has(name);
  }

  /** The error for a chain entry that names no configured model, with a suggestion. */
  unknownModel(name: string) {
    const names = this.names();
    return sdkError('ASDK_MODEL_UNKNOWN', { model: name, suggestion: didYouMean(name, names), available: names.join(', ') });
  }

  cost(modelName: string, usage: TokenUsage): number | undefined {
    const price = this.#models.get(modelName)?.price;
    if (!price) return undefined;
    return (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000;
  }

  /** The port's form: the request's signal becomes the run's interrupt. */
  async *stream(chain: readonly string[], request: ModelRequest): AsyncIterable<RoutedModelEvent> {
    const interrupt = new Interrupt();
    const unlink = linkSignal(request.signal, interrupt);
    try {
      yield* this.route(chain, request, interrupt);
    } finally {
      unlink();
    }
  }

  /**
   * The runtime's form: `interrupt` stops the stream (and the provider call) when the run is cancelled or
   * times out; the request's signal is only created if the provider reads it.
   */
  async *route(chain: readonly string[], request: ModelRequest, interrupt: Interrupt): AsyncGenerator<RoutedModelEvent> {
    if (chain.length === 0) throw sdkError('ASDK_MODEL_UNKNOWN', { model: '(none)', suggestion: '', available: this.names().join(', ') });
    for (let index = 0; index < chain.length; index++) {
      const model = this.#models.get(chain[index]);
      if (!model) throw this.unknownModel(chain[index]);
      for (let attempt = 1; ; attempt++) {
        const failure = yield* this.#attempt(model, request, interrupt);
        if (failure === undefined) return;
        if (interrupt.interrupted) throw interrupt.reason;
        const reason = describeFailure(failure);
        const retryAfter = failure.retryAfterMs;
        const mayRetry = failure.retryable && attempt <= model.maxRetries && (retryAfter === undefined || retryAfter <= model.maxDelayMs);
        if (mayRetry) {
          const delayMs = backoffDelay(attempt, model, retryAfter, this.#random);
          yield { type: 'retry', model: model.name, attempt, delayMs, reason };
          await this.#sleep(delayMs, interrupt);
          continue;
        }
        const next = chain[index + 1];
        if (next !== undefined) {
          yield { type: 'fallback', from: model.name, to: next, reason };
          break;
        }
        if (failure.retryable) {
          throw sdkError('ASDK_MODEL_UNAVAILABLE', { chain: chain.join(', '), reason: `${model.name}: ${reason}` }, { cause: failure });
        }
        throw sdkError('ASDK_MODEL_REJECTED', { model: model.name, reason }, { cause: failure });
      }
    }
  }

  /** One call to one model: yields its events and returns undefined, or returns why it failed. */
  async *#attempt(model: ConfiguredModel, request: ModelRequest, run: Interrupt): AsyncGenerator<RoutedModelEvent, ModelCallError | undefined> {
    const attempt = new Interrupt();
    const unlink = run.onInterrupt(() => attempt.trigger(run.reason!));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.trigger(new RunInterrupted('timeout', `${model.name} sent nothing for ${model.timeoutMs} ms`));
    }, model.timeoutMs);
    let iterator: AsyncIterator<ModelStreamEvent> | undefined;
    let finished = false;
    let reason: FinishReason | undefined;
    let toolCalls = 0;
    const metrics = this.#metrics;
    const startedAt = metrics ? performance.now() : 0;
    let firstChunkAt = 0;
    try {
      iterator = model.client.stream(withLazySignal(request, attempt))[Symbol.asyncIterator]();
      for (;;) {
        const step = await nextOrInterrupt(iterator, attempt);
        if (step.done) break;
        timer.refresh();
        const event = step.value;
        // A usage report (Anthropic sends one before any content) is not the first chunk of the answer.
        if (metrics && firstChunkAt === 0 && event.type !== 'usage') firstChunkAt = performance.now();
        if (event.type === 'finish') reason = event.reason;
        else {
          if (event.type === 'tool_call') toolCalls++;
          yield event;
        }
      }
      finished = true;
      yield { type: 'finish', reason: reason ?? (toolCalls ? 'tool_calls' : 'stop'), model: model.name, modelId: model.client.id };
      return undefined;
    } catch (error) {
      if (run.interrupted) throw run.reason;
      if (timedOut) return new ModelCallError('timeout', `no answer within ${model.timeoutMs} ms`);
      return asModelCallError(error);
    } finally {
      clearTimeout(timer);
      unlink();
      metrics?.record(model.provider, model.name, finished ? 'ok' : run.interrupted ? 'cancelled' : 'error', startedAt, firstChunkAt);
      if (!finished && iterator?.return) {
        // Do not wait: a provider stuck in an await would keep the run from ending.
        iterator.return().catch(() => undefined);
      }
    }
  }

  /**
   * The backoff before a retry, on the kernel's clock. Rejects with the run's interrupt reason as soon as the
   * run is interrupted (at once when it already is), whether or not the clock honours the signal.
   */
  async #sleep(ms: number, interrupt: Interrupt): Promise<void> {
    if (interrupt.interrupted) throw interrupt.reason;
    if (ms <= 0) return;
    const sleeping = this.#options.clock.sleep(ms, interrupt.signal);
    await new Promise<void>((resolve, reject) => {
      const off = interrupt.onInterrupt(() => reject(interrupt.reason));
      sleeping.then(
        () => {
          off();
          resolve();
        },
        (error) => {
          off();
          reject(interrupt.interrupted ? interrupt.reason : error);
        },
      );
    });
  }
}

/** The request with a `signal` that is only created (and linked to the attempt) when the provider reads it. */
function withLazySignal(request: ModelRequest, attempt: Interrupt): ModelRequest {
  return {
    messages: request.messages,
    tools: request.tools,
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
    get signal() {
      return attempt.signal;
    },
  };
}

/** `iterator.next()`, rejected with the interrupt's reason as soon as it triggers. */
function nextOrInterrupt<T>(iterator: AsyncIterator<T>, interrupt: Interrupt): Promise<IteratorResult<T>> {
  if (interrupt.interrupted) return Promise.reject(interrupt.reason);
  return new Promise((resolve, reject) => {
    const off = interrupt.onInterrupt(() => reject(interrupt.reason));
    iterator.next().then(
      (result) => {
        off();
        resolve(result);
      },
      (error) => {
        off();
        reject(error);
      },
    );
  });
}

/** Whatever a provider threw (or rejected with), as a failure the chain can act on; never throws. */
function asModelCallError(error: unknown): ModelCallError {
  try {
    if (error instanceof ModelCallError) return error;
    if (isAgentSdkError(error)) return new ModelCallError('rejected', `${error.code}: ${error.message}`, { cause: error, retryable: false });
  } catch {
    // A Proxy whose traps throw: described below like any other value.
  }
  return new ModelCallError('rejected', describeThrown(error), { cause: error, retryable: false });
}

function describeFailure(failure: ModelCallError): string {
  const status = failure.status !== undefined ? `${failure.status} ` : '';
  return cutAtCodePoint(`${failure.kind}: ${status}${failure.message}`.replace(/\s+/g, ' '), 500);
}
