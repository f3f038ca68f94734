import { EntitySchema } from '@mikro-orm/core';
import { JsonColumnType } from './json-text.js';

/** The two SQL dialects the adapter speaks. */
export type Dialect = 'sqlite' | 'postgres';

// Rows as the database holds them: nullable columns are `null`, timestamps are ISO 8601 strings in UTC with
// milliseconds (`2026-01-31T12:00:00.000Z`, sortable as text on SQLite; timestamptz on Postgres).

export interface OrgRow { id: string; name: string; createdAt: string }
/** `emailKey` is the email in lower case: emails are unique per org regardless of case. */
export interface UserRow { id: string; orgId: string; email: string; emailKey: string; name: string | null; role: string; createdAt: string }
export interface ApiKeyRow {
  id: string; orgId: string; name: string; prefix: string; hash: string; scopes: string[];
  createdAt: string; lastUsedAt: string | null; revokedAt: string | null;
}
export interface SessionRow {
  id: string; orgId: string; title: string | null; preset: string | null; metadata: Record<string, unknown> | null;
  createdAt: string; updatedAt: string;
}
export interface RunRow {
  id: string; orgId: string; sessionId: string; parentRunId: string | null; preset: string | null; agent: string | null;
  status: string; input: string; output: string | null; usage: Record<string, unknown> | null;
  error: { code: string; message: string } | null; idempotencyKey: string | null;
  createdAt: string; startedAt: string | null; finishedAt: string | null;
}
export interface EventRow {
  runId: string; seq: number; orgId: string; sessionId: string; parentRunId: string | null;
  stream: string; type: string; ts: string; data: unknown; origin: Record<string, unknown> | null;
}
export interface MessageRow { sessionId: string; position: number; orgId: string; runId: string | null; message: Record<string, unknown>; createdAt: string }
export interface CollectionRow { id: string; orgId: string; name: string; createdAt: string }
export interface DocumentRow {
  id: string; orgId: string; collectionId: string; source: string; title: string | null; contentHash: string;
  metadata: Record<string, unknown> | null; createdAt: string; updatedAt: string;
}
export interface ChunkRow {
  id: string; orgId: string; documentId: string; position: number; text: string;
  metadata: Record<string, unknown> | null; vector: Buffer | null; dimensions: number | null;
}
export interface AuditRow {
  orgId: string; seq: number; id: string; actor: string; action: string; target: string | null;
  details: Record<string, unknown> | null; ts: string; hash: string;
}
export interface UsageRow { orgId: string; period: string; metric: string; value: number }
export interface IdempotencyRow {
  orgId: string; key: string; requestHash: string; state: string; response: { status: number; body: unknown } | null;
  runId: string | null; createdAt: string; expiresAt: string;
}

/** The entity schemas of one ORM instance (fresh objects each call: MikroORM initialises them in place). */
export interface Entities {
  readonly Org: EntitySchema<OrgRow>;
  readonly User: EntitySchema<UserRow>;
  readonly ApiKey: EntitySchema<ApiKeyRow>;
  readonly Session: EntitySchema<SessionRow>;
  readonly Run: EntitySchema<RunRow>;
  readonly Event: EntitySchema<EventRow>;
  readonly Message: EntitySchema<MessageRow>;
  readonly Collection: EntitySchema<CollectionRow>;
  readonly Document: EntitySchema<DocumentRow>;
  readonly Chunk: EntitySchema<ChunkRow>;
  readonly Audit: EntitySchema<AuditRow>;
  readonly Usage: EntitySchema<UsageRow>;
  readonly Idempotency: EntitySchema<IdempotencyRow>;
}

/**
 * Entity definitions without decorators. Every tenant table has `org_id`. There are no foreign-key
 * constraints: the repositories check ownership (which a foreign key cannot: it does not know the org) and
 * delete dependants explicitly in one transaction, and the event log's inserts stay cheap.
 */
