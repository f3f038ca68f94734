import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import {
  cutAtCodePoint,
  sdkError,
  type Collection,
  type DocumentRecord,
  type EmbeddingPort,
  type Logger,
  type OrgScope,
  type Page,
  type PageRequest,
  type StoragePort,
} from '../../../core/index.js';
import type { RagIndex } from '../search/rag-index.js';
import { requireCollectionName } from '../search/rag-index.js';
import type { ChunkStore } from '../store/chunk-store.js';
import { chunkDocument, type ChunkingOptions } from './chunker.js';
import { findFormat, unsupported, type DocumentFormat } from './formats.js';

/** Metadata values a document may carry (and a search may filter on). */
export type MetadataValue = string | number | boolean;

/** One document to ingest. */
export interface IngestInput {
  /** Where it comes from: a path relative to where it was ingested from, or a URL. Unique within a collection. */
  readonly source: string;
  /** The file: text, or bytes (decoded as UTF-8 for text formats). */
  readonly content: string | Uint8Array;
  /** A format name (`markdown`, `html`, `text`, or a contributed one); default: from the media type or the source's extension. */
  readonly format?: string;
  readonly mediaType?: string;
  /** Default: the document's own title (front matter, first heading, <title>), else the file name. */
  readonly title?: string;
  readonly metadata?: Readonly<Record<string, MetadataValue>>;
  /** Default: `rag.defaultCollection`. */
  readonly collection?: string;
  /** Re-chunk and re-embed even when the content is unchanged. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * What happened: `created`, `updated` (the source existed with other content: its chunks were replaced),
 * `unchanged` (same source, same content hash: nothing done), `duplicate` (another source of the collection has
 * exactly this content: not stored twice; `document` is that one).
 */
export interface IngestResult {
  readonly status: 'created' | 'updated' | 'unchanged' | 'duplicate';
  readonly collection: string;
  readonly document: DocumentRecord;
  readonly chunks: number;
}

export interface CollectionSummary {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly documents: number;
  readonly chunks: number;
  readonly embeddingModel?: string;
}

export interface IngestionOptions {
  readonly storage: StoragePort;
  readonly store: ChunkStore;
  readonly embedder: EmbeddingPort;
  readonly index: RagIndex;
  readonly chunking: ChunkingOptions;
  readonly maxDocumentBytes: number;
  readonly logger?: Logger;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Documents in and out of collections: parse (by format), chunk by structure, embed, store; with content-hash
 * dedupe, replacement of a changed source's chunks, deletion, listing, and re-embedding a collection after the
 * embedder changed. What the CLI (`agent-sdk ingest`) and the HTTP routes use.
 *
 * @example
 * ```ts
 * const ingestion = kernel.get(ragPorts.documents);
 * const result = await ingestion.ingest(DEFAULT_ORG, { source: 'docs/refunds.md', content: await readFile('docs/refunds.md') });
 * console.log(result.status, result.chunks);
 * ```
 */
export class DocumentIngestion {
  readonly #o: IngestionOptions;
  #formats: readonly DocumentFormat[] = [];
  readonly #collections = new Map<string, Collection>();

  constructor(options: IngestionOptions) {
    this.#o = options;
  }

  /** The formats in use (built in and contributed); set when the plugin starts. */
  setFormats(formats: readonly DocumentFormat[]): void {
    this.#formats = formats;
  }

  get formats(): readonly DocumentFormat[] {
    return this.#formats;
  }

  get defaultCollection(): string {
    return this.#o.index.defaultCollection;
  }

