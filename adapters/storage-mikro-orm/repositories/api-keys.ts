import { sdkError, type ApiKeyRecord, type ApiKeyRepository } from '../../../core/index.js';
import type { ApiKeyRow } from '../schema/entities.js';
import { compact, idOf, requireId, requireScope, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { normalizeTimestamp, optionalTimestampFromDb, timestampFromDb } from '../util/time.js';

function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return compact({
    id: row.id, orgId: row.orgId, name: row.name, prefix: row.prefix, hash: row.hash, scopes: [...(row.scopes ?? [])],
    createdAt: timestampFromDb(row.createdAt), lastUsedAt: optionalTimestampFromDb(row.lastUsedAt), revokedAt: optionalTimestampFromDb(row.revokedAt),
  }) as ApiKeyRecord;
}

/** API keys: stored as prefix + hash; looked up by prefix before the org is known (that is how a request finds it). */
export function apiKeyRepository(ctx: StoreContext): ApiKeyRepository {
  const { ApiKey } = ctx.db.entities;
  return {
    create(scope, key) {
      return ctx.work('apiKeys.create', async (em) => {
        const orgId = requireScope(scope, 'apiKeys.create');
        requireId('api key id', key?.id);
        requireId('api key prefix', key.prefix);
        requireId('api key hash', key.hash);
        if (!Array.isArray(key.scopes) || key.scopes.some((s) => typeof s !== 'string')) {
          throw sdkError('ASDK_STORAGE_INVALID', { what: 'api key scopes', reason: `expected an array of strings, found ${JSON.stringify(key.scopes)}`, fix: 'Pass scopes such as ["admin"]' });
        }
        const row: ApiKeyRow = {
          id: key.id, orgId, name: key.name ?? '', prefix: key.prefix, hash: key.hash, scopes: [...key.scopes],
          createdAt: ctx.now(), lastUsedAt: null, revokedAt: null,
        };
        try {
          await em.insert(ApiKey, row);
        } catch (error) {
          if (isUniqueViolation(error)) throw sdkError('ASDK_STORAGE_CONFLICT', { entity: 'api key', what: `"${key.id}"`, orgId, field: 'id' });
          throw error;
        }
        return toApiKey(row);
      });
    },
    findByPrefix(prefix) {
      return ctx.work('apiKeys.findByPrefix', async (em) => {
        if (typeof prefix !== 'string' || !prefix) return [];
        return (await em.find(ApiKey, { prefix }, { orderBy: { createdAt: 'asc', id: 'asc' } })).map(toApiKey);
      });
    },
    list(scope, page) {
      return ctx.work('apiKeys.list', (em) =>
        keysetPage(em, ApiKey, { orgId: requireScope(scope, 'apiKeys.list') }, page, {
          list: 'api-keys', sort: 'createdAt', direction: 'desc', sortValue: (r) => timestampFromDb(r.createdAt), map: toApiKey,
        }),
      );
    },
    revoke(scope, id) {
      return ctx.work('apiKeys.revoke', async (em) => {
        const orgId = requireScope(scope, 'apiKeys.revoke');
        return (await em.nativeUpdate(ApiKey, { id: idOf(id), orgId, revokedAt: null }, { revokedAt: ctx.now() })) > 0;
      });
    },
    touch(scope, id, at) {
      return ctx.work('apiKeys.touch', async (em) => {
        const orgId = requireScope(scope, 'apiKeys.touch');
        await em.nativeUpdate(ApiKey, { id: idOf(id), orgId }, { lastUsedAt: normalizeTimestamp(at, 'api key lastUsedAt') });
      });
    },
  };
}
