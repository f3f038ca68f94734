import { randomUUID } from 'node:crypto';
import { DEFAULT_ORG_ID, type ApiKeyRecord, type Org, type StoragePort, type StoredMessage } from '../../core/index.js';
import { documentRepository } from './document-repository.js';
import { idempotencyRepository } from './idempotency-repository.js';
import { cascadeSession, eventLog, messageRepository, runRepository, type RunLog } from './run-repositories.js';
import {
  apiKeyRepository,
  auditRepository,
  orgRepository,
  sessionRepository,
  usageRepository,
  userRepository,
  type MemoryContext,
  type Row,
} from './tenant-repositories.js';

export interface MemoryStorageOptions {
  /** ISO time of "now", for tests that pin timestamps. Default: the system clock. */
  readonly now?: () => string;
  /** Ids of new collections. Default: random UUIDs. */
  readonly newId?: () => string;
}

/** A memory storage, plus what tests of it want to see. */
export interface MemoryStorage extends StoragePort {
  /** Number of runs whose events are held (for leak checks in tests and benchmarks). */
  readonly runLogCount: number;
  /** Drops every row. */
  clear(): void;
}

/**
 * A StoragePort held in memory: every repository, org-scoped like the SQL adapters, gapless seq, keyset
 * pagination. Nothing survives the process; it grows until `clear()`. For tests, benchmarks and the
 * "no persistence" embedded use.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage();
 * await storage.sessions.create(DEFAULT_ORG, { id: 's1' });
 * ```
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  let ord = 0;
  const tables = new Map<string, Map<string, Row<unknown>>>();
  const orgs = new Map<string, Row<Org>>();
  // Single-tenant use passes DEFAULT_ORG without creating it: it exists from the start, as in the SQL adapters.
  orgs.set(DEFAULT_ORG_ID, { value: Object.freeze({ id: DEFAULT_ORG_ID, name: 'Default', createdAt: (options.now ?? (() => new Date().toISOString()))() }), ord: ++ord });
  const logs = new Map<string, RunLog>();
  const messages = new Map<string, StoredMessage[]>();
  const keysByPrefix = new Map<string, Set<string>>();
  const allKeys = new Map<string, Row<ApiKeyRecord>>();

  const ctx: MemoryContext = {
    now: options.now ?? (() => new Date().toISOString()),
    nextOrd: () => ++ord,
    table<T>(name: string, orgId: string) {
      const key = `${name}\u0000${orgId}`;
      let table = tables.get(key);
      if (!table) tables.set(key, (table = new Map()));
      return table as Map<string, Row<T>>;
    },
    onSessionDeleted: (scope, sessionId) => cascadeSession(ctx, logs, messages, scope, sessionId),
  };

  /** Orgs that have rows in a table (every org that ever wrote, not only those in `orgs`). */
  const orgIdsWith = (name: string) => [...tables.keys()].filter((key) => key.startsWith(`${name}\u0000`)).map((key) => key.slice(name.length + 1));

  return {
    orgs: orgRepository(ctx, orgs),
    users: userRepository(ctx),
    apiKeys: apiKeyRepository(ctx, keysByPrefix, allKeys),
    sessions: sessionRepository(ctx),
    runs: runRepository(ctx),
    events: eventLog(ctx, logs),
    messages: messageRepository(ctx, messages),
    documents: documentRepository(ctx, options.newId ?? randomUUID),
    audit: auditRepository(ctx),
    usage: usageRepository(ctx),
    idempotency: idempotencyRepository(ctx, () => orgIdsWith('idempotency')),
    async flush() {},
    async health() {
      return { ok: true, adapter: 'memory', detail: 'in-process memory; nothing is persisted', pendingMigrations: 0 };
    },
    get runLogCount() {
      return logs.size;
    },
    clear() {
      for (const map of [tables, orgs, logs, messages, keysByPrefix, allKeys] as Map<string, unknown>[]) map.clear();
    },
  };
}
