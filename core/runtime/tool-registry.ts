import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { isAgentSdkError, problem, sdkError, type Problem } from '../errors/agent-sdk-error.js';
import type { ErrorCode } from '../errors/registry.js';
import type { ContributedItem } from '../plugin.js';
import type { Logger } from '../ports/logger.js';
import { ToolFailure, type ToolContext, type ToolDefinition, type ToolInfo, type ToolOutcome, type ToolPort } from '../ports/tool.js';
import { describeThrown } from '../util/describe-thrown.js';
import { didYouMean } from '../util/suggest.js';
import { DeadlineQueue, type Deadline } from './deadlines.js';
import { Interrupt, linkSignal, RunInterrupted, type InterruptListener } from './interrupt.js';
import { describeArgumentErrors, describeErrors } from './schema-errors.js';

type Validator = ReturnType<typeof Compile>;

interface RegisteredTool {
  readonly definition: ToolDefinition;
  readonly info: ToolInfo;
  readonly pluginId: string;
  readonly input: Validator;
  readonly output: Validator;
  /** Whether the input schema declares defaults (then arguments are copied and completed first). */
  readonly inputDefaults: boolean;
}

/** What a call needs besides name and arguments; the logger is only built if the tool reads it. */
export interface ToolCallBase {
  readonly orgId: string;
  readonly runId: string;
  readonly sessionId: string;
  readonly callId: string;
  readonly logger: () => Logger;
}

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
const TOOL_NAME = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** Names under `agent.` are the runtime's delegation tools. */
export const RESERVED_TOOL_PREFIX = 'agent.';

/**
 * The tool port: every contributed tool, checked and compiled once at start (duplicates and malformed
 * definitions refused, all problems in one error). `invoke` validates arguments strictly, runs the tool
 * under its timeout and the caller's cancellation, validates the result, and never throws: every failure
 * is an outcome with a code, which the runtime hands back to the model as `tool.error`.
 */
export class ToolRegistry implements ToolPort {
  readonly #tools = new Map<string, RegisteredTool>();
  readonly #deadlines = new DeadlineQueue();
  #list: readonly ToolInfo[] = [];

  /** Compiles the contributed tools; throws one AgentSdkError listing every problem. */
  load(contributions: readonly ContributedItem<ToolDefinition<any, any>>[]): void {
    const problems: { code: ErrorCode; params: Record<string, unknown>; plugin: string }[] = [];
    for (const { item, pluginId } of contributions) {
      const name = String((item as { name?: unknown })?.name);
      const existing = this.#tools.get(name);
      if (existing) {
        problems.push({ code: 'ASDK_TOOL_DUPLICATE', params: { tool: name, first: existing.pluginId, second: pluginId }, plugin: pluginId });
        continue;
      }
      const reason = definitionProblem(item);
      if (reason) {
        problems.push({ code: 'ASDK_TOOL_DEFINITION_INVALID', params: { tool: name, plugin: pluginId, reason }, plugin: pluginId });
        continue;
      }
      try {
        this.#tools.set(item.name, compile(item, pluginId));
      } catch (error) {
        const why = `its schemas do not compile: ${(error as Error).message}`;
        problems.push({ code: 'ASDK_TOOL_DEFINITION_INVALID', params: { tool: name, plugin: pluginId, reason: why }, plugin: pluginId });
      }
    }
    this.#list = Object.freeze([...this.#tools.values()].map((tool) => tool.info));
    if (problems.length) throw oneError(problems.map((p) => problem(p.code, p.params, { plugin: p.plugin })));
  }

  list(): readonly ToolInfo[] {
    return this.#list;
  }

  get(name: string): ToolInfo | undefined {
    return this.#tools.get(name)?.info;
  }

