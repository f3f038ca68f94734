import { createHash } from 'node:crypto';
import type { ChunkRecord, DocumentRecord, OrgScope, StoragePort } from '../../../core/index.js';
import { stem } from '../embedding/text-features.js';
import type { ChunkStore, ChunkText, CollectionState, IndexedDocument, KeywordHit } from './chunk-store.js';

/** BM25 parameters (the usual ones; the same as SQLite FTS5's bm25()). */
const K1 = 1.2;
const B = 0.75;

interface Postings {
  readonly signature: string;
  /** term → chunk id → term frequency */
  readonly terms: Map<string, Map<string, number>>;
  readonly lengths: Map<string, number>;
  readonly documentOf: Map<string, string>;
  readonly averageLength: number;
}

/**
 * The index's view of a storage that is not SQL (the in-memory storage, or any StoragePort): everything through
 * the documents repository. Its revision is a hash of the collection's documents (ids, content hashes, update
 * times), and keyword search is BM25 over an inverted index built when that revision changes. Made for tests
 * and embedders without a database; SQLite and Postgres use their own SQL.
 */
export function memoryChunkStore(storage: StoragePort): ChunkStore {
  const embeddings = new Map<string, { model: string; dimensions: number }>();
  const postings = new Map<string, Postings>();
  /** `org\0chunk` → document, learnt while reading vectors and building postings (chunks are listed per document). */
  const documentOfChunk = new Map<string, string>();
  const docs = storage.documents;
  const key = (orgId: string, collectionId: string) => `${orgId}\u0000${collectionId}`;

  async function listDocuments(scope: OrgScope, collectionId: string): Promise<DocumentRecord[]> {
    const out: DocumentRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await docs.listDocuments(scope, collectionId, { limit: 200, ...(cursor && { cursor }) });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  function signatureOf(documents: readonly DocumentRecord[]): string {
    const hash = createHash('sha256');
    for (const d of documents) hash.update(`${d.id}\u0000${d.contentHash}\u0000${d.updatedAt}\n`);
    return hash.digest('base64url').slice(0, 22);
  }

  async function postingsFor(orgId: string, collectionId: string): Promise<Postings> {
    const scope = { orgId };
    const documents = await listDocuments(scope, collectionId);
    const signature = signatureOf(documents);
    const cached = postings.get(key(orgId, collectionId));
    if (cached?.signature === signature) return cached;
    const terms = new Map<string, Map<string, number>>();
    const lengths = new Map<string, number>();
    const documentOf = new Map<string, string>();
    let total = 0;
    for (const document of documents) {
      for (const chunk of await docs.listChunks(scope, document.id)) {
        const tokens = tokens_(chunk.text);
        lengths.set(chunk.id, tokens.length);
        documentOf.set(chunk.id, document.id);
        documentOfChunk.set(`${orgId}\u0000${chunk.id}`, document.id);
        total += tokens.length;
        for (const token of tokens) {
          let byChunk = terms.get(token);
          if (!byChunk) terms.set(token, (byChunk = new Map()));
          byChunk.set(chunk.id, (byChunk.get(chunk.id) ?? 0) + 1);
        }
      }
    }
    const built = { signature, terms, lengths, documentOf, averageLength: lengths.size ? total / lengths.size : 0 };
    postings.set(key(orgId, collectionId), built);
    return built;
  }

  return {
    kind: 'memory',
    async state(orgId, collectionId): Promise<CollectionState> {
      const documents = await listDocuments({ orgId }, collectionId);
      const embedding = embeddings.get(key(orgId, collectionId));
      return {
        revision: documents.length ? signatureOf(documents) : '0',
        ...(embedding && { embeddingModel: embedding.model, dimensions: embedding.dimensions }),
      };
    },
    async setEmbedding(orgId, collectionId, model, dimensions) {
      embeddings.set(key(orgId, collectionId), { model, dimensions });
    },
    async documents(orgId, collectionId): Promise<IndexedDocument[]> {
      return (await listDocuments({ orgId }, collectionId)).map((d) => ({
        id: d.id,
        source: d.source,
        ...(d.title !== undefined && { title: d.title }),
        ...(d.metadata !== undefined && { metadata: d.metadata }),
        contentHash: d.contentHash,
        updatedAt: d.updatedAt,
      }));
    },
    async vectors(orgId, documentIds, onPage) {
      for (const documentId of documentIds) {
        const chunks = await docs.listChunks({ orgId }, documentId);
        for (const c of chunks) documentOfChunk.set(`${orgId}\u0000${c.id}`, documentId);
        onPage(chunks.map((c: ChunkRecord) => ({ chunkId: c.id, documentId, position: c.position, ...(c.vector && { vector: c.vector }) })));
      }
    },
    async keyword(orgId, collectionId, terms, limit, documentIds): Promise<KeywordHit[]> {
      if (!terms.length || (documentIds && !documentIds.length)) return [];
      const index = await postingsFor(orgId, collectionId);
      const allowed = documentIds ? new Set(documentIds) : undefined;
      const n = index.lengths.size;
      const scores = new Map<string, number>();
      for (const term of new Set(terms.map(stem))) {
        const byChunk = index.terms.get(term);
        if (!byChunk) continue;
        const idf = Math.log(1 + (n - byChunk.size + 0.5) / (byChunk.size + 0.5));
        for (const [chunkId, tf] of byChunk) {
          if (allowed && !allowed.has(index.documentOf.get(chunkId)!)) continue;
          const length = index.lengths.get(chunkId)!;
          const score = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / (index.averageLength || 1)));
          scores.set(chunkId, (scores.get(chunkId) ?? 0) + score);
        }
      }
      return [...scores]
        .map(([chunkId, score]) => ({ chunkId, score }))
        .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1))
        .slice(0, limit);
    },
    async chunks(orgId, ids) {
      const scope = { orgId };
      const wanted = new Set(ids);
      const documentIds = new Set<string>();
      for (const id of wanted) {
        const documentId = documentOfChunk.get(`${orgId}\u0000${id}`);
        if (documentId) documentIds.add(documentId);
      }
      const out: ChunkText[] = [];
      const take = (documentId: string, chunks: readonly ChunkRecord[]) => {
        for (const chunk of chunks) {
          if (!wanted.delete(chunk.id)) continue;
          out.push({ id: chunk.id, documentId, position: chunk.position, text: chunk.text, ...(chunk.metadata !== undefined && { metadata: chunk.metadata }) });
        }
      };
      for (const documentId of documentIds) take(documentId, await docs.listChunks(scope, documentId));
      // Chunks this store has not seen yet: look through every collection of the org.
      if (wanted.size) {
        let cursor: string | undefined;
        do {
          const page = await docs.listCollections(scope, { limit: 200, ...(cursor && { cursor }) });
          for (const collection of page.items) {
            for (const document of await listDocuments(scope, collection.id)) if (wanted.size) take(document.id, await docs.listChunks(scope, document.id));
          }
          cursor = page.nextCursor;
        } while (cursor && wanted.size);
      }
      return out;
    },
    async findByHash(orgId, collectionId, contentHash) {
      return (await listDocuments({ orgId }, collectionId)).find((d) => d.contentHash === contentHash)?.id;
    },
    async stats(orgId, collectionIds) {
      const out = new Map<string, { documents: number; chunks: number }>();
      for (const collectionId of collectionIds) {
        const documents = await listDocuments({ orgId }, collectionId);
        let chunks = 0;
        for (const d of documents) chunks += (await docs.listChunks({ orgId }, d.id)).length;
        out.set(collectionId, { documents: documents.length, chunks });
      }
      return out;
    },
  };
}

function tokens_(text: string): string[] {
  return (text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(stem);
}
