import { randomUUID } from 'node:crypto';
import { sdkError, type ChunkRecord, type Collection, type DocumentRecord, type DocumentRepository } from '../../../core/index.js';
import type { ChunkRow, CollectionRow, DocumentRow } from '../schema/entities.js';
import { compact, idOf, requireId, requireScope, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { timestampFromDb } from '../util/time.js';

const toCollection = (row: CollectionRow): Collection => ({ id: row.id, orgId: row.orgId, name: row.name, createdAt: timestampFromDb(row.createdAt) });

const toDocument = (row: DocumentRow): DocumentRecord =>
  compact({
    id: row.id, orgId: row.orgId, collectionId: row.collectionId, source: row.source, title: row.title, contentHash: row.contentHash,
    metadata: row.metadata ?? undefined, createdAt: timestampFromDb(row.createdAt), updatedAt: timestampFromDb(row.updatedAt),
  }) as DocumentRecord;

/** Vectors are stored as little-endian float32 blobs (what the RAG index reads back without parsing). */
export function vectorToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
}

export function blobToVector(blob: Uint8Array): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

const toChunk = (row: ChunkRow): ChunkRecord =>
  compact({
    id: row.id, orgId: row.orgId, documentId: row.documentId, position: row.position, text: row.text,
    metadata: row.metadata ?? undefined, vector: row.vector ? blobToVector(row.vector) : undefined,
  }) as unknown as ChunkRecord;

/**
 * Collections, documents and their chunks (the RAG issue fills them and adds the vector index). A document
 * is keyed by collection + source: upserting replaces it and all its chunks in one transaction.
 */
