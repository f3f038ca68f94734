import { sdkError, type ChatMessage, type MessageRepository, type StoredMessage } from '../../../core/index.js';
import type { MessageRow } from '../schema/entities.js';
import { idOf, requireScope, type Sql, type StoreContext } from '../store-context.js';
import { jsonFromDb, jsonToDb } from '../util/sql-values.js';
import { timestampFromDb } from '../util/time.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

function toStored(row: MessageRow): StoredMessage {
  const stored = { sessionId: row.sessionId, position: row.position, runId: row.runId ?? undefined, message: row.message as unknown as ChatMessage, createdAt: timestampFromDb(row.createdAt) };
  if (stored.runId === undefined) delete stored.runId;
  return stored;
}

function requireMessages(messages: readonly ChatMessage[], what: string): void {
  if (!Array.isArray(messages)) {
    throw sdkError('ASDK_STORAGE_INVALID', { what, reason: `expected an array of chat messages, found ${typeof messages}`, fix: 'Pass [{ role, content }, ...]' });
  }
  messages.forEach((m, i) => {
    if (!m || typeof m !== 'object' || !ROLES.has((m as { role?: string }).role ?? '') || typeof (m as { content?: unknown }).content !== 'string') {
      throw sdkError('ASDK_STORAGE_INVALID', { what: `${what}[${i}]`, reason: 'expected { role: system|user|assistant|tool, content: string, ... }', fix: 'Pass chat messages as the model port defines them' });
    }
  });
}

/** A message row from raw SQL (snake_case columns). */
function messageFromSql(row: Record<string, unknown>): MessageRow {
  return {
    sessionId: row.session_id as string, position: Number(row.position), orgId: row.org_id as string, runId: (row.run_id as string | null) ?? null,
    message: jsonFromDb<Record<string, unknown>>(row.message)!, createdAt: row.created_at as string,
  };
}

/**
 * A session's memory, in increasing positions (from 1 for a session never compacted). Positions are never
 * renumbered: a compaction puts its replacement just before the first message it keeps, so a message keeps its
 * position for life and two compactions at once cannot cut into each other's history. Appends and compactions
 * of one session are serialised by a lock on the session row (Postgres) or by the single writer (SQLite).
 */
export function messageRepository(ctx: StoreContext): MessageRepository {
  /**
   * The last position of the session's memory (undefined when empty); NOT_FOUND unless the session is the
   * org's. On Postgres the session row is locked for the transaction first, serialising writers of one session
   * (SQLite has one writer): one statement there, two here.
   */
  const lastPosition = async (sql: Sql, orgId: string, sessionId: string) => {
    if (ctx.postgres && !(await sql('select 1 as found from sessions where id = ? and org_id = ? for update', [sessionId, orgId])).length) {
      throw sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'session', id: sessionId, orgId });
    }
    const [row] = await sql<{ found: number | null; last: number | string | null }>(
      'select (select 1 from sessions where id = ? and org_id = ?) as found, (select max(position) from messages where session_id = ? and org_id = ?) as last',
      [sessionId, orgId, sessionId, orgId],
    );
    if (row?.found === null || row?.found === undefined) throw sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'session', id: sessionId, orgId });
    return row.last === null || row.last === undefined ? undefined : Number(row.last);
  };
  const insert = (sql: Sql, rows: readonly MessageRow[]) =>
    sql(
      `insert into messages (session_id, position, org_id, run_id, message, created_at) values ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      rows.flatMap((r) => [r.sessionId, r.position, r.orgId, r.runId, jsonToDb(r.message, ctx.postgres), r.createdAt]),
    );

  return {
    async append(scope, sessionId, messages, runId) {
      const orgId = requireScope(scope, 'messages.append');
      requireMessages(messages, 'messages');
      sessionId = idOf(sessionId);
      // Checks, then one insert: a write of the group (see WriteGroup).
      return ctx.write('messages.append', async (sql) => {
        const last = await lastPosition(sql, orgId, sessionId);
        if (!messages.length) return [];
        const first = (last ?? 0) + 1;
        const createdAt = ctx.now();
        const rows: MessageRow[] = messages.map((message, i) => ({
          sessionId, position: first + i, orgId, runId: runId ?? null, message: message as unknown as Record<string, unknown>, createdAt,
        }));
        await insert(sql, rows);
        return rows.map(toStored);
      });
    },
    async list(scope, sessionId) {
      const orgId = requireScope(scope, 'messages.list');
      return ctx.read('messages.list', async (sql) => {
        const rows = await sql('select session_id, position, org_id, run_id, message, created_at from messages where session_id = ? and org_id = ? order by position', [idOf(sessionId), orgId]);
        return rows.map((row) => toStored(messageFromSql(row)));
      });
    },
    async replacePrefix(scope, sessionId, throughPosition, replacement) {
      const orgId = requireScope(scope, 'messages.replacePrefix');
      requireMessages(replacement, 'replacement');
      sessionId = idOf(sessionId);
      return ctx.write(
        'messages.replacePrefix',
        async (sql) => {
          const last = (await lastPosition(sql, orgId, sessionId)) ?? 0;
          if (!Number.isSafeInteger(throughPosition) || throughPosition > last) {
            throw sdkError('ASDK_STORAGE_INVALID', {
              what: 'compaction position',
              reason: `${throughPosition} is not the position of a message of session "${sessionId}" (the last is ${last})`,
              fix: 'Pass the position of a stored message',
            });
          }
          await sql('delete from messages where session_id = ? and org_id = ? and position <= ?', [sessionId, orgId, throughPosition]);
          const createdAt = ctx.now();
          // The replacement ends at throughPosition: the positions just freed, and below them when it is longer.
          const rows: MessageRow[] = replacement.map((message, i) => ({
            sessionId, position: throughPosition - replacement.length + 1 + i, orgId, runId: null, message: message as unknown as Record<string, unknown>, createdAt,
          }));
          if (rows.length) await insert(sql, rows);
        },
        { atomic: true },
      );
    },
  };
}
