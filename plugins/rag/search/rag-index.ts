import {
  cutAtCodePoint,
  sdkError,
  type Collection,
  type EmbeddingPort,
  type Logger,
  type OrgScope,
  type StoragePort,
  type VectorFilterValue,
  type VectorHit,
  type VectorIndexPort,
  type VectorSearchRequest,
} from '../../../core/index.js';
import type { ChunkStore, CollectionState, IndexedDocument } from '../store/chunk-store.js';
import type { CollectionCache } from './collection-cache.js';
import { reciprocalRankFusion } from './fusion.js';
import { keywordTerms } from './keyword-terms.js';

export type RetrievalMode = 'hybrid' | 'vector' | 'keyword';

export interface RagIndexOptions {
  readonly storage: StoragePort;
  readonly store: ChunkStore;
  readonly embedder: EmbeddingPort;
  readonly cache: CollectionCache;
  readonly defaultCollection: string;
  readonly mode: RetrievalMode;
  /** Candidates each retriever contributes before fusion (at least topK). */
  readonly candidates: number;
  /** The k of reciprocal rank fusion. */
  readonly rrfK: number;
  readonly logger?: Logger;
}

export const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks a collection name (a client may send any string). */
export function requireCollectionName(name: unknown): string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw sdkError('ASDK_RAG_INVALID_COLLECTION', {
      name: JSON.stringify(typeof name === 'string' ? cutAtCodePoint(name, 80) : name),
      reason: typeof name === 'string' ? 'it does not match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' : 'expected a string',
    });
  }
  return name;
}

/**
 * The vector index (`ports.vectorIndex`): hybrid retrieval over one collection of one org. The query is
 * embedded and compared with every chunk vector exactly (in memory, or with pgvector inside Postgres), the
 * full-text index is asked for the same words (SQLite FTS5 / Postgres tsvector / BM25 in memory), and the two
 * lists are fused by reciprocal rank. Filters match document metadata exactly, in both retrievers.
 *
 * @example
 * ```ts
 * const hits = await index.search({ orgId: 'default' }, { query: 'refund policy', topK: 5, filter: { team: 'support' } });
 * ```
 */
export class RagIndex implements VectorIndexPort {
  readonly #o: RagIndexOptions;
  readonly #collections = new Map<string, Collection>();
  readonly #documentLists = new Map<string, { revision: string; documents: readonly IndexedDocument[] }>();

  constructor(options: RagIndexOptions) {
    this.#o = options;
  }

  get defaultCollection(): string {
    return this.#o.defaultCollection;
  }