  names(): readonly string[] {
    return [...this.#tools.keys()];
  }

  /** The port's form: the context's signal cancels the call. */
  async invoke(name: string, args: unknown, context: ToolContext): Promise<ToolOutcome> {
    const interrupt = new Interrupt();
    const unlink = linkSignal(context.signal, interrupt);
    try {
      const logger = context.logger;
      return await this.call(name, args, { ...context, logger: () => logger }, interrupt);
    } finally {
      unlink();
    }
  }

  /**
   * The runtime's form: `interrupt` (the run's cancellation) stops the call; the tool's own AbortSignal is
   * only created if the tool reads `context.signal`.
   */
  call(name: string, args: unknown, base: ToolCallBase, interrupt: Interrupt): Promise<ToolOutcome> {
    const started = performance.now();
    const tool = this.#tools.get(name);
    if (!tool) {
      const names = this.names();
      return Promise.resolve(
        failed('ASDK_TOOL_NOT_FOUND', { tool: name, suggestion: didYouMean(name, names), available: names.join(', ') || 'none' }, started),
      );
    }
    let input = args;
    if (tool.inputDefaults && isPlainObject(args)) input = Value.Default(tool.definition.input, structuredClone(args));
    if (!tool.input.Check(input)) {
      return Promise.resolve(failed('ASDK_TOOL_INVALID_ARGS', { tool: name, reason: describeArgumentErrors(tool.input, input) }, started));
    }
    if (interrupt.interrupted) return Promise.resolve(cancelled(name, interrupt.reason!, started));
    return new Promise<ToolOutcome>((resolve) => new PendingToolCall(tool, input, base, interrupt, started, resolve, this.#deadlines));
  }
}

/**
 * One tool call in flight: its timeout (in the registry's deadline queue), the run's interrupt, the tool's
 * own AbortSignal (made only if the tool reads it) and the one outcome it settles with. An object with
 * methods rather than a nest of closures: thousands may be in flight.
 */
class PendingToolCall implements Deadline, InterruptListener {
  deadlineAt = 0;
  deadlineIndex = -1;
  #done = false;
  #controller: AbortController | undefined;
  #stopReason: RunInterrupted | undefined;

  constructor(
    readonly tool: RegisteredTool,
    input: unknown,
    readonly base: ToolCallBase,
    readonly interrupt: Interrupt,
    readonly started: number,
    readonly resolve: (outcome: ToolOutcome) => void,
    readonly deadlines: DeadlineQueue,
  ) {
    deadlines.add(this, tool.info.timeoutMs);
    interrupt.listen(this);
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(tool.definition.execute(input as never, this.#context()));
    } catch (error) {
      this.#fail(error);
      return;
    }
    // Neither handler throws (a throw there would be an unhandled rejection, and the call would never settle).
    pending.then(
      (result) => this.#succeed(result),
      (error) => this.#fail(error),
    );
  }

  /** The timeout elapsed. */
  expire(): void {
    const { name, timeoutMs } = this.tool.info;
    this.#stop(new RunInterrupted('timeout', `tool ${name} timed out after ${timeoutMs} ms`));
    this.#finish(failed('ASDK_TOOL_TIMEOUT', { tool: name, timeoutMs }, this.started));
  }

  /** The run was cancelled or timed out. */
  interrupted(reason: RunInterrupted): void {
    this.#stop(reason);
    this.#finish(cancelled(this.tool.info.name, reason, this.started));
  }

  #succeed(result: unknown): void {
    if (this.#done) return;
    const { tool } = this;
    try {
      if (!tool.output.Check(result)) this.#finish(failed('ASDK_TOOL_INVALID_OUTPUT', { tool: tool.info.name, reason: describeErrors(tool.output, result) }, this.started));
      else this.#finish({ ok: true, result, durationMs: elapsed(this.started) });
    } catch (error) {
      // A result whose getters or Proxy traps throw while it is checked.
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    if (!this.#done) this.#finish(failure(this.tool.info.name, error, this.started));
  }

  #finish(outcome: ToolOutcome): void {
    if (this.#done) return;
    this.#done = true;
    this.deadlines.remove(this);
    this.interrupt.unlisten(this);
    this.resolve(outcome);
  }

  #stop(reason: RunInterrupted): void {
    this.#stopReason = reason;
    this.#controller?.abort(reason);
  }

  #context(): ToolContext {
    const call = this;
    const { base } = this;
    return {
      orgId: base.orgId,
      runId: base.runId,
      sessionId: base.sessionId,
      callId: base.callId,
      get signal() {
        return call.#signal();
      },
      get logger() {
        return base.logger().child({ tool: call.tool.info.name, callId: base.callId });
      },
    };
  }

  #signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#stopReason) this.#controller.abort(this.#stopReason);
    }
    return this.#controller.signal;
  }
}

/** The first problem as the error, every problem attached, the others named in the hint. */
function oneError(problems: Problem[]) {
  const [first, ...others] = problems;
  const hint = others.length ? `${first.hint} Also: ${others.map((p) => p.message).join('; ')}` : first.hint;
  const error = sdkError(first.code, {}, { problems, hint });
  Object.defineProperty(error, 'message', { value: first.message });
  return error;
}

function compile(definition: ToolDefinition, pluginId: string): RegisteredTool {
  const info: ToolInfo = Object.freeze({
    name: definition.name,
    version: definition.version,
    description: definition.description,
    input: definition.input,
    output: definition.output,
    timeoutMs: definition.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
    capabilities: Object.freeze([...(definition.capabilities ?? [])]),
  });
  return {
    definition,
    info,
    pluginId,
    input: Compile(definition.input),
    output: Compile(definition.output),
    inputDefaults: hasDefaults(definition.input),
  };
}

function definitionProblem(tool: ToolDefinition | undefined): string | undefined {
  if (!tool || typeof tool !== 'object') return 'it is not a tool definition (use defineTool)';
  if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) return `name ${JSON.stringify(tool.name)} is not dotted lowercase like "pack.action"`;
  if (tool.name.startsWith(RESERVED_TOOL_PREFIX)) return `names starting with "${RESERVED_TOOL_PREFIX}" are reserved for sub-agents`;
  if (typeof tool.version !== 'string' || !SEMVER.test(tool.version)) return `version ${JSON.stringify(tool.version)} is not semver`;
  if (typeof tool.description !== 'string' || !tool.description.trim()) return 'description is missing';
  if (!isSchemaObject(tool.input) || (tool.input as { type?: unknown }).type !== 'object') return '`input` is not an object schema (Type.Object)';
  if (!isSchemaObject(tool.output)) return '`output` is not a schema';
  if (typeof tool.execute !== 'function') return '`execute` is not a function';
  if (tool.timeoutMs !== undefined && !(Number.isInteger(tool.timeoutMs) && tool.timeoutMs > 0)) return `timeoutMs ${JSON.stringify(tool.timeoutMs)} is not a positive integer`;
  if (tool.capabilities !== undefined && !(Array.isArray(tool.capabilities) && tool.capabilities.every((c) => typeof c === 'string'))) {
    return '`capabilities` is not an array of strings';
  }
  return undefined;
}

function hasDefaults(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  if ('default' in schema) return true;
  return Object.values(schema).some((child) => (Array.isArray(child) ? child.some(hasDefaults) : hasDefaults(child)));
}

function isSchemaObject(value: unknown): value is TSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function failed(code: ErrorCode, params: Record<string, unknown>, started: number): ToolOutcome {
  return { ok: false, code, message: sdkError(code, params).message, durationMs: elapsed(started) };
}

function cancelled(tool: string, reason: RunInterrupted, started: number): ToolOutcome {
  return failed('ASDK_TOOL_CANCELLED', { tool, reason: reason.reason }, started);
}

/**
 * A thrown value as an outcome: ToolFailure and AgentSdkError keep their code, anything else is
 * ASDK_TOOL_FAILED with the value described. Never throws, whatever was thrown (circular, BigInt, a Proxy).
 */
function failure(tool: string, error: unknown, started: number): ToolOutcome {
  try {
    if ((error instanceof ToolFailure || isAgentSdkError(error)) && typeof error.code === 'string' && typeof error.message === 'string') {
      return { ok: false, code: error.code, message: error.message, durationMs: elapsed(started) };
    }
  } catch {
    // A Proxy whose traps throw: described below like any other value.
  }
  return failed('ASDK_TOOL_FAILED', { tool, reason: describeThrown(error) }, started);
}
