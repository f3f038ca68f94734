// The vector index and ingestion through the rag plugin, on in-memory storage, SQLite and Postgres: hits with
// what citations need, hybrid retrieval, metadata filters, org and collection scoping, content-hash dedupe,
// replacement and deletion (nothing of an old version is found again), embedder mismatches and re-embedding.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storagePlugin } from '../../../adapters/storage-mikro-orm/index.js';
import { DEFAULT_ORG, ports, type Kernel, type OrgScope } from '../../../core/index.js';
import { embeddingPlugin, ragPlugin, ragPorts, type DocumentIngestion } from '../../../plugins/rag/index.js';
import { requireCollectionName } from '../../../plugins/rag/search/rag-index.js';
import { startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { createTestDatabase, PG_SKIP, testPgUrl, type TestDatabase } from '../../storage/postgres-database.js';

const OTHER: OrgScope = { orgId: 'other-org' };

const refunds = `# Refunds

Refunds are paid to the original card within five business days after the parcel reaches the warehouse.

## Store credit

Gift card purchases are refunded as store credit, available at once.`;
const shipping = `# Shipping

Express delivery costs twelve euros and arrives the next working day. Standard delivery is free above sixty euros.`;
const volcanoes = `<html><head><title>Volcanoes</title></head><body><h1>Volcano types</h1>
<p>Shield volcanoes are built by fluid basalt lava flows. Mauna Loa is the largest active volcano.</p></body></html>`;

interface Backend {
  readonly name: string;
  /** Plugins and config for a kernel on this backend; `shared` is a second kernel on the same database. */
  open(config?: Record<string, unknown>): Promise<Kernel>;
  readonly sql: boolean;
  close(): Promise<void>;
}

async function seed(ingestion: DocumentIngestion) {
  const a = await ingestion.ingest(DEFAULT_ORG, { source: 'docs/refunds.md', content: refunds, metadata: { team: 'support' } });
  const b = await ingestion.ingest(DEFAULT_ORG, { source: 'docs/shipping.md', content: shipping, metadata: { team: 'logistics', public: true } });
  const c = await ingestion.ingest(DEFAULT_ORG, { source: 'science/volcanoes.html', content: volcanoes, collection: 'science' });
  return { a, b, c };
}

function suite(backend: Backend) {
  const name = backend.name;

  test(`${name}: ingest, then search returns chunk ids, document, source, title, position, score and text, best first`, async () => {
    const kernel = await backend.open();
    try {
      const ingestion = kernel.get(ragPorts.documents);
      const { a, b, c } = await seed(ingestion);
      assert.equal([a.status, a.chunks, a.collection, a.document.title, a.document.metadata], ['created', 1, 'default', 'Refunds', { format: 'markdown', team: 'support' }]);
      assert.equal([b.status, c.status, c.collection, c.document.title], ['created', 'created', 'science', 'Volcanoes']);
      assert.match(a.document.contentHash, /^sha256:[0-9a-f]{64}$/);
      const index = kernel.get(ports.vectorIndex);
      const hits = await index.search(DEFAULT_ORG, { query: 'How long until my refund is paid?', topK: 5 });
      assert.is(hits[0].source, 'docs/refunds.md');
      assert.is(hits[0].documentId, a.document.id);
      assert.is(hits[0].title, 'Refunds');
      assert.is(hits[0].position, 0);
      assert.match(hits[0].chunkId, /^ch_[0-9a-f]{16}$/);
      assert.match(hits[0].text, 'Refunds are paid to the original card within five business days');
      assert.ok(hits.every((h, i) => i === 0 || h.score <= hits[i - 1].score), 'sorted by score');
      assert.ok(!hits.some((h) => h.source.startsWith('science/')), 'the default collection only');
      assert.is((await index.search(DEFAULT_ORG, { query: 'refund', topK: 1 })).length, 1, 'topK');
      const science = await index.search(DEFAULT_ORG, { query: 'largest active volcano', topK: 3, collection: 'science' });
      assert.equal(science.map((h) => h.source), ['science/volcanoes.html']);
      assert.equal(await index.search(DEFAULT_ORG, { query: '   ', topK: 3 }), []);
    } finally {
      await kernel.stop();
    }
  });

  test(`${name}: hybrid retrieval, and vector or keyword alone, each find what they should`, async () => {
    for (const mode of ['hybrid', 'vector', 'keyword'] as const) {
      const kernel = await backend.open({ rag: { retrieval: { mode } } });
      try {
        await seed(kernel.get(ragPorts.documents));
        const index = kernel.get(ports.vectorIndex);
        const express = await index.search(DEFAULT_ORG, { query: 'what does express delivery cost', topK: 2 });
        assert.is(express[0]?.source, 'docs/shipping.md', mode);
        // Keyword search cannot match misspelt words; vectors still share their character n-grams.
        const typos = await index.search(DEFAULT_ORG, { query: 'exprss delivry', topK: 2 });
        if (mode === 'keyword') assert.equal(typos, [], 'no term matches');
        else assert.is(typos[0]?.source, 'docs/shipping.md', mode);
      } finally {
        await kernel.stop();
      }
    }
  });

  test(`${name}: metadata filters match exactly; another org and another collection see nothing`, async () => {
    const kernel = await backend.open();
    try {
      const ingestion = kernel.get(ragPorts.documents);
      await seed(ingestion);
      await ingestion.ingest(OTHER, { source: 'docs/refunds.md', content: 'Refunds of the other org take ninety days.' });
      const index = kernel.get(ports.vectorIndex);
      const search = (filter: Record<string, string | number | boolean>, scope = DEFAULT_ORG) => index.search(scope, { query: 'refunds delivery', topK: 5, filter });
      assert.equal((await search({ team: 'logistics' })).map((h) => h.source), ['docs/shipping.md']);
      assert.equal((await search({ team: 'logistics', public: true })).map((h) => h.source), ['docs/shipping.md']);
      assert.equal(await search({ public: 'true' }), [], 'strict equality: "true" is not true');
      assert.equal(await search({ team: 'nobody' }), []);
      assert.equal((await search({ format: 'markdown' })).length, 2);
      const theirs = await index.search(OTHER, { query: 'refunds', topK: 5 });
      assert.equal(theirs.map((h) => h.text.includes('ninety')), [true], 'the other org sees only its own document');
      const code = (await rejection(index.search(OTHER, { query: 'volcano', topK: 5, collection: 'science' }))).code;
      assert.is(code, 'ASDK_RAG_COLLECTION_NOT_FOUND', 'collections are per org');
      const invalid = await rejection(index.search(DEFAULT_ORG, { query: 'x', topK: 5, collection: '../etc' }));
      assert.is(invalid.code, 'ASDK_RAG_INVALID_COLLECTION');
    } finally {
      await kernel.stop();
    }
  });

  test(`${name}: unchanged content is skipped, identical content under another source is not stored twice, a changed file replaces its chunks`, async () => {
    const kernel = await backend.open();
    try {
      const ingestion = kernel.get(ragPorts.documents);
      const index = kernel.get(ports.vectorIndex);
      const first = await ingestion.ingest(DEFAULT_ORG, { source: 'notes.md', content: shipping });
      const firstHits = await index.search(DEFAULT_ORG, { query: 'express delivery', topK: 5 });
      const again = await ingestion.ingest(DEFAULT_ORG, { source: 'notes.md', content: Buffer.from(shipping) });
      assert.equal([again.status, again.document.id, again.chunks], ['unchanged', first.document.id, first.chunks]);
      const twin = await ingestion.ingest(DEFAULT_ORG, { source: 'copy-of-notes.md', content: shipping });
      assert.equal([twin.status, twin.document.source], ['duplicate', 'notes.md']);
      assert.is((await ingestion.allDocuments(DEFAULT_ORG, 'default')).length, 1);

      const changed = await ingestion.ingest(DEFAULT_ORG, { source: 'notes.md', content: '# Shipping\n\nParcels now travel by bicycle courier within the city.' });
      assert.equal([changed.status, changed.document.id], ['updated', first.document.id], 'same source, same document id');
      assert.ok(changed.document.updatedAt >= first.document.updatedAt);
      const hits = await index.search(DEFAULT_ORG, { query: 'express delivery costs twelve euros', topK: 5 });
      assert.ok(hits.every((h) => !h.text.includes('twelve')), 'the old text is gone from vectors and keywords');
      assert.ok(hits.every((h) => !firstHits.some((old) => old.chunkId === h.chunkId)), 'no old chunk id comes back');
      assert.is((await index.search(DEFAULT_ORG, { query: 'bicycle courier', topK: 1 }))[0].source, 'notes.md');
      const forced = await ingestion.ingest(DEFAULT_ORG, { source: 'notes.md', content: '# Shipping\n\nParcels now travel by bicycle courier within the city.', force: true });
      assert.is(forced.status, 'updated', '--force re-embeds unchanged content');
    } finally {
      await kernel.stop();
    }
  });

  test(`${name}: deleting a document removes its chunks, vectors and keyword entries; others stay`, async () => {
    const kernel = await backend.open();
    try {
      const ingestion = kernel.get(ragPorts.documents);
      const { a } = await seed(ingestion);
      const index = kernel.get(ports.vectorIndex);
      assert.is((await index.search(DEFAULT_ORG, { query: 'refund store credit', topK: 1 }))[0].source, 'docs/refunds.md');
      assert.is(await ingestion.deleteDocument(DEFAULT_ORG, 'science', a.document.id), false, 'not in that collection');
      assert.is(await ingestion.deleteDocument(OTHER, 'default', a.document.id).catch((e) => e.code), 'ASDK_RAG_COLLECTION_NOT_FOUND', 'another org has no such collection');
      assert.is(await ingestion.deleteDocument(DEFAULT_ORG, 'default', a.document.id), true);
      assert.is(await ingestion.deleteDocument(DEFAULT_ORG, 'default', a.document.id), false, 'already gone');
      for (const mode of ['refund store credit', 'Refunds are paid to the original card']) {
        const hits = await index.search(DEFAULT_ORG, { query: mode, topK: 5 });
        assert.ok(hits.every((h) => h.source !== 'docs/refunds.md'), 'the deleted document is never found');
      }
      assert.is((await index.search(DEFAULT_ORG, { query: 'express delivery', topK: 1 }))[0].source, 'docs/shipping.md');
      assert.equal((await ingestion.listCollections(DEFAULT_ORG)).items.map((c) => [c.name, c.documents, c.chunks]).sort(), [['default', 1, 1], ['science', 1, 1]]);
      assert.is(await ingestion.deleteSource(DEFAULT_ORG, 'default', 'docs/shipping.md'), true);
      assert.equal(await index.search(DEFAULT_ORG, { query: 'express delivery', topK: 5 }), []);
    } finally {
      await kernel.stop();
    }
  });

  test(`${name}: a document written around the plugin (straight to storage) is seen at the next search`, async () => {
    const kernel = await backend.open();
    try {
      const ingestion = kernel.get(ragPorts.documents);
      await seed(ingestion);
      const index = kernel.get(ports.vectorIndex);
      await index.search(DEFAULT_ORG, { query: 'refunds', topK: 5 }); // the collection is now cached
      const storage = kernel.get(ports.storage);
      const documents = await ingestion.allDocuments(DEFAULT_ORG, 'default');
      await storage.documents.deleteDocument(DEFAULT_ORG, documents.find((d) => d.source === 'docs/refunds.md')!.id);
      const hits = await index.search(DEFAULT_ORG, { query: 'refunds paid to the original card', topK: 5 });
      assert.ok(hits.every((h) => h.source !== 'docs/refunds.md'), 'the revision moved: the cache was refreshed');
    } finally {
      await kernel.stop();
    }
  });

  test(`${name}: a collection built with another embedder is refused until it is re-embedded`, async () => {
    const kernel = await backend.open();
    try {
      await seed(kernel.get(ragPorts.documents));
    } finally {
      await kernel.stop();
    }
    if (!backend.sql) return; // in memory, nothing survives the kernel
    const other = await backend.open({ embedding: { dimensions: 128 } });
    try {
      const index = other.get(ports.vectorIndex);
      const refused = await rejection(index.search(DEFAULT_ORG, { query: 'refunds', topK: 3 }));
      assert.is(refused.code, 'ASDK_RAG_EMBEDDER_MISMATCH');
      assert.match(refused.message, 'was embedded with local/hashed-ngrams-v1-384, but the configured embedder is local/hashed-ngrams-v1-128');
      assert.match(refused.hint, 'agent-sdk ingest --reindex --collection default');
      const ingestion = other.get(ragPorts.documents);
      assert.is((await rejection(ingestion.ingest(DEFAULT_ORG, { source: 'x.md', content: 'More text.' }))).code, 'ASDK_RAG_EMBEDDER_MISMATCH');
      const progress: string[] = [];
      assert.is(await ingestion.reindex(DEFAULT_ORG, 'default', (done, total, d) => progress.push(`${done}/${total} ${d.source}`)), 2, 'two chunks');
      assert.equal(progress, ['1/2 docs/shipping.md', '2/2 docs/refunds.md'], 'one call per document, newest first');
      assert.is((await index.search(DEFAULT_ORG, { query: 'store credit for gift cards', topK: 1 }))[0].source, 'docs/refunds.md');
      assert.equal((await ingestion.listCollections(DEFAULT_ORG)).items.find((c) => c.name === 'default')?.embeddingModel, 'local/hashed-ngrams-v1-128');
    } finally {
      await other.stop();
    }
  });

  test(`${name}: bad documents are refused with codes: unknown format, no text, too large, bad metadata`, async () => {
    const kernel = await backend.open({ rag: { maxDocumentBytes: 2_048 } });
    try {
      const ingestion = kernel.get(ragPorts.documents);
      const code = async (input: Parameters<DocumentIngestion['ingest']>[1]) => (await rejection(ingestion.ingest(DEFAULT_ORG, input))).code;
      assert.is(await code({ source: 'report.pdf', content: new Uint8Array([37, 80, 68, 70]) }), 'ASDK_RAG_UNSUPPORTED_FORMAT');
      assert.is(await code({ source: 'x.md', content: 'text', format: 'docx' }), 'ASDK_RAG_UNSUPPORTED_FORMAT');
      assert.is(await code({ source: 'empty.md', content: '\n\n  \n' }), 'ASDK_RAG_EMPTY_DOCUMENT');
      assert.is(await code({ source: 'big.txt', content: 'x '.repeat(2_000) }), 'ASDK_RAG_DOCUMENT_TOO_LARGE');
      assert.is(await code({ source: 'm.md', content: 'text', metadata: { nested: { a: 1 } as never } }), 'ASDK_RAG_INVALID_DOCUMENT');
      assert.is(await code({ source: '', content: 'text' }), 'ASDK_RAG_INVALID_DOCUMENT');
      assert.is(await code({ source: 'x.md', content: 'text', collection: 'no spaces' }), 'ASDK_RAG_INVALID_COLLECTION');
      const unsupported = await rejection(ingestion.ingest(DEFAULT_ORG, { source: 'report.pdf', content: 'x' }));
      assert.match(unsupported.hint, 'markdown (.md');
      assert.is((await ingestion.ingest(DEFAULT_ORG, { source: 'notes', content: 'Plain words.', mediaType: 'text/plain' })).status, 'created', 'a media type names the format');
    } finally {
      await kernel.stop();
    }
  });
}

const memory: Backend = {
  name: 'memory',
  sql: false,
  open: (config = {}) => startTestKernel({ plugins: [embeddingPlugin, ragPlugin], config }),
  close: async () => undefined,
};

const dir = mkdtempSync(join(tmpdir(), 'asdk-rag-index-'));
let files = 0;
let currentFile = '';
/** A fresh SQLite file per test; a second `open` within a test reuses it (to act as another process). */
function sqlite(): Backend {
  return {
    name: 'sqlite',
    sql: true,
    open(config = {}) {
      return startTestKernel({ plugins: [storagePlugin, embeddingPlugin, ragPlugin], config: { storage: { path: currentFile }, ...config } });
    },
    close: async () => undefined,
  };
}
test.before.each(() => {
  currentFile = join(dir, `rag-${++files}.sqlite`);
});

suite(memory);
suite(sqlite());

let database: TestDatabase | undefined;
if (!testPgUrl) console.log(PG_SKIP);
else {
  suite({
    name: 'postgres',
    sql: true,
    async open(config = {}) {
      return startTestKernel({ plugins: [storagePlugin, embeddingPlugin, ragPlugin], config: { storage: { url: database!.url, autoMigrate: true }, ...config } });
    },
    close: async () => undefined,
  });
  test.before.each(async () => {
    await database?.drop();
    database = await createTestDatabase(testPgUrl!);
  });
}

test.after(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('a refused collection name and a long title are cut on a code point boundary', async () => {
  const refused = (() => {
    try {
      requireCollectionName(`${'x'.repeat(79)}😀`);
    } catch (error) {
      return (error as Error).message;
    }
  })()!;
  // JSON.stringify writes a lone surrogate as a \uD83D escape: half an emoji shown as text.
  assert.match(refused, `"${'x'.repeat(79)}"`);
  assert.not.match(refused, '\\ud83d');
  const kernel = await memory.open();
  try {
    const result = await kernel.get(ragPorts.documents).ingest(DEFAULT_ORG, { source: 'long.md', content: 'Some words.', title: `${'x'.repeat(499)}😀😀` });
    assert.is(result.document.title, 'x'.repeat(499));
  } finally {
    await kernel.stop();
  }
});

test.run();
