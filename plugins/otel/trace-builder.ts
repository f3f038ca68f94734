import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { cutAtCodePoint, isTerminalEventType, type EventEnvelope, type Logger, type Usage } from '../../core/index.js';
import { AGENT_SDK, GEN_AI, GEN_AI_OPERATION } from './gen-ai.js';

/** The provider and the provider's model id of a configured model name (from the model router). */
export type ModelLookup = (name: string) => { readonly provider: string; readonly model: string } | undefined;

export interface TraceBuilderOptions {
  readonly tracer: Tracer;
  readonly models?: ModelLookup;
  /** Also record tool arguments and results (gen_ai.tool.call.arguments / .result), truncated. Off by default: they may hold personal data. */
  readonly captureContent?: boolean;
  readonly logger?: Logger;
}

interface Attempt {
  readonly span: Span;
  readonly startMs: number;
  readonly number: number;
  firstChunkMs: number;
  /** When the model had answered (its first tool call or its message); the span ends here once usage is known. */
  answeredMs: number;
}

interface StepTrace {
  readonly span: Span;
  readonly number: number;
  attempt: Attempt | undefined;
}

interface ToolTrace {
  readonly span: Span;
  readonly name: string;
  /** For `agent.<name>` calls: the nested run linked under this span. */
  child: string | undefined;
}

interface RunTrace {
  readonly runId: string;
  readonly parentRunId: string | undefined;
  readonly agent: string;
  readonly startMs: number;
  readonly attributes: Attributes;
  span: Span | undefined;
  /** A nested run whose delegating call is not known yet: its envelopes wait here. */
  pending: EventEnvelope[] | undefined;
  step: StepTrace | undefined;
  readonly tools: Map<string, ToolTrace>;
}

const MAX_RUNS = 10_000;
const MAX_CONTENT_CHARS = 4096;

/**
 * Builds OpenTelemetry spans from envelopes, with their `ts` as span times: a run is an `invoke_agent` span,
 * each step a `step n` span under it, and under the step one `chat` span per model attempt (a retry or a
 * fallback ends one with an error and starts the next) and one `execute_tool` span per tool call. A nested run
 * (a delegation) is an `invoke_agent` span under the `execute_tool agent.<name>` span that started it: when
 * a step delegates to several sub-agents at once, the copy the nested run mirrors into its parent's log (its
 * `origin.agent`) says which call it belongs to.
 */
export class TraceBuilder {
  readonly #options: TraceBuilderOptions;
  readonly #runs = new Map<string, RunTrace>();
  #failed = false;

  constructor(options: TraceBuilderOptions) {
    this.#options = options;
  }

  /** Runs with open spans. */
  get open(): number {
    return this.#runs.size;
  }

