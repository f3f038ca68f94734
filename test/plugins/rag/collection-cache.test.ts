// The in-memory vectors of collections: loaded once per revision, refreshed incrementally (only new and changed
// documents are read again), shared by concurrent searches, bounded by a byte budget (least recently used out).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CollectionCache, type ChunkStore } from '../../../plugins/rag/index.js';

interface FakeDoc {
  id: string;
  hash: string;
  updatedAt: string;
  chunks: { id: string; vector: number[] }[];
}

/** A store over a mutable list of documents that records which documents' vectors were read. */
function fakeStore(docs: FakeDoc[]) {
  const reads: string[][] = [];
  let revision = 1;
  const store = {
    kind: 'memory',
    bump: () => revision++,
    reads,
    async state() {
      return { revision: String(revision) };
    },
    async documents() {
      return docs.map((d) => ({ id: d.id, source: `${d.id}.md`, contentHash: d.hash, updatedAt: d.updatedAt }));
    },
    async vectors(_org: string, ids: readonly string[], onPage: (page: { chunkId: string; documentId: string; position: number; vector?: Float32Array }[]) => void) {
      reads.push([...ids]);
      for (const id of ids) {
        const doc = docs.find((d) => d.id === id)!;
        onPage(doc.chunks.map((c, position) => ({ chunkId: c.id, documentId: id, position, vector: Float32Array.from(c.vector) })));
      }
    },
  };
  return store as typeof store & ChunkStore;
}

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

test('loads once per revision; a refresh reads only new and changed documents and keeps the rest in order', async () => {
  const docs: FakeDoc[] = [
    { id: 'a', hash: 'h1', updatedAt: 't1', chunks: [{ id: 'a0', vector: unit(1, 0, 0) }, { id: 'a1', vector: unit(0, 1, 0) }] },
    { id: 'b', hash: 'h1', updatedAt: 't1', chunks: [{ id: 'b0', vector: unit(0, 0, 1) }] },
    { id: 'c', hash: 'h1', updatedAt: 't1', chunks: [{ id: 'c0', vector: unit(1, 1, 0) }, { id: 'c1', vector: [1, 2] }] }, // c1: wrong length
  ];
  const store = fakeStore(docs);
  const cache = new CollectionCache({ maxBytes: 1 << 20 });
  const state = async () => store.state();
  const first = await cache.get(store, 'org', 'col', await state(), 3);
  assert.equal(first.chunkIds, ['a0', 'a1', 'b0', 'c0']);
  assert.is(first.skipped, 1, 'a vector of another length is not searchable');
  assert.equal(store.reads, [['a', 'b', 'c']]);
  assert.is(await cache.get(store, 'org', 'col', await state(), 3), first, 'same revision: same snapshot, nothing read');
  assert.equal(first.nearest(Float32Array.from(unit(0, 0, 1)), 2).map((h) => first.chunkIds[h.row]), ['b0', 'a0']);

  // b changes, a is deleted, d is added.
  docs[1] = { id: 'b', hash: 'h2', updatedAt: 't2', chunks: [{ id: 'b9', vector: unit(0, 1, 1) }] };
  docs.splice(0, 1);
  docs.push({ id: 'd', hash: 'h1', updatedAt: 't2', chunks: [{ id: 'd0', vector: unit(1, 0, 1) }] });
  store.bump();
  const second = await cache.get(store, 'org', 'col', await state(), 3);
  assert.equal(store.reads[1], ['b', 'd'], 'c is unchanged and copied from the previous snapshot');
  assert.equal(second.chunkIds, ['c0', 'b9', 'd0']);
  assert.equal([...second.rowDocument].map((i) => second.documents[i].id), ['c', 'b', 'd']);
  assert.equal(second.nearest(Float32Array.from(unit(1, 1, 0)), 1).map((h) => second.chunkIds[h.row]), ['c0'], 'copied rows keep their vectors');
  assert.equal(second.nearest(Float32Array.from(unit(0, 1, 1)), 3, new Set([second.documentIndex.get('d')!])).map((h) => second.chunkIds[h.row]), ['d0'], 'filtered to one document');
});

test('concurrent searches share one load; another length of vectors is another snapshot', async () => {
  const store = fakeStore([{ id: 'a', hash: 'h', updatedAt: 't', chunks: [{ id: 'a0', vector: unit(1, 0) }] }]);
  const cache = new CollectionCache({ maxBytes: 1 << 20 });
  const state = await store.state();
  const [x, y] = await Promise.all([cache.get(store, 'org', 'col', state, 2), cache.get(store, 'org', 'col', state, 2)]);
  assert.is(x, y);
  assert.is(store.reads.length, 1);
  const other = await cache.get(store, 'org', 'col', state, 4);
  assert.is(other.rows, 0, 'no vector of length 4');
  assert.is(store.reads.length, 2, 'a full read: the old rows are of another length');
});

test('the byte budget drops the least recently used collections; one larger than the budget stays alone, with a warning', async () => {
  const docs = (n: number): FakeDoc[] => [{ id: 'd', hash: 'h', updatedAt: 't', chunks: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, vector: unit(1, i + 1) })) }];
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message), child: () => logger };
  const cache = new CollectionCache({ maxBytes: 3_000, logger });
  const small = fakeStore(docs(10));
  for (const collection of ['one', 'two', 'three']) await cache.get(small, 'org', collection, await small.state(), 2);
  assert.ok(cache.byteSize <= 3_000, `${cache.byteSize}`);
  const held = cache.size;
  assert.ok(held >= 1 && held < 3, `${held} of 3 kept`);
  await cache.get(small, 'org', 'three', await small.state(), 2);
  assert.is(small.reads.length, 3, 'the most recent one was kept');
  const big = fakeStore(docs(200));
  const snapshot = await cache.get(big, 'org', 'big', await big.state(), 2);
  assert.ok(snapshot.byteSize > 3_000);
  assert.is(cache.size, 1, 'everything else was dropped');
  assert.equal(warnings.length, 1);
  await cache.get(big, 'org', 'big', await big.state(), 2);
  assert.is(warnings.length, 1, 'said once');
  cache.invalidate('org', 'big');
  assert.is(cache.size, 0);
});

test.run();
