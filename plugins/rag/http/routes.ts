import { Type, type Static } from 'typebox';
import { defineRoute, ProblemSchema, type AnyRoute, type Principal } from '../../../adapters/http-koa/index.js';
import { sdkError, type DocumentRecord, type OrgScope, type PolicyPort } from '../../../core/index.js';
import type { DocumentIngestion, IngestResult } from '../ingest/ingestion.js';
import type { RagIndex } from '../search/rag-index.js';

const problem = (description: string) => ({ description, schema: ProblemSchema, contentType: 'application/problem+json' });

const CollectionName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'Collection name' });
const CollectionParams = Type.Object({ name: CollectionName }, { additionalProperties: false });
const DocumentParams = Type.Object({ name: CollectionName, id: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page' })),
    cursor: Type.Optional(Type.String({ maxLength: 2000, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
const Metadata = Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean()]), {
  description: 'Exact-match values a search can filter on',
});

const CollectionResource = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    documents: Type.Integer({ minimum: 0 }),
    chunks: Type.Integer({ minimum: 0 }),
    embeddingModel: Type.Optional(Type.String({ description: 'The embedder its vectors were made with' })),
  },
  { $id: 'RagCollection', additionalProperties: false },
);
const DocumentResource = Type.Object(
  {
    id: Type.String(),
    collection: Type.String(),
    source: Type.String(),
    title: Type.Optional(Type.String()),
    contentHash: Type.String({ description: 'sha256 of the ingested bytes' }),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'RagDocument', additionalProperties: false },
);
const IngestBody = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 1000, description: 'A path or URL naming the document; unique in the collection (the same source replaces it)' }),
    content: Type.Optional(Type.String({ description: 'The document as text' })),
    contentBase64: Type.Optional(Type.String({ description: 'The document as base64 bytes (instead of content)' })),
    format: Type.Optional(Type.String({ description: 'markdown, html, text (or a contributed format); default from mediaType or the source\'s extension' })),
    mediaType: Type.Optional(Type.String({ maxLength: 200 })),
    title: Type.Optional(Type.String({ maxLength: 500 })),
    metadata: Type.Optional(Metadata),
    force: Type.Optional(Type.Boolean({ description: 'Re-chunk and re-embed even when the content is unchanged' })),
  },
  { additionalProperties: false },
);
const IngestQuery = Type.Object(
  {
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'For a text/* body: the document\'s source' })),
    title: Type.Optional(Type.String({ maxLength: 500 })),
    force: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const IngestReply = Type.Object(
  {
    status: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged'), Type.Literal('duplicate')]),
    document: DocumentResource,
    chunks: Type.Integer({ minimum: 0 }),
  },
  { $id: 'RagIngestResult', additionalProperties: false },
);
const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 2000, description: 'What to look for' }),
    topK: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
  },
  { additionalProperties: false },
);
const SearchReply = Type.Object(
  {
    hits: Type.Array(
      Type.Object(
        {
          chunkId: Type.String(),
          documentId: Type.String(),
          source: Type.String(),
          title: Type.Optional(Type.String()),
          position: Type.Integer({ minimum: 0 }),
          score: Type.Number(),
          text: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'RagSearchResult', additionalProperties: false },
);

export interface RagRouteServices {
  readonly ingestion: DocumentIngestion;
  readonly index: RagIndex;
  readonly policy?: PolicyPort;
}

/**
 * The collection routes, contributed to the server's `routes`: list collections, list/add/read/delete a
 * collection's documents, and search one. Each asks the policy chain (`authorize`) first: `collection.read`,
 * `document.write`, `document.delete`.
 */
export function ragRoutes(services: RagRouteServices): AnyRoute[] {
  const { ingestion, index } = services;
  const authorize = async (principal: Principal, action: string, resource?: string) => {
    const policy = services.policy;
    if (!policy || policy.active?.('authorize') === false) return;
    const decision = await policy.authorize({ orgId: principal.orgId, actor: principal.actor, scopes: principal.scopes }, action, resource);
    if (!decision.allow) throw sdkError('ASDK_POLICY_DENIED', { policy: decision.policy ?? 'policy', point: `authorize ${action}`, reason: decision.reason });
  };
  const scopeOf = (principal: Principal): OrgScope => ({ orgId: principal.orgId });
  const resource = (collection: string) => (d: DocumentRecord): Static<typeof DocumentResource> => ({
    id: d.id,
    collection,
    source: d.source,
    ...(d.title !== undefined && { title: d.title }),
    contentHash: d.contentHash,
    ...(d.metadata !== undefined && { metadata: { ...d.metadata } }),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  });
  const reply = (result: IngestResult) => ({
    status: result.status === 'created' ? 201 : 200,
    body: { status: result.status, document: resource(result.collection)(result.document), chunks: result.chunks },
  });

  const listCollections = defineRoute({
    method: 'GET',
    path: '/collections',
    operationId: 'listCollections',
    summary: 'List collections',
    description: 'The org\'s document collections, newest first, with how many documents and chunks each holds.',
    tags: ['rag'],
    query: PageQuery,
    responses: {
      200: {
        description: 'A page of collections',
        schema: Type.Object({ items: Type.Array(CollectionResource), nextCursor: Type.Optional(Type.String()) }, { $id: 'RagCollectionPage', additionalProperties: false }),
      },
    },
    async handle({ query, principal }) {
      await authorize(principal, 'collection.read');
      const page = await ingestion.listCollections(scopeOf(principal), { limit: query.limit, ...(query.cursor && { cursor: query.cursor }) });
      return { body: { items: [...page.items], ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) } };
    },
  });

  const listDocuments = defineRoute({
    method: 'GET',
    path: '/collections/{name}/documents',
    operationId: 'listDocuments',
    summary: 'List a collection\'s documents',
    description: 'Newest first (by first ingestion). 404 when the collection does not exist.',
    tags: ['rag'],
    params: CollectionParams,
    query: PageQuery,
    responses: {
      200: {
        description: 'A page of documents',
        schema: Type.Object({ items: Type.Array(DocumentResource), nextCursor: Type.Optional(Type.String()) }, { $id: 'RagDocumentPage', additionalProperties: false }),
      },
      404: problem('No such collection in this org'),
    },
    async handle({ params, query, principal }) {
      await authorize(principal, 'collection.read', params.name);
      const page = await ingestion.listDocuments(scopeOf(principal), params.name, { limit: query.limit, ...(query.cursor && { cursor: query.cursor }) });
      return { body: { items: page.items.map(resource(params.name)), ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) } };
    },
  });

  const addDocument = defineRoute({
    method: 'POST',
    path: '/collections/{name}/documents',
    operationId: 'addDocument',
    summary: 'Add or replace a document',
    description:
      'Ingests a document: parsed by format (Markdown, HTML, text), chunked by headings and paragraphs, embedded, stored. ' +
      'The collection is created on first use. A JSON body carries `source` and `content` (or `contentBase64`); a text/plain, ' +
      'text/markdown or text/html body is the document itself, with `?source=`. The same source with new content replaces the ' +
      'old chunks (200, `updated`); unchanged content does nothing (200, `unchanged`); content identical to another source of the ' +
      'collection is not stored twice (200, `duplicate`).',
    tags: ['rag'],
    params: CollectionParams,
    query: IngestQuery,
    body: {
      schema: Type.Union([IngestBody, Type.String()]),
      contentTypes: ['application/json', 'text/plain', 'text/markdown', 'text/html'],
      description: 'JSON with source and content, or the document as text',
    },
    responses: {
      201: { description: 'A new document', schema: IngestReply },
      200: { description: 'Updated, unchanged, or a duplicate of another source', schema: IngestReply },
      400: problem('Invalid body (no source, no content, bad metadata) or a document without text'),
      404: problem('Unknown format'),
      409: problem('The collection was built with another embedder'),
      413: problem('Larger than rag.maxDocumentBytes'),
      415: problem('A format the server cannot read'),
    },
    async handle({ params, query, body, principal, signal, ctx }) {
      await authorize(principal, 'document.write', params.name);
      const scope = scopeOf(principal);
      if (typeof body === 'string') {
        if (!query.source) throw sdkError('ASDK_RAG_INVALID_DOCUMENT', { what: 'source', reason: 'a text body needs ?source= naming the document' });
        return reply(await ingestion.ingest(scope, { collection: params.name, source: query.source, content: body, mediaType: ctx.request.type, title: query.title, force: query.force, signal }));
      }
      if ((body.content === undefined) === (body.contentBase64 === undefined)) {
        throw sdkError('ASDK_RAG_INVALID_DOCUMENT', { what: 'body', reason: 'give exactly one of content (text) and contentBase64 (bytes)' });
      }
      const content = body.content ?? Buffer.from(body.contentBase64!, 'base64');
      return reply(
        await ingestion.ingest(scope, {
          collection: params.name,
          source: body.source,
          content,
          format: body.format,
          mediaType: body.mediaType,
          title: body.title ?? query.title,
          metadata: body.metadata,
          force: body.force ?? query.force,
          signal,
        }),
      );
    },
  });

  const getDocument = defineRoute({
    method: 'GET',
    path: '/collections/{name}/documents/{id}',
    operationId: 'getDocument',
    summary: 'Get a document with its chunks',
    tags: ['rag'],
    params: DocumentParams,
    query: Type.Object({}, { additionalProperties: false }),
    responses: {
      200: {
        description: 'The document and its chunks in order',
        schema: Type.Object(
          {
            document: DocumentResource,
            chunks: Type.Array(Type.Object({ id: Type.String(), position: Type.Integer(), text: Type.String(), heading: Type.Optional(Type.String()) }, { additionalProperties: false })),
          },
          { $id: 'RagDocumentDetail', additionalProperties: false },
        ),
      },
      404: problem('No such collection or document in this org'),
    },
    async handle({ params, principal }) {
      await authorize(principal, 'collection.read', params.name);
      const scope = scopeOf(principal);
      const document = await ingestion.getDocument(scope, params.name, params.id);
      if (!document) throw sdkError('ASDK_RAG_DOCUMENT_NOT_FOUND', { id: params.id, collection: params.name, orgId: principal.orgId });
      const chunks = await ingestion.chunksOf(scope, document.id);
      return {
        body: {
          document: resource(params.name)(document),
          chunks: chunks.map((c) => ({ id: c.id, position: c.position, text: c.text, ...(typeof c.metadata?.heading === 'string' && { heading: c.metadata.heading }) })),
        },
      };
    },
  });

  const deleteDocument = defineRoute({
    method: 'DELETE',
    path: '/collections/{name}/documents/{id}',
    operationId: 'deleteDocument',
    summary: 'Delete a document',
    description: 'Deletes the document with its chunks, their vectors and keyword entries: searches no longer find it.',
    tags: ['rag'],
    params: DocumentParams,
    query: Type.Object({}, { additionalProperties: false }),
    responses: { 204: { description: 'Deleted' }, 404: problem('No such collection or document in this org') },
    async handle({ params, principal }) {
      await authorize(principal, 'document.delete', params.name);
      const deleted = await ingestion.deleteDocument(scopeOf(principal), params.name, params.id);
      if (!deleted) throw sdkError('ASDK_RAG_DOCUMENT_NOT_FOUND', { id: params.id, collection: params.name, orgId: principal.orgId });
      return { status: 204 };
    },
  });

  const search = defineRoute({
    method: 'GET',
    path: '/collections/{name}/search',
    operationId: 'searchCollection',
    summary: 'Search a collection',
    description: 'The passages vector.search would return: hybrid retrieval (vectors and keywords, fused by reciprocal rank), best first.',
    tags: ['rag'],
    params: CollectionParams,
    query: SearchQuery,
    responses: { 200: { description: 'The best passages', schema: SearchReply }, 404: problem('No such collection in this org'), 409: problem('The collection was built with another embedder') },
    async handle({ params, query, principal, signal }) {
      await authorize(principal, 'collection.read', params.name);
      const hits = await index.search(scopeOf(principal), { query: query.q, collection: params.name, topK: query.topK ?? 5, signal });
      return { body: { hits: hits.map((h) => ({ ...h })) } };
    },
  });

  return [listCollections, listDocuments, addDocument, getDocument, deleteDocument, search];
}
