import { Type, type Static } from 'typebox';
import { isMikroOrmStorage, chunkIndexQueries, openPgvector } from '../../adapters/storage-mikro-orm/index.js';
import { routes } from '../../adapters/http-koa/index.js';
import { contribution, createPortRef, definePlugin, ports, type Logger, type StoragePort } from '../../core/index.js';
import { ragRoutes } from './http/routes.js';
import { builtinFormats, documentFormats } from './ingest/formats.js';
import { DocumentIngestion } from './ingest/ingestion.js';
import { CollectionCache } from './search/collection-cache.js';
import { RagIndex } from './search/rag-index.js';
import type { ChunkStore } from './store/chunk-store.js';
import { memoryChunkStore } from './store/memory-chunk-store.js';

const MiB = 1024 * 1024;

export const RagConfig = Type.Object(
  {
    defaultCollection: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
      default: 'default',
      description: 'Where documents go without --collection, and what vector.search (assistant_rag) searches without one',
    }),
    chunking: Type.Object(
      {
        maxChars: Type.Integer({ minimum: 200, maximum: 20_000, default: 1_000, description: 'Longest chunk in characters (heading line and overlap included)' }),
        overlapChars: Type.Integer({ minimum: 0, maximum: 5_000, default: 150, description: 'Whole sentences repeated from the previous chunk when a section is split' }),
      },
      { additionalProperties: false, default: {} },
    ),
    retrieval: Type.Object(
      {
        mode: Type.Union([Type.Literal('hybrid'), Type.Literal('vector'), Type.Literal('keyword')], {
          default: 'hybrid',
          description: 'hybrid: vectors and full-text fused by reciprocal rank; vector or keyword alone',
        }),
        candidates: Type.Integer({ minimum: 1, maximum: 1_000, default: 50, description: 'Hits each retriever brings to the fusion' }),
        rrfK: Type.Integer({ minimum: 1, maximum: 1_000, default: 60, description: 'k of reciprocal rank fusion: 1 / (k + rank)' }),
      },
      { additionalProperties: false, default: {} },
    ),
    cacheMaxBytes: Type.Integer({ minimum: MiB, default: 1024 * MiB, description: 'Memory for the vectors of recently searched collections (a larger collection is kept alone)' }),
    pgvector: Type.Union([Type.Literal('auto'), Type.Literal('off')], {
      default: 'auto',
      description: 'Postgres: search with pgvector when the extension is installed (or can be created); off: in memory',
    }),
    pgvectorIndex: Type.Union([Type.Literal('hnsw'), Type.Literal('none')], {
      default: 'hnsw',
      description: 'pgvector: an HNSW index (approximate, for millions of chunks) or exact scans',
    }),
    maxDocumentBytes: Type.Integer({ minimum: 1_024, default: 10 * MiB, description: 'Largest document accepted' }),
  },
  { additionalProperties: false },
);
export type RagConfig = Static<typeof RagConfig>;

/** Ports the RAG plugin adds: the ingestion service (what `agent-sdk ingest` and the routes use). */
export const ragPorts = {
  documents: createPortRef<DocumentIngestion>({ id: 'rag.documents', description: 'Ingest, list and delete documents of collections' }),
} as const;

/** What one kernel's RAG plugin made. */
export interface RagInstance {
  readonly index: RagIndex;
  readonly ingestion: DocumentIngestion;
  readonly cache: CollectionCache;
  readonly store: ChunkStore;
}

/** The store for this storage: its own SQL on SQLite and Postgres (pgvector when it can), the port alone otherwise. */
async function chunkStoreFor(storage: StoragePort, config: RagConfig, logger: Logger): Promise<ChunkStore> {
  if (!isMikroOrmStorage(storage)) return memoryChunkStore(storage);
  const queries = chunkIndexQueries(storage);
  const pgvector = storage.dialect === 'postgres' && config.pgvector === 'auto' ? await openPgvector(storage, { index: config.pgvectorIndex, logger }) : undefined;
  if (pgvector) logger.info('vector search runs in Postgres with pgvector', { version: pgvector.version, index: config.pgvectorIndex });
  return pgvector ? { ...queries, pgvector } : queries;
}

/**
 * The `rag` plugin: the vector index (`ports.vectorIndex`, which `vector.search` uses), document ingestion
 * (`ragPorts.documents`), and the collection routes of the HTTP server. On SQLite and Postgres it reads the
 * storage's own tables (full-text index, revisions); on any other storage, through the storage port.
 *
 * @example
 * ```yaml
 * rag:
 *   defaultCollection: handbook
 *   chunking: { maxChars: 1500, overlapChars: 200 }
 *   retrieval: { mode: hybrid, candidates: 50 }
 * ```
 */
export const ragPlugin = definePlugin({
  id: 'rag',
  version: '1.0.0',
  description: 'Retrieval over ingested documents: hybrid vector and keyword search, ingestion, collection routes',
  config: RagConfig,
  requires: { storage: ports.storage, embedding: ports.embedding },
  optional: { policy: ports.policy },
  provides: [ports.vectorIndex, ragPorts.documents],
  contributes: [contribution(documentFormats, ...builtinFormats)],
  async init({ config, deps, provide, contribute, logger }): Promise<RagInstance> {
    const settings = config as RagConfig;
    const store = await chunkStoreFor(deps.storage, settings, logger);
    const cache = new CollectionCache({ maxBytes: settings.cacheMaxBytes, logger });
    const index = new RagIndex({
      storage: deps.storage,
      store,
      embedder: deps.embedding,
      cache,
      defaultCollection: settings.defaultCollection,
      mode: settings.retrieval.mode,
      candidates: settings.retrieval.candidates,
      rrfK: settings.retrieval.rrfK,
      logger,
    });
    const ingestion = new DocumentIngestion({
      storage: deps.storage,
      store,
      embedder: deps.embedding,
      index,
      chunking: settings.chunking,
      maxDocumentBytes: settings.maxDocumentBytes,
      logger,
    });
    provide(ports.vectorIndex, index);
    provide(ragPorts.documents, ingestion);
    contribute(routes, ...ragRoutes({ ingestion, index, policy: deps.policy }));
    return { index, ingestion, cache, store };
  },
  start({ contributions }, instance) {
    // The plugin's own formats first, then what other plugins add; a later format of the same name wins.
    const byName = new Map(contributions(documentFormats).map(({ item }) => [item.name, item] as const));
    instance.ingestion.setFormats([...byName.values()]);
  },
  stop(_context, instance) {
    instance.cache.clear();
  },
});
