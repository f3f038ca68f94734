// The SQL under the RAG index (migration 0002_rag_index and chunkIndexQueries) on SQLite and Postgres: triggers
// keep the keyword index and the revisions right through the plain documents repository; full-text search is
// ranked, scoped to org and collection, and filtered by document; deleting removes every trace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkIndexQueries, openMikroOrmStorage, resolveStorageOptions, type MikroOrmStorage } from '../../../adapters/storage-mikro-orm/index.js';
import { createTestDatabase, PG_SKIP, testPgUrl, type TestDatabase } from '../../storage/postgres-database.js';

const where = { dataDir: process.cwd(), baseDir: process.cwd(), env: {} };
const A = { orgId: 'org-a' };
const B = { orgId: 'org-b' };

async function count(storage: MikroOrmStorage, table: string, where = '1 = 1', bindings: unknown[] = []): Promise<number> {
  const result = (await storage.knex.raw(`select count(*) as n from ${table} where ${where}`, bindings as never)) as { rows?: { n: string }[] } | { n: number }[];
  return Number((Array.isArray(result) ? result : result.rows!)[0].n);
}

function suite(name: string, open: () => Promise<{ storage: MikroOrmStorage; done: () => Promise<void> }>) {
  test(`${name}: triggers index chunks and bump revisions; keyword search is ranked and scoped; delete leaves nothing`, async () => {
    const { storage, done } = await open();
    try {
      const q = chunkIndexQueries(storage);
      const searchTable = storage.dialect === 'sqlite' ? 'rag_chunk_keys' : 'rag_chunk_search';
      await storage.orgs.ensure({ id: A.orgId, name: 'A' });
      await storage.orgs.ensure({ id: B.orgId, name: 'B' });
      const handbook = await storage.documents.ensureCollection(A, 'handbook');
      const other = await storage.documents.ensureCollection(A, 'other');
      const theirs = await storage.documents.ensureCollection(B, 'handbook');
      assert.equal(await q.state(A.orgId, handbook.id), { revision: '0' }, 'no document yet');

      await storage.documents.upsertDocument(A, { id: 'refunds', collectionId: handbook.id, source: 'refunds.md', contentHash: 'h1', metadata: { team: 'support' } }, [
        { id: 'r0', position: 0, text: 'Refunds are paid within five business days.', vector: new Float32Array([1, 0]) },
        { id: 'r1', position: 1, text: 'Store credit is available immediately after a refund.', vector: new Float32Array([0, 1]) },
      ]);
      await storage.documents.upsertDocument(A, { id: 'shipping', collectionId: handbook.id, source: 'shipping.md', contentHash: 'h2' }, [
        { id: 's0', position: 0, text: 'Express shipping costs twelve euros and arrives the next day.' },
      ]);
      await storage.documents.upsertDocument(A, { id: 'other-doc', collectionId: other.id, source: 'x.md', contentHash: 'h3' }, [{ id: 'o0', position: 0, text: 'Refunds in another collection.' }]);
      await storage.documents.upsertDocument(B, { id: 'their-doc', collectionId: theirs.id, source: 'refunds.md', contentHash: 'h1' }, [{ id: 'b0', position: 0, text: 'Refunds of org B.' }]);
      const after = await q.state(A.orgId, handbook.id);
      assert.is(after.revision, '2', 'one bump per document written');
      assert.equal(await q.state(B.orgId, handbook.id), { revision: '0' }, 'another org does not see the collection\'s state');

      // "refunded" meets "refunds" and "refund" through the stemmers (porter on SQLite, english on Postgres).
      const hits = await q.keyword(A.orgId, handbook.id, ['refunded', 'paid'], 10);
      assert.equal(hits.map((h) => h.chunkId), ['r0', 'r1'], 'the chunk matching both words first');
      assert.ok(hits[0].score > hits[1].score && hits[1].score > 0);
      assert.equal((await q.keyword(A.orgId, handbook.id, ['refund'], 10, ['shipping'])).map((h) => h.chunkId), [], 'restricted to other documents');
      assert.equal((await q.keyword(A.orgId, other.id, ['refund'], 10)).map((h) => h.chunkId), ['o0'], 'another collection');
      assert.equal((await q.keyword(B.orgId, handbook.id, ['refund'], 10)).map((h) => h.chunkId), [], 'org B cannot reach org A\'s collection by id');
      assert.equal(await q.keyword(A.orgId, handbook.id, [], 10), []);

      const pages: string[][] = [];
      await q.vectors(A.orgId, ['refunds', 'shipping'], (page) => pages.push(page.map((r) => `${r.chunkId}:${r.position}:${r.vector ? [...r.vector].join('/') : '-'}`)));
      assert.equal(pages.flat(), ['r0:0:1/0', 'r1:1:0/1', 's0:0:-']);
      const docs = await q.documents(A.orgId, handbook.id);
      assert.equal(docs.map((d) => [d.id, d.source, d.contentHash, d.metadata]), [['refunds', 'refunds.md', 'h1', { team: 'support' }], ['shipping', 'shipping.md', 'h2', undefined]]);
      assert.equal((await q.chunks(A.orgId, ['s0', 'r1', 'b0'])).map((c) => c.id).sort(), ['r1', 's0'], 'chunks of another org are not returned');
      assert.is(await q.findByHash(A.orgId, handbook.id, 'h2'), 'shipping');
      assert.is(await q.findByHash(A.orgId, other.id, 'h2'), undefined);
      assert.equal([...(await q.stats(A.orgId, [handbook.id, other.id]))], [[handbook.id, { documents: 2, chunks: 3 }], [other.id, { documents: 1, chunks: 1 }]]);
      await q.setEmbedding(A.orgId, handbook.id, 'local/test', 2);
      assert.equal(await q.state(A.orgId, handbook.id), { revision: '2', embeddingModel: 'local/test', dimensions: 2 });

      // Replacing a document replaces its keyword entries; deleting one removes them.
      await storage.documents.upsertDocument(A, { id: 'refunds', collectionId: handbook.id, source: 'refunds.md', contentHash: 'h4' }, [{ id: 'r2', position: 0, text: 'Exchanges are free within thirty days.' }]);
      assert.equal((await q.keyword(A.orgId, handbook.id, ['refund'], 10)).map((h) => h.chunkId), [], 'the old text is gone from the index');
      assert.equal((await q.keyword(A.orgId, handbook.id, ['exchanges'], 10)).map((h) => h.chunkId), ['r2']);
      assert.is((await q.state(A.orgId, handbook.id)).revision, '4', 'a replacement is a delete and an insert of the document');
      assert.ok(await storage.documents.deleteDocument(A, 'refunds'));
      assert.is((await q.state(A.orgId, handbook.id)).revision, '5');
      assert.equal(await q.keyword(A.orgId, handbook.id, ['exchanges'], 10), []);
      assert.is(await count(storage, searchTable, 'document_id = ?', ['refunds']), 0);
      if (storage.dialect === 'sqlite') {
        const fts = (await storage.knex.raw("select count(*) as n from rag_chunks_fts where rag_chunks_fts match 'exchanges'")) as { n: number }[];
        assert.is(Number(fts[0].n), 0, 'the FTS5 entry is deleted with the chunk');
      }
      assert.is(await count(storage, searchTable), 3, 'shipping, the other collection, org B');
    } finally {
      await done();
    }
  });

  test(`${name}: keyword search asks first for chunks with two of the words, and for any word when too few have two`, async () => {
    const { storage, done } = await open();
    try {
      const q = chunkIndexQueries(storage);
      const collection = await storage.documents.ensureCollection({ orgId: 'default' }, 'words');
      await storage.documents.upsertDocument({ orgId: 'default' }, { id: 'w', collectionId: collection.id, source: 'w.md', contentHash: 'h' }, [
        { id: 'both', position: 0, text: 'Glacier hiking needs crampons.' },
        { id: 'one', position: 1, text: 'Crampons are sharp.' },
        { id: 'other', position: 2, text: 'Glacier lakes are cold and glacier water is clear.' },
        { id: 'none', position: 3, text: 'Nothing relevant here.' },
      ]);
      assert.equal((await q.keyword('default', collection.id, ['glacier', 'crampons'], 1)).map((h) => h.chunkId), ['both'], 'enough chunks have both words');
      const all = (await q.keyword('default', collection.id, ['glacier', 'crampons'], 3)).map((h) => h.chunkId);
      assert.is(all[0], 'both', 'too few have both: any word, the chunk with both still first');
      assert.equal([...all].sort(), ['both', 'one', 'other']);
      assert.equal((await q.keyword('default', collection.id, ['crampons'], 5)).map((h) => h.chunkId).sort(), ['both', 'one'], 'one word: any-word matching');
    } finally {
      await done();
    }
  });

  test(`${name}: chunks stored before the migration are indexed when it runs`, async () => {
    const { storage, done } = await open();
    try {
      const collection = await storage.documents.ensureCollection({ orgId: 'default' }, 'legacy');
      await storage.documents.upsertDocument({ orgId: 'default' }, { id: 'legacy-doc', collectionId: collection.id, source: 'old.txt', contentHash: 'h' }, [{ id: 'l0', position: 0, text: 'Volcanoes erupt lava.' }]);
      assert.is(await storage.migrateDown(), '0003_org_keyed_sessions');
      assert.is(await storage.migrateDown(), '0002_rag_index');
      assert.equal(await storage.migrateUp(), ['0002_rag_index', '0003_org_keyed_sessions']);
      const q = chunkIndexQueries(storage);
      assert.equal((await q.keyword('default', collection.id, ['volcano'], 5)).map((h) => h.chunkId), ['l0']);
      assert.is((await q.state('default', collection.id)).revision, '1');
    } finally {
      await done();
    }
  });
}

suite('sqlite', async () => {
  const storage = await openMikroOrmStorage({ ...resolveStorageOptions({ path: ':memory:' }, where) });
  return { storage, done: () => storage.close() };
});

if (!testPgUrl) {
  console.log(PG_SKIP);
} else {
  suite('postgres', async () => {
    const database: TestDatabase = await createTestDatabase(testPgUrl!);
    const storage = await openMikroOrmStorage({ ...resolveStorageOptions({ url: database.url }, where), migrate: 'auto' });
    return {
      storage,
      done: async () => {
        await storage.close();
        await database.drop();
      },
    };
  });
}

test.run();
