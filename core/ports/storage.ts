import type { EventDraft, EventEnvelope, Usage } from '../events/envelope.js';
import type { ChatMessage } from './model.js';

/**
 * The org a call acts for. Every tenant repository method takes it as its first, required argument, and a
 * row of another org is invisible through it (reads return nothing, writes refuse). Single-tenant use
 * passes {@link DEFAULT_ORG}.
 */
export interface OrgScope {
  readonly orgId: string;
}

export const DEFAULT_ORG_ID = 'default';
export const DEFAULT_ORG: OrgScope = Object.freeze({ orgId: DEFAULT_ORG_ID });

/** A page of a list, newest first unless a method says otherwise. `nextCursor` is opaque and stable. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface PageRequest {
  /** 1..200; default 50. */
  readonly limit?: number;
  readonly cursor?: string;
}

export interface Org {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface User {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly name?: string;
  readonly role: string;
  readonly createdAt: string;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  /** The first characters of the key, shown to people to tell keys apart; not secret. */
  readonly prefix: string;
  /** Hash of the whole key (never the key itself). */
  readonly hash: string;
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt?: string;
  readonly revokedAt?: string;
}

export interface Session {
  readonly id: string;
  readonly orgId: string;
  readonly title?: string;
  readonly preset?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunRecord {
  readonly id: string;
  readonly orgId: string;
  readonly sessionId: string;
  readonly parentRunId?: string;
  readonly preset?: string;
  readonly agent?: string;
  readonly status: RunStatus;
  readonly input: string;
  readonly output?: string;
  readonly usage?: Usage;
  readonly error?: { readonly code: string; readonly message: string };
  readonly idempotencyKey?: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

export type NewRun = Pick<RunRecord, 'id' | 'sessionId' | 'input'> &
  Partial<Pick<RunRecord, 'parentRunId' | 'preset' | 'agent' | 'idempotencyKey' | 'status'>>;

export type RunUpdate = Partial<Pick<RunRecord, 'status' | 'output' | 'usage' | 'error' | 'startedAt' | 'finishedAt'>>;

/** A message of a session's memory, in order (`position` increasing: from 1, and kept for life; see replacePrefix). */
export interface StoredMessage {
  readonly sessionId: string;
  readonly position: number;
  readonly runId?: string;
  readonly message: ChatMessage;
  readonly createdAt: string;
}

export interface Collection {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface DocumentRecord {
  readonly id: string;
  readonly orgId: string;
  readonly collectionId: string;
  readonly source: string;
  readonly title?: string;
  readonly contentHash: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ChunkRecord {
  readonly id: string;
  readonly orgId: string;
  readonly documentId: string;
  readonly position: number;
  readonly text: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Float32 embedding; absent until embedded. */
  readonly vector?: Float32Array;
}

export interface AuditEntry {
  readonly id: string;
  readonly orgId: string;
  readonly seq: number;
  readonly actor: string;
  readonly action: string;
  readonly target?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly ts: string;
  /** Hash of the previous entry's hash and this entry's content (a tamper-evident chain). */
  readonly hash: string;
}

export interface OrgRepository {
  ensure(org: { id: string; name: string }): Promise<Org>;
  get(id: string): Promise<Org | undefined>;
  list(page?: PageRequest): Promise<Page<Org>>;
}

export interface UserRepository {
  create(scope: OrgScope, user: Pick<User, 'id' | 'email' | 'role'> & { name?: string }): Promise<User>;
  get(scope: OrgScope, id: string): Promise<User | undefined>;
  list(scope: OrgScope, page?: PageRequest): Promise<Page<User>>;
}

export interface ApiKeyRepository {
  create(scope: OrgScope, key: Omit<ApiKeyRecord, 'orgId' | 'createdAt' | 'lastUsedAt' | 'revokedAt'>): Promise<ApiKeyRecord>;
  /** Keys are looked up by prefix before their org is known (that is how a request finds its org). */
  findByPrefix(prefix: string): Promise<readonly ApiKeyRecord[]>;
  list(scope: OrgScope, page?: PageRequest): Promise<Page<ApiKeyRecord>>;
  revoke(scope: OrgScope, id: string): Promise<boolean>;
  touch(scope: OrgScope, id: string, at: string): Promise<void>;
}

export interface SessionRepository {
  create(scope: OrgScope, session: Pick<Session, 'id'> & Partial<Pick<Session, 'title' | 'preset' | 'metadata'>>): Promise<Session>;
  get(scope: OrgScope, id: string): Promise<Session | undefined>;
  /** Newest first by `updatedAt`. */
  list(scope: OrgScope, page?: PageRequest): Promise<Page<Session>>;
  touch(scope: OrgScope, id: string, at: string): Promise<void>;
  delete(scope: OrgScope, id: string): Promise<boolean>;
}

export interface RunRepository {
  create(scope: OrgScope, run: NewRun): Promise<RunRecord>;
  get(scope: OrgScope, id: string): Promise<RunRecord | undefined>;
  update(scope: OrgScope, id: string, update: RunUpdate): Promise<RunRecord | undefined>;
  /** Runs of a session, oldest first. */
  listBySession(scope: OrgScope, sessionId: string, page?: PageRequest): Promise<Page<RunRecord>>;
  findByIdempotencyKey(scope: OrgScope, key: string): Promise<RunRecord | undefined>;
}

/**
 * The event log. `append` gives each event the next `seq` of its run (gapless, from 1, also under
 * concurrent appenders) and resolves once the events are durable; only then may anyone be told about them.
 * Appends from many runs are coalesced into multi-row inserts.
 */
export interface EventLog {
  append(scope: OrgScope, run: EventRunRef, drafts: readonly EventDraft[]): Promise<readonly EventEnvelope[]>;
  /** Events of a run with `seq > afterSeq`, in order, at most `limit` (default 1000). */
  read(scope: OrgScope, runId: string, afterSeq?: number, limit?: number): Promise<readonly EventEnvelope[]>;
  /** The highest seq of a run, 0 when it has none. */
  lastSeq(scope: OrgScope, runId: string): Promise<number>;
}

/** What the log needs to know about the run an event belongs to. */
export interface EventRunRef {
  readonly runId: string;
  readonly sessionId: string;
  readonly parentRunId?: string;
}

export interface MessageRepository {
  append(scope: OrgScope, sessionId: string, messages: readonly ChatMessage[], runId?: string): Promise<readonly StoredMessage[]>;
  /** The session's messages in order. */
  list(scope: OrgScope, sessionId: string): Promise<readonly StoredMessage[]>;
  /**
   * Replaces messages with position <= `throughPosition` by `replacement` (compaction). Positions are never
   * renumbered: the replacement ends at `throughPosition` (positions may go to 0 and below), later messages keep
   * theirs, so two compactions of one prefix at once replace each other instead of cutting into later history.
   */
  replacePrefix(scope: OrgScope, sessionId: string, throughPosition: number, replacement: readonly ChatMessage[]): Promise<void>;
}

export interface DocumentRepository {
  ensureCollection(scope: OrgScope, name: string): Promise<Collection>;
  getCollection(scope: OrgScope, name: string): Promise<Collection | undefined>;
  listCollections(scope: OrgScope, page?: PageRequest): Promise<Page<Collection>>;
  /** Inserts or replaces (by collection + source) a document and all its chunks, atomically. */
  upsertDocument(
    scope: OrgScope,
    document: Omit<DocumentRecord, 'orgId' | 'createdAt' | 'updatedAt'>,
    chunks: readonly Omit<ChunkRecord, 'orgId' | 'documentId'>[],
  ): Promise<DocumentRecord>;
  getDocument(scope: OrgScope, id: string): Promise<DocumentRecord | undefined>;
  findDocumentBySource(scope: OrgScope, collectionId: string, source: string): Promise<DocumentRecord | undefined>;
  listDocuments(scope: OrgScope, collectionId: string, page?: PageRequest): Promise<Page<DocumentRecord>>;
  /** Deletes the document with its chunks and vectors. */
  deleteDocument(scope: OrgScope, id: string): Promise<boolean>;
  listChunks(scope: OrgScope, documentId: string): Promise<readonly ChunkRecord[]>;
}

export interface AuditRepository {
  append(scope: OrgScope, entry: Pick<AuditEntry, 'actor' | 'action' | 'target' | 'details'>): Promise<AuditEntry>;
  list(scope: OrgScope, page?: PageRequest): Promise<Page<AuditEntry>>;
}

export interface UsageCounter {
  readonly orgId: string;
  readonly period: string;
  readonly metric: string;
  readonly value: number;
}

export interface UsageRepository {
  /** Adds `amount` to the counter (org, period such as `2026-11`, metric such as `tokens.input`). */
  increment(scope: OrgScope, period: string, metric: string, amount: number): Promise<void>;
  get(scope: OrgScope, period: string): Promise<readonly UsageCounter[]>;
}

/**
 * A key a client sent with a side-effecting request (`Idempotency-Key` on `POST /run`), kept per org until
 * `expiresAt` so a retry gets the first request's answer instead of a second effect.
 */
export interface IdempotencyRecord {
  readonly orgId: string;
  readonly key: string;
  /** A hash of the request the key was first used with; a retry with another request is a client error. */
  readonly requestHash: string;
  /** `pending` while the first request is being processed, `completed` once its response is stored. */
  readonly state: 'pending' | 'completed';
  /** The first request's response, once completed. */
  readonly response?: { readonly status: number; readonly body: unknown };
  readonly runId?: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** What `claim` found: the key was free (or expired) and is now this request's, or another request holds it. */
export type IdempotencyClaim = { readonly claimed: true; readonly record: IdempotencyRecord } | { readonly claimed: false; readonly record: IdempotencyRecord };

export interface IdempotencyRepository {
  /**
   * Claims `key` for a request, atomically (also across processes sharing the database): exactly one of
   * concurrent claims of a free or expired key gets `claimed: true`; the others get the record that holds it.
   */
  claim(scope: OrgScope, key: string, requestHash: string, ttlMs: number): Promise<IdempotencyClaim>;
  /** Stores the response of the request that claimed the key; false when the key is not pending in this org. */
  complete(scope: OrgScope, key: string, response: { status: number; body: unknown }, runId?: string): Promise<boolean>;
  /** Frees a pending key whose request failed before it had an answer, so a retry can claim it again. */
  release(scope: OrgScope, key: string): Promise<void>;
  get(scope: OrgScope, key: string): Promise<IdempotencyRecord | undefined>;
  /** Deletes records of every org that expired before `now` (maintenance); returns how many. */
  purgeExpired(now: string): Promise<number>;
}

/** The storage port: every repository, plus lifecycle. */
export interface StoragePort {
  readonly orgs: OrgRepository;
  readonly users: UserRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly sessions: SessionRepository;
  readonly runs: RunRepository;
  readonly events: EventLog;
  readonly messages: MessageRepository;
  readonly documents: DocumentRepository;
  readonly audit: AuditRepository;
  readonly usage: UsageRepository;
  readonly idempotency: IdempotencyRepository;
  /** Waits until every accepted append is durable (graceful shutdown calls it before close). */
  flush(): Promise<void>;
  /** Reachability and migration state, for `doctor` and `/health`. */
  health(): Promise<{ readonly ok: boolean; readonly adapter: string; readonly detail?: string; readonly pendingMigrations?: number }>;
}
