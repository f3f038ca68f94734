import type { ErrorSpec } from '../registry.js';

/** Codes raised by memory and retrieval: embedders, the vector index, ingestion, history summarisers. */
export const ragErrors = {
  ASDK_RAG_COLLECTION_NOT_FOUND: {
    status: 404,
    message: 'Collection "{collection}" does not exist in org "{orgId}"',
    hint: 'Ingest documents into it first (`agent-sdk ingest <folder> --collection {collection}` or POST /collections/{collection}/documents); GET /collections lists the existing ones.',
  },
  ASDK_RAG_DOCUMENT_NOT_FOUND: {
    status: 404,
    message: 'Document "{id}" does not exist in collection "{collection}" of org "{orgId}"',
    hint: 'GET /collections/{collection}/documents lists the documents with their ids.',
  },
  ASDK_RAG_INVALID_COLLECTION: {
    status: 400,
    message: 'Invalid collection name {name}: {reason}',
    hint: 'A collection name is 1-64 characters: letters, digits, ".", "_" and "-", starting with a letter or digit.',
  },
  ASDK_RAG_UNSUPPORTED_FORMAT: {
    status: 415,
    message: 'Cannot ingest {source}: {reason}',
    hint: 'Supported formats: {formats}. Convert other files to text first (e.g. `pdftotext file.pdf`), or add a format with a plugin (docs/rag.md).',
  },
  ASDK_RAG_DOCUMENT_TOO_LARGE: {
    status: 413,
    message: 'Cannot ingest {source}: it has {bytes} bytes, more than the limit of {limit}',
    hint: 'Split the document, or raise rag.maxDocumentBytes in the config.',
  },
  ASDK_RAG_EMPTY_DOCUMENT: {
    status: 400,
    message: 'Cannot ingest {source}: it has no text',
    hint: 'Check the file (an HTML page may hold its text in scripts, which are not run); empty documents are not stored.',
  },
  ASDK_RAG_INVALID_DOCUMENT: {
    status: 400,
    message: 'Invalid document {what}: {reason}',
    hint: 'docs/rag.md describes what POST /collections/{name}/documents accepts.',
  },
  ASDK_RAG_PATH_NOT_FOUND: {
    status: 400,
    message: 'Nothing to ingest at {path}: {reason}',
    hint: 'Give a file or a folder of .md, .txt or .html files, relative to the working directory.',
  },
  ASDK_RAG_EMBEDDING_FAILED: {
    status: 502,
    message: 'The embedding model {model} failed: {reason}',
    hint: '{fix} docs/rag.md describes the embedding settings.',
  },
  ASDK_RAG_EMBEDDING_CONFIG: {
    status: 500,
    message: 'Invalid embedding configuration at {path}: {reason}',
    hint: '{fix} (docs/rag.md lists the embedding settings).',
  },
  ASDK_RAG_EMBEDDER_MISMATCH: {
    status: 409,
    message: 'Collection "{collection}" was embedded with {stored}, but the configured embedder is {current}; vectors of two models cannot be compared',
    hint: 'Re-embed the collection with `agent-sdk ingest --reindex --collection {collection}`, or configure the embedder it was built with.',
  },
  ASDK_RAG_SUMMARIZER_UNKNOWN: {
    status: 500,
    message: 'runtime.summarizer is "{name}", but no plugin contributes a history summariser of that name',
    hint: 'Use auto, model or extractive, or one of the contributed summarisers: {available}.',
  },
} as const satisfies Record<string, ErrorSpec>;
