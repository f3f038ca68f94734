import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { sdkError, type ChatMessage, type MessageRepository, type StoredMessage } from '../../../core/index.js';
import type { MessageRow } from '../schema/entities.js';
import { idOf, requireScope, type StoreContext } from '../store-context.js';
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

/**
 * A session's memory, in order from position 1. Appends and compactions of one session are serialised by a
 * lock on the session row (Postgres; SQLite has a single writer), so positions never collide or skip.
 */
export function messageRepository(ctx: StoreContext): MessageRepository {
  const { Message, Session } = ctx.db.entities;

  /** The session, locked for the transaction; NOT_FOUND when it is not the org's. */
  const lockSession = async (em: EntityManager, orgId: string, sessionId: string) => {
    const found = await em.findOne(Session, { id: idOf(sessionId), orgId }, ctx.postgres ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!found) throw sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'session', id: sessionId, orgId });
  };
  const lastPosition = async (em: EntityManager, orgId: string, sessionId: string) => {
    const [row] = await ctx.rows<{ last: number | string | null }>('select max(position) as last from messages where session_id = ? and org_id = ?', [sessionId, orgId], em);
    return Number(row?.last ?? 0);
  };

  return {
    append(scope, sessionId, messages, runId) {
      const orgId = requireScope(scope, 'messages.append');
      requireMessages(messages, 'messages');
      return ctx.transaction('messages.append', async (em) => {
        await lockSession(em, orgId, sessionId);
        if (!messages.length) return [];
        const first = (await lastPosition(em, orgId, sessionId)) + 1;
        const createdAt = ctx.now();
        const rows: MessageRow[] = messages.map((message, i) => ({
          sessionId, position: first + i, orgId, runId: runId ?? null, message: message as unknown as Record<string, unknown>, createdAt,
        }));
        await em.insertMany(Message, rows);
        return rows.map(toStored);
      });
    },
    list(scope, sessionId) {
      return ctx.work('messages.list', async (em) => {
        const rows = await em.find(Message, { sessionId: idOf(sessionId), orgId: requireScope(scope, 'messages.list') }, { orderBy: { position: 'asc' } });
        return rows.map(toStored);
      });
    },
    replacePrefix(scope, sessionId, throughPosition, replacement) {
      const orgId = requireScope(scope, 'messages.replacePrefix');
      requireMessages(replacement, 'replacement');
      return ctx.transaction('messages.replacePrefix', async (em) => {
        await lockSession(em, orgId, sessionId);
        const last = await lastPosition(em, orgId, sessionId);
        if (!Number.isInteger(throughPosition) || throughPosition < 0 || throughPosition > last) {
          throw sdkError('ASDK_STORAGE_INVALID', {
            what: 'compaction position',
            reason: `${throughPosition} is outside 0..${last} for session "${sessionId}"`,
            fix: 'Pass the position of a stored message',
          });
        }
        await em.nativeDelete(Message, { sessionId, orgId, position: { $lte: throughPosition } });
        const shift = replacement.length - throughPosition;
        if (shift !== 0) {
          // Two steps through negative positions, so no intermediate state breaks the (session, position) key.
          await ctx.rows('update messages set position = -(position + ?) where session_id = ? and org_id = ? and position > ?', [shift, sessionId, orgId, throughPosition], em);
          await ctx.rows('update messages set position = -position where session_id = ? and org_id = ? and position < 0', [sessionId, orgId], em);
        }
        const createdAt = ctx.now();
        const rows: MessageRow[] = replacement.map((message, i) => ({
          sessionId, position: i + 1, orgId, runId: null, message: message as unknown as Record<string, unknown>, createdAt,
        }));
        if (rows.length) await em.insertMany(Message, rows);
      });
    },
  };
}
