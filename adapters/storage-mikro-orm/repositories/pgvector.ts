import type { Logger } from '../../../core/index.js';
import type { MikroOrmStorage } from '../mikro-orm-storage.js';
import { blobToVector } from './documents.js';

export interface PgvectorOptions {
  /** `hnsw`: an HNSW index per vector length (approximate, fast on millions of rows); `none`: exact scans. */
  readonly index: 'hnsw' | 'none';
  readonly logger?: Logger;
}

export interface PgvectorHit {
  readonly chunkId: string;
  /** Cosine similarity. */
  readonly score: number;
}

const SYNC_BATCH = 1_000;

/**
 * Vector search inside Postgres with the pgvector extension, when it is installed (or can be: `create extension`
 * needs the right privileges). Vectors stay in `chunks.vector` (float32 bytes) as on every database; this keeps
 * a `vector` copy in `rag_chunk_vectors`, synced per collection when the collection's revision has moved (stale
 * rows are deleted, missing ones inserted), then searched with the cosine distance operator `<=>`.
 *
 * Returns undefined when pgvector is not available: the caller searches in memory instead.
 *
 * @example
 * ```ts
 * const pg = await openPgvector(storage, { index: 'hnsw' });
 * if (pg) await pg.sync('default', collectionId, state.revision);
 * ```
 */
export async function openPgvector(storage: MikroOrmStorage, options: PgvectorOptions) {
  if (storage.dialect !== 'postgres') return undefined;
  const knex = storage.knex;
  const rows = async <R>(sql: string, bindings: readonly unknown[] = []) => ((await knex.raw(sql, bindings as never)) as { rows: R[] }).rows;
  let [installed] = await rows<{ extversion: string }>("select extversion from pg_extension where extname = 'vector'");
  if (!installed) {
    const [available] = await rows<{ name: string }>("select name from pg_available_extensions where name = 'vector'");
    if (!available) return undefined;
    try {
      await knex.raw('create extension if not exists vector');
    } catch (error) {
      options.logger?.info('pgvector is available but could not be enabled; vectors are searched in memory', { reason: (error as Error).message });
      return undefined;
    }
    [installed] = await rows<{ extversion: string }>("select extversion from pg_extension where extname = 'vector'");
  }
  const version = installed.extversion;
  const iterative = compareVersions(version, '0.8.0') >= 0;
  await knex.raw(
    'create table if not exists "rag_chunk_vectors" ("chunk_id" text not null primary key, "org_id" text not null, "collection_id" text not null, ' +
      '"document_id" text not null, "dimensions" int not null, "embedding" vector not null)',
  );
  await knex.raw('create index if not exists "rag_chunk_vectors_collection_index" on "rag_chunk_vectors" ("org_id", "collection_id", "dimensions")');
  const indexed = new Set<number>();

  async function ensureIndex(dimensions: number): Promise<void> {
    if (options.index !== 'hnsw' || indexed.has(dimensions) || dimensions > 2000) return; // HNSW on `vector` stops at 2,000 dimensions
    await knex.raw(
      `create index if not exists "rag_chunk_vectors_hnsw_${dimensions}" on "rag_chunk_vectors" using hnsw (("embedding"::vector(${dimensions})) vector_cosine_ops) where "dimensions" = ${dimensions}`,
    );
    indexed.add(dimensions);
  }

  return {
    version,
    /** Brings the collection's pgvector copy to `revision` (no work when it is there already). */
    async sync(orgId: string, collectionId: string, revision: string, dimensions: number): Promise<void> {
      const [state] = await rows<{ pgvector_revision: string | null }>('select pgvector_revision from "rag_collection_state" where collection_id = ? and org_id = ?', [collectionId, orgId]);
      if (state?.pgvector_revision === revision) return;
      await ensureIndex(dimensions);
      await knex.raw(
        'delete from "rag_chunk_vectors" v where v.org_id = ? and v.collection_id = ? and not exists (select 1 from "rag_chunk_search" s where s.chunk_id = v.chunk_id)',
        [orgId, collectionId],
      );
      for (;;) {
        const missing = await rows<{ id: string; document_id: string; vector: Buffer }>(
          'select c.id, c.document_id, c.vector from "rag_chunk_search" s join "chunks" c on c.id = s.chunk_id ' +
            'left join "rag_chunk_vectors" v on v.chunk_id = s.chunk_id where s.org_id = ? and s.collection_id = ? and v.chunk_id is null and c.vector is not null limit ?',
          [orgId, collectionId, SYNC_BATCH],
        );
        if (!missing.length) break;
        const vectors = missing.map((row) => blobToVector(row.vector));
        await knex.raw(
          'insert into "rag_chunk_vectors" ("chunk_id", "org_id", "collection_id", "document_id", "dimensions", "embedding") ' +
            'select t.chunk_id, ?, ?, t.document_id, t.dimensions, t.embedding::vector from unnest(?::text[], ?::text[], ?::int[], ?::text[]) as t(chunk_id, document_id, dimensions, embedding) ' +
            'on conflict ("chunk_id") do nothing',
          [orgId, collectionId, missing.map((row) => row.id), missing.map((row) => row.document_id), vectors.map((v) => v.length), vectors.map(vectorLiteral)],
        );
        if (missing.length < SYNC_BATCH) break;
      }
      await knex.raw('update "rag_collection_state" set pgvector_revision = ? where collection_id = ? and org_id = ?', [revision, collectionId, orgId]);
    },

    /** The `limit` nearest chunks of the collection by cosine distance (of these documents, when given). */
    async nearest(orgId: string, collectionId: string, query: Float32Array, limit: number, documentIds?: readonly string[]): Promise<PgvectorHit[]> {
      const dims = query.length;
      const useIndex = options.index === 'hnsw' && dims <= 2000;
      const column = useIndex ? `("embedding"::vector(${dims}))` : '"embedding"';
      const literal = vectorLiteral(query);
      return knex.transaction(async (trx) => {
        if (useIndex) {
          await trx.raw(`set local hnsw.ef_search = ${Math.min(1000, Math.max(40, limit * 2))}`);
          if (iterative) await trx.raw('set local hnsw.iterative_scan = strict_order');
        }
        const result = (await trx.raw(
          `select chunk_id, 1 - (${column} <=> ?::vector${useIndex ? `(${dims})` : ''}) as score from "rag_chunk_vectors" ` +
            `where org_id = ? and collection_id = ? and dimensions = ${dims} ${documentIds ? 'and document_id = any(?)' : ''} ` +
            `order by ${column} <=> ?::vector${useIndex ? `(${dims})` : ''} limit ?`,
          [literal, orgId, collectionId, ...(documentIds ? [documentIds] : []), literal, limit] as never,
        )) as { rows: { chunk_id: string; score: number }[] };
        return result.rows.map((row) => ({ chunkId: row.chunk_id, score: Number(row.score) }));
      });
    },
  };
}

export type Pgvector = NonNullable<Awaited<ReturnType<typeof openPgvector>>>;

/** pgvector's text form: `[0.1,0.2,...]` (shortest round-trip digits of each float32). */
export function vectorLiteral(vector: Float32Array): string {
  let out = '[';
  for (let i = 0; i < vector.length; i++) out += (i ? ',' : '') + (Number.isFinite(vector[i]) ? vector[i] : 0);
  return `${out}]`;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
