import {
  isAgentSdkError,
  sdkError,
  type Logger,
  type OrgScope,
  type PolicyPort,
  type RunRecord,
  type RunService,
  type StoragePort,
  type ToolPort,
} from '../../core/index.js';
import type { Principal } from './auth.js';
import type { IdempotencyGate } from './idempotency.js';
import type { RunResource } from './schemas.js';
import type { FeedHub } from './streams/feed-hub.js';
import type { SseStreams } from './streams/sse.js';
import { inputProblem, validationError } from './validation.js';

/** What the built-in routes and the gateway work with. */
export interface ServerServices {
  readonly runs: RunService;
  readonly storage: StoragePort;
  readonly tools: ToolPort;
  readonly policy: PolicyPort | undefined;
  readonly hub: FeedHub;
  readonly sse: SseStreams;
  readonly gate: IdempotencyGate;
  readonly logger: Logger;
}

export function scopeOf(principal: Principal): OrgScope {
  return { orgId: principal.orgId };
}

/**
 * Asks the policy chain whether the caller may do `action` (`run.start`, `run.read`, `run.cancel`,
 * `session.read`, `catalog.read`); a denial is ASDK_POLICY_DENIED (403). RBAC plugins decide here.
 */
export async function authorize(services: ServerServices, principal: Principal, action: string, resource?: string): Promise<void> {
  const policy = services.policy;
  if (!policy || policy.active?.('authorize') === false) return;
  const decision = await policy.authorize({ orgId: principal.orgId, actor: principal.actor, scopes: principal.scopes }, action, resource);
  if (!decision.allow) {
    throw sdkError('ASDK_POLICY_DENIED', { policy: decision.policy ?? 'policy', point: `authorize ${action}`, reason: decision.reason });
  }
}

/** Relative links of a run. */
export function runLinks(runId: string): RunResource['links'] {
  const self = `/run/${encodeURIComponent(runId)}`;
  return { self, events: `${self}/events`, cancel: `${self}/cancel` };
}

/** A run record as the API shows it. */
export function runResource(record: RunRecord): RunResource {
  return {
    id: record.id,
    orgId: record.orgId,
    sessionId: record.sessionId,
    ...(record.parentRunId !== undefined && { parentRunId: record.parentRunId }),
    ...(record.preset !== undefined && { preset: record.preset }),
    ...(record.agent !== undefined && { agent: record.agent }),
    status: record.status,
    input: record.input,
    ...(record.output !== undefined && { output: record.output }),
    ...(record.usage !== undefined && { usage: record.usage }),
    ...(record.error !== undefined && { error: { code: record.error.code, message: record.error.message } }),
    createdAt: record.createdAt,
    ...(record.startedAt !== undefined && { startedAt: record.startedAt }),
    ...(record.finishedAt !== undefined && { finishedAt: record.finishedAt }),
    links: runLinks(record.id),
  };
}

/** Runs a storage list call; a cursor the storage refuses is reported as a bad query parameter. */
export async function withCursor<T>(parameter: string, list: () => Promise<T>): Promise<T> {
  try {
    return await list();
  } catch (error) {
    if (isAgentSdkError(error) && error.code === 'ASDK_STORAGE_INVALID') {
      throw validationError([inputProblem(`query.${parameter}`, 'is not a cursor of this list; pass nextCursor from the previous page unchanged')]);
    }
    throw error;
  }
}

