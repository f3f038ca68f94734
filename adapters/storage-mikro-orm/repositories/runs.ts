import { sdkError, type RunRecord, type RunRepository, type RunStatus, type RunUpdate } from '../../../core/index.js';
import type { RunRow } from '../schema/entities.js';
import { compact, idOf, requireId, requireScope, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { normalizeTimestamp, optionalTimestampFromDb, timestampFromDb } from '../util/time.js';

const STATUSES: ReadonlySet<string> = new Set<RunStatus>(['queued', 'running', 'completed', 'failed', 'cancelled']);

export function toRun(row: RunRow): RunRecord {
  return compact({
    id: row.id, orgId: row.orgId, sessionId: row.sessionId, parentRunId: row.parentRunId, preset: row.preset, agent: row.agent,
    status: row.status as RunStatus, input: row.input, output: row.output, usage: row.usage ?? undefined, error: row.error ?? undefined,
    idempotencyKey: row.idempotencyKey, createdAt: timestampFromDb(row.createdAt),
    startedAt: optionalTimestampFromDb(row.startedAt), finishedAt: optionalTimestampFromDb(row.finishedAt),
  }) as unknown as RunRecord;
}

function requireStatus(status: unknown): RunStatus {
  if (typeof status !== 'string' || !STATUSES.has(status)) {
    throw sdkError('ASDK_STORAGE_INVALID', { what: 'run status', reason: `${JSON.stringify(status)} is not one of ${[...STATUSES].join(', ')}`, fix: 'Pass one of the RunStatus values' });
  }
  return status as RunStatus;
}

/** Runs: each belongs to a session of the same org; an idempotency key is unique per org. */
export function runRepository(ctx: StoreContext): RunRepository {
  const { Run, Session } = ctx.db.entities;
  return {
    create(scope, run) {
      return ctx.work('runs.create', async (em) => {
        const orgId = requireScope(scope, 'runs.create');
        requireId('run id', run?.id);
        requireId('session id', run.sessionId);
        if (typeof run.input !== 'string') {
          throw sdkError('ASDK_STORAGE_INVALID', { what: 'run input', reason: `expected a string, found ${typeof run.input}`, fix: 'Pass the input text' });
        }
        if (!(await em.count(Session, { id: run.sessionId, orgId }))) throw sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'session', id: run.sessionId, orgId });
        if (run.parentRunId !== undefined && !(await em.count(Run, { id: run.parentRunId, orgId }))) {
          throw sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'run', id: run.parentRunId, orgId });
        }
        const row: RunRow = {
          id: run.id, orgId, sessionId: run.sessionId, parentRunId: run.parentRunId ?? null, preset: run.preset ?? null, agent: run.agent ?? null,
          status: requireStatus(run.status ?? 'queued'), input: run.input, output: null, usage: null, error: null,
          idempotencyKey: run.idempotencyKey ?? null, createdAt: ctx.now(), startedAt: null, finishedAt: null,
        };
        try {
          await em.insert(Run, row);
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          const sameId = await ctx.db.fork().count(Run, { id: run.id });
          throw sameId || run.idempotencyKey === undefined
            ? sdkError('ASDK_STORAGE_CONFLICT', { entity: 'run', what: `"${run.id}"`, orgId, field: 'id' })
            : sdkError('ASDK_STORAGE_CONFLICT', { entity: 'run', what: `with idempotency key "${run.idempotencyKey}"`, orgId, field: 'idempotency key' });
        }
        return toRun(row);
      });
    },
    get(scope, id) {
      return ctx.work('runs.get', async (em) => {
        const row = await em.findOne(Run, { id: idOf(id), orgId: requireScope(scope, 'runs.get') });
        return row ? toRun(row) : undefined;
      });
    },
    update(scope, id, update) {
      return ctx.work('runs.update', async (em) => {
        const orgId = requireScope(scope, 'runs.update');
        id = idOf(id);
        const changes = runChanges(update);
        if (Object.keys(changes).length) {
          if (!(await em.nativeUpdate(Run, { id, orgId }, changes))) return undefined;
        }
        const row = await em.findOne(Run, { id, orgId });
        return row ? toRun(row) : undefined;
      });
    },
    listBySession(scope, sessionId, page) {
      return ctx.work('runs.listBySession', (em) =>
        keysetPage(em, Run, { orgId: requireScope(scope, 'runs.listBySession'), sessionId: idOf(sessionId) }, page, {
          list: `runs:${sessionId}`, sort: 'createdAt', direction: 'asc', sortValue: (r) => timestampFromDb(r.createdAt), map: toRun,
        }),
      );
    },
    findByIdempotencyKey(scope, key) {
      return ctx.work('runs.findByIdempotencyKey', async (em) => {
        if (typeof key !== 'string' || !key) return undefined;
        const row = await em.findOne(Run, { idempotencyKey: key, orgId: requireScope(scope, 'runs.findByIdempotencyKey') });
        return row ? toRun(row) : undefined;
      });
    },
  };
}

/** The columns an update sets: only the fields given (undefined leaves a field as it is). */
function runChanges(update: RunUpdate): Partial<RunRow> {
  const changes: Partial<RunRow> = {};
  if (update === null || typeof update !== 'object') {
    throw sdkError('ASDK_STORAGE_INVALID', { what: 'run update', reason: `expected an object, found ${JSON.stringify(update)}`, fix: 'Pass the fields to change' });
  }
  if (update.status !== undefined) changes.status = requireStatus(update.status);
  if (update.output !== undefined) changes.output = String(update.output);
  if (update.usage !== undefined) changes.usage = update.usage as unknown as Record<string, unknown>;
  if (update.error !== undefined) changes.error = { code: String(update.error.code), message: String(update.error.message) };
  if (update.startedAt !== undefined) changes.startedAt = normalizeTimestamp(update.startedAt, 'run startedAt');
  if (update.finishedAt !== undefined) changes.finishedAt = normalizeTimestamp(update.finishedAt, 'run finishedAt');
  return changes;
}
