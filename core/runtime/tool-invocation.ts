import { Compile } from 'typebox/compile';
import { sdkError } from '../errors/agent-sdk-error.js';
import type { ToolCallRequest } from '../ports/model.js';
import type { ToolOutcome } from '../ports/tool.js';
import { describeThrown } from '../util/describe-thrown.js';
import { didYouMean } from '../util/suggest.js';
import { DELEGATION_TOOL_VERSION, DelegationInput, type ResolvedAgent } from './agent-resolver.js';
import type { RunExecution } from './run-execution.js';
import { failedOutcome } from './run-outcome.js';
import type { RuntimeServices } from './runtime-services.js';
import { describeArgumentErrors } from './schema-errors.js';

const checkDelegation = Compile(DelegationInput);
/** Nested runs deeper than this are refused (a definition that delegates to itself). */
export const MAX_DELEGATION_DEPTH = 5;

/**
 * How one tool call of a run is carried out: refused when the agent was not offered the tool, checked by the
 * beforeToolCall policies when there are any, then either the tool itself or, for `agent.<name>`, a nested run
 * whose answer is the result. Never rejects: every failure is a `ToolOutcome` the model can read. Plain
 * functions of the run (no object per run: parked runs stay small).
 */
export function invokeTool(run: RunExecution, services: RuntimeServices, call: ToolCallRequest): Promise<ToolOutcome> {
  const { agent } = run.spec;
  const delegate = agent.delegates.get(call.name);
  if (!delegate && !agent.allowed.has(call.name)) {
    const offered = agent.tools.map((t) => t.name);
    const registered = services.tools.get(call.name) !== undefined;
    const params = { tool: call.name, suggestion: didYouMean(call.name, offered), available: offered.join(', ') || 'none' };
    const code = registered ? 'ASDK_TOOL_NOT_ALLOWED' : 'ASDK_TOOL_NOT_FOUND';
    return Promise.resolve({ ok: false, code, message: sdkError(code, params).message, durationMs: 0 });
  }
  if (services.policyActive.beforeToolCall) return checked(run, services, call, delegate);
  return delegate ? delegateCall(run, services, call, delegate) : callTool(run, services, call);
}

/** The version the envelope names for a call: the offered tool's, the delegation tool's, or the registry's. */
export function toolVersionOf(run: RunExecution, services: RuntimeServices, name: string): string {
  const { agent } = run.spec;
  return agent.allowed.get(name) ?? (agent.delegates.has(name) ? DELEGATION_TOOL_VERSION : services.tools.get(name)?.version ?? '0.0.0');
}

async function checked(run: RunExecution, services: RuntimeServices, call: ToolCallRequest, delegate: ResolvedAgent | undefined): Promise<ToolOutcome> {
  try {
    const decision = await services.policy.beforeToolCall(run.policyContext(), call);
    if (!decision.allow) {
      await run.recordDenial({ point: 'beforeToolCall', policy: decision.policy ?? 'unknown', reason: decision.reason });
      const message = sdkError('ASDK_POLICY_DENIED', { policy: decision.policy ?? 'unknown', point: `tool ${call.name}`, reason: decision.reason }).message;
      return { ok: false, code: decision.code ?? 'ASDK_POLICY_DENIED', message, durationMs: 0 };
    }
  } catch (error) {
    // The denial could not be recorded (storage): the call does not run; the loop fails on its next write.
    const outcome = failedOutcome(error);
    return { ok: false, code: outcome?.status === 'failed' ? outcome.error.code : 'ASDK_TOOL_FAILED', message: describeThrown(error), durationMs: 0 };
  }
  return delegate ? delegateCall(run, services, call, delegate) : callTool(run, services, call);
}

function callTool(run: RunExecution, services: RuntimeServices, call: ToolCallRequest): Promise<ToolOutcome> {
  return services.callTool(call.name, call.args, {
    orgId: run.spec.scope.orgId,
    runId: run.id,
    sessionId: run.spec.sessionId,
    callId: call.callId,
    logger: () => services.logger.child({ runId: run.id }),
  }, run.interrupt);
}

/** A call of `agent.<name>`: a nested run whose answer is the tool's result. */
async function delegateCall(run: RunExecution, services: RuntimeServices, call: ToolCallRequest, agent: ResolvedAgent): Promise<ToolOutcome> {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 100) / 100;
  if (!checkDelegation.Check(call.args)) {
    return { ok: false, code: 'ASDK_TOOL_INVALID_ARGS', message: sdkError('ASDK_TOOL_INVALID_ARGS', { tool: call.name, reason: describeArgumentErrors(checkDelegation, call.args) }).message, durationMs: 0 };
  }
  const depth = run.depth + 1;
  if (depth > MAX_DELEGATION_DEPTH) {
    const message = sdkError('ASDK_DELEGATION_TOO_DEEP', { agent: agent.name, depth, limit: MAX_DELEGATION_DEPTH }).message;
    return { ok: false, code: 'ASDK_DELEGATION_TOO_DEEP', message, durationMs: 0 };
  }
  const agentName = call.name.slice('agent.'.length);
  let child: RunExecution;
  try {
    child = await services.startNested(run, agent, agentName, (call.args as { task: string }).task);
  } catch (error) {
    const outcome = failedOutcome(error);
    const failure = outcome?.status === 'failed' ? outcome.error : { code: 'ASDK_TOOL_FAILED', message: describeThrown(error) };
    return { ok: false, code: failure.code, message: failure.message, durationMs: ms() };
  }
  const result = await child.completion;
  run.addUsage(result.usage);
  if (result.status === 'completed') return { ok: true, result: { runId: result.runId, output: result.output ?? '' }, durationMs: ms() };
  if (result.status === 'cancelled') {
    return { ok: false, code: 'ASDK_TOOL_CANCELLED', message: sdkError('ASDK_TOOL_CANCELLED', { tool: call.name, reason: 'the sub-agent run was cancelled' }).message, durationMs: ms() };
  }
  return { ok: false, code: result.error!.code, message: `The ${agentName} agent failed: ${result.error!.message}`, durationMs: ms() };
}
