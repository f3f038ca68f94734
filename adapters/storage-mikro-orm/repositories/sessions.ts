import { sdkError, type Session, type SessionRepository } from '../../../core/index.js';
import type { SessionRow } from '../schema/entities.js';
import { compact, idOf, requireId, requireScope, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { jsonFromDb, jsonToDb } from '../util/sql-values.js';
import { normalizeTimestamp, timestampFromDb } from '../util/time.js';

const SESSION_COLUMNS = 'id, org_id, title, preset, metadata, created_at, updated_at';

/** A session row from raw SQL (snake_case columns). */
export function sessionFromSql(row: Record<string, unknown>): SessionRow {
  return {
    id: row.id as string, orgId: row.org_id as string, title: (row.title as string | null) ?? null, preset: (row.preset as string | null) ?? null,
    metadata: jsonFromDb<Record<string, unknown>>(row.metadata), createdAt: row.created_at as string, updatedAt: row.updated_at as string,
  };
}

export function toSession(row: SessionRow): Session {
  return compact({
    id: row.id, orgId: row.orgId, title: row.title, preset: row.preset, metadata: row.metadata ?? undefined,
    createdAt: timestampFromDb(row.createdAt), updatedAt: timestampFromDb(row.updatedAt),
  }) as Session;
}

/**
 * Sessions, newest activity first. Deleting one deletes its runs, their events and its messages in the
 * same transaction; `onRunsDeleted` lets the event log forget the seq it caches for those runs.
 */
export function sessionRepository(ctx: StoreContext, onRunsDeleted: (runIds: readonly string[]) => void): SessionRepository {
  const { Session, Run, Event, Message } = ctx.db.entities;
  return {
    async create(scope, session) {
      const orgId = requireScope(scope, 'sessions.create');
      requireId('session id', session?.id);
      if (session.metadata !== undefined && (typeof session.metadata !== 'object' || session.metadata === null || Array.isArray(session.metadata))) {
        throw sdkError('ASDK_STORAGE_INVALID', { what: 'session metadata', reason: 'expected an object', fix: 'Pass metadata as { key: value }' });
      }
      const at = ctx.now();
      const row: SessionRow = {
        id: session.id, orgId, title: session.title ?? null, preset: session.preset ?? null,
        metadata: (session.metadata as Record<string, unknown> | undefined) ?? null, createdAt: at, updatedAt: at,
      };
      return ctx.write(
        'sessions.create',
        async (sql) => {
          try {
            await sql(`insert into sessions (${SESSION_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?)`, [
              row.id, row.orgId, row.title, row.preset, jsonToDb(row.metadata, ctx.postgres), row.createdAt, row.updatedAt,
            ]);
          } catch (error) {
            if (isUniqueViolation(error)) throw sdkError('ASDK_STORAGE_CONFLICT', { entity: 'session', what: `"${session.id}"`, orgId, field: 'id' });
            throw error;
          }
          return toSession(row);
        },
        { transaction: false },
      );
    },
    async get(scope, id) {
      const orgId = requireScope(scope, 'sessions.get');
      return ctx.read('sessions.get', async (sql) => {
        const [row] = await sql(`select ${SESSION_COLUMNS} from sessions where id = ? and org_id = ?`, [idOf(id), orgId]);
        return row ? toSession(sessionFromSql(row)) : undefined;
      });
    },
    list(scope, page) {
      return ctx.work('sessions.list', (em) =>
        keysetPage(em, Session, { orgId: requireScope(scope, 'sessions.list') }, page, {
          list: 'sessions', sort: 'updatedAt', direction: 'desc', sortValue: (r) => timestampFromDb(r.updatedAt), map: toSession,
        }),
      );
    },
    async touch(scope, id, at) {
      const orgId = requireScope(scope, 'sessions.touch');
      const updatedAt = normalizeTimestamp(at, 'session updatedAt');
      await ctx.write('sessions.touch', (sql) => sql('update sessions set updated_at = ? where id = ? and org_id = ?', [updatedAt, idOf(id), orgId]), { transaction: false });
    },
    async delete(scope, id) {
      const orgId = requireScope(scope, 'sessions.delete');
      id = idOf(id);
      let runIds: string[] = [];
      const deleted = await ctx.transaction('sessions.delete', async (em) => {
        if (!(await em.count(Session, { id, orgId }))) return false;
        runIds = (await em.find(Run, { sessionId: id, orgId }, { fields: ['id'] })).map((r) => r.id);
        for (let i = 0; i < runIds.length; i += 500) await em.nativeDelete(Event, { runId: { $in: runIds.slice(i, i + 500) }, orgId });
        await em.nativeDelete(Run, { sessionId: id, orgId });
        await em.nativeDelete(Message, { sessionId: id, orgId });
        await em.nativeDelete(Session, { id, orgId });
        return true;
      });
      if (runIds.length) onRunsDeleted(runIds);
      return deleted;
    },
  };
}
