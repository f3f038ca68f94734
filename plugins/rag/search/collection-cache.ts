import type { Logger } from '../../../core/index.js';
import type { ChunkStore, CollectionState, IndexedDocument, VectorRow } from '../store/chunk-store.js';
import { topK, VectorMatrix } from './vector-matrix.js';

/**
 * One collection's vectors in memory, as of one revision: a matrix row per chunk that has a vector of the
 * embedder's length, with the chunk's id, document and position.
 */
export class CollectionSnapshot {
  constructor(
    readonly key: string,
    readonly revision: string,
    readonly dims: number,
    readonly documents: readonly IndexedDocument[],
    readonly chunkIds: readonly string[],
    /** Ordinal in `documents` of each row's document. */
    readonly rowDocument: Int32Array,
    readonly positions: Int32Array,
    readonly matrix: VectorMatrix,
    /** Chunks without a vector of this length (not found by vector search; keyword search still sees them). */
    readonly skipped: number,
  ) {
    this.documentIndex = new Map(documents.map((d, i) => [d.id, i]));
  }

  readonly documentIndex: Map<string, number>;
  lastUsed = 0;

  get rows(): number {
    return this.chunkIds.length;
  }

  /** What the snapshot holds in memory, roughly (the matrix dominates). */
  get byteSize(): number {
    return this.matrix.byteSize + this.rows * (8 + 64) + this.documents.length * 256;
  }

  /** The `k` rows most similar to the unit vector `query` (cosine = dot product), of allowed documents only. */
  nearest(query: Float32Array, k: number, allowedDocuments?: ReadonlySet<number>): { row: number; score: number }[] {
    if (!this.rows) return [];
    let mask: Uint8Array | undefined;
    if (allowedDocuments) {
      mask = new Uint8Array(this.rows);
      for (let r = 0; r < this.rows; r++) if (allowedDocuments.has(this.rowDocument[r])) mask[r] = 1;
    }
    return topK(this.matrix.scores(query), this.rows, k, mask).map(({ index, score }) => ({ row: index, score }));
  }
}

export interface CollectionCacheOptions {
  /** Total bytes of snapshots kept; the least recently used are dropped beyond it. */
  readonly maxBytes: number;
  readonly logger?: Logger;
  /** Force the JavaScript loop instead of the WebAssembly kernel. */
  readonly useWasm?: boolean;
}

/**
 * Snapshots per org and collection, current as of the collection's revision. When the revision moves, the
 * next search refreshes the snapshot incrementally: documents whose content hash and update time are unchanged
 * keep their rows (copied, not re-read); only new and changed documents' chunks are read from the database.
 * Concurrent searches share one refresh.
 */
export class CollectionCache {
  readonly #snapshots = new Map<string, CollectionSnapshot>();
  readonly #loading = new Map<string, Promise<CollectionSnapshot>>();
  readonly #options: CollectionCacheOptions;
  #clock = 0;
  #warned = new Set<string>();

  constructor(options: CollectionCacheOptions) {
    this.#options = options;
  }

