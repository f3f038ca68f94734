import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ContractContext } from '../contract.js';
import { rejectsWith } from './assert-helpers.js';

/** Org B never sees or changes org A's rows, through any method of the port. */
export function registerIsolationTests(test: Test, ctx: ContractContext): void {
  test('isolation: org B sees none of org A\'s sessions, runs, events, messages, documents or keys, and cannot write them', async () => {
    const s = ctx.storage;
    const a = await ctx.newOrg();
    const b = await ctx.newOrg();
    const session = await s.sessions.create(a, { id: ctx.id('s'), title: 'secret' });
    const run = await s.runs.create(a, { id: ctx.id('r'), sessionId: session.id, input: 'secret input', idempotencyKey: 'idem-a' });
    const ref = { runId: run.id, sessionId: session.id };
    await s.events.append(a, ref, [{ type: 'run.queued', data: {} }, { type: 'assistant.delta', data: { text: 'secret' } }]);
    await s.messages.append(a, session.id, [{ role: 'user', content: 'secret' }]);
    const collection = await s.documents.ensureCollection(a, 'private');
    const doc = await s.documents.upsertDocument(a, { id: ctx.id('d'), collectionId: collection.id, source: 'secret.md', contentHash: 'h' }, [{ id: ctx.id('c'), position: 0, text: 'secret' }]);
    const user = await s.users.create(a, { id: ctx.id('u'), email: 'a@example.com', role: 'admin' });
    const key = await s.apiKeys.create(a, { id: ctx.id('k'), name: 'k', prefix: ctx.id('p'), hash: 'h', scopes: [] });
    await s.audit.append(a, { actor: 'a', action: 'x' });
    await s.usage.increment(a, '2026-11', 'runs', 1);
    assert.ok((await s.idempotency.claim(a, 'idem-key', 'h', 60_000)).claimed);

    // Reads through B return nothing.
    assert.is(await s.sessions.get(b, session.id), undefined);
    assert.equal((await s.sessions.list(b)).items, []);
    assert.is(await s.runs.get(b, run.id), undefined);
    assert.equal((await s.runs.listBySession(b, session.id)).items, []);
    assert.is(await s.runs.findByIdempotencyKey(b, 'idem-a'), undefined);
    assert.equal(await s.events.read(b, run.id), []);
    assert.is(await s.events.lastSeq(b, run.id), 0);
    assert.equal(await s.messages.list(b, session.id), []);
    assert.is(await s.documents.getCollection(b, 'private'), undefined);
    assert.equal((await s.documents.listCollections(b)).items, []);
    assert.is(await s.documents.getDocument(b, doc.id), undefined);
    assert.is(await s.documents.findDocumentBySource(b, collection.id, 'secret.md'), undefined);
    assert.equal((await s.documents.listDocuments(b, collection.id)).items, []);
    assert.equal(await s.documents.listChunks(b, doc.id), []);
    assert.is(await s.users.get(b, user.id), undefined);
    assert.equal((await s.users.list(b)).items, []);
    assert.equal((await s.apiKeys.list(b)).items, []);
    assert.equal((await s.audit.list(b)).items, []);
    assert.equal(await s.usage.get(b, '2026-11'), []);
    assert.is(await s.idempotency.get(b, 'idem-key'), undefined);

    // Writes through B are refused or change nothing.
    await rejectsWith(s.events.append(b, ref, [{ type: 'run.started', data: {} }]), 'ASDK_STORAGE_NOT_FOUND');
    await rejectsWith(s.messages.append(b, session.id, [{ role: 'user', content: 'injected' }]), 'ASDK_STORAGE_NOT_FOUND');
    await rejectsWith(s.messages.replacePrefix(b, session.id, 1, []), 'ASDK_STORAGE_NOT_FOUND');
    await rejectsWith(s.runs.create(b, { id: ctx.id('r'), sessionId: session.id, input: 'x' }), 'ASDK_STORAGE_NOT_FOUND');
    await rejectsWith(s.documents.upsertDocument(b, { id: ctx.id('d'), collectionId: collection.id, source: 'x.md', contentHash: 'h' }, []), 'ASDK_STORAGE_NOT_FOUND');
    assert.is(await s.runs.update(b, run.id, { status: 'cancelled', output: 'hijacked' }), undefined);
    await s.sessions.touch(b, session.id, '2030-01-01T00:00:00.000Z');
    assert.is(await s.sessions.delete(b, session.id), false);
    assert.is(await s.documents.deleteDocument(b, doc.id), false);
    assert.is(await s.apiKeys.revoke(b, key.id), false);
    await s.apiKeys.touch(b, key.id, '2030-01-01T00:00:00.000Z');
    assert.is(await s.idempotency.complete(b, 'idem-key', { status: 200, body: 'hijacked' }), false);
    await s.idempotency.release(b, 'idem-key');

    // A's rows are untouched.
    assert.equal(await s.sessions.get(a, session.id), session);
    assert.equal(await s.runs.get(a, run.id), run);
    assert.equal((await s.events.read(a, run.id)).map((e) => e.seq), [1, 2]);
    assert.equal((await s.messages.list(a, session.id)).map((m) => m.message.content), ['secret']);
    assert.equal(await s.documents.getDocument(a, doc.id), doc);
    assert.is((await s.documents.listChunks(a, doc.id)).length, 1);
    const keyNow = (await s.apiKeys.list(a)).items[0];
    assert.equal({ revokedAt: keyNow.revokedAt, lastUsedAt: keyNow.lastUsedAt }, { revokedAt: undefined, lastUsedAt: undefined });
    assert.is((await s.idempotency.get(a, 'idem-key'))?.state, 'pending');
  });

  test('isolation: sessions are named per org: org B may use org A\'s session id, and each keeps its own memory', async () => {
    const s = ctx.storage;
    const a = await ctx.newOrg();
    const b = await ctx.newOrg();
    const id = ctx.id('shared');
    await s.sessions.create(a, { id, title: 'A' });
    const mine = await s.sessions.create(b, { id, title: 'B' });
    assert.is(mine.title, 'B', 'no conflict: the name is free in org B');
    await rejectsWith(s.sessions.create(b, { id }), 'ASDK_STORAGE_CONFLICT');
    await s.messages.append(a, id, [{ role: 'user', content: 'from A' }]);
    await s.messages.append(b, id, [{ role: 'user', content: 'from B' }]);
    assert.equal((await s.messages.list(a, id)).map((m) => [m.position, m.message.content]), [[1, 'from A']]);
    assert.equal((await s.messages.list(b, id)).map((m) => [m.position, m.message.content]), [[1, 'from B']]);
    const runB = await s.runs.create(b, { id: ctx.id('r'), sessionId: id, input: 'x' });
    assert.equal((await s.runs.listBySession(a, id)).items, []);
    assert.is(await s.sessions.delete(b, id), true);
    assert.is((await s.sessions.get(a, id))?.title, 'A', 'deleting B\'s session leaves A\'s');
    assert.equal((await s.messages.list(a, id)).map((m) => m.message.content), ['from A']);
    assert.is(await s.runs.get(b, runB.id), undefined);
  });

  test('isolation: an org cannot take over another org\'s run before its first event', async () => {
    const a = await ctx.newOrg();
    const b = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(a, { id: ctx.id('s') });
    const run = await ctx.storage.runs.create(a, { id: ctx.id('r'), sessionId: session.id, input: 'x' });
    await rejectsWith(ctx.storage.events.append(b, { runId: run.id, sessionId: session.id }, [{ type: 'run.queued', data: {} }]), 'ASDK_STORAGE_NOT_FOUND');
    const [first] = await ctx.storage.events.append(a, { runId: run.id, sessionId: session.id }, [{ type: 'run.queued', data: {} }]);
    assert.equal({ seq: first.seq, orgId: first.orgId }, { seq: 1, orgId: a.orgId });
  });
}
