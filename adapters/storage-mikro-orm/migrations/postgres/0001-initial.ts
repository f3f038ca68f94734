import { Migration } from '@mikro-orm/migrations';

/**
 * Postgres: the first schema (orgs, users, api keys, sessions, runs, the event log, session memory, collections,
 * documents and chunks, the audit log, usage counters and idempotency keys). Written from the entity definitions
 * by the schema generator; test/adapters/storage-mikro-orm/migrations.test.ts fails when they drift apart.
 */
export class PostgresInitial extends Migration {
  override up(): void {
    this.addSql('create table "api_keys" ("id" text not null, "org_id" text not null, "name" text not null, "prefix" text not null, "hash" text not null, "scopes" jsonb not null, "created_at" timestamptz(3) not null, "last_used_at" timestamptz(3) null, "revoked_at" timestamptz(3) null, constraint "api_keys_pkey" primary key ("id"));');
    this.addSql('create index "api_keys_prefix_index" on "api_keys" ("prefix");');
    this.addSql('create index "api_keys_org_created_index" on "api_keys" ("org_id", "created_at", "id");');
    this.addSql('create table "audit_log" ("org_id" text not null, "seq" int not null, "id" text not null, "actor" text not null, "action" text not null, "target" text null, "details" jsonb null, "ts" timestamptz(3) not null, "hash" text not null, constraint "audit_log_pkey" primary key ("org_id", "seq"));');
    this.addSql('alter table "audit_log" add constraint "audit_log_id_unique" unique ("id");');
    this.addSql('create table "chunks" ("id" text not null, "org_id" text not null, "document_id" text not null, "position" int not null, "text" text not null, "metadata" jsonb null, "vector" bytea null, "dimensions" int null, constraint "chunks_pkey" primary key ("id"));');
    this.addSql('create index "chunks_document_position_index" on "chunks" ("document_id", "position");');
    this.addSql('create index "chunks_org_index" on "chunks" ("org_id");');
    this.addSql('create table "collections" ("id" text not null, "org_id" text not null, "name" text not null, "created_at" timestamptz(3) not null, constraint "collections_pkey" primary key ("id"));');
    this.addSql('create index "collections_org_created_index" on "collections" ("org_id", "created_at", "id");');
    this.addSql('alter table "collections" add constraint "collections_org_name_unique" unique ("org_id", "name");');
    this.addSql('create table "documents" ("id" text not null, "org_id" text not null, "collection_id" text not null, "source" text not null, "title" text null, "content_hash" text not null, "metadata" jsonb null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "documents_pkey" primary key ("id"));');
    this.addSql('create index "documents_collection_created_index" on "documents" ("collection_id", "created_at", "id");');
    this.addSql('alter table "documents" add constraint "documents_collection_source_unique" unique ("collection_id", "source");');
    this.addSql('create table "events" ("run_id" text not null, "seq" int not null, "org_id" text not null, "session_id" text not null, "parent_run_id" text null, "stream" text not null, "type" text not null, "ts" timestamptz(3) not null, "data" jsonb not null, "origin" jsonb null, constraint "events_pkey" primary key ("run_id", "seq"));');
    this.addSql('create table "idempotency_keys" ("org_id" text not null, "key" text not null, "request_hash" text not null, "state" text not null, "response" jsonb null, "run_id" text null, "created_at" timestamptz(3) not null, "expires_at" timestamptz(3) not null, constraint "idempotency_keys_pkey" primary key ("org_id", "key"));');
    this.addSql('create index "idempotency_keys_expires_index" on "idempotency_keys" ("expires_at");');
    this.addSql('create table "messages" ("session_id" text not null, "position" int not null, "org_id" text not null, "run_id" text null, "message" jsonb not null, "created_at" timestamptz(3) not null, constraint "messages_pkey" primary key ("session_id", "position"));');
    this.addSql('create table "orgs" ("id" text not null, "name" text not null, "created_at" timestamptz(3) not null, constraint "orgs_pkey" primary key ("id"));');
    this.addSql('create table "runs" ("id" text not null, "org_id" text not null, "session_id" text not null, "parent_run_id" text null, "preset" text null, "agent" text null, "status" text not null, "input" text not null, "output" text null, "usage" jsonb null, "error" jsonb null, "idempotency_key" text null, "created_at" timestamptz(3) not null, "started_at" timestamptz(3) null, "finished_at" timestamptz(3) null, constraint "runs_pkey" primary key ("id"));');
    this.addSql('create index "runs_session_created_index" on "runs" ("session_id", "created_at", "id");');
    this.addSql('alter table "runs" add constraint "runs_org_idempotency_key_unique" unique ("org_id", "idempotency_key");');
    this.addSql('create table "sessions" ("id" text not null, "org_id" text not null, "title" text null, "preset" text null, "metadata" jsonb null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "sessions_pkey" primary key ("id"));');
    this.addSql('create index "sessions_org_updated_index" on "sessions" ("org_id", "updated_at", "id");');
    this.addSql('create table "usage_counters" ("org_id" text not null, "period" text not null, "metric" text not null, "value" double precision not null, constraint "usage_counters_pkey" primary key ("org_id", "period", "metric"));');
    this.addSql('create table "users" ("id" text not null, "org_id" text not null, "email" text not null, "email_key" text not null, "name" text null, "role" text not null, "created_at" timestamptz(3) not null, constraint "users_pkey" primary key ("id"));');
    this.addSql('create index "users_org_created_index" on "users" ("org_id", "created_at", "id");');
    this.addSql('alter table "users" add constraint "users_org_email_unique" unique ("org_id", "email_key");');
  }

  override down(): void {
    this.addSql('drop table if exists "users";');
    this.addSql('drop table if exists "usage_counters";');
    this.addSql('drop table if exists "sessions";');
    this.addSql('drop table if exists "runs";');
    this.addSql('drop table if exists "orgs";');
    this.addSql('drop table if exists "messages";');
    this.addSql('drop table if exists "idempotency_keys";');
    this.addSql('drop table if exists "events";');
    this.addSql('drop table if exists "documents";');
    this.addSql('drop table if exists "collections";');
    this.addSql('drop table if exists "chunks";');
    this.addSql('drop table if exists "audit_log";');
    this.addSql('drop table if exists "api_keys";');
  }
}
