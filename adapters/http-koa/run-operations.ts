import { isTerminalEventType, sdkError, type AgentDefinition, type RunHandle, type RunResult } from '../../core/index.js';
import type { Principal } from './auth.js';
import { requestHash } from './idempotency.js';
import type { RunAccepted, RunResource, StartRunBody } from './schemas.js';
import { authorize, runLinks, runResource, scopeOf, type ServerServices } from './services.js';

/** What starting a run answered: 202 and the run, or the stored answer of an earlier request with the key. */
export interface StartedRun {
  readonly status: number;
  readonly body: RunAccepted;
  readonly replayed: boolean;
}

/**
 * Starts a run for `principal` (POST /run and the gateway's run.start share it, and so share keys: the same
 * key and body over either transport is the same request). With an idempotency key the gate decides.
 */
export async function startRun(services: ServerServices, principal: Principal, body: StartRunBody, idempotencyKey: string | undefined): Promise<StartedRun> {
  await authorize(services, principal, 'run.start', body.preset);
  const hash = idempotencyKey === undefined ? undefined : requestHash('POST', '/run', body);
  const start = async () => {
    const handle = await services.runs.start({
      input: body.input,
      ...(body.preset !== undefined && { preset: body.preset }),
      // The schema checked the first level; the runtime checks sub-agents (agentDefinitionProblems).
      ...(body.agent !== undefined && { agent: body.agent as AgentDefinition }),
      ...(body.sessionId !== undefined && { sessionId: body.sessionId }),
      ...(body.limits !== undefined && { limits: body.limits }),
      orgId: principal.orgId,
      actor: principal.actor,
      scopes: principal.scopes,
      // Key and body together: once the key has expired, the same key with another body is another run.
      ...(idempotencyKey !== undefined && { idempotencyKey: `http:${hash!.slice(0, 32)}:${idempotencyKey}`.slice(0, 255) }),
    });
    const accepted: RunAccepted = { runId: handle.id, sessionId: handle.sessionId, orgId: handle.orgId, links: runLinks(handle.id) };
    return { status: 202, body: accepted, runId: handle.id };
  };
  if (idempotencyKey === undefined) {
    const started = await start();
    return { status: started.status, body: started.body, replayed: false };
  }
  const outcome = await services.gate.run(scopeOf(principal), idempotencyKey, hash!, start);
  return { status: outcome.status, body: outcome.body as RunAccepted, replayed: outcome.replayed };
}

/** How long a cancel waits for the run to record its end before answering with its current state. */
const CANCEL_WAIT_MS = 5000;

/**
 * Cancels a run (POST /run/{id}/cancel and the gateway's run.cancel) and returns it as stored afterwards;
 * `ended` is false when it had not recorded its end within 5 s.
 */
export async function cancelRun(services: ServerServices, principal: Principal, runId: string, reason: string | undefined): Promise<{ ended: boolean; run: RunResource }> {
  await authorize(services, principal, 'run.cancel', runId);
  const scope = scopeOf(principal);
  const handle = await services.runs.get(scope, runId);
  if (!handle) throw sdkError('ASDK_RUN_NOT_FOUND', { runId, orgId: principal.orgId });
  const ended = await settlesWithin(handle.cancel(reason ?? `cancelled by ${principal.actor}`), CANCEL_WAIT_MS);
  const record = await services.storage.runs.get(scope, runId);
  if (!record) throw sdkError('ASDK_RUN_NOT_FOUND', { runId, orgId: principal.orgId });
  return { ended, run: runResource(record) };
}

/** A run as stored (GET /run/{id}, the gateway's run.get). */
export async function getRun(services: ServerServices, principal: Principal, runId: string): Promise<RunResource> {
  await authorize(services, principal, 'run.read', runId);
  const record = await services.storage.runs.get(scopeOf(principal), runId);
  if (!record) throw sdkError('ASDK_RUN_NOT_FOUND', { runId, orgId: principal.orgId });
  return runResource(record);
}

/**
 * Checks a request to follow a run from `afterSeq` (SSE and run.subscribe): the run exists in the caller's
 * org, and the position is not beyond its last event. `complete` is true when the run has ended and the
 * client already has its terminal event: there is nothing left to send. Positions the server is streaming
 * already need no storage access.
 */
export async function streamStart(
  services: ServerServices,
  principal: Principal,
  runId: string,
  afterSeq: number,
  source: string,
): Promise<{ handle: RunHandle; complete: boolean }> {
  await authorize(services, principal, 'run.read', runId);
  const scope = scopeOf(principal);
  // An active run's handle comes from memory; a finished one's from storage.
  const handle = await services.runs.get(scope, runId);
  if (!handle) throw sdkError('ASDK_RUN_NOT_FOUND', { runId, orgId: principal.orgId });
  const feed = services.hub.find(scope, runId);
  if (afterSeq > 0 && (!feed || afterSeq > feed.lastSeq)) {
    const lastSeq = await services.storage.events.lastSeq(scope, runId);
    if (afterSeq > lastSeq) throw sdkError('ASDK_STREAM_CURSOR_AHEAD', { source, after: afterSeq, runId, lastSeq });
    if (afterSeq === lastSeq) {
      const [last] = await services.storage.events.read(scope, runId, lastSeq - 1, 1);
      if (last && isTerminalEventType(last.type) && last.origin === undefined) return { handle, complete: true };
    }
  }
  return { handle, complete: false };
}

function settlesWithin(promise: Promise<void | RunResult>, ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
