import { createHash } from 'node:crypto';
import { sdkError, type AuditEntry, type AuditRepository } from '../../../core/index.js';
import { jsonText } from '../schema/json-text.js';
import type { AuditRow } from '../schema/entities.js';
import { compact, requireId, requireScope, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { timestampFromDb } from '../util/time.js';

const toEntry = (row: AuditRow): AuditEntry =>
  compact({
    id: row.id, orgId: row.orgId, seq: row.seq, actor: row.actor, action: row.action, target: row.target,
    details: row.details ?? undefined, ts: timestampFromDb(row.ts), hash: row.hash,
  }) as AuditEntry;

/**
 * The hash of an audit entry: sha256 over the previous entry's hash and this entry's content, so changing or
 * removing any entry breaks every hash after it. Recomputable from stored rows (`verifyAuditChain`).
 */
export function auditHash(previousHash: string, entry: { seq: number; actor: string; action: string; target: string | null; details: unknown; ts: string }): string {
  const content = JSON.stringify([entry.seq, entry.actor, entry.action, entry.target ?? null, entry.details ?? null, entry.ts]);
  return createHash('sha256').update(previousHash).update(content).digest('hex');
}

const MAX_ATTEMPTS = 20;

/** The audit log of each org: seq from 1 without gaps, hash-chained. Concurrent appends retry on the key. */
export function auditRepository(ctx: StoreContext): AuditRepository {
  const { Audit } = ctx.db.entities;
  return {
    async append(scope, entry) {
      const orgId = requireScope(scope, 'audit.append');
      requireId('audit actor', entry?.actor);
      requireId('audit action', entry.action);
      if (entry.target !== undefined && typeof entry.target !== 'string') {
        throw sdkError('ASDK_STORAGE_INVALID', { what: 'audit target', reason: 'expected a string', fix: 'Pass the id of what the action was done to' });
      }
      // What is hashed is what is stored: details as their JSON round trip.
      const details = entry.details === undefined ? null : (JSON.parse(jsonText(entry.details, ctx.postgres)) as Record<string, unknown>);
      for (let attempt = 1; ; attempt++) {
        try {
          return await ctx.transaction('audit.append', async (em) => {
            const [last] = await em.find(Audit, { orgId }, { orderBy: { seq: 'desc' }, limit: 1 });
            const seq = (last?.seq ?? 0) + 1;
            const ts = ctx.now();
            const row: AuditRow = {
              orgId, seq, id: `${orgId}:${seq}`, actor: entry.actor, action: entry.action, target: entry.target ?? null, details, ts,
              hash: auditHash(last?.hash ?? '', { seq, actor: entry.actor, action: entry.action, target: entry.target ?? null, details, ts }),
            };
            await em.insert(Audit, row);
            return toEntry(row);
          });
        } catch (error) {
          if (attempt < MAX_ATTEMPTS && isUniqueViolation((error as Error).cause ?? error)) continue; // another writer took this seq
          throw error;
        }
      }
    },
    list(scope, page) {
      return ctx.work('audit.list', (em) =>
        keysetPage(em, Audit, { orgId: requireScope(scope, 'audit.list') }, page, { list: 'audit', sort: 'seq', direction: 'desc', sortValue: (r) => r.seq, map: toEntry }),
      );
    },
  };
}
