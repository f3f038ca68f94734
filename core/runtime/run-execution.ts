import { sdkError } from '../errors/agent-sdk-error.js';
import type { Citation, EventData, EventDraft, EventType } from '../events/envelope.js';
import type { RunLimits, RunResult } from '../ports/agent.js';
import type { ChatMessage, ModelRequest, RoutedModelEvent, TokenUsage, ToolCallRequest } from '../ports/model.js';
import type { PolicyContext } from '../ports/policy.js';
import type { OrgScope } from '../ports/storage.js';
import { describeThrown } from '../util/describe-thrown.js';
import type { ResolvedAgent } from './agent-resolver.js';
import { RetrievedPassages } from './citations.js';
import { compactSession, modelCompletion } from './compaction.js';
import type { Deadline } from './deadlines.js';
import { Interrupt, RunInterrupted } from './interrupt.js';
import { RunLogWriter } from './run-log-writer.js';
import { invokeTool, toolVersionOf } from './tool-invocation.js';
import { failedOutcome, RunFailure, UsageMeter, type RunOutcome } from './run-outcome.js';
import type { RuntimeServices } from './runtime-services.js';

/** What a run is asked to do. */
export interface RunSpec {
  readonly id: string;
  readonly scope: OrgScope;
  readonly sessionId: string;
  readonly agent: ResolvedAgent;
  readonly preset?: string;
  readonly input: string;
  readonly limits: RunLimits;
  readonly actor?: string;
  readonly scopes?: readonly string[];
  /** A session created for this run has no history to load. */
  readonly newSession: boolean;
  /** For a nested run: the delegating run, and the sub-agent's name for `origin.agent`. */
  readonly parent?: { readonly execution: RunExecution; readonly agentName: string };
}

/**
 * One run of the agent loop: messages -> model (streamed) -> tool calls (concurrent, results in call order)
 * -> model ... until an answer, a limit, a failure or a cancellation. Every event is appended to the run's
 * log (which assigns seq) before it is published, and a nested run's events are also mirrored into its
 * parent's log. `execute()` never rejects: whatever happens ends as exactly one terminal event.
 */
export class RunExecution implements Deadline {
  readonly id: string;
  readonly spec: RunSpec;
  readonly interrupt = new Interrupt();
  readonly depth: number;
  /** Resolves with the result when the run has ended and its terminal event is stored (or failed to be). */
  readonly completion: Promise<RunResult>;
  /** True once `completion` is about to resolve: nothing more will be appended to the run's log. */
  ended = false;
  readonly #services: RuntimeServices;
  /** The run's side of the event log (ordered appends, publication, mirroring into the parent). */
  readonly log: RunLogWriter;
  readonly #usage = new UsageMeter();
  readonly #messages: ChatMessage[] = [];
  /** Index of the user message of this run in #messages; what follows it is new. */
  #inputIndex = 0;
  /** Messages up to here form complete turns (a tool call is never stored without its result). */
  #committed = 0;
  #steps = 0;
  #toolCalls = 0;
  #passages: RetrievedPassages | undefined;
  #policyContext: PolicyContext | undefined;
  #resolve!: (result: RunResult) => void;
  #startedAt: string | undefined;
  /** The run's wall-clock limit, in the runtime's deadline queue. */
  deadlineAt = 0;
  deadlineIndex = -1;
  /** Set by the runtime: what to undo when the run ends (a signal listener, a link to the parent). */
  onEnd: (() => void) | undefined;
  /** Set by the runtime: the concurrency ticket of a queued run, or true when the run holds a slot. */
  slot: { granted: boolean } | boolean = false;

