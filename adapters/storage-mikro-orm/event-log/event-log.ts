import {
  isTerminalEventType,
  sdkError,
  type EventDraft,
  type EventEnvelope,
  type EventLog,
  type EventRunRef,
  type Histogram,
  type Logger,
  type MetricsPort,
  type OrgScope,
} from '../../../core/index.js';
import { idOf, requireId, requireScope, type StoreContext } from '../store-context.js';
import { asStorageError, isUniqueViolation } from '../util/db-errors.js';
import { buildEnvelope, envelopeFromRow, insertEventsSql, READ_EVENTS_SQL, type EventInsertRow, type PreparedEvent } from './event-sql.js';
import { prepareDrafts } from './prepare.js';

/** An append waiting for its batch. */
interface PendingAppend {
  readonly orgId: string;
  readonly runId: string;
  readonly sessionId: string;
  readonly events: readonly PreparedEvent[];
  /** performance.now() when appended; 0 without metrics. */
  readonly startedAt: number;
  readonly resolve: (envelopes: readonly EventEnvelope[]) => void;
  readonly reject: (error: unknown) => void;
}

/** What the log knows of a run it appends to: its owner and the last seq written. */
interface RunState {
  readonly orgId: string;
  readonly sessionId: string;
  readonly parentRunId: string | undefined;
  lastSeq: number;
}

const MAX_CACHED_RUNS = 10_000;
/** Attempts of a batch that collides with another process appending to the same run (each reloads the seq). */
const UNIQUE_RETRIES = 30;
const DEFAULT_READ_LIMIT = 1000;
/** Append latency in seconds, from 0.1 ms (a coalesced SQLite batch) to 2.5 s. */
const APPEND_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BATCH_ROW_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 200, 400, 1000];
const MAX_READ_LIMIT = 10_000;

/**
 * The event log on SQL. Appends are queued; one writer drains the queue in batches of whole appends (at most
 * `maxBatchRows` rows, except a single larger append), gives each event the next seq of its run, and writes
 * the batch with one multi-row insert on the ORM's connection. An append resolves once its batch is
 * committed, so an event is durable before anyone can be told about it.
 *
 * Seq stays gapless because only this writer assigns it, in queue order, from a per-run counter loaded from
 * the database on the run's first append (so a restarted process continues where the last one stopped); a
 * batch is one statement or one transaction, so it is stored whole or not at all, and a failed batch drops
 * the counters of its runs. Another process appending to the same run makes the insert hit the primary key
 * (run_id, seq): the counters are reloaded and the batch retried.
 */
export class SqlEventLog implements EventLog {
  readonly #ctx: StoreContext;
  readonly #maxBatchRows: number;
  readonly #logger?: Logger;
  readonly #runs = new Map<string, RunState>();
  #queue: PendingAppend[] = [];
  #head = 0;
  #draining: Promise<void> | undefined;
  /** Inserts written and rows in them: how well appends coalesce (rows / batches). */
  readonly stats = { batches: 0, rows: 0 };
  /** With ports.metrics: each append's latency (queued + written) and each batch's rows, by dialect. */
  readonly #metrics: { readonly append: Histogram; readonly rows: Histogram; readonly labels: { readonly adapter: string } } | undefined;

