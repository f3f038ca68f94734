import { createHash } from 'node:crypto';
import {
  sdkError,
  type ApiKeyRecord,
  type ApiKeyRepository,
  type AuditEntry,
  type AuditRepository,
  type Org,
  type OrgRepository,
  type OrgScope,
  type Session,
  type SessionRepository,
  type UsageCounter,
  type UsageRepository,
  type User,
  type UserRepository,
} from '../../core/index.js';
import { paginate } from './pagination.js';

/** A stored row: the record as returned, and its insertion number (the tie-breaker of every ordering). */
export interface Row<T> {
  value: T;
  readonly ord: number;
}

/** Shared state of one memory storage: the clock and the insertion counter. */
export interface MemoryContext {
  now(): string;
  nextOrd(): number;
  /** Rows of one org in one table, created on first use. */
  table<T>(name: string, orgId: string): Map<string, Row<T>>;
  /** Called by session deletion so runs, events and messages go with it. */
  onSessionDeleted(scope: OrgScope, sessionId: string): void;
}

export function conflict(entity: string, what: string, orgId: string, field: string): Error {
  return sdkError('ASDK_STORAGE_CONFLICT', { entity, what, orgId, field });
}

export function notFound(entity: string, id: string, orgId: string): Error {
  return sdkError('ASDK_STORAGE_NOT_FOUND', { entity, id, orgId });
}

export function requireId(what: string, id: unknown): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
    throw sdkError('ASDK_STORAGE_INVALID', { what, reason: `expected a non-empty string of at most 200 characters, found ${JSON.stringify(id)}`, fix: `Pass a valid ${what}` });
  }
}

interface Ordering {
  sortValue(row: Row<any>): string | number;
  order(row: Row<any>): number;
  descending: boolean;
}

const newestFirst: Ordering = { sortValue: (row) => row.value.createdAt, order: (row) => row.ord, descending: true };

function pageOf<T>(rows: Iterable<Row<T>>, options: Ordering, request?: { limit?: number; cursor?: string }) {
  const page = paginate(rows as Iterable<Row<any>>, options, request);
  return page.nextCursor ? { items: page.items.map((r) => r.value as T), nextCursor: page.nextCursor } : { items: page.items.map((r) => r.value as T) };
}

export function orgRepository(ctx: MemoryContext, orgs: Map<string, Row<Org>>): OrgRepository {
  return {
    async ensure({ id, name }) {
      requireId('org id', id);
      const existing = orgs.get(id);
      if (existing) return existing.value;
      const org: Org = Object.freeze({ id, name, createdAt: ctx.now() });
      orgs.set(id, { value: org, ord: ctx.nextOrd() });
      return org;
    },
    async get(id) {
      return orgs.get(id)?.value;
    },
    async list(page) {
      return pageOf(orgs.values(), newestFirst, page);
    },
  };
}

export function userRepository(ctx: MemoryContext): UserRepository {
  return {
    async create(scope, user) {
      requireId('user id', user.id);
      const users = ctx.table<User>('users', scope.orgId);
      if (users.has(user.id)) throw conflict('user', `"${user.id}"`, scope.orgId, 'id');
      for (const row of users.values()) {
        if (row.value.email.toLowerCase() === user.email.toLowerCase()) throw conflict('user', `with email ${user.email}`, scope.orgId, 'email');
      }
      const record: User = Object.freeze({ id: user.id, orgId: scope.orgId, email: user.email, ...(user.name !== undefined && { name: user.name }), role: user.role, createdAt: ctx.now() });
      users.set(user.id, { value: record, ord: ctx.nextOrd() });
      return record;
    },
    async get(scope, id) {
      return ctx.table<User>('users', scope.orgId).get(id)?.value;
    },
    async list(scope, page) {
      return pageOf(ctx.table<User>('users', scope.orgId).values(), newestFirst, page);
    },
  };
}

