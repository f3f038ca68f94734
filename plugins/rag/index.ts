/**
 * Memory and retrieval: the embedding sub-port's adapters (the `embedding` plugin: a local hashed n-gram
 * embedder by default, OpenAI-compatible models through the official client), and the `rag` plugin (the vector
 * index with hybrid retrieval, document ingestion, the collection routes). docs/rag.md describes both.
 */
export { embeddingPlugin, EmbeddingConfig, createEmbedder } from './embedding/plugin.js';
export { hashingEmbedder, hashedFeatures } from './embedding/hashing-embedder.js';
export { openaiEmbedder, type OpenAIEmbedderOptions } from './embedding/openai-embedder.js';
export { ragPlugin, ragPorts, RagConfig, type RagInstance } from './plugin.js';
export { DocumentIngestion, type IngestInput, type IngestResult, type CollectionSummary, type MetadataValue } from './ingest/ingestion.js';
export { documentFormats, builtinFormats, markdownFormat, htmlFormat, textFormat, type DocumentFormat } from './ingest/formats.js';
export { parseMarkdown, parsePlainText, type Block, type ParsedDocument } from './ingest/blocks.js';
export { chunkDocument, type ChunkingOptions, type DraftChunk } from './ingest/chunker.js';
export { collectFiles, type FoundFile } from './ingest/files.js';
export { RagIndex, requireCollectionName, type RetrievalMode } from './search/rag-index.js';
export { reciprocalRankFusion } from './search/fusion.js';
export { VectorMatrix, topK, wasmKernelAvailable } from './search/vector-matrix.js';
export { CollectionCache } from './search/collection-cache.js';
export { memoryChunkStore } from './store/memory-chunk-store.js';
export type { ChunkStore } from './store/chunk-store.js';
