import { Type } from 'typebox';
import {
  ModelCallError,
  type Citation,
  type FinishReason,
  type ModelClient,
  type ModelFailureKind,
  type ModelProvider,
  type ModelRequest,
  type ModelStreamEvent,
  type TokenUsage,
} from '../../core/index.js';

/** A failure the scripted model raises: an HTTP status (429, 500, 400, ...) or a kind (`connection`, `timeout`). */
export interface ScriptedError {
  readonly status?: number;
  readonly kind?: ModelFailureKind;
  readonly message?: string;
  readonly retryAfterMs?: number;
}

/** One model call's answer. A string is shorthand for `{ text }`. */
export type ScriptStep =
  | string
  | {
      /** The answer's text; an array streams one delta per item. */
      readonly text?: string | readonly string[];
      readonly toolCalls?: readonly { readonly name: string; readonly args?: unknown; readonly callId?: string }[];
      readonly usage?: TokenUsage;
      readonly citations?: readonly Citation[];
      readonly finish?: FinishReason;
      /** Waits this long before answering (an abort cuts it short). */
      readonly delayMs?: number;
      /** Fails the call: before any output, or after the text when `midStream` (a dropped connection). */
      readonly error?: ScriptedError;
      readonly midStream?: boolean;
      /** Never answers; only an abort (cancel, timeout) ends the call. */
      readonly hang?: boolean;
    };

/** A script: the answers in call order, or a function choosing the answer from the request. */
export type Script = readonly (ScriptStep | ((request: ModelRequest, call: number) => ScriptStep))[] | ((request: ModelRequest, call: number) => ScriptStep);

/** What the scripted model saw: each request's messages and offered tool names, copied at call time. */
export interface ScriptedCall {
  readonly messages: ModelRequest['messages'];
  readonly tools: readonly string[];
}

export interface ScriptedModel extends ModelClient {
  /** The requests received so far (empty when created with `record: false`). */
  readonly calls: readonly ScriptedCall[];
  /** Steps of an array script not yet used. */
  readonly remaining: number;
}

/**
 * A test double that answers model calls from a script: text deltas, tool calls, usage, errors (429 with
 * Retry-After, 500, a connection dropped mid-stream), delays and hangs. Give it to `startTestKernel({ model })`.
 *
 * @example
 * ```ts
 * const model = scripted([
 *   { toolCalls: [{ name: 'calculator', args: { expression: '17 * 23' } }] },
 *   { text: ['17 × 23 ', 'is 391.'] },
 * ]);
 * const kernel = await startTestKernel({ plugins: [calculatorPlugin], model });
 * ```
 */
export function scripted(script: Script, options: { id?: string; record?: boolean } = {}): ScriptedModel {
  const calls: ScriptedCall[] = [];
  const record = options.record ?? true;
  let next = 0;
  return {
    id: options.id ?? 'scripted/test',
    get calls() {
      return calls;
    },
    get remaining() {
      return typeof script === 'function' ? Number.POSITIVE_INFINITY : Math.max(0, script.length - next);
    },
    stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
      const index = next++;
      if (record) calls.push({ messages: [...request.messages], tools: (request.tools ?? []).map((t) => t.name) });
      let step: ScriptStep | ((request: ModelRequest, call: number) => ScriptStep) | undefined;
      if (typeof script === 'function') step = script;
      else step = script[index];
      if (typeof step === 'function') step = step(request, index);
      return play(step, index, request);
    },
  };
}

async function* play(step: ScriptStep | undefined, index: number, request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
  if (step === undefined) {
    throw new ModelCallError('rejected', `the script has no step for call ${index + 1}; add one`, { retryable: false });
  }
  const answer = typeof step === 'string' ? { text: step } : step;
  if (answer.hang) await waitForAbort(request);
  if (answer.delayMs) await sleep(answer.delayMs, request);
  if (answer.error && !answer.midStream) throw failure(answer.error);
  const texts = answer.text === undefined ? [] : typeof answer.text === 'string' ? [answer.text] : answer.text;
  for (const text of texts) yield { type: 'text', text };
  if (answer.error) throw failure(answer.error);
  let n = 0;
  for (const call of answer.toolCalls ?? []) {
    n++;
    yield { type: 'tool_call', call: { callId: call.callId ?? `call_${index + 1}_${n}`, name: call.name, args: call.args ?? {} } };
  }
  if (answer.citations) yield { type: 'citations', citations: answer.citations };
  if (answer.usage) yield { type: 'usage', usage: answer.usage };
  yield { type: 'finish', reason: answer.finish ?? (n ? 'tool_calls' : 'stop') };
}

function failure(error: ScriptedError): ModelCallError {
  const message = error.message ?? (error.status !== undefined ? `scripted status ${error.status}` : `scripted ${error.kind}`);
  if (error.status !== undefined) return ModelCallError.fromStatus(error.status, message, { retryAfterMs: error.retryAfterMs });
  return new ModelCallError(error.kind ?? 'server', message, { retryAfterMs: error.retryAfterMs });
}

function sleep(ms: number, request: ModelRequest): Promise<void> {
  const signal = request.signal;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function waitForAbort(request: ModelRequest): Promise<never> {
  const signal = request.signal;
  return new Promise((_, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * The `scripted` provider: `models: { default: { provider: scripted, script: <name> } }` picks one of
 * `models` by name.
 */
export function scriptedProvider(models: Readonly<Record<string, ScriptedModel>>): ModelProvider<{ script: string }> {
  const names = Object.keys(models);
  return {
    name: 'scripted',
    description: 'Replays a script (tests)',
    optionsSchema: Type.Object({ script: Type.String({ default: names[0] ?? 'default', description: `One of: ${names.join(', ')}` }) }, { additionalProperties: false }),
    create(options) {
      const model = models[options.script];
      if (!model) throw new Error(`script "${options.script}" is not one of ${names.join(', ') || '(none)'}`);
      return model;
    },
  };
}
