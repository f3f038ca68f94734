import { sdkError } from '../errors/agent-sdk-error.js';
import type { EventDraft } from '../events/envelope.js';
import type { ContributedItem } from '../plugin.js';
import type { Logger } from '../ports/logger.js';
import type { ModelRequest, ToolCallRequest } from '../ports/model.js';
import { ALLOW, type Policy, type PolicyContext, type PolicyDecision, type PolicyPoint, type PolicyPort } from '../ports/policy.js';
import { describeThrown } from '../util/describe-thrown.js';

type Decision = PolicyDecision & { readonly policy?: string };
type DecidingPoint = 'authorize' | 'beforeRun' | 'beforeModelCall' | 'beforeToolCall';

/**
 * The policy port over `extensionPoints.policies`, in contribution order. The first denial wins. A policy
 * that throws denies (fail closed) with code ASDK_POLICY_FAILED; `onEvent` errors propagate so the runtime
 * can fail the run rather than store an event a redaction policy could not process.
 */
export class PolicyChain implements PolicyPort {
  #policies: readonly Policy[] = [];
  readonly #byPoint = new Map<PolicyPoint, readonly Policy[]>();
  readonly #logger?: Logger;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  /** Takes the contributed policies; duplicate ids are refused. */
  load(contributions: readonly ContributedItem<Policy>[]): void {
    const seen = new Map<string, string>();
    for (const { item, pluginId } of contributions) {
      const first = seen.get(item.id);
      if (first !== undefined) throw sdkError('ASDK_POLICY_DUPLICATE', { policy: item.id, first, second: pluginId });
      seen.set(item.id, pluginId);
    }
    this.#policies = contributions.map((c) => c.item);
    for (const point of ['authorize', 'beforeRun', 'beforeModelCall', 'beforeToolCall', 'onEvent', 'afterRun'] as const) {
      this.#byPoint.set(point, this.#policies.filter((policy) => typeof policy[point] === 'function'));
    }
  }

  active(point: PolicyPoint): boolean {
    return (this.#byPoint.get(point)?.length ?? 0) > 0;
  }

  authorize(context: PolicyContext, action: string, resource?: string): Promise<Decision> {
    return this.#decide('authorize', (p) => p.authorize!(context, action, resource));
  }

  beforeRun(context: PolicyContext, request: { readonly input: string; readonly preset?: string }): Promise<Decision> {
    return this.#decide('beforeRun', (p) => p.beforeRun!(context, request));
  }

  beforeModelCall(context: PolicyContext, request: ModelRequest): Promise<Decision> {
    return this.#decide('beforeModelCall', (p) => p.beforeModelCall!(context, request));
  }

  beforeToolCall(context: PolicyContext, call: ToolCallRequest): Promise<Decision> {
    return this.#decide('beforeToolCall', (p) => p.beforeToolCall!(context, call));
  }

  onEvent(context: PolicyContext, draft: EventDraft): EventDraft {
    let current = draft;
    for (const policy of this.#byPoint.get('onEvent') ?? []) {
      try {
        current = policy.onEvent!(context, current) ?? current;
      } catch (error) {
        throw sdkError('ASDK_POLICY_FAILED', { policy: policy.id, point: 'onEvent', reason: describeThrown(error) }, { cause: error });
      }
    }
    return current;
  }

  async afterRun(context: PolicyContext, outcome: { readonly status: string }): Promise<void> {
    for (const policy of this.#byPoint.get('afterRun') ?? []) {
      try {
        await policy.afterRun!(context, outcome);
      } catch (error) {
        this.#logger?.error('a policy failed in afterRun', { policy: policy.id, runId: context.runId, error });
      }
    }
  }

  async #decide(point: DecidingPoint, ask: (policy: Policy) => PolicyDecision | Promise<PolicyDecision>): Promise<Decision> {
    for (const policy of this.#byPoint.get(point) ?? []) {
      let decision: PolicyDecision;
      try {
        decision = await ask(policy);
      } catch (error) {
        const reason = describeThrown(error);
        return { allow: false, reason: sdkError('ASDK_POLICY_FAILED', { policy: policy.id, point, reason }).message, code: 'ASDK_POLICY_FAILED', policy: policy.id };
      }
      if (!decision || decision.allow !== true) {
        const reason = (decision as { reason?: string } | undefined)?.reason ?? 'denied';
        return { allow: false, reason, code: (decision as { code?: string } | undefined)?.code, policy: policy.id };
      }
    }
    return ALLOW;
  }
}
