import type { IdempotencyRecord, IdempotencyRepository } from '../../core/index.js';
import type { MemoryContext } from './tenant-repositories.js';

/** Idempotency keys per org with a TTL; a claim is atomic because a JavaScript turn never interleaves. */
export function idempotencyRepository(ctx: MemoryContext, orgIds: () => Iterable<string>): IdempotencyRepository {
  const keys = (orgId: string) => ctx.table<IdempotencyRecord>('idempotency', orgId);
  const live = (record: IdempotencyRecord | undefined, now: string) => (record && record.expiresAt > now ? record : undefined);
  return {
    async claim(scope, key, requestHash, ttlMs) {
      const table = keys(scope.orgId);
      const now = ctx.now();
      const held = live(table.get(key)?.value, now);
      if (held) return { claimed: false, record: held };
      const record: IdempotencyRecord = Object.freeze({
        orgId: scope.orgId,
        key,
        requestHash,
        state: 'pending',
        createdAt: now,
        expiresAt: new Date(Date.parse(now) + Math.max(0, ttlMs)).toISOString(),
      });
      table.set(key, { value: record, ord: ctx.nextOrd() });
      return { claimed: true, record };
    },
    async complete(scope, key, response, runId) {
      const row = keys(scope.orgId).get(key);
      if (!row || row.value.state !== 'pending') return false;
      row.value = Object.freeze({ ...row.value, state: 'completed', response, ...(runId !== undefined && { runId }) });
      return true;
    },
    async release(scope, key) {
      const table = keys(scope.orgId);
      if (table.get(key)?.value.state === 'pending') table.delete(key);
    },
    async get(scope, key) {
      return live(keys(scope.orgId).get(key)?.value, ctx.now());
    },
    async purgeExpired(now) {
      let purged = 0;
      for (const orgId of orgIds()) {
        const table = keys(orgId);
        for (const [key, row] of table) {
          if (row.value.expiresAt < now) {
            table.delete(key);
            purged++;
          }
        }
      }
      return purged;
    },
  };
}
