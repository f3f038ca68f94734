import { Compile } from 'typebox/compile';
import { isAgentSdkError, sdkError } from '../errors/agent-sdk-error.js';
import type { ContributedItem } from '../plugin.js';
import type { AgentDefinition, PresetDefinition, RunLimits } from '../ports/agent.js';
import type { RunHandle, RunRequest, RunService } from '../ports/runs.js';
import { DEFAULT_ORG_ID, type OrgScope, type RunRecord } from '../ports/storage.js';
import { didYouMean } from '../util/suggest.js';
import { AgentResolver, type ResolvedAgent } from './agent-resolver.js';
import { PRESET_NAME_PATTERN, RunLimitsSchema } from './agent-schema.js';
import { LocalRunHandle, StoredRunHandle } from './run-handles.js';
import { randomId } from './ids.js';
import { RunExecution } from './run-execution.js';
import type { RuntimeServices } from './runtime-services.js';
import { sessionTitle } from './session-title.js';
import { describeErrors } from './schema-errors.js';

export interface RuntimeOptions {
  readonly maxConcurrentRuns: number;
  readonly maxInputChars: number;
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const checkLimits = Compile(RunLimitsSchema);

/**
 * The runtime's service (`kernel.runs`): validates run requests, creates sessions and run records, runs
 * each run's loop in the background, and hands out handles that follow, await and cancel runs.
 */
export class Runtime implements RunService {
  readonly #services: Omit<RuntimeServices, 'startNested' | 'ended'>;
  readonly #runServices: RuntimeServices;
  readonly #options: RuntimeOptions;
  readonly #resolver: AgentResolver;
  readonly #presets = new Map<string, { preset: PresetDefinition; resolved: ResolvedAgent; source: string }>();
  readonly #active = new Map<string, RunExecution>();
  /** Runs waiting for a slot (maxConcurrentRuns), first come first served. */
  readonly #queue: { grant(): void; granted: boolean }[] = [];
  #running = 0;
  #stopping: string | undefined;
  /** start() calls still awaiting storage: stop() waits for them, so no run starts after it resolves. */
  readonly #starting = new Set<Promise<RunHandle>>();

  /** Scopes and merged limits are shared by the runs that have the same ones. */
  readonly #scopes = new Map<string, OrgScope>();
  readonly #limits = new WeakMap<ResolvedAgent, RunLimits>();

  constructor(services: Omit<RuntimeServices, 'startNested' | 'ended'>, resolver: AgentResolver, options: RuntimeOptions) {
    this.#services = services;
    this.#resolver = resolver;
    this.#options = options;
    this.#runServices = {
      ...services,
      startNested: (parent, agent, name, task) => this.#startNested(parent, agent, name, task),
      ended: (execution) => this.#ended(execution),
    };
  }

  /** Takes the contributed presets: names unique, definitions valid, models configured. */
  loadPresets(contributions: readonly ContributedItem<PresetDefinition>[]): void {
    for (const { item, pluginId } of contributions) {
      const source = `plugin "${pluginId}"`;
      const name = String(item?.name);
      if (!PRESET_NAME_PATTERN.test(name)) throw sdkError('ASDK_PRESET_INVALID', { preset: name, source, reason: 'a preset name uses lowercase letters, digits, "_" and "-"' });
      if (typeof item.description !== 'string' || !item.description) throw sdkError('ASDK_PRESET_INVALID', { preset: name, source, reason: 'description is missing' });
      const existing = this.#presets.get(name);
      if (existing) throw sdkError('ASDK_PRESET_DUPLICATE', { preset: name, first: existing.source, second: source });
      let resolved: ResolvedAgent;
      try {
        resolved = this.#resolver.resolve(item, { name, strict: false, what: `preset ${name}` });
      } catch (error) {
        const reason = isAgentSdkError(error) ? String(error.params.reason ?? error.message) : String(error);
        throw sdkError('ASDK_PRESET_INVALID', { preset: name, source, reason }, { cause: error });
      }
      if (resolved.missingTools.length) {
        this.#services.logger.warn('a preset lists tools that no enabled plugin provides; its runs go without them', { preset: name, tools: resolved.missingTools });
      }
      this.#presets.set(name, { preset: item, resolved, source });
    }
  }

