import type { OrgScope } from './storage.js';

/** Metadata values a search may filter on (exact match). */
export type VectorFilterValue = string | number | boolean;

/** What to look for. */
export interface VectorSearchRequest {
  /** The text to search for; the index embeds it. */
  readonly query: string;
  /** The collection to search; omitted means the default collection (the one ingestion uses without `--collection`). */
  readonly collection?: string;
  /** How many hits at most, best first. */
  readonly topK: number;
  /** Exact-match filters on document metadata; every entry must match. */
  readonly filter?: Readonly<Record<string, VectorFilterValue>>;
  /** Aborts the search (run cancelled, tool timeout). */
  readonly signal?: AbortSignal;
}

/** One retrieved chunk, with what a citation needs. */
export interface VectorHit {
  readonly chunkId: string;
  readonly documentId: string;
  /** Where the document came from: a file path or a URL, as ingested. */
  readonly source: string;
  readonly title?: string;
  /** Ordinal of the chunk within its document, from 0. */
  readonly position: number;
  /** Relevance, higher is better; comparable within one result list only. */
  readonly score: number;
  readonly text: string;
}

/**
 * The vector-index sub-port: similarity search over ingested chunks, always within one org.
 * The RAG plugin provides it (SQLite or Postgres); the `vector.search` tool uses it when present.
 *
 * @example
 * ```ts
 * const hits = await index.search({ orgId: 'acme' }, { query: 'refund policy', topK: 5 });
 * for (const hit of hits) console.log(hit.score.toFixed(3), hit.source, hit.position);
 * ```
 */
export interface VectorIndexPort {
  /** Hits sorted by descending score, at most `topK`. Rejects with an AgentSdkError when the collection is unknown. */
  search(scope: OrgScope, request: VectorSearchRequest): Promise<readonly VectorHit[]>;
}
