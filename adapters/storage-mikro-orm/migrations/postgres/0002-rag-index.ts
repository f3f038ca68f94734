import { Migration } from '@mikro-orm/migrations';

/**
 * Postgres: what the RAG index needs beside `chunks`, kept current by triggers so every writer keeps it right
 * without knowing about it:
 *
 * - `rag_collection_state`: a revision per collection, bumped by every insert, update or delete of one of its
 *   documents (an upsert replaces a document and its chunks in one transaction, so one bump covers the chunks);
 *   the index compares it to decide whether its in-memory vectors are current. Also the embedding model the
 *   collection was built with, and the revision its pgvector copy was last synced at.
 * - `rag_chunk_search`: each chunk's org, collection and `to_tsvector('english', text)`, with a GIN index, for
 *   full-text search ranked by ts_rank_cd. Written by statement-level triggers on `chunks` (one insert per
 *   statement, however many rows the statement wrote).
 *
 * And an index on documents (collection_id, content_hash) for the ingestion's content-hash dedupe.
 *
 * `rag_chunk_vectors` (pgvector) is created at run time, when the extension is installed (repositories/pgvector.ts);
 * `down()` drops it too. The `rag_` tables are left out of the schema generator's diff (open-orm.ts), so they need no entities.
 */
export class PostgresRagIndex extends Migration {
  override up(): void {
    this.addSql('create index "documents_collection_hash_index" on "documents" ("collection_id", "content_hash");');
    this.addSql('create table "rag_collection_state" ("collection_id" text not null, "org_id" text not null, "revision" bigint not null default 0, "embedding_model" text null, "dimensions" int null, "pgvector_revision" bigint null, constraint "rag_collection_state_pkey" primary key ("collection_id"));');
    this.addSql('create table "rag_chunk_search" ("chunk_id" text not null, "org_id" text not null, "collection_id" text not null, "document_id" text not null, "tsv" tsvector not null, constraint "rag_chunk_search_pkey" primary key ("chunk_id"));');
    this.addSql('create index "rag_chunk_search_tsv_index" on "rag_chunk_search" using gin ("tsv");');
    this.addSql('create index "rag_chunk_search_collection_index" on "rag_chunk_search" ("org_id", "collection_id", "chunk_id");');

    this.addSql(`create function "rag_chunks_inserted"() returns trigger language plpgsql as $$
begin
  insert into "rag_chunk_search" ("chunk_id", "org_id", "collection_id", "document_id", "tsv")
    select n."id", n."org_id", d."collection_id", n."document_id", to_tsvector('english', n."text")
    from "rag_new_chunks" n join "documents" d on d."id" = n."document_id";
  return null;
end $$;`);
    this.addSql(`create function "rag_chunks_deleted"() returns trigger language plpgsql as $$
begin
  delete from "rag_chunk_search" s using "rag_old_chunks" o where s."chunk_id" = o."id";
  return null;
end $$;`);
    this.addSql(`create function "rag_chunks_updated"() returns trigger language plpgsql as $$
begin
  delete from "rag_chunk_search" s using "rag_old_chunks" o where s."chunk_id" = o."id";
  insert into "rag_chunk_search" ("chunk_id", "org_id", "collection_id", "document_id", "tsv")
    select n."id", n."org_id", d."collection_id", n."document_id", to_tsvector('english', n."text")
    from "rag_new_chunks" n join "documents" d on d."id" = n."document_id";
  return null;
end $$;`);
    this.addSql('create trigger "rag_chunks_after_insert" after insert on "chunks" referencing new table as "rag_new_chunks" for each statement execute function "rag_chunks_inserted"();');
    this.addSql('create trigger "rag_chunks_after_delete" after delete on "chunks" referencing old table as "rag_old_chunks" for each statement execute function "rag_chunks_deleted"();');
    this.addSql('create trigger "rag_chunks_after_update" after update on "chunks" referencing old table as "rag_old_chunks" new table as "rag_new_chunks" for each statement execute function "rag_chunks_updated"();');

    this.addSql(`create function "rag_documents_changed"() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    insert into "rag_collection_state" ("collection_id", "org_id", "revision") values (old."collection_id", old."org_id", 1)
      on conflict ("collection_id") do update set "revision" = "rag_collection_state"."revision" + 1;
  end if;
  if tg_op = 'INSERT' or (tg_op = 'UPDATE' and new."collection_id" <> old."collection_id") then
    insert into "rag_collection_state" ("collection_id", "org_id", "revision") values (new."collection_id", new."org_id", 1)
      on conflict ("collection_id") do update set "revision" = "rag_collection_state"."revision" + 1;
  end if;
  return null;
end $$;`);
    this.addSql('create trigger "rag_documents_after_change" after insert or update or delete on "documents" for each row execute function "rag_documents_changed"();');

    // Chunks stored before this migration.
    this.addSql(`insert into "rag_chunk_search" ("chunk_id", "org_id", "collection_id", "document_id", "tsv")
      select c."id", c."org_id", d."collection_id", c."document_id", to_tsvector('english', c."text") from "chunks" c join "documents" d on d."id" = c."document_id";`);
    this.addSql('insert into "rag_collection_state" ("collection_id", "org_id", "revision") select "id", "org_id", 1 from "collections";');
  }

  override down(): void {
    this.addSql('drop trigger if exists "rag_documents_after_change" on "documents";');
    this.addSql('drop trigger if exists "rag_chunks_after_update" on "chunks";');
    this.addSql('drop trigger if exists "rag_chunks_after_delete" on "chunks";');
    this.addSql('drop trigger if exists "rag_chunks_after_insert" on "chunks";');
    this.addSql('drop function if exists "rag_documents_changed"();');
    this.addSql('drop function if exists "rag_chunks_updated"();');
    this.addSql('drop function if exists "rag_chunks_deleted"();');
    this.addSql('drop function if exists "rag_chunks_inserted"();');
    this.addSql('drop table if exists "rag_chunk_vectors";');
    this.addSql('drop table if exists "rag_chunk_search";');
    this.addSql('drop table if exists "rag_collection_state";');
    this.addSql('drop index if exists "documents_collection_hash_index";');
  }
}
