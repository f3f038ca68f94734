import type { ChunkRecord, Collection, DocumentRecord, DocumentRepository } from '../../core/index.js';
import { paginate } from './pagination.js';
import { notFound, requireId, type MemoryContext, type Row } from './tenant-repositories.js';

/** Collections by name, documents by id, chunks by document; every table per org. */
export function documentRepository(ctx: MemoryContext, newId: () => string): DocumentRepository {
  const collections = (orgId: string) => ctx.table<Collection>('collections', orgId);
  const documents = (orgId: string) => ctx.table<DocumentRecord>('documents', orgId);
  const chunks = (orgId: string) => ctx.table<readonly ChunkRecord[]>('chunks', orgId);
  const collectionById = (orgId: string, id: string) => [...collections(orgId).values()].find((row) => row.value.id === id)?.value;

  return {
    async ensureCollection(scope, name) {
      requireId('collection name', name);
      const table = collections(scope.orgId);
      const existing = table.get(name);
      if (existing) return existing.value;
      const collection: Collection = Object.freeze({ id: newId(), orgId: scope.orgId, name, createdAt: ctx.now() });
      table.set(name, { value: collection, ord: ctx.nextOrd() });
      return collection;
    },
    async getCollection(scope, name) {
      return collections(scope.orgId).get(name)?.value;
    },
    async listCollections(scope, page) {
      const result = paginate(collections(scope.orgId).values(), { sortValue: (row: Row<Collection>) => row.value.createdAt, order: (row) => row.ord, descending: true }, page);
      const items = result.items.map((row) => row.value);
      return result.nextCursor ? { items, nextCursor: result.nextCursor } : { items };
    },
    async upsertDocument(scope, document, documentChunks) {
      requireId('document id', document.id);
      if (!collectionById(scope.orgId, document.collectionId)) throw notFound('collection', document.collectionId, scope.orgId);
      const table = documents(scope.orgId);
      const now = ctx.now();
      const previous = [...table.values()].find((row) => row.value.collectionId === document.collectionId && row.value.source === document.source);
      if (previous && previous.value.id !== document.id) {
        table.delete(previous.value.id);
        chunks(scope.orgId).delete(previous.value.id);
      }
      const record: DocumentRecord = Object.freeze({
        ...document,
        orgId: scope.orgId,
        createdAt: previous?.value.createdAt ?? now,
        updatedAt: now,
      });
      table.set(document.id, { value: record, ord: previous?.ord ?? ctx.nextOrd() });
      const stored = documentChunks.map((chunk) =>
        Object.freeze({ ...chunk, orgId: scope.orgId, documentId: document.id, ...(chunk.vector && { vector: new Float32Array(chunk.vector) }) }),
      );
      chunks(scope.orgId).set(document.id, { value: Object.freeze(stored), ord: ctx.nextOrd() });
      return record;
    },
    async getDocument(scope, id) {
      return documents(scope.orgId).get(id)?.value;
    },
    async findDocumentBySource(scope, collectionId, source) {
      for (const row of documents(scope.orgId).values()) {
        if (row.value.collectionId === collectionId && row.value.source === source) return row.value;
      }
      return undefined;
    },
    async listDocuments(scope, collectionId, page) {
      const rows = [...documents(scope.orgId).values()].filter((row) => row.value.collectionId === collectionId);
      const result = paginate(rows, { sortValue: (row) => row.value.createdAt, order: (row) => row.ord, descending: true }, page);
      const items = result.items.map((row) => row.value);
      return result.nextCursor ? { items, nextCursor: result.nextCursor } : { items };
    },
    async deleteDocument(scope, id) {
      const deleted = documents(scope.orgId).delete(id);
      chunks(scope.orgId).delete(id);
      return deleted;
    },
    async listChunks(scope, documentId) {
      const stored = chunks(scope.orgId).get(documentId)?.value ?? [];
      return [...stored].sort((a, b) => a.position - b.position);
    },
  };
}