  /** The collection of this name in the org, or ASDK_RAG_COLLECTION_NOT_FOUND. */
  async collection(scope: OrgScope, name: string | undefined): Promise<Collection> {
    const wanted = requireCollectionName(name ?? this.#o.defaultCollection);
    const key = `${scope.orgId}\u0000${wanted}`;
    // Collections are never deleted or renamed: a found one is remembered (a missing one is asked again).
    const known = this.#collections.get(key);
    if (known) return known;
    const collection = await this.#o.storage.documents.getCollection(scope, wanted);
    if (!collection) throw sdkError('ASDK_RAG_COLLECTION_NOT_FOUND', { collection: wanted, orgId: scope.orgId });
    if (this.#collections.size >= 1_000) this.#collections.delete(this.#collections.keys().next().value!);
    this.#collections.set(key, collection);
    return collection;
  }

  /** A collection's documents as of a revision, without vectors (keyword-only and pgvector searches). */
  async #documents(orgId: string, collectionId: string, revision: string): Promise<readonly IndexedDocument[]> {
    const key = `${orgId}\u0000${collectionId}`;
    const cached = this.#documentLists.get(key);
    if (cached?.revision === revision) return cached.documents;
    const documents = await this.#o.store.documents(orgId, collectionId);
    this.#documentLists.delete(key);
    if (this.#documentLists.size >= 100) this.#documentLists.delete(this.#documentLists.keys().next().value!);
    this.#documentLists.set(key, { revision, documents });
    return documents;
  }

  /** Refuses a collection built with another embedder: its vectors cannot be compared with this one's. */
  checkEmbedder(collection: Collection, state: CollectionState): void {
    const { embedder } = this.#o;
    if (state.embeddingModel !== undefined && state.embeddingModel !== embedder.model) {
      throw sdkError('ASDK_RAG_EMBEDDER_MISMATCH', { collection: collection.name, stored: state.embeddingModel, current: embedder.model });
    }
  }

  async search(scope: OrgScope, request: VectorSearchRequest): Promise<readonly VectorHit[]> {
    const { store, embedder, cache, mode } = this.#o;
    const topK = Math.max(1, Math.floor(request.topK));
    const query = request.query.trim();
    if (!query) return [];
    const collection = await this.collection(scope, request.collection);
    const orgId = scope.orgId;
    const state = await store.state(orgId, collection.id);
    this.checkEmbedder(collection, state);
    request.signal?.throwIfAborted();
    const candidates = Math.max(this.#o.candidates, topK);

    // Documents (for filters and citations) come with the snapshot; pgvector needs only the document list.
    const snapshot = mode !== 'keyword' && !store.pgvector ? await cache.get(store, orgId, collection.id, state, embedder.dimensions) : undefined;
    const documents = snapshot ? snapshot.documents : await this.#documents(orgId, collection.id, state.revision);
    const byId = snapshot ? undefined : new Map(documents.map((d, i) => [d.id, i]));
    const ordinalOf = (id: string) => (snapshot ? snapshot.documentIndex.get(id) : byId!.get(id));
    const allowed = request.filter && Object.keys(request.filter).length ? allowedDocuments(documents, request.filter) : undefined;
    if (allowed && allowed.size === 0) return [];
    const allowedIds = allowed ? [...allowed].map((i) => documents[i].id) : undefined;

    const vectorList = async (): Promise<{ id: string; score: number }[]> => {
      if (mode === 'keyword') return [];
      const [vector] = await embedder.embed([query], { purpose: 'query', signal: request.signal });
      if (store.pgvector) {
        await store.pgvector.sync(orgId, collection.id, state.revision, embedder.dimensions);
        return (await store.pgvector.nearest(orgId, collection.id, vector, candidates, allowedIds)).map((h) => ({ id: h.chunkId, score: h.score }));
      }
      return snapshot!.nearest(vector, candidates, allowed).map(({ row, score }) => ({ id: snapshot!.chunkIds[row], score }));
    };
    const keywordList = async (): Promise<{ id: string; score: number }[]> => {
      if (mode === 'vector') return [];
      const terms = keywordTerms(query);
      return (await store.keyword(orgId, collection.id, terms, candidates, allowedIds)).map((h) => ({ id: h.chunkId, score: h.score }));
    };
    const [byVector, byKeyword] = await Promise.all([vectorList(), keywordList()]);
    request.signal?.throwIfAborted();

    const ranked =
      mode === 'hybrid'
        ? reciprocalRankFusion([byVector.map((h) => h.id), byKeyword.map((h) => h.id)], this.#o.rrfK)
        : mode === 'vector'
          ? byVector
          : byKeyword;
    // A few more than topK: a chunk deleted since the lists were made is dropped below.
    const chosen = ranked.slice(0, topK + 5);
    const texts = new Map((await store.chunks(orgId, chosen.map((h) => h.id))).map((c) => [c.id, c]));
    const hits: VectorHit[] = [];
    for (const { id, score } of chosen) {
      const chunk = texts.get(id);
      const ordinal = chunk && ordinalOf(chunk.documentId);
      if (!chunk || ordinal === undefined) continue;
      const document = documents[ordinal];
      hits.push({
        chunkId: chunk.id,
        documentId: document.id,
        source: document.source,
        ...(document.title !== undefined && { title: document.title }),
        position: chunk.position,
        score: round(score),
        text: chunk.text,
      });
      if (hits.length === topK) break;
    }
    return hits;
  }
}

/** Ordinals of the documents whose metadata has every filter entry (exact, strict equality). */
function allowedDocuments(documents: readonly IndexedDocument[], filter: Readonly<Record<string, VectorFilterValue>>): Set<number> {
  const entries = Object.entries(filter);
  const out = new Set<number>();
  documents.forEach((document, i) => {
    const metadata = document.metadata ?? {};
    if (entries.every(([key, value]) => metadata[key] === value)) out.add(i);
  });
  return out;
}

function round(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}