export function defineEntities(dialect: Dialect): Entities {
  const time = { type: 'string', columnType: dialect === 'postgres' ? 'timestamptz(3)' : 'text' } as const;
  const text = { type: 'text' } as const;
  const json = { type: JsonColumnType } as const;
  const int = { type: 'integer' } as const;
  const id = { ...text, primary: true } as const;
  const nullable = <T extends object>(p: T) => ({ ...p, nullable: true }) as T & { nullable: true };

  const Org = new EntitySchema<OrgRow>({
    name: 'Org',
    tableName: 'orgs',
    properties: { id, name: text, createdAt: time },
  });
  const User = new EntitySchema<UserRow>({
    name: 'User',
    tableName: 'users',
    properties: { id, orgId: text, email: text, emailKey: text, name: nullable(text), role: text, createdAt: time },
    uniques: [{ name: 'users_org_email_unique', properties: ['orgId', 'emailKey'] }],
    indexes: [{ name: 'users_org_created_index', properties: ['orgId', 'createdAt', 'id'] }],
  });
  const ApiKey = new EntitySchema<ApiKeyRow>({
    name: 'ApiKey',
    tableName: 'api_keys',
    properties: {
      id, orgId: text, name: text, prefix: text, hash: text, scopes: json,
      createdAt: time, lastUsedAt: nullable(time), revokedAt: nullable(time),
    },
    indexes: [
      { name: 'api_keys_prefix_index', properties: ['prefix'] },
      { name: 'api_keys_org_created_index', properties: ['orgId', 'createdAt', 'id'] },
    ],
  });
  const Session = new EntitySchema<SessionRow>({
    name: 'Session',
    tableName: 'sessions',
    // Keyed per org: clients name sessions, and one org's name must not block (or reveal) another's.
    properties: { orgId: id, id, title: nullable(text), preset: nullable(text), metadata: nullable(json), createdAt: time, updatedAt: time },
    indexes: [{ name: 'sessions_org_updated_index', properties: ['orgId', 'updatedAt', 'id'] }],
  });
  const Run = new EntitySchema<RunRow>({
    name: 'Run',
    tableName: 'runs',
    properties: {
      id, orgId: text, sessionId: text, parentRunId: nullable(text), preset: nullable(text), agent: nullable(text),
      status: text, input: text, output: nullable(text), usage: nullable(json), error: nullable(json),
      idempotencyKey: nullable(text), createdAt: time, startedAt: nullable(time), finishedAt: nullable(time),
    },
    uniques: [{ name: 'runs_org_idempotency_key_unique', properties: ['orgId', 'idempotencyKey'] }],
    indexes: [{ name: 'runs_session_created_index', properties: ['sessionId', 'createdAt', 'id'] }],
  });
  const Event = new EntitySchema<EventRow>({
    name: 'Event',
    tableName: 'events',
    properties: {
      runId: id, seq: { ...int, primary: true }, orgId: text, sessionId: text, parentRunId: nullable(text),
      stream: text, type: text, ts: time, data: json, origin: nullable(json),
    },
  });
  const Message = new EntitySchema<MessageRow>({
    name: 'Message',
    tableName: 'messages',
    properties: { orgId: id, sessionId: id, position: { ...int, primary: true }, runId: nullable(text), message: json, createdAt: time },
  });
  const Collection = new EntitySchema<CollectionRow>({
    name: 'Collection',
    tableName: 'collections',
    properties: { id, orgId: text, name: text, createdAt: time },
    uniques: [{ name: 'collections_org_name_unique', properties: ['orgId', 'name'] }],
    indexes: [{ name: 'collections_org_created_index', properties: ['orgId', 'createdAt', 'id'] }],
  });
  const Document = new EntitySchema<DocumentRow>({
    name: 'Document',
    tableName: 'documents',
    properties: {
      id, orgId: text, collectionId: text, source: text, title: nullable(text), contentHash: text,
      metadata: nullable(json), createdAt: time, updatedAt: time,
    },
    uniques: [{ name: 'documents_collection_source_unique', properties: ['collectionId', 'source'] }],
    indexes: [
      { name: 'documents_collection_created_index', properties: ['collectionId', 'createdAt', 'id'] },
      // Content-hash dedupe of the RAG ingestion (migration 0002_rag_index).
      { name: 'documents_collection_hash_index', properties: ['collectionId', 'contentHash'] },
    ],
  });
  const Chunk = new EntitySchema<ChunkRow>({
    name: 'Chunk',
    tableName: 'chunks',
    properties: {
      id, orgId: text, documentId: text, position: int, text,
      metadata: nullable(json), vector: nullable({ type: 'blob' }), dimensions: nullable(int),
    },
    indexes: [
      { name: 'chunks_document_position_index', properties: ['documentId', 'position'] },
      { name: 'chunks_org_index', properties: ['orgId'] },
    ],
  });
  const Audit = new EntitySchema<AuditRow>({
    name: 'Audit',
    tableName: 'audit_log',
    properties: {
      orgId: id, seq: { ...int, primary: true }, id: text, actor: text, action: text, target: nullable(text),
      details: nullable(json), ts: time, hash: text,
    },
    uniques: [{ name: 'audit_log_id_unique', properties: ['id'] }],
  });
  const Usage = new EntitySchema<UsageRow>({
    name: 'Usage',
    tableName: 'usage_counters',
    properties: { orgId: id, period: id, metric: id, value: { type: 'double' } },
  });
  const Idempotency = new EntitySchema<IdempotencyRow>({
    name: 'Idempotency',
    tableName: 'idempotency_keys',
    properties: {
      orgId: id, key: id, requestHash: text, state: text, response: nullable(json), runId: nullable(text),
      createdAt: time, expiresAt: time,
    },
    indexes: [{ name: 'idempotency_keys_expires_index', properties: ['expiresAt'] }],
  });
  return { Org, User, ApiKey, Session, Run, Event, Message, Collection, Document, Chunk, Audit, Usage, Idempotency };
}