  add(envelopes: readonly EventEnvelope[]): void {
    for (const envelope of envelopes) {
      try {
        this.#handle(envelope);
      } catch (error) {
        if (!this.#failed) this.#options.logger?.error('could not build spans from an event', { runId: envelope.runId, seq: envelope.seq, type: envelope.type, error });
        this.#failed = true;
      }
    }
  }

  /** Ends whatever is still open (runs not followed to their end), so nothing is lost at shutdown. */
  endAll(reason: string): void {
    for (const run of [...this.#runs.values()]) this.#abandon(run, reason, Date.now());
  }

  #handle(e: EventEnvelope): void {
    if (e.origin) {
      if (e.type === 'run.started' || e.type === 'run.queued') this.#linkByMirror(e);
      return;
    }
    let run = this.#runs.get(e.runId);
    if (!run) {
      // A run that began before this exporter did has no span to hang its events on.
      if (e.type !== 'run.queued' && e.type !== 'run.started') return;
      run = this.#open(e);
    }
    if (run.pending) {
      run.pending.push(e);
      // Its parent never said which call it belongs to: hang it under the parent's run.
      if (isTerminalEventType(e.type)) this.#link(run, undefined);
      return;
    }
    this.#apply(run, e);
  }

  #open(e: EventEnvelope): RunTrace {
    const label = e.data as { agent?: string; preset?: string };
    const agent = label.agent ?? label.preset ?? 'agent';
    const attributes: Attributes = {
      [GEN_AI.operationName]: GEN_AI_OPERATION.invokeAgent,
      [GEN_AI.agentName]: agent,
      [GEN_AI.conversationId]: e.sessionId,
      [AGENT_SDK.runId]: e.runId,
      [AGENT_SDK.orgId]: e.orgId,
      ...(label.preset !== undefined && { [AGENT_SDK.preset]: label.preset }),
      ...(e.parentRunId !== undefined && { [AGENT_SDK.parentRunId]: e.parentRunId }),
    };
    const run: RunTrace = { runId: e.runId, parentRunId: e.parentRunId, agent, startMs: Date.parse(e.ts), attributes, span: undefined, pending: undefined, step: undefined, tools: new Map() };
    this.#runs.set(e.runId, run);
    if (this.#runs.size > MAX_RUNS) this.#abandon(this.#runs.values().next().value!, 'too many runs open at once to follow', Date.parse(e.ts));
    const parent = e.parentRunId === undefined ? undefined : this.#runs.get(e.parentRunId);
    const open = parent ? [...parent.tools.values()].filter((tool) => tool.child === undefined && tool.name.startsWith('agent.')) : [];
    if (open.length > 1) run.pending = [];
    else this.#link(run, open[0]);
    return run;
  }

  /** The copy of a nested run's first event in its parent's log: `origin.agent` names the delegation. */
  #linkByMirror(e: EventEnvelope): void {
    const child = this.#runs.get(e.origin!.runId);
    if (!child?.pending) return;
    const parent = this.#runs.get(e.runId);
    const open = parent ? [...parent.tools.values()].filter((tool) => tool.child === undefined && tool.name.startsWith('agent.')) : [];
    this.#link(child, open.find((tool) => tool.name === `agent.${e.origin!.agent}`) ?? open[0]);
  }

  /** Starts the run's span under the delegating call (or its parent run, or nothing), then replays what waited. */
  #link(run: RunTrace, call: ToolTrace | undefined): void {
    if (call) call.child = run.runId;
    const parentSpan = call?.span ?? (run.parentRunId === undefined ? undefined : this.#runs.get(run.parentRunId)?.span);
    run.span = this.#start(`invoke_agent ${run.agent}`, SpanKind.INTERNAL, run.startMs, run.attributes, parentSpan);
    const pending = run.pending ?? [];
    run.pending = undefined;
    for (const e of pending) if (this.#runs.has(run.runId)) this.#apply(run, e);
  }

  #apply(run: RunTrace, e: EventEnvelope): void {
    const ms = Date.parse(e.ts);
    const step = run.step;
    switch (e.type) {
      case 'run.queued':
      case 'run.started':
        if (ms > run.startMs) run.span!.addEvent(e.type, new Date(ms));
        return;
      case 'step.started': {
        const number = (e.data as { step: number }).step;
        const span = this.#start(`step ${number}`, SpanKind.INTERNAL, ms, { [AGENT_SDK.step]: number }, run.span);
        run.step = { span, number, attempt: undefined };
        run.step.attempt = this.#startAttempt(run.step, ms, 1);
        return;
      }
      case 'assistant.delta':
        if (step?.attempt && !step.attempt.firstChunkMs) step.attempt.firstChunkMs = ms;
        return;
      case 'model.retry':
      case 'model.fallback': {
        if (!step?.attempt) return;
        const data = e.data as { model?: string; from?: string; to?: string; attempt?: number; delayMs?: number; reason: string };
        this.#endAttempt(step.attempt, ms, data.model ?? data.from, undefined, data.reason);
        step.attempt = this.#startAttempt(step, ms + (data.delayMs ?? 0), step.attempt.number + 1, data.to);
        return;
      }
      case 'assistant.message':
        if (step?.attempt && !step.attempt.answeredMs) step.attempt.answeredMs = ms;
        return;
      case 'tool.call': {
        const data = e.data as { callId: string; name: string; version: string; args: unknown };
        if (step?.attempt && !step.attempt.answeredMs) step.attempt.answeredMs = ms;
        const attributes: Attributes = {
          [GEN_AI.operationName]: GEN_AI_OPERATION.executeTool,
          [GEN_AI.toolName]: data.name,
          [GEN_AI.toolCallId]: data.callId,
          [GEN_AI.toolType]: 'function',
          [AGENT_SDK.toolVersion]: data.version,
          ...(this.#options.captureContent && { [GEN_AI.toolCallArguments]: content(data.args) }),
        };
        const span = this.#start(`execute_tool ${data.name}`, SpanKind.INTERNAL, ms, attributes, step?.span ?? run.span);
        run.tools.set(data.callId, { span, name: data.name, child: undefined });
        return;
      }
      case 'tool.result':
      case 'tool.error': {
        const data = e.data as { callId: string; result?: unknown; code?: string; message?: string };
        const tool = run.tools.get(data.callId);
        if (!tool) return;
        run.tools.delete(data.callId);
        if (e.type === 'tool.error') fail(tool.span, data.code ?? 'tool_error', data.message ?? '');
        else if (this.#options.captureContent) tool.span.setAttribute(GEN_AI.toolCallResult, content(data.result));
        end(tool.span, ms);
        return;
      }
      case 'policy.denied':
      case 'memory.compacted': {
        const attributes: Attributes = {};
        for (const [key, value] of Object.entries(e.data as Record<string, unknown>)) if (typeof value === 'string' || typeof value === 'number') attributes[`agent_sdk.${key}`] = value;
        (step?.span ?? run.span!).addEvent(`agent_sdk.${e.type}`, attributes, new Date(ms));
        return;
      }
      case 'step.completed': {
        const data = e.data as { usage: Usage; model?: string };
        if (step) {
          if (step.attempt) this.#endAttempt(step.attempt, step.attempt.answeredMs || ms, data.model, data.usage);
          step.span.setAttributes({ ...usageAttributes(data.usage), ...(data.model !== undefined && { [AGENT_SDK.model]: data.model }) });
          end(step.span, ms);
          run.step = undefined;
        }
        return;
      }
      default:
        if (isTerminalEventType(e.type)) this.#finish(run, e, ms);
    }
  }

  #finish(run: RunTrace, e: EventEnvelope, ms: number): void {
    const data = e.data as { usage: Usage; error?: { code: string; message: string }; reason?: string };
    const status = e.type.slice('run.'.length);
    const why = data.error ? `${data.error.code}: ${data.error.message}` : `the run was ${status}${data.reason ? `: ${data.reason}` : ''}`;
    this.#closeOpen(run, ms, why);
    const span = run.span!;
    span.setAttributes({ ...usageAttributes(data.usage), [AGENT_SDK.runStatus]: status });
    if (data.error) fail(span, data.error.code, data.error.message);
    end(span, ms);
    this.#runs.delete(run.runId);
  }

  /** Ends a run's open attempt, tool calls and step (a failure, a cancellation) and leaves the run span to the caller. */
  #closeOpen(run: RunTrace, ms: number, why: string): void {
    const step = run.step;
    if (step?.attempt) this.#endAttempt(step.attempt, ms, undefined, undefined, why);
    for (const tool of run.tools.values()) {
      fail(tool.span, 'interrupted', why);
      end(tool.span, ms);
    }
    run.tools.clear();
    if (step) end(step.span, ms);
    run.step = undefined;
  }

  #abandon(run: RunTrace, why: string, ms: number): void {
    if (run.pending) this.#link(run, undefined);
    if (!run.span) return;
    this.#closeOpen(run, ms, why);
    fail(run.span, 'abandoned', why);
    end(run.span, ms);
    this.#runs.delete(run.runId);
  }