  /** The format a file would be read as, or undefined (the CLI skips such files). */
  formatFor(source: string, mediaType?: string): DocumentFormat | undefined {
    return findFormat(this.#formats, { source, mediaType });
  }

  async ingest(scope: OrgScope, input: IngestInput): Promise<IngestResult> {
    const { storage, store, embedder } = this.#o;
    const source = requireSource(input.source);
    const collectionName = requireCollectionName(input.collection ?? this.defaultCollection);
    const bytes = typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : input.content;
    if (!(bytes instanceof Uint8Array)) throw sdkError('ASDK_RAG_INVALID_DOCUMENT', { what: 'content', reason: 'expected text or bytes' });
    if (bytes.length > this.#o.maxDocumentBytes) throw sdkError('ASDK_RAG_DOCUMENT_TOO_LARGE', { source, bytes: bytes.length, limit: this.#o.maxDocumentBytes });
    const format = findFormat(this.#formats, { source, mediaType: input.mediaType, format: input.format });
    if (!format) {
      throw unsupported(this.#formats, source, input.format ? `there is no format "${input.format}"` : `the type of ${input.mediaType ? `"${input.mediaType}"` : 'its extension'} is not one of the supported formats`);
    }
    const contentHash = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

    const collection = await this.#ensureCollection(scope, collectionName);
    const state = await store.state(scope.orgId, collection.id);
    this.#o.index.checkEmbedder(collection, state);
    const existing = await storage.documents.findDocumentBySource(scope, collection.id, source);
    if (existing && existing.contentHash === contentHash && !input.force) {
      return { status: 'unchanged', collection: collectionName, document: existing, chunks: (await storage.documents.listChunks(scope, existing.id)).length };
    }
    if (!existing && !input.force) {
      const twin = await store.findByHash(scope.orgId, collection.id, contentHash);
      const document = twin && (await storage.documents.getDocument(scope, twin));
      if (document) return { status: 'duplicate', collection: collectionName, document, chunks: (await storage.documents.listChunks(scope, document.id)).length };
    }

    const text = format.textual === false ? '' : utf8.decode(bytes).replace(/\u0000/g, '');
    const parsed = await format.parse({ text, bytes, source });
    const drafts = chunkDocument(parsed, this.#o.chunking);
    if (!drafts.length) throw sdkError('ASDK_RAG_EMPTY_DOCUMENT', { source });
    const title = cutAtCodePoint((input.title ?? parsed.title ?? basename(source)).trim(), 500) || basename(source);
    const vectors = await this.#embed(title, drafts.map((d) => d.text), input.signal);
    const metadata = { format: format.name, ...parsed.metadata, ...checkMetadata(input.metadata) };
    input.signal?.throwIfAborted();
    let document: DocumentRecord;
    try {
      document = await storage.documents.upsertDocument(
        scope,
        { id: existing?.id ?? randomUUID(), collectionId: collection.id, source, title, contentHash, metadata },
        drafts.map((draft, i) => ({
          id: newChunkId(),
          position: draft.position,
          text: draft.text,
          ...(draft.heading && { metadata: { heading: draft.heading } }),
          vector: vectors[i],
        })),
      );
    } catch (error) {
      this.#collections.delete(`${scope.orgId}\u0000${collectionName}`); // in case the collection itself is what went missing
      throw error;
    }
    if (state.embeddingModel === undefined) await store.setEmbedding(scope.orgId, collection.id, embedder.model, embedder.dimensions);
    return { status: existing ? 'updated' : 'created', collection: collectionName, document, chunks: drafts.length };
  }

  /** Collections are created once and never renamed: a bounded map saves a query per ingested document. */
  async #ensureCollection(scope: OrgScope, name: string): Promise<Collection> {
    const key = `${scope.orgId}\u0000${name}`;
    const known = this.#collections.get(key);
    if (known) return known;
    const collection = await this.#o.storage.documents.ensureCollection(scope, name);
    if (this.#collections.size >= 1_000) this.#collections.delete(this.#collections.keys().next().value!);
    this.#collections.set(key, collection);
    return collection;
  }

  /** Deletes a document of the collection with its chunks, vectors and keyword entries; false when it is not there. */
  async deleteDocument(scope: OrgScope, collectionName: string, id: string): Promise<boolean> {
    const collection = await this.#o.index.collection(scope, collectionName);
    const document = await this.#o.storage.documents.getDocument(scope, id);
    if (!document || document.collectionId !== collection.id) return false;
    return this.#o.storage.documents.deleteDocument(scope, id);
  }

  /** Deletes the document of this source, if the collection has one. */
  async deleteSource(scope: OrgScope, collectionName: string, source: string): Promise<boolean> {
    const collection = await this.#o.storage.documents.getCollection(scope, requireCollectionName(collectionName));
    if (!collection) return false;
    const document = await this.#o.storage.documents.findDocumentBySource(scope, collection.id, source);
    return document ? this.#o.storage.documents.deleteDocument(scope, document.id) : false;
  }

  async getDocument(scope: OrgScope, collectionName: string, id: string): Promise<DocumentRecord | undefined> {
    const collection = await this.#o.index.collection(scope, collectionName);
    const document = await this.#o.storage.documents.getDocument(scope, id);
    return document && document.collectionId === collection.id ? document : undefined;
  }

  /** A document's chunks in order (call after getDocument: the id is not checked against a collection here). */
  chunksOf(scope: OrgScope, documentId: string) {
    return this.#o.storage.documents.listChunks(scope, documentId);
  }

  /** A page of the collection's documents, newest first. */
  async listDocuments(scope: OrgScope, collectionName: string, page?: PageRequest): Promise<Page<DocumentRecord>> {
    const collection = await this.#o.index.collection(scope, collectionName);
    return this.#o.storage.documents.listDocuments(scope, collection.id, page);
  }

  /** Every document of the collection (all pages). */
  async allDocuments(scope: OrgScope, collectionName: string): Promise<DocumentRecord[]> {
    const out: DocumentRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listDocuments(scope, collectionName, { limit: 200, ...(cursor && { cursor }) });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /** A page of the org's collections with their document and chunk counts, newest first. */
  async listCollections(scope: OrgScope, page?: PageRequest): Promise<Page<CollectionSummary>> {
    const { storage, store } = this.#o;
    const collections = await storage.documents.listCollections(scope, page);
    const stats = await store.stats(scope.orgId, collections.items.map((c) => c.id));
    const items: CollectionSummary[] = [];
    for (const c of collections.items) {
      const state = await store.state(scope.orgId, c.id);
      items.push({
        id: c.id,
        name: c.name,
        createdAt: c.createdAt,
        documents: stats.get(c.id)?.documents ?? 0,
        chunks: stats.get(c.id)?.chunks ?? 0,
        ...(state.embeddingModel !== undefined && { embeddingModel: state.embeddingModel }),
      });
    }
    return { items, ...(collections.nextCursor !== undefined && { nextCursor: collections.nextCursor }) };
  }

  /**
   * Re-embeds every chunk of a collection with the configured embedder (after changing it): chunks and their
   * texts stay, vectors are replaced, document by document. Returns how many chunks were embedded.
   */
  async reindex(scope: OrgScope, collectionName: string, onDocument?: (done: number, total: number, document: DocumentRecord) => void): Promise<number> {
    const { storage, store, embedder } = this.#o;
    const collection: Collection = await this.#o.index.collection(scope, collectionName);
    const documents = await this.allDocuments(scope, collectionName);
    let embedded = 0;
    for (const [i, document] of documents.entries()) {
      const chunks = await storage.documents.listChunks(scope, document.id);
      const vectors = await this.#embed(document.title ?? basename(document.source), chunks.map((c) => c.text));
      await storage.documents.upsertDocument(
        scope,
        { id: document.id, collectionId: document.collectionId, source: document.source, title: document.title, contentHash: document.contentHash, metadata: document.metadata },
        chunks.map((c, j) => ({ id: c.id, position: c.position, text: c.text, ...(c.metadata && { metadata: c.metadata }), vector: vectors[j] })),
      );
      embedded += chunks.length;
      onDocument?.(i + 1, documents.length, document);
    }
    await store.setEmbedding(scope.orgId, collection.id, embedder.model, embedder.dimensions);
    return embedded;
  }

  /** Embeds chunk texts, each with the document's title first when the text does not start with it. */
  async #embed(title: string, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const inputs = texts.map((text) => (text.startsWith(title) ? text : `${title}\n${text}`));
    const vectors = await this.#o.embedder.embed(inputs, { purpose: 'document', signal });
    if (vectors.length !== inputs.length) {
      throw sdkError('ASDK_RAG_EMBEDDING_FAILED', { model: this.#o.embedder.model, reason: `asked for ${inputs.length} vectors, received ${vectors.length}`, fix: 'Check the embedding provider.' });
    }
    return vectors;
  }
}

function requireSource(source: unknown): string {
  if (typeof source !== 'string' || !source.trim() || source.length > 1000) {
    throw sdkError('ASDK_RAG_INVALID_DOCUMENT', { what: 'source', reason: 'expected a non-empty string of at most 1000 characters (a path or URL)' });
  }
  return source.trim();
}

function checkMetadata(metadata: Readonly<Record<string, MetadataValue>> | undefined): Record<string, MetadataValue> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw sdkError('ASDK_RAG_INVALID_DOCUMENT', { what: 'metadata', reason: 'expected an object of strings, numbers and booleans' });
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw sdkError('ASDK_RAG_INVALID_DOCUMENT', { what: `metadata.${key}`, reason: 'expected a string, a number or a boolean (filters match values exactly)' });
    }
  }
  return { ...metadata };
}

/** Short ids: models cite them in square brackets. */
function newChunkId(): string {
  return `ch_${randomBytes(8).toString('hex')}`;
}
