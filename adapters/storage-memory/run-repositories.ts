import {
  sdkError,
  streamOf,
  type ChatMessage,
  type EventDraft,
  type EventEnvelope,
  type EventLog,
  type EventRunRef,
  type MessageRepository,
  type OrgScope,
  type RunRecord,
  type RunRepository,
  type Session,
  type StoredMessage,
} from '../../core/index.js';
import { paginate } from './pagination.js';
import { conflict, notFound, requireId, type MemoryContext, type Row } from './tenant-repositories.js';

/** The events of one run, bound to the org of its first append. */
export interface RunLog {
  readonly orgId: string;
  readonly sessionId: string;
  /** The run's parent, as its record says (not as a caller's reference claims). */
  readonly parentRunId: string | undefined;
  readonly envelopes: EventEnvelope[];
  /** `<runId>:`, made once: every envelope id is it plus the seq. */
  readonly idPrefix: string;
}

export function runRepository(ctx: MemoryContext): RunRepository {
  const runs = (orgId: string) => ctx.table<RunRecord>('runs', orgId);
  const idempotency = (orgId: string) => ctx.table<string>('runIdempotency', orgId);
  return {
    async create(scope, run) {
      requireId('run id', run.id);
      const table = runs(scope.orgId);
      if (table.has(run.id)) throw conflict('run', `"${run.id}"`, scope.orgId, 'id');
      if (!ctx.table<Session>('sessions', scope.orgId).has(run.sessionId)) throw notFound('session', run.sessionId, scope.orgId);
      if (run.idempotencyKey !== undefined) {
        if (idempotency(scope.orgId).has(run.idempotencyKey)) throw conflict('run', `with idempotency key "${run.idempotencyKey}"`, scope.orgId, 'idempotency key');
        idempotency(scope.orgId).set(run.idempotencyKey, { value: run.id, ord: ctx.nextOrd() });
      }
      const record: RunRecord = {
        id: run.id,
        orgId: scope.orgId,
        sessionId: run.sessionId,
        ...(run.parentRunId !== undefined && { parentRunId: run.parentRunId }),
        ...(run.preset !== undefined && { preset: run.preset }),
        ...(run.agent !== undefined && { agent: run.agent }),
        status: run.status ?? 'queued',
        input: run.input,
        ...(run.idempotencyKey !== undefined && { idempotencyKey: run.idempotencyKey }),
        createdAt: ctx.now(),
      };
      table.set(run.id, { value: record, ord: ctx.nextOrd() });
      return record;
    },
    async get(scope, id) {
      return runs(scope.orgId).get(id)?.value;
    },
    async update(scope, id, update) {
      const row = runs(scope.orgId).get(id);
      if (!row) return undefined;
      const next: Record<string, unknown> = { ...row.value };
      for (const [key, value] of Object.entries(update)) if (value !== undefined) next[key] = value;
      row.value = next as unknown as RunRecord;
      return row.value;
    },
    async listBySession(scope, sessionId, page) {
      const rows = [...runs(scope.orgId).values()].filter((row) => row.value.sessionId === sessionId);
      const result = paginate(rows, { sortValue: (row) => row.value.createdAt, order: (row) => row.ord, descending: false }, page);
      const items = result.items.map((row) => row.value);
      return result.nextCursor ? { items, nextCursor: result.nextCursor } : { items };
    },
    async findByIdempotencyKey(scope, key) {
      const runId = idempotency(scope.orgId).get(key)?.value;
      return runId === undefined ? undefined : runs(scope.orgId).get(runId)?.value;
    },
  };
}

/**
 * The event log: one array per run, `seq` = position + 1, so appends are gapless by construction (a
 * JavaScript turn never interleaves with another). Envelopes are frozen: every reader shares them.
 */