export function documentRepository(ctx: StoreContext): DocumentRepository {
  const { Collection, Document, Chunk } = ctx.db.entities;
  return {
    ensureCollection(scope, name) {
      return ctx.work('documents.ensureCollection', async (em) => {
        const orgId = requireScope(scope, 'documents.ensureCollection');
        requireId('collection name', name);
        const existing = await em.findOne(Collection, { orgId, name });
        if (existing) return toCollection(existing);
        try {
          await em.insert(Collection, { id: randomUUID(), orgId, name, createdAt: ctx.now() });
        } catch (error) {
          if (!isUniqueViolation(error)) throw error; // created concurrently: return that one
        }
        return toCollection((await ctx.db.fork().findOneOrFail(Collection, { orgId, name })) as CollectionRow);
      });
    },
    getCollection(scope, name) {
      return ctx.work('documents.getCollection', async (em) => {
        const row = await em.findOne(Collection, { orgId: requireScope(scope, 'documents.getCollection'), name: idOf(name) });
        return row ? toCollection(row) : undefined;
      });
    },
    listCollections(scope, page) {
      return ctx.work('documents.listCollections', (em) =>
        keysetPage(em, Collection, { orgId: requireScope(scope, 'documents.listCollections') }, page, {
          list: 'collections', sort: 'createdAt', direction: 'desc', sortValue: (r) => timestampFromDb(r.createdAt), map: toCollection,
        }),
      );
    },
    upsertDocument(scope, document, chunks) {
      const orgId = requireScope(scope, 'documents.upsertDocument');
      requireId('document id', document?.id);
      requireId('document source', document.source);
      if (!Array.isArray(chunks)) {
        throw sdkError('ASDK_STORAGE_INVALID', { what: 'chunks', reason: 'expected an array', fix: 'Pass the document\'s chunks (possibly [])' });
      }
      chunks.forEach((c, i) => {
        requireId(`chunks[${i}].id`, c?.id);
        if (typeof c.text !== 'string' || !Number.isInteger(c.position)) {
          throw sdkError('ASDK_STORAGE_INVALID', { what: `chunks[${i}]`, reason: 'expected { id, position: integer, text: string }', fix: 'Pass chunks as the storage port defines them' });
        }
        if (c.vector !== undefined && !(c.vector instanceof Float32Array)) {
          throw sdkError('ASDK_STORAGE_INVALID', { what: `chunks[${i}].vector`, reason: 'expected a Float32Array', fix: 'Pass embeddings as Float32Array' });
        }
      });
      return ctx.transaction('documents.upsertDocument', async (em) => {
        if (!(await em.count(Collection, { id: document.collectionId, orgId }))) {
          throw sdkError('ASDK_STORAGE_NOT_FOUND', { entity: 'collection', id: document.collectionId, orgId });
        }
        const now = ctx.now();
        const previous = await em.findOne(Document, { collectionId: document.collectionId, source: document.source, orgId });
        if (previous) {
          await em.nativeDelete(Chunk, { documentId: previous.id, orgId });
          await em.nativeDelete(Document, { id: previous.id, orgId });
        }
        const row: DocumentRow = {
          id: document.id, orgId, collectionId: document.collectionId, source: document.source, title: document.title ?? null,
          contentHash: document.contentHash, metadata: (document.metadata as Record<string, unknown> | undefined) ?? null,
          createdAt: previous ? timestampFromDb(previous.createdAt) : now, updatedAt: now,
        };
        try {
          await em.insert(Document, row);
        } catch (error) {
          if (isUniqueViolation(error)) throw sdkError('ASDK_STORAGE_CONFLICT', { entity: 'document', what: `"${document.id}"`, orgId, field: 'id' });
          throw error;
        }
        const rows: ChunkRow[] = chunks.map((c) => ({
          id: c.id, orgId, documentId: document.id, position: c.position, text: c.text,
          metadata: (c.metadata as Record<string, unknown> | undefined) ?? null,
          vector: c.vector ? vectorToBlob(c.vector) : null, dimensions: c.vector ? c.vector.length : null,
        }));
        try {
          for (let i = 0; i < rows.length; i += 500) await em.insertMany(Chunk, rows.slice(i, i + 500));
        } catch (error) {
          if (isUniqueViolation(error)) throw sdkError('ASDK_STORAGE_CONFLICT', { entity: 'chunk', what: 'with one of these ids', orgId, field: 'chunk id' });
          throw error;
        }
        return toDocument(row);
      });
    },
    getDocument(scope, id) {
      return ctx.work('documents.getDocument', async (em) => {
        const row = await em.findOne(Document, { id: idOf(id), orgId: requireScope(scope, 'documents.getDocument') });
        return row ? toDocument(row) : undefined;
      });
    },
    findDocumentBySource(scope, collectionId, source) {
      return ctx.work('documents.findDocumentBySource', async (em) => {
        const row = await em.findOne(Document, { collectionId: idOf(collectionId), source: idOf(source), orgId: requireScope(scope, 'documents.findDocumentBySource') });
        return row ? toDocument(row) : undefined;
      });
    },
    listDocuments(scope, collectionId, page) {
      return ctx.work('documents.listDocuments', (em) =>
        keysetPage(em, Document, { orgId: requireScope(scope, 'documents.listDocuments'), collectionId: idOf(collectionId) }, page, {
          list: `documents:${collectionId}`, sort: 'createdAt', direction: 'desc', sortValue: (r) => timestampFromDb(r.createdAt), map: toDocument,
        }),
      );
    },
    deleteDocument(scope, id) {
      const orgId = requireScope(scope, 'documents.deleteDocument');
      return ctx.transaction('documents.deleteDocument', async (em) => {
        if (!(await em.nativeDelete(Document, { id: idOf(id), orgId }))) return false;
        await em.nativeDelete(Chunk, { documentId: idOf(id), orgId });
        return true;
      });
    },
    listChunks(scope, documentId) {
      return ctx.work('documents.listChunks', async (em) => {
        const rows = await em.find(Chunk, { documentId: idOf(documentId), orgId: requireScope(scope, 'documents.listChunks') }, { orderBy: { position: 'asc', id: 'asc' } });
        return rows.map(toChunk);
      });
    },
  };
}
