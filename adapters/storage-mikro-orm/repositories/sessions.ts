import { sdkError, type Session, type SessionRepository } from '../../../core/index.js';
import type { SessionRow } from '../schema/entities.js';
import { compact, idOf, requireId, requireScope, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { normalizeTimestamp, timestampFromDb } from '../util/time.js';

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
    create(scope, session) {
      return ctx.work('sessions.create', async (em) => {
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
        try {
          await em.insert(Session, row);
        } catch (error) {
          if (isUniqueViolation(error)) throw sdkError('ASDK_STORAGE_CONFLICT', { entity: 'session', what: `"${session.id}"`, orgId, field: 'id' });
          throw error;
        }
        return toSession(row);
      });
    },
    get(scope, id) {
      return ctx.work('sessions.get', async (em) => {
        const row = await em.findOne(Session, { id: idOf(id), orgId: requireScope(scope, 'sessions.get') });
        return row ? toSession(row) : undefined;
      });
    },
    list(scope, page) {
      return ctx.work('sessions.list', (em) =>
        keysetPage(em, Session, { orgId: requireScope(scope, 'sessions.list') }, page, {
          list: 'sessions', sort: 'updatedAt', direction: 'desc', sortValue: (r) => timestampFromDb(r.updatedAt), map: toSession,
        }),
      );
    },
    touch(scope, id, at) {
      return ctx.work('sessions.touch', async (em) => {
        const orgId = requireScope(scope, 'sessions.touch');
        await em.nativeUpdate(Session, { id: idOf(id), orgId }, { updatedAt: normalizeTimestamp(at, 'session updatedAt') });
      });
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