  constructor(spec: RunSpec, services: RuntimeServices) {
    this.id = spec.id;
    this.spec = spec;
    this.#services = services;
    this.depth = spec.parent ? spec.parent.execution.depth + 1 : 0;
    this.log = spec.parent
      ? new RunLogWriter(services, spec.scope, { runId: spec.id, sessionId: spec.sessionId, parentRunId: spec.parent.execution.id }, { log: spec.parent.execution.log, agentName: spec.parent.agentName })
      : new RunLogWriter(services, spec.scope, { runId: spec.id, sessionId: spec.sessionId });
    // Events are written behind the loop (group commit): a failed write stops the run at once, tools included.
    this.log.onFailure = (error) => this.interrupt.trigger(new RunInterrupted('failed', describeThrown(error), error));
    this.completion = new Promise((resolve) => (this.#resolve = resolve));
  }

  get usage(): TokenUsage {
    return this.#usage;
  }

  /** Cancels the run; the loop notices at once and ends with `run.cancelled`. */
  cancel(reason: string, kind: 'cancelled' | 'shutdown' = 'cancelled'): void {
    this.interrupt.trigger(new RunInterrupted(kind, reason));
  }

  /** Runs the loop to its end. `slot` (when queued) resolves once a concurrency slot is free. */
  async execute(slot?: Promise<void>): Promise<void> {
    let outcome: RunOutcome;
    try {
      if (slot) await this.#waitForSlot(slot);
      this.#startedAt = this.#services.timestamp();
      this.#services.deadlines.add(this, this.spec.limits.timeoutMs);
      outcome = await this.#run();
    } catch (error) {
      outcome = this.#outcomeOf(error);
    }
    try {
      await this.#finish(outcome);
    } catch (error) {
      // #finish catches its own failures; this is the last line of defence so a run never rejects.
      this.#services.logger.error('a run could not be finished', { runId: this.id, error });
      this.ended = true;
      this.#resolve(this.#result({ status: 'failed', error: { code: 'ASDK_RUN_INTERNAL', message: describeThrown(error) } }));
    }
  }

  async #waitForSlot(slot: Promise<void>): Promise<void> {
    await this.#emit('run.queued', this.#runLabel());
    await new Promise<void>((resolve, reject) => {
      const off = this.interrupt.onInterrupt(() => reject(this.interrupt.reason));
      slot.then(() => {
        off();
        resolve();
      });
    });
    await this.#storage('mark the run as running', () => this.#services.storage.runs.update(this.spec.scope, this.id, { status: 'running', startedAt: this.#services.timestamp() }));
  }

  /** The wall-clock limit elapsed. */
  expire(): void {
    this.interrupt.trigger(new RunInterrupted('timeout', `the run did not finish within ${this.spec.limits.timeoutMs} ms`));
  }

  #runLabel(): EventData<'run.started'> {
    const { preset, agent } = this.spec;
    return preset !== undefined ? { preset, agent: agent.name } : { agent: agent.name };
  }

