import { sdkError, type RunRecord, type RunRepository, type RunStatus, type RunUpdate } from '../../../core/index.js';
import type { RunRow } from '../schema/entities.js';
import { compact, idOf, requireId, requireScope, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { jsonFromDb, jsonToDb } from '../util/sql-values.js';
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

const RUN_COLUMNS = 'id, org_id, session_id, parent_run_id, preset, agent, status, input, output, usage, error, idempotency_key, created_at, started_at, finished_at';

/** A run row from raw SQL (snake_case columns). */
function runFromSql(row: Record<string, unknown>): RunRow {
  return {
    id: row.id as string, orgId: row.org_id as string, sessionId: row.session_id as string, parentRunId: row.parent_run_id as string | null,
    preset: row.preset as string | null, agent: row.agent as string | null, status: row.status as string, input: row.input as string,
    output: row.output as string | null, usage: jsonFromDb(row.usage), error: jsonFromDb(row.error), idempotencyKey: row.idempotency_key as string | null,
    createdAt: row.created_at as string, startedAt: row.started_at as string | null, finishedAt: row.finished_at as string | null,
  };
}

/** Column names of the run fields an update may set. */
const UPDATE_COLUMNS: Record<string, string> = { status: 'status', output: 'output', usage: 'usage', error: 'error', startedAt: 'started_at', finishedAt: 'finished_at' };
const UNIQUE_HIT = Symbol('unique violation');

function requireStatus(status: unknown): RunStatus {
  if (typeof status !== 'string' || !STATUSES.has(status)) {
    throw sdkError('ASDK_STORAGE_INVALID', { what: 'run status', reason: `${JSON.stringify(status)} is not one of ${[...STATUSES].join(', ')}`, fix: 'Pass one of the RunStatus values' });
  }
  return status as RunStatus;
}

/** Runs: each belongs to a session of the same org; an idempotency key is unique per org. */
export function runRepository(ctx: StoreContext): RunRepository {
  const { Run } = ctx.db.entities;
  const repository: RunRepository = {
    async create(scope, run) {
      const orgId = requireScope(scope, 'runs.create');
      requireId('run id', run?.id);
      requireId('session id', run.sessionId);
      if (typeof run.input !== 'string') {
        throw sdkError('ASDK_STORAGE_INVALID', { what: 'run input', reason: `expected a string, found ${typeof run.input}`, fix: 'Pass the input text' });
      }
      const row: RunRow = {
        id: run.id, orgId, sessionId: run.sessionId, parentRunId: run.parentRunId ?? null, preset: run.preset ?? null, agent: run.agent ?? null,
        status: requireStatus(run.status ?? 'queued'), input: run.input, output: null, usage: null, error: null,
        idempotencyKey: run.idempotencyKey ?? null, createdAt: ctx.now(), startedAt: null, finishedAt: null,
      };
      // One insert that happens only when the session is the org's (a write of the group, see WriteGroup).
      const createdAt = ctx.postgres ? 'cast(? as timestamptz)' : '?';
      const written = await ctx.write('runs.create', async (sql) => {
        if (row.parentRunId !== null && !(await sql('select 1 as found from runs where id = ? and org_id = ?', [row.parentRunId, orgId])).length) {
          throw sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'run', id: row.parentRunId, orgId });
        }
        let inserted: unknown[];
        try {
          inserted = await sql(
            `insert into runs (id, org_id, session_id, parent_run_id, preset, agent, status, input, idempotency_key, created_at) select ?, ?, ?, ?, ?, ?, ?, ?, ?, ${createdAt} where exists (select 1 from sessions where id = ? and org_id = ?) returning id`,
            [row.id, row.orgId, row.sessionId, row.parentRunId, row.preset, row.agent, row.status, row.input, row.idempotencyKey, row.createdAt, row.sessionId, orgId],
          );
        } catch (error) {
          if (isUniqueViolation(error)) return UNIQUE_HIT;
          throw error;
        }
        if (!inserted.length) throw sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'session', id: row.sessionId, orgId });
        return row;
      });
      if (written === UNIQUE_HIT) {
        // Which key collided: asked outside the write (a failed statement ends a Postgres transaction).
        const sameId = (await ctx.read('runs.create', (sql) => sql('select 1 as found from runs where id = ?', [row.id]))).length > 0;
        throw sameId || run.idempotencyKey === undefined
          ? sdkError('ASDK_STORAGE_CONFLICT', { entity: 'run', what: `"${run.id}"`, orgId, field: 'id' })
          : sdkError('ASDK_STORAGE_CONFLICT', { entity: 'run', what: `with idempotency key "${run.idempotencyKey}"`, orgId, field: 'idempotency key' });
      }
      return toRun(written);
    },
    async get(scope, id) {
      const orgId = requireScope(scope, 'runs.get');
      return ctx.read('runs.get', async (sql) => {
        const [row] = await sql(`select ${RUN_COLUMNS} from runs where id = ? and org_id = ?`, [idOf(id), orgId]);
        return row ? toRun(runFromSql(row)) : undefined;
      });
    },
    async update(scope, id, update) {
      const orgId = requireScope(scope, 'runs.update');
      id = idOf(id);
      const changes = Object.entries(runChanges(update));
      if (!changes.length) return repository.get(scope, id);
      const values = changes.map(([key, value]) => (key === 'usage' || key === 'error' ? jsonToDb(value, ctx.postgres) : value));
      const [row] = await ctx.write(
        'runs.update',
        (sql) => sql(`update runs set ${changes.map(([key]) => `${UPDATE_COLUMNS[key]} = ?`).join(', ')} where id = ? and org_id = ? returning ${RUN_COLUMNS}`, [...values, id, orgId]),
        { transaction: false },
      );
      return row ? toRun(runFromSql(row)) : undefined;
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
  return repository;
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