  constructor(ctx: StoreContext, options: { maxBatchRows: number; logger?: Logger; metrics?: MetricsPort }) {
    this.#ctx = ctx;
    this.#maxBatchRows = options.maxBatchRows;
    this.#logger = options.logger;
    const metrics = options.metrics;
    this.#metrics = metrics && {
      append: metrics.histogram({
        name: 'agent_sdk_event_log_append_duration_seconds',
        help: 'Event-log appends, from the call until the events are committed (waiting for the batch included)',
        labelNames: ['adapter'],
        buckets: APPEND_BUCKETS,
      }),
      rows: metrics.histogram({ name: 'agent_sdk_event_log_batch_rows', help: 'Rows per event-log insert (how well appends coalesce)', labelNames: ['adapter'], buckets: BATCH_ROW_BUCKETS }),
      labels: Object.freeze({ adapter: ctx.db.dialect }),
    };
  }

  async append(scope: OrgScope, run: EventRunRef, drafts: readonly EventDraft[]): Promise<readonly EventEnvelope[]> {
    this.#ctx.assertOpen('events.append');
    const orgId = requireScope(scope, 'events.append');
    requireId('run id', run?.runId);
    requireId('session id', run.sessionId);
    const events = prepareDrafts(drafts, () => this.#ctx.now(), this.#ctx.postgres);
    if (!events.length) return [];
    return new Promise((resolve, reject) => {
      this.#queue.push({ orgId, runId: run.runId, sessionId: run.sessionId, events, startedAt: this.#metrics ? performance.now() : 0, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  async read(scope: OrgScope, runId: string, afterSeq = 0, limit = DEFAULT_READ_LIMIT): Promise<readonly EventEnvelope[]> {
    const orgId = requireScope(scope, 'events.read');
    if (!Number.isInteger(afterSeq) || afterSeq < 0) {
      throw sdkError('ASDK_STORAGE_INVALID', { what: 'afterSeq', reason: `expected an integer >= 0, found ${JSON.stringify(afterSeq)}`, fix: 'Pass the last seq already seen (0 for the start)' });
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT) {
      throw sdkError('ASDK_STORAGE_INVALID', { what: 'limit', reason: `expected an integer from 1 to ${MAX_READ_LIMIT}, found ${JSON.stringify(limit)}`, fix: 'Read in pages: pass the last seq read as afterSeq' });
    }
    return this.#ctx.work('events.read', async () => {
      if (typeof runId !== 'string') return [];
      return (await this.#ctx.rows(READ_EVENTS_SQL, [runId, orgId, afterSeq, limit])).map(envelopeFromRow);
    });
  }

  async lastSeq(scope: OrgScope, runId: string): Promise<number> {
    const orgId = requireScope(scope, 'events.lastSeq');
    return this.#ctx.work('events.lastSeq', async () => {
      const [row] = await this.#ctx.rows<{ last: number | string | null }>('select max(seq) as last from events where run_id = ? and org_id = ?', [idOf(runId), orgId]);
      return Number(row?.last ?? 0);
    });
  }

  /** Resolves once every append accepted so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Forgets runs whose rows were deleted (a deleted session), so a reused id starts again from seq 1. */
  forgetRuns(runIds: readonly string[]): void {
    for (const id of runIds) this.#runs.delete(id);
  }

  get pending(): number {
    return this.#queue.length - this.#head;
  }

  async #drain(): Promise<void> {
    try {
      // Let the appends of this turn of the event loop join the first batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.#head < this.#queue.length) await this.#write(this.#take(), 1);
    } catch (error) {
      this.#logger?.error('event log writer failed', { error: (error as Error).message });
    } finally {
      this.#draining = undefined;
      if (this.#head < this.#queue.length) this.#draining = this.#drain();
    }
  }

  /** The next batch: whole appends, up to maxBatchRows rows (a larger single append goes alone). */
  #take(): PendingAppend[] {
    const batch: PendingAppend[] = [];
    let rows = 0;
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head];
      if (batch.length && rows + next.events.length > this.#maxBatchRows) break;
      batch.push(next);
      rows += next.events.length;
      this.#queue[this.#head++] = undefined as unknown as PendingAppend;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return batch;
  }

  async #write(batch: readonly PendingAppend[], attempt: number): Promise<void> {
    const accepted: { append: PendingAppend; state: RunState; firstSeq: number }[] = [];
    try {
      await this.#loadRuns(batch.filter((p) => !this.#runs.has(p.runId)).map((p) => p.runId));
      const next = new Map<string, number>();
      for (const append of batch) {
        const state = this.#runs.get(append.runId);
        if (!state || state.orgId !== append.orgId) {
          append.reject(sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'run', id: append.runId, orgId: append.orgId }));
          continue;
        }
        if (state.sessionId !== append.sessionId) {
          append.reject(
            sdkError('ASDK_STORAGE_INVALID', {
              what: 'event run reference',
              reason: `run "${append.runId}" belongs to session "${state.sessionId}", not "${append.sessionId}"`,
              fix: 'Pass the run\'s own session id',
            }),
          );
          continue;
        }
        const last = next.get(append.runId) ?? state.lastSeq;
        next.set(append.runId, last + append.events.length);
        accepted.push({ append, state, firstSeq: last + 1 });
      }
      if (!accepted.length) return;
      const rows: EventInsertRow[] = [];
      for (const { append, state, firstSeq } of accepted) {
        append.events.forEach((event, i) => {
          rows.push({ runId: append.runId, seq: firstSeq + i, orgId: append.orgId, sessionId: state.sessionId, parentRunId: state.parentRunId ?? null, event });
        });
      }
      await this.#insert(rows);
      for (const [runId, lastSeq] of next) this.#runs.get(runId)!.lastSeq = lastSeq;
    } catch (error) {
      for (const append of batch) this.#runs.delete(append.runId);
      const pending = accepted.length ? accepted.map((a) => a.append) : [...batch];
      if (isUniqueViolation(error) && attempt < UNIQUE_RETRIES) {
        // Back off a little (with jitter) so two processes writing one run stop colliding in lockstep.
        if (attempt > 2) await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt * 2));
        return this.#write(pending, attempt + 1);
      }
      if (pending.length > 1) {
        // One bad append must not fail the appends it was coalesced with: write them one by one.
        for (const append of pending) await this.#write([append], UNIQUE_RETRIES);
        return;
      }
      for (const append of pending) append.reject(asStorageError('events.append', error));
      return;
    }
    const metrics = this.#metrics;
    const now = metrics ? performance.now() : 0;
    for (const { append, state, firstSeq } of accepted) {
      metrics?.append.observe((now - append.startedAt) / 1000, metrics.labels);
      append.resolve(
        append.events.map((e, i) =>
          buildEnvelope(append.runId, firstSeq + i, append.orgId, state.sessionId, state.parentRunId, e.stream, e.type, e.ts, e.data, e.origin),
        ),
      );
      if (append.events.some((e) => isTerminalEventType(e.type))) this.#runs.delete(append.runId);
    }
    // Bounded memory: forget the runs appended to longest ago (a forgotten run is reloaded on its next append).
    while (this.#runs.size > MAX_CACHED_RUNS) this.#runs.delete(this.#runs.keys().next().value!);
  }

  async #insert(rows: readonly EventInsertRow[]): Promise<void> {
    const { db } = this.#ctx;
    this.stats.batches++;
    this.stats.rows += rows.length;
    this.#metrics?.rows.observe(rows.length, this.#metrics.labels);
    // Through the write group: on SQLite the batch shares its commit with the other writes of the moment.
    if (rows.length <= this.#maxBatchRows) {
      const { sql, bindings } = insertEventsSql(db.dialect, rows);
      await this.#ctx.writes.run((knex) => knex.raw(sql, bindings as never), { transaction: false });
      return;
    }
    await this.#ctx.writes.run(
      async (knex) => {
        for (let i = 0; i < rows.length; i += this.#maxBatchRows) {
          const { sql, bindings } = insertEventsSql(db.dialect, rows.slice(i, i + this.#maxBatchRows));
          await knex.raw(sql, bindings as never);
        }
      },
      { atomic: true },
    );
  }

  /** Loads owner and last seq of runs this process has not appended to yet, in one query per 500 runs. */
  async #loadRuns(runIds: readonly string[]): Promise<void> {
    const unique = [...new Set(runIds)];
    for (let i = 0; i < unique.length; i += 500) {
      const ids = unique.slice(i, i + 500);
      const rows = await this.#ctx.rows<{ id: string; org_id: string; session_id: string; parent_run_id: string | null; last_seq: number | string | null }>(
        `select r.id, r.org_id, r.session_id, r.parent_run_id, (select max(e.seq) from events e where e.run_id = r.id) as last_seq from runs r where r.id in (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      for (const row of rows) {
        this.#runs.set(row.id, { orgId: row.org_id, sessionId: row.session_id, parentRunId: row.parent_run_id ?? undefined, lastSeq: Number(row.last_seq ?? 0) });
      }
    }
  }
}