  presets(): readonly PresetDefinition[] {
    return [...this.#presets.values()].map((entry) => entry.preset);
  }

  preset(name: string): PresetDefinition | undefined {
    return this.#presets.get(name)?.preset;
  }

  /** Runs in flight in this process. */
  get activeRuns(): number {
    return this.#active.size;
  }

  async start(request: RunRequest): Promise<RunHandle> {
    if (this.#stopping !== undefined) throw sdkError('ASDK_RUNTIME_STOPPED');
    const starting = this.#start(request);
    this.#starting.add(starting);
    try {
      return await starting;
    } finally {
      this.#starting.delete(starting);
    }
  }

  async #start(request: RunRequest): Promise<RunHandle> {
    const { agent, preset } = this.#agentFor(request);
    const limits = this.#limitsFor(agent, request.limits);
    const scope = this.#scope(request.orgId ?? DEFAULT_ORG_ID);
    const { storage } = this.#services;

    if (request.idempotencyKey !== undefined) {
      const existing = await storage.runs.findByIdempotencyKey(scope, request.idempotencyKey);
      if (existing) return this.#handleFor(scope, existing);
    }
    // Take (or queue for) a slot now, before any await, so concurrent starts count each other.
    const queued = this.#options.maxConcurrentRuns > 0 && this.#running >= this.#options.maxConcurrentRuns;
    if (!queued) this.#running++;
    let id: string;
    let sessionId = request.sessionId;
    let newSession = false;
    try {
      // Checked again after each await: the kernel may have begun to stop meanwhile.
      if (this.#stopping !== undefined) throw sdkError('ASDK_RUNTIME_STOPPED');
      // A new session is titled after its first prompt, so lists of sessions read as more than ids.
      const title = sessionTitle(request.input);
      const session = { ...(title !== undefined && { title }), ...(preset !== undefined && { preset }) };
      if (sessionId === undefined) {
        sessionId = randomId('ses_');
        newSession = true;
        await storage.sessions.create(scope, { id: sessionId, ...session });
      } else if (!(await storage.sessions.get(scope, sessionId))) {
        newSession = true;
        await storage.sessions.create(scope, { id: sessionId, ...session });
      }
      if (this.#stopping !== undefined) throw sdkError('ASDK_RUNTIME_STOPPED');
      id = randomId('run_');
      await storage.runs.create(scope, {
        id,
        sessionId,
        input: request.input,
        agent: agent.name,
        status: queued ? 'queued' : 'running',
        ...(preset !== undefined && { preset }),
        ...(request.idempotencyKey !== undefined && { idempotencyKey: request.idempotencyKey }),
      });
    } catch (error) {
      if (!queued) this.#release();
      // Two starts with one idempotency key at once: the loser answers with the winner's run.
      if (request.idempotencyKey !== undefined) {
        const winner = await storage.runs.findByIdempotencyKey(scope, request.idempotencyKey);
        if (winner) return this.#handleFor(scope, winner);
      }
      throw error;
    }
    const execution = new RunExecution(
      { id, scope, sessionId, agent, preset, input: request.input, limits, actor: request.actor, scopes: request.scopes, newSession },
      this.#runServices,
    );
    this.#track(execution, request.signal);
    // The record exists: a stop that began while it was written cancels the run (stop() waits for it).
    if (this.#stopping !== undefined) execution.cancel(this.#stopping, 'shutdown');
    if (!queued) {
      execution.slot = true;
      void execution.execute();
    } else {
      let ticket!: { grant(): void; granted: boolean };
      const slot = new Promise<void>((resolve) => {
        ticket = { grant: () => ((ticket.granted = true), resolve()), granted: false };
      });
      this.#queue.push(ticket);
      execution.slot = ticket;
      void execution.execute(slot);
    }
    return new LocalRunHandle(execution, this.#services);
  }

  async get(scope: OrgScope, runId: string): Promise<RunHandle | undefined> {
    const active = this.#active.get(runId);
    if (active && active.spec.scope.orgId === scope.orgId) return new LocalRunHandle(active, this.#services);
    const record = await this.#services.storage.runs.get(scope, runId);
    return record ? this.#handleFor(scope, record) : undefined;
  }

  /**
   * Refuses new runs, waits for the start() calls already under way, then cancels every run in flight and
   * waits until each has recorded its end (kernel stop).
   */
  async stop(reason = 'the kernel is stopping'): Promise<void> {
    this.#stopping ??= reason;
    await Promise.allSettled([...this.#starting]);
    const executions = [...this.#active.values()];
    for (const execution of executions) execution.cancel(reason, 'shutdown');
    await Promise.all(executions.map((execution) => execution.completion));
  }

  #handleFor(scope: OrgScope, record: RunRecord): RunHandle {
    const active = this.#active.get(record.id);
    if (active) return new LocalRunHandle(active, this.#services);
    return new StoredRunHandle(record, scope, this.#services);
  }

  #agentFor(request: RunRequest): { agent: ResolvedAgent; preset?: string } {
    const problems: string[] = [];
    if (typeof request !== 'object' || request === null) throw sdkError('ASDK_RUN_INVALID_REQUEST', { reason: 'expected an object' });
    if (typeof request.input !== 'string' || request.input.trim() === '') problems.push('`input` must be a non-empty string');
    else if (request.input.length > this.#options.maxInputChars) problems.push(`\`input\` has ${request.input.length} characters; the limit is ${this.#options.maxInputChars} (runtime.maxInputChars)`);
    if ((request.preset === undefined) === (request.agent === undefined)) problems.push('give exactly one of `preset` or `agent`');
    if (request.sessionId !== undefined && (typeof request.sessionId !== 'string' || !SESSION_ID.test(request.sessionId))) {
      problems.push('`sessionId` must be 1-128 characters of letters, digits, "_", "-", "." and ":"');
    }
    if (request.orgId !== undefined && (typeof request.orgId !== 'string' || !request.orgId)) problems.push('`orgId` must be a non-empty string');
    if (request.limits !== undefined && !checkLimits.Check(request.limits)) problems.push(`\`limits\`: ${describeErrors(checkLimits, request.limits)}`);
    if (problems.length) throw sdkError('ASDK_RUN_INVALID_REQUEST', { reason: problems.join('; ') });
    if (request.preset !== undefined) {
      const entry = this.#presets.get(request.preset);
      if (!entry) {
        const names = [...this.#presets.keys()];
        throw sdkError('ASDK_PRESET_NOT_FOUND', { preset: request.preset, suggestion: didYouMean(String(request.preset), names), available: names.join(', ') || 'none' });
      }
      return { agent: entry.resolved, preset: request.preset };
    }
    const definition = request.agent as AgentDefinition;
    return { agent: this.#resolver.resolve(definition, { name: definition.name ?? 'agent', strict: true, what: definition.name ? `"${definition.name}"` : 'agent' }) };
  }

  #limitsFor(agent: ResolvedAgent, requested: Partial<RunLimits> | undefined): RunLimits {
    if (requested) return { ...this.#services.defaults.limits, ...agent.limits, ...requested };
    let limits = this.#limits.get(agent);
    if (!limits) this.#limits.set(agent, (limits = Object.freeze({ ...this.#services.defaults.limits, ...agent.limits })));
    return limits;
  }

  #scope(orgId: string): OrgScope {
    let scope = this.#scopes.get(orgId);
    if (!scope) {
      scope = Object.freeze({ orgId });
      if (this.#scopes.size < 10_000) this.#scopes.set(orgId, scope);
    }
    return scope;
  }

  async #startNested(parent: RunExecution, agent: ResolvedAgent, agentName: string, task: string): Promise<RunExecution> {
    const { scope, sessionId } = parent.spec;
    const id = randomId('run_');
    await this.#services.storage.runs.create(scope, { id, sessionId, input: task, agent: agent.name, status: 'running', parentRunId: parent.id });
    const execution = new RunExecution(
      {
        id,
        scope,
        sessionId,
        agent,
        input: task,
        limits: this.#limitsFor(agent, undefined),
        actor: parent.spec.actor,
        scopes: parent.spec.scopes,
        newSession: false,
        parent: { execution: parent, agentName },
      },
      this.#runServices,
    );
    this.#track(execution);
    execution.onEnd = parent.interrupt.onInterrupt(() => {
      const reason = parent.interrupt.reason!;
      execution.cancel(`the delegating run ended: ${reason.reason}`, reason.kind === 'shutdown' ? 'shutdown' : 'cancelled');
    });
    void execution.execute();
    return execution;
  }

  #track(execution: RunExecution, signal?: AbortSignal): void {
    this.#active.set(execution.id, execution);
    if (signal) {
      const onAbort = () => execution.cancel(typeof signal.reason === 'string' ? signal.reason : (signal.reason as Error)?.message || 'aborted');
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        execution.onEnd = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  /** A run has recorded its end: forget it, free its slot (or its place in the queue), undo its links. */
  #ended(execution: RunExecution): void {
    this.#active.delete(execution.id);
    const slot = execution.slot;
    if (slot === true || (typeof slot === 'object' && slot.granted)) this.#release();
    else if (typeof slot === 'object') this.#queue.splice(this.#queue.indexOf(slot as never), 1);
    execution.slot = false;
    execution.onEnd?.();
    execution.onEnd = undefined;
  }

  /** A run ended: its slot goes to the first queued run, or is freed. */
  #release(): void {
    const next = this.#queue.shift();
    if (next) next.grant();
    else this.#running--;
  }
}