  async #run(): Promise<RunOutcome> {
    this.#note('run.started', this.#runLabel());
    const { policy } = this.#services;
    if (this.#services.policyActive.beforeRun) {
      const decision = await policy.beforeRun(this.policyContext(), { input: this.spec.input, preset: this.spec.preset });
      if (!decision.allow) await this.#denied('beforeRun', decision);
    }
    await this.#loadHistory();
    for (;;) {
      this.#checkInterrupt();
      if (this.log.failure !== undefined) throw this.log.failure;
      const step = ++this.#steps;
      const maxTokens = this.spec.limits.maxTokens;
      if (this.#usage.total >= maxTokens) throw RunFailure.of('ASDK_RUN_MAX_TOKENS', { used: this.#usage.total, limit: maxTokens });
      this.#note('step.started', { step });
      const turn = await this.#callModel(step, maxTokens - this.#usage.total);
      if (turn.calls.length === 0) {
        const citations = turn.citations ?? this.#passages?.cite(turn.text);
        const message: ChatMessage = citations ? { role: 'assistant', content: turn.text, citations } : { role: 'assistant', content: turn.text };
        this.#messages.push(message);
        this.#committed = this.#messages.length;
        await this.log.emit([
          this.#draft('assistant.message', citations ? { text: turn.text, citations: [...citations] } : { text: turn.text }),
          this.#draft('step.completed', { step, usage: turn.usage, model: turn.model }),
        ]);
        return citations ? { status: 'completed', output: turn.text, citations } : { status: 'completed', output: turn.text };
      }
      if (turn.text) this.#note('assistant.message', { text: turn.text });
      const { maxSteps, maxToolCalls } = this.spec.limits;
      if (step >= maxSteps) throw RunFailure.of('ASDK_RUN_MAX_STEPS', { limit: maxSteps });
      if (this.#toolCalls + turn.calls.length > maxToolCalls) {
        throw RunFailure.of('ASDK_RUN_MAX_TOOL_CALLS', { requested: turn.calls.length, used: this.#toolCalls, limit: maxToolCalls });
      }
      this.#toolCalls += turn.calls.length;
      this.#messages.push({ role: 'assistant', content: turn.text, toolCalls: turn.calls });
      // Written ahead: a tool never runs before its call is durable in the log.
      await this.#emitMany(turn.calls.map((call) => this.#draft('tool.call', { callId: call.callId, name: call.name, version: toolVersionOf(this, this.#services, call.name), args: call.args })));
      await this.#runTools(turn.calls);
      this.#committed = this.#messages.length;
      this.#note('step.completed', { step, usage: turn.usage, model: turn.model });
    }
  }

  /** Loads the session's history (compacting it per the memory policy), then adds this run's input. */
  async #loadHistory(): Promise<void> {
    const { agent, scope, sessionId } = this.spec;
    this.#messages.push(agent.systemMessage);
    if (!this.spec.newSession && !this.spec.parent) {
      const stored = await this.#storage('read the session history', () => this.#services.storage.messages.list(scope, sessionId));
      const compaction = await compactSession(stored, agent.memory ?? this.#services.defaults.memory, {
        summarizer: this.#services.summarizerFor(agent.chain),
        request: {
          orgId: scope.orgId,
          sessionId,
          runId: this.id,
          agent: agent.name,
          signal: this.interrupt.signal,
          complete: modelCompletion(this.#services.stream, agent.chain, this.interrupt, (usage, model) => this.#usage.add(usage, this.#services.router.cost(model, usage))),
        },
        logger: this.#services.logger,
      });
      if (compaction) {
        await this.#storage('compact the session history', () =>
          this.#services.storage.messages.replacePrefix(scope, sessionId, compaction.throughPosition, compaction.replacement),
        );
        await this.#emit('memory.compacted', {
          strategy: compaction.strategy,
          removedMessages: compaction.removedMessages,
          keptMessages: compaction.history.length,
        });
        for (const message of compaction.history) this.#messages.push(message);
      } else for (const record of stored) this.#messages.push(record.message);
    }
    this.#inputIndex = this.#messages.length;
    this.#messages.push({ role: 'user', content: this.spec.input });
    this.#committed = this.#messages.length;
  }

  /** One model step: streams text as `assistant.delta`, collects tool calls, reports retries and fallbacks. */
  async #callModel(step: number, tokenBudget: number) {
    const { agent } = this.spec;
    const maxOutputTokens = agent.maxOutputTokens === undefined ? undefined : Math.max(1, Math.min(agent.maxOutputTokens, tokenBudget));
    const request: ModelRequest = {
      messages: this.#messages,
      tools: agent.tools.length ? agent.tools : undefined,
      maxOutputTokens,
      temperature: agent.temperature,
    };
    if (this.#services.policyActive.beforeModelCall) {
      const decision = await this.#services.policy.beforeModelCall(this.policyContext(), request);
      if (!decision.allow) await this.#denied('beforeModelCall', decision);
    }
    const stepUsage = new UsageMeter();
    let text = '';
    let calls: ToolCallRequest[] = [];
    let citations: readonly Citation[] | undefined;
    let attemptUsage: TokenUsage | undefined;
    let model = agent.chain[0];
    const settle = (name: string) => {
      if (attemptUsage) stepUsage.add(attemptUsage, this.#services.router.cost(name, attemptUsage));
      attemptUsage = undefined;
    };
    try {
      for await (const event of this.#services.stream(agent.chain, request, this.interrupt) as AsyncIterable<RoutedModelEvent>) {
        switch (event.type) {
          case 'text':
            if (!event.text) break;
            text += event.text;
            await this.log.emit([this.#draft('assistant.delta', { text: event.text })]);
            break;
          case 'tool_call':
            calls.push(normalizeCall(event.call, step, calls.length));
            break;
          case 'usage':
            attemptUsage = event.usage;
            break;
          case 'citations':
            citations = event.citations;
            break;
          case 'retry':
          case 'fallback': {
            // What the failed attempt said is void: the next attempt answers from scratch.
            settle(event.type === 'retry' ? event.model : event.from);
            if (event.type === 'fallback') model = event.to;
            text = '';
            calls = [];
            citations = undefined;
            if (event.type === 'retry') this.#note('model.retry', { step, model: event.model, attempt: event.attempt, delayMs: event.delayMs, reason: event.reason });
            else this.#note('model.fallback', { step, from: event.from, to: event.to, reason: event.reason });
            break;
          }
          case 'finish':
            model = event.model;
            settle(event.model);
            break;
        }
      }
    } catch (error) {
      // The step failed (the chain gave up, or the run was interrupted): the tokens its attempts used still count.
      settle(model);
      this.#usage.merge(stepUsage.snapshot());
      throw error;
    }
    const usage = stepUsage.snapshot();
    this.#usage.merge(usage);
    return { text, calls, citations, usage, model };
  }

  /** Runs a step's tool calls concurrently; results are reported and kept in call order. */
  async #runTools(calls: readonly ToolCallRequest[]): Promise<void> {
    const outcomes = calls.map((call) => invokeTool(this, this.#services, call));
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      const outcome = await outcomes[i];
      if (outcome.ok) {
        if (Array.isArray((outcome.result as { hits?: unknown } | null)?.hits)) (this.#passages ??= new RetrievedPassages()).add(outcome.result);
        this.#note('tool.result', { callId: call.callId, result: outcome.result, durationMs: outcome.durationMs });
        this.#messages.push({ role: 'tool', callId: call.callId, name: call.name, content: JSON.stringify(outcome.result) ?? 'null' });
      } else {
        this.#note('tool.error', { callId: call.callId, code: outcome.code, message: outcome.message });
        this.#messages.push({
          role: 'tool',
          callId: call.callId,
          name: call.name,
          content: JSON.stringify({ error: { code: outcome.code, message: outcome.message } }),
          isError: true,
        });
      }
    }
    this.#checkInterrupt();
  }

  // ---- for tool-invocation.ts (RunExecution is internal to the runtime) ------------------------------------

  /** Records a refused tool call; awaited, so the refusal is in the log before the model hears of it. */
  recordDenial(data: EventData<'policy.denied'>): Promise<void> {
    return this.#emit('policy.denied', data);
  }

  /** Adds a nested run's token usage to this run's. */
  addUsage(usage: TokenUsage): void {
    this.#usage.merge(usage);
  }

  async #denied(point: 'beforeRun' | 'beforeModelCall', decision: { reason: string; code?: string; policy?: string }): Promise<never> {
    const policy = decision.policy ?? 'unknown';
    await this.#emit('policy.denied', { point, policy, reason: decision.reason });
    throw new RunFailure(decision.code ?? 'ASDK_POLICY_DENIED', sdkError('ASDK_POLICY_DENIED', { policy, point, reason: decision.reason }).message);
  }

  #checkInterrupt(): void {
    if (this.interrupt.interrupted) throw this.interrupt.reason;
  }

  /** What the policies see of this run (also read by tool-invocation.ts). */
  policyContext(): PolicyContext {
    return (this.#policyContext ??= {
      orgId: this.spec.scope.orgId,
      actor: this.spec.actor,
      scopes: this.spec.scopes,
      runId: this.id,
      sessionId: this.spec.sessionId,
      preset: this.spec.preset,
      parentRunId: this.spec.parent?.execution.id,
    });
  }

  #outcomeOf(error: unknown): RunOutcome {
    const reason = this.interrupt.reason;
    if (reason) {
      if (reason.kind === 'failed') return failedOutcome(reason.failure) ?? failedOutcome(error) ?? { status: 'failed', error: { code: 'ASDK_RUN_INTERNAL', message: reason.reason } };
      if (reason.kind === 'timeout') {
        return { status: 'failed', error: { code: 'ASDK_RUN_TIMEOUT', message: sdkError('ASDK_RUN_TIMEOUT', { timeoutMs: this.spec.limits.timeoutMs }).message } };
      }
      return { status: 'cancelled', reason: reason.reason };
    }
    const known = failedOutcome(error);
    if (known) return known;
    this.#services.logger.error('a run failed unexpectedly', { runId: this.id, error });
    const message = sdkError('ASDK_RUN_INTERNAL', { runId: this.id, reason: describeThrown(error) }).message;
    return { status: 'failed', error: { code: 'ASDK_RUN_INTERNAL', message } };
  }

  // ---- events -------------------------------------------------------------------------------------------

  #draft<T extends EventType>(type: T, data: EventData<T>): EventDraft {
    const draft: EventDraft = { type, data, ts: this.#services.timestamp() } as EventDraft;
    // A redaction policy that throws fails the run rather than letting an unredacted event through.
    return this.#services.policyActive.onEvent ? this.#services.policy.onEvent(this.policyContext(), draft) : draft;
  }

  #emit<T extends EventType>(type: T, data: EventData<T>): Promise<void> {
    return this.log.append([this.#draft(type, data)]);
  }

  #emitMany(drafts: EventDraft[]): Promise<void> {
    return this.log.append(drafts);
  }

  /**
   * Emits without waiting for the log (group commit gathers these into the next write). A write failure
   * surfaces at the next awaited append or at the end of the run; a long queue is waited on via `log.emit`
   * at the hot spots (text deltas) instead.
   */
  #note<T extends EventType>(type: T, data: EventData<T>): void {
    void this.log.emit([this.#draft(type, data)]);
  }

  async #storage<T>(operation: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw RunFailure.of('ASDK_RUN_STORAGE_FAILED', { runId: this.id, operation, reason: describeThrown(error) }, error);
    }
  }

  // ---- the end --------------------------------------------------------------------------------------------

  /** Records the outcome: session messages, the run record, then the terminal event (never mirrored). */
  async #finish(initial: RunOutcome): Promise<void> {
    this.#services.deadlines.remove(this);
    // A loop that ended early (a failure, a storage error) may leave tool calls and nested runs running: stop them.
    if (initial.status === 'failed') this.interrupt.trigger(new RunInterrupted('cancelled', 'the run failed'));
    let outcome = initial;
    const { storage, logger } = this.#services;
    const { scope, sessionId } = this.spec;
    try {
      await this.log.close();
    } catch (error) {
      // Events of the run could not all be stored: the run cannot be reported as completed.
      if (outcome.status !== 'failed') outcome = failedOutcome(error) ?? outcome;
    }
    if (!this.spec.parent && this.#committed > this.#inputIndex) {
      try {
        await storage.messages.append(scope, sessionId, this.#messages.slice(this.#inputIndex, this.#committed), this.id);
      } catch (error) {
        logger.error('could not store the session messages of a run', { runId: this.id, error });
        if (outcome.status === 'completed') outcome = failedOutcome(RunFailure.of('ASDK_RUN_STORAGE_FAILED', { runId: this.id, operation: 'store the session messages', reason: describeThrown(error) }))!;
      }
    }
    let terminal: EventDraft;
    try {
      terminal = this.#terminalDraft(outcome, true);
    } catch (error) {
      outcome = failedOutcome(error) ?? failedOutcome(RunFailure.of('ASDK_POLICY_FAILED', { policy: '(unknown)', point: 'onEvent', reason: describeThrown(error) }))!;
      terminal = this.#terminalDraft(outcome, false);
    }
    const now = this.#services.timestamp();
    try {
      await storage.runs.update(scope, this.id, {
        status: outcome.status,
        // As the terminal event has it: after an onEvent policy (redaction), if any.
        ...(outcome.status === 'completed' && { output: (terminal.data as { output?: string }).output ?? outcome.output }),
        ...(outcome.status === 'failed' && { error: outcome.error }),
        usage: this.#usage.snapshot(),
        startedAt: this.#startedAt ?? now,
        finishedAt: now,
      });
    } catch (error) {
      logger.error('could not update the run record', { runId: this.id, error });
    }
    // Everything else is written before the terminal event, so whoever sees it sees a finished run and session.
    if (!this.spec.parent) await storage.sessions.touch(scope, sessionId, now).catch((error) => logger.warn('could not touch the session', { sessionId, error }));
    try {
      await this.log.append([terminal], false);
    } catch (error) {
      logger.error('could not store the terminal event of a run', { runId: this.id, error });
    }
    const result = this.#result(outcome);
    this.#services.ended(this);
    this.ended = true;
    this.#resolve(result);
    if (this.#services.policyActive.afterRun) await this.#services.policy.afterRun(this.policyContext(), { status: outcome.status });
  }

  #terminalDraft(outcome: RunOutcome, withPolicy: boolean): EventDraft {
    const usage = this.#usage.snapshot();
    const draft: EventDraft =
      outcome.status === 'completed'
        ? { type: 'run.completed', data: { output: outcome.output, usage }, ts: this.#services.timestamp() }
        : outcome.status === 'failed'
          ? { type: 'run.failed', data: { error: outcome.error, usage }, ts: this.#services.timestamp() }
          : { type: 'run.cancelled', data: { reason: outcome.reason, usage }, ts: this.#services.timestamp() };
    return withPolicy && this.#services.policyActive.onEvent ? this.#services.policy.onEvent(this.policyContext(), draft) : draft;
  }

  #result(outcome: RunOutcome): RunResult {
    const base = {
      runId: this.id,
      sessionId: this.spec.sessionId,
      ...(this.spec.parent && { parentRunId: this.spec.parent.execution.id }),
      status: outcome.status,
      usage: this.#usage.snapshot(),
    };
    if (outcome.status === 'completed') return { ...base, output: outcome.output, ...(outcome.citations && { citations: outcome.citations }) };
    if (outcome.status === 'failed') return { ...base, error: outcome.error };
    return base;
  }
}

/** A call with an id (models that give none get `call_<step>_<n>`) and its name as a string. */
function normalizeCall(call: ToolCallRequest, step: number, index: number): ToolCallRequest {
  if (typeof call.callId === 'string' && call.callId && typeof call.name === 'string') return call;
  return { callId: typeof call.callId === 'string' && call.callId ? call.callId : `call_${step}_${index + 1}`, name: String(call.name), args: call.args };
}
