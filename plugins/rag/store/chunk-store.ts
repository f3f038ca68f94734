import type { ChunkIndexQueries, Pgvector } from '../../../adapters/storage-mikro-orm/index.js';

export type { ChunkIndexState as CollectionState, ChunkTextRow as ChunkText, ChunkVectorRow as VectorRow, IndexedDocumentRow as IndexedDocument, KeywordHitRow as KeywordHit } from '../../../adapters/storage-mikro-orm/index.js';

/**
 * What the index reads beside the storage port, per database: revisions, vectors by document, keyword search,
 * chunk texts. On SQLite and Postgres the storage adapter's SQL (`chunkIndexQueries`) provides it; on any other
 * storage (in memory) `memoryChunkStore` does, through the storage port alone.
 */
export type ChunkStore = Omit<ChunkIndexQueries, 'kind'> & {
  readonly kind: 'sqlite' | 'postgres' | 'memory';
  /** Nearest neighbours inside the database (pgvector), when it can. */
  readonly pgvector?: Pgvector;
};
