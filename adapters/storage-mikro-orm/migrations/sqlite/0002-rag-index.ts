import { Migration } from '@mikro-orm/migrations';

/**
 * SQLite: what the RAG index needs beside `chunks`, kept current by triggers so every writer (the documents
 * repository, another process, a restore) keeps it right without knowing about it:
 *
 * - `rag_collection_state`: a revision per collection, bumped by every insert, update or delete of one of its
 *   documents (an upsert replaces a document and its chunks in one transaction, so one bump covers the chunks);
 *   the index compares it to decide whether its in-memory vectors are current. Also the embedding model the
 *   collection was built with.
 * - `rag_chunk_keys`: an INTEGER key per chunk (stable across VACUUM, unlike the rowid of `chunks`, whose key is
 *   text), with the chunk's org and collection for filtering.
 * - `rag_chunks_fts`: an FTS5 full-text index of chunk texts, contentless (the text stays in `chunks` only),
 *   keyed by `rag_chunk_keys.id`; ranked with bm25(). Needs SQLite with FTS5 (the bundled sqlite3 build has it).
 *
 * And an index on documents (collection_id, content_hash) for the ingestion's content-hash dedupe.
 *
 * The `rag_` tables are left out of the schema generator's diff (open-orm.ts), so they need no entities.
 */
export class SqliteRagIndex extends Migration {
  override up(): void {
    this.addSql('create index `documents_collection_hash_index` on `documents` (`collection_id`, `content_hash`);');
    this.addSql('create table `rag_collection_state` (`collection_id` text not null, `org_id` text not null, `revision` integer not null default 0, `embedding_model` text null, `dimensions` integer null, primary key (`collection_id`));');
    this.addSql('create table `rag_chunk_keys` (`id` integer not null primary key, `chunk_id` text not null, `org_id` text not null, `collection_id` text not null, `document_id` text not null);');
    this.addSql('create unique index `rag_chunk_keys_chunk_unique` on `rag_chunk_keys` (`chunk_id`);');
    this.addSql('create index `rag_chunk_keys_collection_index` on `rag_chunk_keys` (`org_id`, `collection_id`, `id`);');
    this.addSql("create virtual table `rag_chunks_fts` using fts5(`text`, content='', tokenize='porter unicode61 remove_diacritics 2');");
    this.addSql(
      'create trigger `rag_chunks_after_insert` after insert on `chunks` begin ' +
        'insert into `rag_chunk_keys` (`chunk_id`, `org_id`, `collection_id`, `document_id`) select new.`id`, new.`org_id`, d.`collection_id`, new.`document_id` from `documents` d where d.`id` = new.`document_id`; ' +
        'insert into `rag_chunks_fts` (rowid, `text`) select k.`id`, new.`text` from `rag_chunk_keys` k where k.`chunk_id` = new.`id`; ' +
        'end;',
    );
    this.addSql(
      'create trigger `rag_chunks_after_delete` after delete on `chunks` begin ' +
        "insert into `rag_chunks_fts` (`rag_chunks_fts`, rowid, `text`) select 'delete', k.`id`, old.`text` from `rag_chunk_keys` k where k.`chunk_id` = old.`id`; " +
        'delete from `rag_chunk_keys` where `chunk_id` = old.`id`; ' +
        'end;',
    );
    this.addSql(
      'create trigger `rag_chunks_after_update` after update of `id`, `text`, `document_id`, `org_id` on `chunks` begin ' +
        "insert into `rag_chunks_fts` (`rag_chunks_fts`, rowid, `text`) select 'delete', k.`id`, old.`text` from `rag_chunk_keys` k where k.`chunk_id` = old.`id`; " +
        'delete from `rag_chunk_keys` where `chunk_id` = old.`id`; ' +
        'insert into `rag_chunk_keys` (`chunk_id`, `org_id`, `collection_id`, `document_id`) select new.`id`, new.`org_id`, d.`collection_id`, new.`document_id` from `documents` d where d.`id` = new.`document_id`; ' +
        'insert into `rag_chunks_fts` (rowid, `text`) select k.`id`, new.`text` from `rag_chunk_keys` k where k.`chunk_id` = new.`id`; ' +
        'end;',
    );
    const bump = (collection: string, org: string) =>
      `insert into \`rag_collection_state\` (\`collection_id\`, \`org_id\`, \`revision\`) values (${collection}, ${org}, 1) ` +
      'on conflict (`collection_id`) do update set `revision` = `revision` + 1;';
    this.addSql(`create trigger \`rag_documents_after_insert\` after insert on \`documents\` begin ${bump('new.`collection_id`', 'new.`org_id`')} end;`);
    this.addSql(`create trigger \`rag_documents_after_delete\` after delete on \`documents\` begin ${bump('old.`collection_id`', 'old.`org_id`')} end;`);
    this.addSql(
      `create trigger \`rag_documents_after_update\` after update on \`documents\` begin ${bump('old.`collection_id`', 'old.`org_id`')} ` +
        'insert into `rag_collection_state` (`collection_id`, `org_id`, `revision`) select new.`collection_id`, new.`org_id`, 1 where new.`collection_id` <> old.`collection_id` ' +
        'on conflict (`collection_id`) do update set `revision` = `revision` + 1; end;',
    );
    // Chunks stored before this migration.
    this.addSql('insert into `rag_chunk_keys` (`chunk_id`, `org_id`, `collection_id`, `document_id`) select c.`id`, c.`org_id`, d.`collection_id`, c.`document_id` from `chunks` c join `documents` d on d.`id` = c.`document_id`;');
    this.addSql('insert into `rag_chunks_fts` (rowid, `text`) select k.`id`, c.`text` from `rag_chunk_keys` k join `chunks` c on c.`id` = k.`chunk_id`;');
    this.addSql('insert into `rag_collection_state` (`collection_id`, `org_id`, `revision`) select `id`, `org_id`, 1 from `collections`;');
  }

  override down(): void {
    for (const trigger of ['rag_documents_after_update', 'rag_documents_after_delete', 'rag_documents_after_insert', 'rag_chunks_after_update', 'rag_chunks_after_delete', 'rag_chunks_after_insert']) {
      this.addSql(`drop trigger if exists \`${trigger}\`;`);
    }
    this.addSql('drop table if exists `rag_chunks_fts`;');
    this.addSql('drop table if exists `rag_chunk_keys`;');
    this.addSql('drop table if exists `rag_collection_state`;');
    this.addSql('drop index if exists `documents_collection_hash_index`;');
  }
}
