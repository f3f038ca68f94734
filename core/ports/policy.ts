import type { EventDraft } from '../events/envelope.js';
import type { ModelRequest, ToolCallRequest } from './model.js';

/** Who is acting and for which org and run, as far as it is known at a decision point. */
export interface PolicyContext {
  readonly orgId: string;
  /** API key id, user id, `cli`, ... */
  readonly actor?: string;
  readonly scopes?: readonly string[];
  readonly runId?: string;
  readonly sessionId?: string;
  readonly preset?: string;
  /** Set inside a nested run (a delegation). */
  readonly parentRunId?: string;
}

export type PolicyDecision = { readonly allow: true } | { readonly allow: false; readonly reason: string; readonly code?: string };

export const ALLOW: PolicyDecision = Object.freeze({ allow: true });

/**
 * A policy: any subset of the decision points, contributed to `extensionPoints.policies`.
 * Policies run in contribution order; the first denial wins and is reported as `policy.denied`.
 */
export interface Policy {
  readonly id: string;
  authorize?(context: PolicyContext, action: string, resource?: string): PolicyDecision | Promise<PolicyDecision>;
  beforeRun?(context: PolicyContext, request: { readonly input: string; readonly preset?: string }): PolicyDecision | Promise<PolicyDecision>;
  beforeModelCall?(context: PolicyContext, request: ModelRequest): PolicyDecision | Promise<PolicyDecision>;
  beforeToolCall?(context: PolicyContext, call: ToolCallRequest): PolicyDecision | Promise<PolicyDecision>;
  /** Transforms (e.g. redacts) an event before it is stored; returning undefined keeps it unchanged. */
  onEvent?(context: PolicyContext, draft: EventDraft): EventDraft | undefined;
  afterRun?(context: PolicyContext, outcome: { readonly status: string }): void | Promise<void>;
}

/** The decision points of a policy. */
export type PolicyPoint = 'authorize' | 'beforeRun' | 'beforeModelCall' | 'beforeToolCall' | 'onEvent' | 'afterRun';

/** The policy port: the ordered chain, consulted by the runtime and the transports. */
export interface PolicyPort {
  /** Whether any policy implements `point` (the runtime skips points nobody watches). Absent means "maybe". */
  active?(point: PolicyPoint): boolean;
  authorize(context: PolicyContext, action: string, resource?: string): Promise<PolicyDecision & { readonly policy?: string }>;
  beforeRun(context: PolicyContext, request: { readonly input: string; readonly preset?: string }): Promise<PolicyDecision & { readonly policy?: string }>;
  beforeModelCall(context: PolicyContext, request: ModelRequest): Promise<PolicyDecision & { readonly policy?: string }>;
  beforeToolCall(context: PolicyContext, call: ToolCallRequest): Promise<PolicyDecision & { readonly policy?: string }>;
  onEvent(context: PolicyContext, draft: EventDraft): EventDraft;
  afterRun(context: PolicyContext, outcome: { readonly status: string }): Promise<void>;
}