  #startAttempt(step: StepTrace, ms: number, number: number, model?: string): Attempt {
    const attributes: Attributes = { [GEN_AI.operationName]: GEN_AI_OPERATION.chat, [AGENT_SDK.step]: step.number, [AGENT_SDK.attempt]: number, ...(model && this.#modelAttributes(model)) };
    return { span: this.#start('chat', SpanKind.CLIENT, ms, attributes, step.span), startMs: ms, number, firstChunkMs: 0, answeredMs: 0 };
  }

  #endAttempt(attempt: Attempt, ms: number, model: string | undefined, usage?: Usage, error?: string): void {
    const { span } = attempt;
    if (model) {
      const attributes = this.#modelAttributes(model);
      span.setAttributes({ ...attributes, [GEN_AI.responseModel]: attributes[GEN_AI.requestModel] as string });
      span.updateName(`chat ${attributes[GEN_AI.requestModel] as string}`);
    }
    if (usage) span.setAttributes(usageAttributes(usage));
    if (attempt.firstChunkMs) span.setAttribute(GEN_AI.responseTimeToFirstChunk, Math.max(0, attempt.firstChunkMs - attempt.startMs) / 1000);
    if (error !== undefined) fail(span, errorType(error), error);
    end(span, Math.max(ms, attempt.startMs));
  }

  #modelAttributes(name: string): Attributes {
    const known = this.#options.models?.(name);
    const provider = known?.provider ?? 'agent_sdk';
    return { [GEN_AI.providerName]: provider, [GEN_AI.system]: provider, [GEN_AI.requestModel]: known?.model ?? name, [AGENT_SDK.model]: name };
  }

  #start(name: string, kind: SpanKind, ms: number, attributes: Attributes, parent: Span | undefined): Span {
    const context: Context = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    return this.#options.tracer.startSpan(name, { kind, startTime: new Date(ms), attributes }, context);
  }
}

function usageAttributes(usage: Usage | undefined): Attributes {
  if (!usage) return {};
  return {
    [GEN_AI.usageInputTokens]: usage.inputTokens,
    [GEN_AI.usageOutputTokens]: usage.outputTokens,
    ...(usage.costUsd !== undefined && { [AGENT_SDK.costUsd]: usage.costUsd }),
  };
}

/** Ends a span at an envelope's time (attempts are clamped to their start by the caller; the rest follow seq order). */
function end(span: Span, ms: number): void {
  span.end(new Date(ms));
}

function fail(span: Span, type: string, message: string): void {
  span.setAttribute(GEN_AI.errorType, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** `server: 503 busy` (the router's reason) -> `server`; anything else -> `_OTHER`, as the conventions suggest. */
function errorType(reason: string): string {
  return /^([a-z_]+):/.exec(reason)?.[1] ?? '_OTHER';
}

function content(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return text.length > MAX_CONTENT_CHARS ? `${cutAtCodePoint(text, MAX_CONTENT_CHARS)}…` : text;
}