export function eventLog(ctx: MemoryContext, logs: Map<string, RunLog>): EventLog {
  const logFor = (scope: OrgScope, runId: string): RunLog | undefined => {
    const log = logs.get(runId);
    return log && log.orgId === scope.orgId ? log : undefined;
  };
  return {
    async append(scope, ref: EventRunRef, drafts: readonly EventDraft[]) {
      let log = logs.get(ref.runId);
      if (!log) {
        requireId('run id', ref.runId);
        // The run must exist in this org: otherwise another org could claim its log before its first event.
        const record = ctx.table<RunRecord>('runs', scope.orgId).get(ref.runId)?.value;
        if (!record) throw notFound('run', ref.runId, scope.orgId);
        log = { orgId: scope.orgId, sessionId: record.sessionId, parentRunId: record.parentRunId, envelopes: [], idPrefix: `${ref.runId}:` };
        logs.set(ref.runId, log);
      } else if (log.orgId !== scope.orgId) {
        throw notFound('run', ref.runId, scope.orgId);
      }
      if (ref.sessionId !== log.sessionId) {
        // As the SQL log: the envelope's session is the run's own.
        throw sdkError('ASDK_STORAGE_INVALID', {
          what: 'event run reference',
          reason: `run "${ref.runId}" belongs to session "${log.sessionId}", not "${ref.sessionId}"`,
          fix: 'Pass the run\'s own session id',
        });
      }
      const run = { runId: ref.runId, sessionId: log.sessionId, parentRunId: log.parentRunId };
      const envelopes = log.envelopes;
      const out: EventEnvelope[] = new Array(drafts.length);
      let now: string | undefined;
      for (let i = 0; i < drafts.length; i++) {
        const draft = drafts[i];
        const seq = envelopes.length + 1;
        const ts = draft.ts ?? (now ??= ctx.now());
        const envelope = Object.freeze(
          run.parentRunId === undefined
            ? draft.origin === undefined
              ? { v: 1 as const, id: log.idPrefix + seq, seq, runId: run.runId, sessionId: run.sessionId, orgId: scope.orgId, stream: streamOf(draft.type), type: draft.type, ts, data: draft.data }
              : { v: 1 as const, id: log.idPrefix + seq, seq, runId: run.runId, sessionId: run.sessionId, orgId: scope.orgId, origin: draft.origin, stream: streamOf(draft.type), type: draft.type, ts, data: draft.data }
            : draft.origin === undefined
              ? { v: 1 as const, id: log.idPrefix + seq, seq, runId: run.runId, sessionId: run.sessionId, orgId: scope.orgId, parentRunId: run.parentRunId, stream: streamOf(draft.type), type: draft.type, ts, data: draft.data }
              : { v: 1 as const, id: log.idPrefix + seq, seq, runId: run.runId, sessionId: run.sessionId, orgId: scope.orgId, parentRunId: run.parentRunId, origin: draft.origin, stream: streamOf(draft.type), type: draft.type, ts, data: draft.data },
        ) as EventEnvelope;
        envelopes.push(envelope);
        out[i] = envelope;
      }
      return out;
    },
    async read(scope, runId, afterSeq = 0, limit = 1000) {
      const log = logFor(scope, runId);
      if (!log) return [];
      const from = Math.max(0, Math.floor(afterSeq));
      return log.envelopes.slice(from, from + Math.max(0, limit));
    },
    async lastSeq(scope, runId) {
      return logFor(scope, runId)?.envelopes.length ?? 0;
    },
  };
}

export function messageRepository(ctx: MemoryContext, messages: Map<string, StoredMessage[]>): MessageRepository {
  const key = (scope: OrgScope, sessionId: string) => `${scope.orgId}\u0000${sessionId}`;
  const requireSession = (scope: OrgScope, sessionId: string) => {
    if (!ctx.table<Session>('sessions', scope.orgId).has(sessionId)) throw notFound('session', sessionId, scope.orgId);
  };
  return {
    async append(scope, sessionId, list: readonly ChatMessage[], runId) {
      requireSession(scope, sessionId);
      const k = key(scope, sessionId);
      let stored = messages.get(k);
      if (!stored) messages.set(k, (stored = []));
      const createdAt = ctx.now();
      const added: StoredMessage[] = [];
      let position = stored.length ? stored[stored.length - 1].position : 0;
      for (const message of list) {
        position++;
        const record: StoredMessage = runId === undefined ? { sessionId, position, message, createdAt } : { sessionId, position, runId, message, createdAt };
        stored.push(record);
        added.push(record);
      }
      return added;
    },
    async list(scope, sessionId) {
      return [...(messages.get(key(scope, sessionId)) ?? [])];
    },
    async replacePrefix(scope, sessionId, throughPosition, replacement) {
      requireSession(scope, sessionId);
      const stored = messages.get(key(scope, sessionId)) ?? [];
      const last = stored.length ? stored[stored.length - 1].position : 0;
      if (!Number.isSafeInteger(throughPosition) || throughPosition > last) {
        throw sdkError('ASDK_STORAGE_INVALID', {
          what: 'compaction position',
          reason: `${throughPosition} is not the position of a message of session "${sessionId}" (the last is ${last})`,
          fix: 'Pass the position of a stored message',
        });
      }
      const createdAt = ctx.now();
      // As on SQL: never renumbered; the replacement ends at throughPosition.
      const head: StoredMessage[] = replacement.map((message, i) => ({ sessionId, position: throughPosition - replacement.length + 1 + i, message, createdAt }));
      messages.set(key(scope, sessionId), [...head, ...stored.filter((record) => record.position > throughPosition)]);
    },
  };
}

/** Removes a deleted session's runs, their events and the session's messages. */
export function cascadeSession(ctx: MemoryContext, logs: Map<string, RunLog>, messages: Map<string, StoredMessage[]>, scope: OrgScope, sessionId: string): void {
  messages.delete(`${scope.orgId}\u0000${sessionId}`);
  const runs = ctx.table<RunRecord>('runs', scope.orgId);
  const keys = ctx.table<string>('runIdempotency', scope.orgId);
  for (const [id, row] of runs) {
    if (row.value.sessionId !== sessionId) continue;
    runs.delete(id);
    logs.delete(id);
    if (row.value.idempotencyKey !== undefined) keys.delete(row.value.idempotencyKey);
  }
}

export type { Row };