  /** The snapshot of a collection at `state.revision` (loading or refreshing it when needed). */
  async get(store: ChunkStore, orgId: string, collectionId: string, state: CollectionState, dims: number): Promise<CollectionSnapshot> {
    const key = `${orgId}\u0000${collectionId}`;
    const current = this.#snapshots.get(key);
    if (current && current.revision === state.revision && current.dims === dims) {
      current.lastUsed = ++this.#clock;
      return current;
    }
    const loadKey = `${key}\u0000${state.revision}\u0000${dims}`;
    let loading = this.#loading.get(loadKey);
    if (!loading) {
      loading = load(store, orgId, collectionId, key, state.revision, dims, current, this.#options.useWasm ?? true).finally(() => this.#loading.delete(loadKey));
      this.#loading.set(loadKey, loading);
    }
    const snapshot = await loading;
    // Last one in wins: every search compares the revision first, so a snapshot that is already stale is replaced.
    this.#snapshots.set(key, snapshot);
    this.#evict(snapshot);
    snapshot.lastUsed = ++this.#clock;
    return snapshot;
  }

  /** Forgets a collection (its next search reloads it). */
  invalidate(orgId: string, collectionId: string): void {
    this.#snapshots.delete(`${orgId}\u0000${collectionId}`);
  }

  get byteSize(): number {
    let total = 0;
    for (const snapshot of this.#snapshots.values()) total += snapshot.byteSize;
    return total;
  }

  get size(): number {
    return this.#snapshots.size;
  }

  clear(): void {
    this.#snapshots.clear();
  }

  #evict(keep: CollectionSnapshot): void {
    let total = this.byteSize;
    const byAge = [...this.#snapshots.values()].sort((a, b) => a.lastUsed - b.lastUsed);
    for (const snapshot of byAge) {
      if (total <= this.#options.maxBytes) break;
      if (snapshot === keep) continue;
      this.#snapshots.delete(snapshot.key);
      total -= snapshot.byteSize;
    }
    // One collection larger than the budget stays (searching it must work); say so once.
    if (keep.byteSize > this.#options.maxBytes && !this.#warned.has(keep.key)) {
      this.#warned.add(keep.key);
      this.#options.logger?.warn('a collection\'s vectors need more memory than rag.cacheMaxBytes; it is kept alone in memory', {
        collectionId: keep.key.split('\u0000')[1],
        bytes: keep.byteSize,
        maxBytes: this.#options.maxBytes,
      });
    }
  }
}

async function load(
  store: ChunkStore,
  orgId: string,
  collectionId: string,
  key: string,
  revision: string,
  dims: number,
  previous: CollectionSnapshot | undefined,
  useWasm: boolean,
): Promise<CollectionSnapshot> {
  const documents = await store.documents(orgId, collectionId);
  const reusable = previous && previous.dims === dims ? previous : undefined;
  const unchanged = new Set<number>(); // ordinals in `previous` of documents whose rows are kept
  const toRead: string[] = [];
  for (const document of documents) {
    const old = reusable?.documentIndex.get(document.id);
    const before = old === undefined ? undefined : reusable!.documents[old];
    if (before && before.contentHash === document.contentHash && before.updatedAt === document.updatedAt) unchanged.add(old!);
    else toRead.push(document.id);
  }
  const fresh: VectorRow[] = [];
  let skipped = 0;
  await store.vectors(orgId, toRead, (page) => {
    for (const row of page) {
      if (row.vector && row.vector.length === dims) fresh.push(row);
      else skipped++;
    }
  });
  // Rows kept from the previous snapshot, in their order, as runs of consecutive rows (one copy per run).
  const runs: [from: number, count: number][] = [];
  let kept = 0;
  if (reusable) {
    skipped += reusable.skipped; // approximate: skipped chunks of kept documents stay skipped
    for (let r = 0; r < reusable.rows; r++) {
      if (!unchanged.has(reusable.rowDocument[r])) continue;
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === r) last[1]++;
      else runs.push([r, 1]);
      kept++;
    }
  }
  const rows = kept + fresh.length;
  const matrix = VectorMatrix.allocate(rows, dims, { useWasm });
  const chunkIds: string[] = new Array(rows);
  const rowDocument = new Int32Array(rows);
  const positions = new Int32Array(rows);
  const ordinal = new Map(documents.map((d, i) => [d.id, i]));
  let at = 0;
  for (const [from, count] of runs) {
    matrix.copyRows(reusable!.matrix, from, at, count);
    for (let i = 0; i < count; i++) {
      const r = from + i;
      chunkIds[at + i] = reusable!.chunkIds[r];
      rowDocument[at + i] = ordinal.get(reusable!.documents[reusable!.rowDocument[r]].id)!;
      positions[at + i] = reusable!.positions[r];
    }
    at += count;
  }
  for (const row of fresh) {
    const documentOrdinal = ordinal.get(row.documentId);
    if (documentOrdinal === undefined) continue; // deleted after the document list was read; the next revision drops it
    matrix.setRow(at, row.vector!);
    chunkIds[at] = row.chunkId;
    rowDocument[at] = documentOrdinal;
    positions[at] = row.position;
    at++;
  }
  if (at !== rows) {
    // Some fresh rows were dropped above: shrink to what was filled.
    const trimmed = VectorMatrix.allocate(at, dims, { useWasm });
    trimmed.copyRows(matrix, 0, 0, at);
    return new CollectionSnapshot(key, revision, dims, documents, chunkIds.slice(0, at), rowDocument.slice(0, at), positions.slice(0, at), trimmed, skipped);
  }
  return new CollectionSnapshot(key, revision, dims, documents, chunkIds, rowDocument, positions, matrix, skipped);
}
