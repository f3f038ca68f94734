import type { EventEnvelope, EventOrigin, EventStream, EventType } from '../../../core/index.js';
import type { Dialect } from '../schema/entities.js';
import { timestampFromDb } from '../util/time.js';

/** One event ready for the insert: its JSON already serialised (so a bad draft fails its own append only). */
export interface PreparedEvent {
  readonly type: EventType;
  readonly stream: EventStream;
  readonly ts: string;
  readonly data: unknown;
  readonly dataJson: string;
  readonly origin?: EventOrigin;
  readonly originJson: string | null;
}

/** A row of the events table as the insert binds it. */
export interface EventInsertRow {
  readonly runId: string;
  readonly seq: number;
  readonly orgId: string;
  readonly sessionId: string;
  readonly parentRunId: string | null;
  readonly event: PreparedEvent;
}

const COLUMNS = 'run_id, seq, org_id, session_id, parent_run_id, stream, type, ts, data, origin';

/**
 * The multi-row insert of a batch, as SQL with `?` bindings for knex.raw on the ORM's connection.
 * SQLite: one JSON array bound once and unpacked by `json_each` (the rows in order).
 * Postgres: `select from unnest(...)` over one array per column, so a batch is 10 bindings whatever its
 * size and the server parses a short statement (measured ~3x a `values` list of 1000 rows here).
 */
export function insertEventsSql(dialect: Dialect, rows: readonly EventInsertRow[]): { sql: string; bindings: unknown[] } {
  if (dialect === 'postgres') {
    const columns: unknown[][] = Array.from({ length: 10 }, () => new Array(rows.length));
    rows.forEach((row, i) => {
      columns[0][i] = row.runId;
      columns[1][i] = row.seq;
      columns[2][i] = row.orgId;
      columns[3][i] = row.sessionId;
      columns[4][i] = row.parentRunId;
      columns[5][i] = row.event.stream;
      columns[6][i] = row.event.type;
      columns[7][i] = row.event.ts;
      columns[8][i] = row.event.dataJson;
      columns[9][i] = row.event.originJson;
    });
    return {
      sql: `insert into events (${COLUMNS}) select * from unnest(?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::jsonb[], ?::jsonb[])`,
      bindings: columns,
    };
  }
  // SQLite: the whole batch as one JSON array bound once and unpacked by json_each, instead of ten bindings per
  // row (which knex rewrites and the driver binds one by one).
  const batch: unknown[] = new Array(rows.length);
  rows.forEach((row, i) => {
    batch[i] = [row.runId, row.seq, row.orgId, row.sessionId, row.parentRunId, row.event.stream, row.event.type, row.event.ts, row.event.dataJson, row.event.originJson];
  });
  return { sql: SQLITE_JSON_INSERT, bindings: [JSON.stringify(batch)] };
}

const SQLITE_JSON_INSERT =
  `insert into events (${COLUMNS}) select ` +
  Array.from({ length: 10 }, (_, i) => `json_extract(value, '$[${i}]')`).join(', ') +
  ' from json_each(?) order by key';


export const READ_EVENTS_SQL =
  'select run_id, seq, org_id, session_id, parent_run_id, stream, type, ts, data, origin from events where run_id = ? and org_id = ? and seq > ? order by seq limit ?';

/** The envelope of a stored row (JSON comes back parsed from Postgres, as text from SQLite). */
export function envelopeFromRow(row: Record<string, unknown>): EventEnvelope {
  const runId = row.run_id as string;
  const seq = Number(row.seq);
  const origin = row.origin === null || row.origin === undefined ? undefined : typeof row.origin === 'string' ? JSON.parse(row.origin) : row.origin;
  return buildEnvelope(
    runId,
    seq,
    row.org_id as string,
    row.session_id as string,
    (row.parent_run_id as string | null) ?? undefined,
    row.stream as EventStream,
    row.type as EventType,
    timestampFromDb(row.ts),
    typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
    origin,
  );
}

/** An envelope v1 without absent optional fields (so envelopes compare equal whichever path built them). */
export function buildEnvelope(
  runId: string,
  seq: number,
  orgId: string,
  sessionId: string,
  parentRunId: string | undefined,
  stream: EventStream,
  type: EventType,
  ts: string,
  data: unknown,
  origin: EventOrigin | undefined,
): EventEnvelope {
  const envelope: Record<string, unknown> = { v: 1, id: `${runId}:${seq}`, seq, runId, sessionId, orgId };
  if (parentRunId !== undefined) envelope.parentRunId = parentRunId;
  if (origin !== undefined) envelope.origin = origin;
  envelope.stream = stream;
  envelope.type = type;
  envelope.ts = ts;
  envelope.data = data;
  return envelope as unknown as EventEnvelope;
}
