import { sdkError, type IdempotencyRecord, type IdempotencyRepository } from '../../../core/index.js';
import { jsonText } from '../schema/json-text.js';
import type { IdempotencyRow } from '../schema/entities.js';
import { compact, requireScope, type StoreContext } from '../store-context.js';
import { normalizeTimestamp, timestampFromDb } from '../util/time.js';

const toRecord = (row: IdempotencyRow): IdempotencyRecord =>
  compact({
    orgId: row.orgId, key: row.key, requestHash: row.requestHash, state: row.state as IdempotencyRecord['state'],
    response: row.response ?? undefined, runId: row.runId, createdAt: timestampFromDb(row.createdAt), expiresAt: timestampFromDb(row.expiresAt),
  }) as IdempotencyRecord;

function requireKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
    throw sdkError('ASDK_STORAGE_INVALID', { what: 'idempotency key', reason: `expected 1 to 255 characters, found ${JSON.stringify(key)}`, fix: 'Send a key of 1 to 255 characters' });
  }
  return key;
}

/**
 * Idempotency keys per org. `claim` is a single `insert ... on conflict do nothing` (or, for an expired key,
 * a conditional update), so the database picks exactly one winner among concurrent claims.
 */
export function idempotencyRepository(ctx: StoreContext): IdempotencyRepository {
  const { Idempotency } = ctx.db.entities;
  const read = async (orgId: string, key: string) => {
    const row = await ctx.db.fork().findOne(Idempotency, { orgId, key });
    return row ? toRecord(row) : undefined;
  };
  return {
    claim(scope, key, requestHash, ttlMs) {
      return ctx.work('idempotency.claim', async () => {
        const orgId = requireScope(scope, 'idempotency.claim');
        requireKey(key);
        if (typeof requestHash !== 'string' || !requestHash) {
          throw sdkError('ASDK_STORAGE_INVALID', { what: 'idempotency request hash', reason: 'expected a non-empty string', fix: 'Pass a hash of the request body' });
        }
        if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
          throw sdkError('ASDK_STORAGE_INVALID', { what: 'idempotency ttlMs', reason: `expected a positive number, found ${ttlMs}`, fix: 'Pass the time to keep the key, in milliseconds' });
        }
        const now = ctx.now();
        const expiresAt = new Date(ctx.nowMs() + ttlMs).toISOString();
        for (let attempt = 0; attempt < 3; attempt++) {
          const inserted = await ctx.rows(
            'insert into idempotency_keys (org_id, "key", request_hash, state, response, run_id, created_at, expires_at) values (?, ?, ?, ?, null, null, ?, ?) on conflict do nothing returning "key"',
            [orgId, key, requestHash, 'pending', now, expiresAt],
          );
          if (inserted.length) return { claimed: true, record: { orgId, key, requestHash, state: 'pending', createdAt: now, expiresAt } };
          const taken = await ctx.rows(
            'update idempotency_keys set request_hash = ?, state = ?, response = null, run_id = null, created_at = ?, expires_at = ? where org_id = ? and "key" = ? and expires_at <= ? returning "key"',
            [requestHash, 'pending', now, expiresAt, orgId, key, now],
          );
          if (taken.length) return { claimed: true, record: { orgId, key, requestHash, state: 'pending', createdAt: now, expiresAt } };
          const held = await read(orgId, key);
          if (held) return { claimed: false, record: held };
          // deleted (released or purged) between the two statements: try again
        }
        throw sdkError('ASDK_STORAGE_UNAVAILABLE', { operation: 'idempotency.claim', reason: 'the key changed hands three times while claiming it' });
      });
    },
    complete(scope, key, response, runId) {
      return ctx.work('idempotency.complete', async () => {
        const orgId = requireScope(scope, 'idempotency.complete');
        if (!response || typeof response.status !== 'number') {
          throw sdkError('ASDK_STORAGE_INVALID', { what: 'idempotency response', reason: 'expected { status: number, body }', fix: 'Pass the response to replay' });
        }
        const rows = await ctx.rows(
          'update idempotency_keys set state = ?, response = ?, run_id = ? where org_id = ? and "key" = ? and state = ? and expires_at > ? returning "key"',
          ['completed', jsonText({ status: response.status, body: response.body ?? null }, ctx.postgres), runId ?? null, orgId, requireKey(key), 'pending', ctx.now()],
        );
        return rows.length > 0;
      });
    },
    release(scope, key) {
      return ctx.work('idempotency.release', async (em) => {
        await em.nativeDelete(Idempotency, { orgId: requireScope(scope, 'idempotency.release'), key: requireKey(key), state: 'pending' });
      });
    },
    get(scope, key) {
      return ctx.work('idempotency.get', async () => {
        const record = await read(requireScope(scope, 'idempotency.get'), requireKey(key));
        return record && record.expiresAt > ctx.now() ? record : undefined;
      });
    },
    purgeExpired(now) {
      return ctx.work('idempotency.purgeExpired', async (em) => em.nativeDelete(Idempotency, { expiresAt: { $lte: normalizeTimestamp(now, 'purge time') } }));
    },
  };
}
