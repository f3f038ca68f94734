import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ContractContext } from '../contract.js';
import { isIsoTime, rejectsWith, sleep } from './assert-helpers.js';

/** Collections, documents and chunks (with float32 vectors). */
export function registerDocumentTests(test: Test, ctx: ContractContext): void {
  test('documents: collections are ensured once per name; documents with chunks and vectors round-trip', async () => {
    const org = await ctx.newOrg();
    const collection = await ctx.storage.documents.ensureCollection(org, 'handbook');
    assert.equal({ orgId: collection.orgId, name: collection.name }, { orgId: org.orgId, name: 'handbook' });
    assert.ok(isIsoTime(collection.createdAt));
    assert.equal(await ctx.storage.documents.ensureCollection(org, 'handbook'), collection);
    const [x, y] = await Promise.all([ctx.storage.documents.ensureCollection(org, 'raced'), ctx.storage.documents.ensureCollection(org, 'raced')]);
    assert.is(x.id, y.id, 'concurrent ensures agree on one collection');
    assert.equal(await ctx.storage.documents.getCollection(org, 'handbook'), collection);
    assert.is(await ctx.storage.documents.getCollection(org, 'nope'), undefined);

    const vector = new Float32Array([0.25, -1.5, 3.125, 1e-7]);
    const doc = await ctx.storage.documents.upsertDocument(
      org,
      { id: ctx.id('d'), collectionId: collection.id, source: 'docs/intro.md', title: 'Intro', contentHash: 'sha256:aa', metadata: { lang: 'en' } },
      [
        { id: ctx.id('c'), position: 1, text: 'second part', metadata: { heading: 'B' } },
        { id: ctx.id('c'), position: 0, text: 'first part', vector },
      ],
    );
    assert.equal({ orgId: doc.orgId, source: doc.source, title: doc.title, metadata: doc.metadata }, { orgId: org.orgId, source: 'docs/intro.md', title: 'Intro', metadata: { lang: 'en' } });
    assert.equal(await ctx.storage.documents.getDocument(org, doc.id), doc);
    assert.equal(await ctx.storage.documents.findDocumentBySource(org, collection.id, 'docs/intro.md'), doc);
    const chunks = await ctx.storage.documents.listChunks(org, doc.id);
    assert.equal(chunks.map((c) => [c.position, c.text, c.documentId, c.orgId]), [[0, 'first part', doc.id, org.orgId], [1, 'second part', doc.id, org.orgId]]);
    assert.ok(chunks[0].vector instanceof Float32Array, 'vectors come back as Float32Array');
    assert.equal([...chunks[0].vector!], [...vector]);
    assert.is(chunks[1].vector, undefined);
    assert.equal(chunks[1].metadata, { heading: 'B' });
  });

  test('documents: upsert by source replaces the document and all its chunks; delete removes them', async () => {
    const org = await ctx.newOrg();
    const collection = await ctx.storage.documents.ensureCollection(org, 'default');
    const v1 = await ctx.storage.documents.upsertDocument(org, { id: ctx.id('d'), collectionId: collection.id, source: 'a.md', contentHash: 'h1' }, [
      { id: ctx.id('c'), position: 0, text: 'old 0' },
      { id: ctx.id('c'), position: 1, text: 'old 1' },
    ]);
    await sleep(3);
    const v2 = await ctx.storage.documents.upsertDocument(org, { id: ctx.id('d'), collectionId: collection.id, source: 'a.md', contentHash: 'h2' }, [
      { id: ctx.id('c'), position: 0, text: 'new 0' },
    ]);
    assert.is(v2.contentHash, 'h2');
    assert.is(v2.createdAt, v1.createdAt, 'a replaced document keeps its creation time');
    assert.ok(Date.parse(v2.updatedAt) >= Date.parse(v1.updatedAt));
    assert.is(await ctx.storage.documents.getDocument(org, v1.id), undefined);
    assert.equal(await ctx.storage.documents.listChunks(org, v1.id), []);
    assert.equal((await ctx.storage.documents.listChunks(org, v2.id)).map((c) => c.text), ['new 0']);
    const other = await ctx.storage.documents.upsertDocument(org, { id: ctx.id('d'), collectionId: collection.id, source: 'b.md', contentHash: 'hb' }, []);
    assert.equal(new Set((await ctx.storage.documents.listDocuments(org, collection.id)).items.map((d) => d.id)), new Set([v2.id, other.id]));

    assert.is(await ctx.storage.documents.deleteDocument(org, v2.id), true);
    assert.is(await ctx.storage.documents.deleteDocument(org, v2.id), false);
    assert.is(await ctx.storage.documents.getDocument(org, v2.id), undefined);
    assert.equal(await ctx.storage.documents.listChunks(org, v2.id), []);
    assert.equal((await ctx.storage.documents.listDocuments(org, collection.id)).items.map((d) => d.id), [other.id]);
    await rejectsWith(
      ctx.storage.documents.upsertDocument(org, { id: ctx.id('d'), collectionId: ctx.id('missing'), source: 'x', contentHash: 'h' }, []),
      'ASDK_STORAGE_NOT_FOUND',
    );
  });
}