export function apiKeyRepository(ctx: MemoryContext, byPrefix: Map<string, Set<ApiKeyRecord['id']>>, allKeys: Map<string, Row<ApiKeyRecord>>): ApiKeyRepository {
  const keys = (orgId: string) => ctx.table<ApiKeyRecord>('apiKeys', orgId);
  const update = (scope: OrgScope, id: string, change: Partial<ApiKeyRecord>): boolean => {
    const row = keys(scope.orgId).get(id);
    if (!row) return false;
    row.value = Object.freeze({ ...row.value, ...change });
    allKeys.set(`${scope.orgId}\u0000${id}`, row);
    return true;
  };
  return {
    async create(scope, key) {
      requireId('api key id', key.id);
      const table = keys(scope.orgId);
      if (table.has(key.id)) throw conflict('api key', `"${key.id}"`, scope.orgId, 'id');
      const record: ApiKeyRecord = Object.freeze({ ...key, scopes: Object.freeze([...key.scopes]), orgId: scope.orgId, createdAt: ctx.now() });
      const row = { value: record, ord: ctx.nextOrd() };
      table.set(key.id, row);
      allKeys.set(`${scope.orgId}\u0000${key.id}`, row);
      const ids = byPrefix.get(key.prefix) ?? new Set();
      ids.add(`${scope.orgId}\u0000${key.id}`);
      byPrefix.set(key.prefix, ids);
      return record;
    },
    async findByPrefix(prefix) {
      return [...(byPrefix.get(prefix) ?? [])].map((ref) => allKeys.get(ref)!.value);
    },
    async list(scope, page) {
      return pageOf(keys(scope.orgId).values(), newestFirst, page);
    },
    async revoke(scope, id) {
      const row = keys(scope.orgId).get(id);
      if (!row || row.value.revokedAt) return false;
      return update(scope, id, { revokedAt: ctx.now() });
    },
    async touch(scope, id, at) {
      update(scope, id, { lastUsedAt: at });
    },
  };
}

export function sessionRepository(ctx: MemoryContext): SessionRepository {
  const sessions = (orgId: string) => ctx.table<Session>('sessions', orgId);
  return {
    async create(scope, session) {
      requireId('session id', session.id);
      const table = sessions(scope.orgId);
      if (table.has(session.id)) throw conflict('session', `"${session.id}"`, scope.orgId, 'id');
      const at = ctx.now();
      const record: Session = Object.freeze({
        id: session.id,
        orgId: scope.orgId,
        ...(session.title !== undefined && { title: session.title }),
        ...(session.preset !== undefined && { preset: session.preset }),
        ...(session.metadata !== undefined && { metadata: session.metadata }),
        createdAt: at,
        updatedAt: at,
      });
      table.set(session.id, { value: record, ord: ctx.nextOrd() });
      return record;
    },
    async get(scope, id) {
      return sessions(scope.orgId).get(id)?.value;
    },
    async list(scope, page) {
      return pageOf(sessions(scope.orgId).values(), { ...newestFirst, sortValue: (row: Row<any>) => (row.value as Session).updatedAt }, page);
    },
    async touch(scope, id, at) {
      const row = sessions(scope.orgId).get(id);
      if (row) row.value = Object.freeze({ ...row.value, updatedAt: at });
    },
    async delete(scope, id) {
      const deleted = sessions(scope.orgId).delete(id);
      if (deleted) ctx.onSessionDeleted(scope, id);
      return deleted;
    },
  };
}

export function auditRepository(ctx: MemoryContext): AuditRepository {
  return {
    async append(scope, entry) {
      const table = ctx.table<AuditEntry>('audit', scope.orgId);
      let previous: AuditEntry | undefined;
      for (const row of table.values()) previous = row.value;
      const seq = (previous?.seq ?? 0) + 1;
      const ts = ctx.now();
      const content = JSON.stringify([seq, entry.actor, entry.action, entry.target ?? null, entry.details ?? null, ts]);
      const hash = createHash('sha256').update(previous?.hash ?? '').update(content).digest('hex');
      const record: AuditEntry = Object.freeze({
        id: `${scope.orgId}:${seq}`,
        orgId: scope.orgId,
        seq,
        actor: entry.actor,
        action: entry.action,
        ...(entry.target !== undefined && { target: entry.target }),
        ...(entry.details !== undefined && { details: entry.details }),
        ts,
        hash,
      });
      table.set(record.id, { value: record, ord: ctx.nextOrd() });
      return record;
    },
    async list(scope, page) {
      return pageOf(ctx.table<AuditEntry>('audit', scope.orgId).values(), { ...newestFirst, sortValue: (row: Row<any>) => (row.value as AuditEntry).seq }, page);
    },
  };
}

export function usageRepository(ctx: MemoryContext): UsageRepository {
  return {
    async increment(scope, period, metric, amount) {
      const table = ctx.table<UsageCounter>('usage', scope.orgId);
      const key = `${period}\u0000${metric}`;
      const row = table.get(key);
      if (row) row.value = Object.freeze({ ...row.value, value: row.value.value + amount });
      else table.set(key, { value: Object.freeze({ orgId: scope.orgId, period, metric, value: amount }), ord: ctx.nextOrd() });
    },
    async get(scope, period) {
      return [...ctx.table<UsageCounter>('usage', scope.orgId).values()].map((row) => row.value).filter((counter) => counter.period === period);
    },
  };
}
