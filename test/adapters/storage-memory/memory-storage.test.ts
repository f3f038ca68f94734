import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMemoryStorage } from '../../../adapters/storage-memory/index.js';
import { DEFAULT_ORG, type EventDraft } from '../../../core/index.js';
import { rejection } from '../../helpers/kernel.js';

const orgA = { orgId: 'a' };
const orgB = { orgId: 'b' };
const draft = (step: number): EventDraft => ({ type: 'step.started', data: { step } });

test('events: seq from 1, gapless under concurrent appenders, envelopes frozen and complete', async () => {
  const storage = createMemoryStorage({ now: () => '2026-01-01T00:00:00.000Z' });
  await storage.sessions.create(orgA, { id: 's1' });
  await storage.runs.create(orgA, { id: 'r1', sessionId: 's1', input: 'x' });
  await storage.runs.create(orgA, { id: 'r2', sessionId: 's1', input: 'y', parentRunId: 'r1' });
  const run = { runId: 'r1', sessionId: 's1' };
  const batches = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.events.append(orgA, run, [draft(i + 1), draft(i + 1)])));
  const seqs = batches.flat().map((e) => e.seq).sort((x, y) => x - y);
  assert.equal(seqs, Array.from({ length: 40 }, (_, i) => i + 1));
  const [first] = await storage.events.read(orgA, 'r1', 0, 1);
  assert.equal(first, { v: 1, id: 'r1:1', seq: 1, runId: 'r1', sessionId: 's1', orgId: 'a', stream: 'lifecycle', type: 'step.started', ts: '2026-01-01T00:00:00.000Z', data: { step: 1 } });
  assert.ok(Object.isFrozen(first));
  assert.is(await storage.events.lastSeq(orgA, 'r1'), 40);
  assert.equal((await storage.events.read(orgA, 'r1', 38)).map((e) => e.seq), [39, 40]);
  const nested = await storage.events.append(orgA, { runId: 'r2', sessionId: 's1', parentRunId: 'r1' }, [{ ...draft(1), origin: { runId: 'r3', seq: 4, agent: 'x' } }]);
  assert.is(nested[0].parentRunId, 'r1');
  assert.equal(nested[0].origin, { runId: 'r3', seq: 4, agent: 'x' });
});

test('events of one org are invisible and unwritable from another', async () => {
  const storage = createMemoryStorage();
  await storage.sessions.create(orgA, { id: 's1' });
  await storage.runs.create(orgA, { id: 'r1', sessionId: 's1', input: 'x' });
  await storage.events.append(orgA, { runId: 'r1', sessionId: 's1' }, [draft(1)]);
  assert.equal(await storage.events.read(orgB, 'r1'), []);
  assert.is(await storage.events.lastSeq(orgB, 'r1'), 0);
  const error = await rejection(storage.events.append(orgB, { runId: 'r1', sessionId: 's1' }, [draft(2)]));
  assert.is(error.code, 'ASDK_STORAGE_NOT_FOUND');
});

test('sessions: scoped, listed newest-updated first with stable cursors; a bad cursor is a clear error', async () => {
  let clock = 0;
  const storage = createMemoryStorage({ now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString() });
  for (let i = 1; i <= 5; i++) await storage.sessions.create(orgA, { id: `s${i}` });
  await storage.sessions.create(orgB, { id: 's1' });
  await storage.sessions.touch(orgA, 's2', new Date(Date.UTC(2027, 0, 1)).toISOString());
  const first = await storage.sessions.list(orgA, { limit: 2 });
  assert.equal(first.items.map((s) => s.id), ['s2', 's5']);
  const second = await storage.sessions.list(orgA, { limit: 2, cursor: first.nextCursor });
  assert.equal(second.items.map((s) => s.id), ['s4', 's3']);
  const third = await storage.sessions.list(orgA, { limit: 2, cursor: second.nextCursor });
  assert.equal(third.items.map((s) => s.id), ['s1']);
  assert.is(third.nextCursor, undefined);
  assert.is((await storage.sessions.list(orgB)).items.length, 1);
  const error = await rejection(storage.sessions.list(orgA, { cursor: 'garbage!' }));
  assert.is(error.code, 'ASDK_STORAGE_INVALID');
  assert.match(error.message, 'page cursor');
  assert.is((await rejection(storage.sessions.create(orgA, { id: 's1' }))).code, 'ASDK_STORAGE_CONFLICT');
});

test('messages: positions from 1, compaction keeps later positions, another org cannot write', async () => {
  const storage = createMemoryStorage();
  await storage.sessions.create(DEFAULT_ORG, { id: 's' });
  await storage.messages.append(DEFAULT_ORG, 's', [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }], 'r1');
  await storage.messages.append(DEFAULT_ORG, 's', [{ role: 'user', content: 'c' }]);
  await storage.messages.replacePrefix(DEFAULT_ORG, 's', 2, [{ role: 'system', content: 'summary' }]);
  const list = await storage.messages.list(DEFAULT_ORG, 's');
  assert.equal(list.map((m) => [m.position, m.message.content]), [[2, 'summary'], [3, 'c']]);
  assert.is((await rejection(storage.messages.append(orgB, 's', [{ role: 'user', content: 'x' }]))).code, 'ASDK_STORAGE_NOT_FOUND');
});

test('runs: need their session, update, list by session oldest first, idempotency keys unique per org', async () => {
  const storage = createMemoryStorage();
  assert.is((await rejection(storage.runs.create(orgA, { id: 'r0', sessionId: 'nope', input: 'x' }))).code, 'ASDK_STORAGE_NOT_FOUND');
  await storage.sessions.create(orgA, { id: 's' });
  await storage.runs.create(orgA, { id: 'r1', sessionId: 's', input: 'one', idempotencyKey: 'k' });
  await storage.runs.create(orgA, { id: 'r2', sessionId: 's', input: 'two', status: 'running' });
  assert.is((await rejection(storage.runs.create(orgA, { id: 'r3', sessionId: 's', input: 'x', idempotencyKey: 'k' }))).code, 'ASDK_STORAGE_CONFLICT');
  const updated = await storage.runs.update(orgA, 'r1', { status: 'completed', output: 'done' });
  assert.is(updated?.status, 'completed');
  assert.is(await storage.runs.update(orgB, 'r1', { status: 'failed' }), undefined);
  assert.equal((await storage.runs.listBySession(orgA, 's')).items.map((r) => r.id), ['r1', 'r2']);
  assert.is((await storage.runs.findByIdempotencyKey(orgA, 'k'))?.id, 'r1');
  assert.is(await storage.runs.findByIdempotencyKey(orgB, 'k'), undefined);
});

test('deleting a session removes its runs, their events and its messages', async () => {
  const storage = createMemoryStorage();
  await storage.sessions.create(orgA, { id: 's' });
  await storage.runs.create(orgA, { id: 'r1', sessionId: 's', input: 'x' });
  await storage.events.append(orgA, { runId: 'r1', sessionId: 's' }, [draft(1)]);
  await storage.messages.append(orgA, 's', [{ role: 'user', content: 'x' }]);
  assert.ok(await storage.sessions.delete(orgA, 's'));
  assert.is(await storage.runs.get(orgA, 'r1'), undefined);
  assert.equal(await storage.events.read(orgA, 'r1'), []);
  assert.equal(await storage.messages.list(orgA, 's'), []);
  assert.is(await storage.sessions.delete(orgA, 's'), false);
});

test('idempotency: one claim wins, completion stores the answer, expiry frees the key', async () => {
  let now = Date.UTC(2026, 0, 1);
  const storage = createMemoryStorage({ now: () => new Date(now).toISOString() });
  const claims = await Promise.all([1, 2, 3].map(() => storage.idempotency.claim(orgA, 'k', 'h', 1000)));
  assert.is(claims.filter((c) => c.claimed).length, 1);
  assert.ok(await storage.idempotency.complete(orgA, 'k', { status: 202, body: { id: 'r1' } }, 'r1'));
  assert.is((await storage.idempotency.get(orgA, 'k'))?.runId, 'r1');
  assert.is(await storage.idempotency.get(orgB, 'k'), undefined);
  now += 2000;
  assert.is(await storage.idempotency.get(orgA, 'k'), undefined);
  assert.ok((await storage.idempotency.claim(orgA, 'k', 'h2', 1000)).claimed);
  now += 2000;
  assert.is(await storage.idempotency.purgeExpired(new Date(now).toISOString()), 1);
});

test('audit entries are sequenced per org and hash-chained; usage counters add up', async () => {
  const storage = createMemoryStorage();
  const one = await storage.audit.append(orgA, { actor: 'u', action: 'key.create' });
  const two = await storage.audit.append(orgA, { actor: 'u', action: 'key.revoke', target: 'k1' });
  const other = await storage.audit.append(orgB, { actor: 'u', action: 'key.create' });
  assert.equal([one.seq, two.seq, other.seq], [1, 2, 1]);
  assert.is.not(one.hash, two.hash);
  assert.equal((await storage.audit.list(orgA)).items.map((e) => e.seq), [2, 1]);
  await storage.usage.increment(orgA, '2026-01', 'tokens.input', 5);
  await storage.usage.increment(orgA, '2026-01', 'tokens.input', 7);
  assert.equal(await storage.usage.get(orgA, '2026-01'), [{ orgId: 'a', period: '2026-01', metric: 'tokens.input', value: 12 }]);
});

test('documents: upsert by collection + source replaces chunks; api keys found by prefix across orgs', async () => {
  const storage = createMemoryStorage();
  const collection = await storage.documents.ensureCollection(orgA, 'docs');
  assert.is((await storage.documents.ensureCollection(orgA, 'docs')).id, collection.id);
  const base = { collectionId: collection.id, source: 'a.md', contentHash: 'h1' };
  await storage.documents.upsertDocument(orgA, { id: 'd1', ...base }, [{ id: 'c1', position: 1, text: 'one', vector: new Float32Array([1, 0]) }]);
  await storage.documents.upsertDocument(orgA, { id: 'd2', ...base, contentHash: 'h2' }, [{ id: 'c2', position: 1, text: 'two' }]);
  assert.is(await storage.documents.getDocument(orgA, 'd1'), undefined);
  assert.equal((await storage.documents.listChunks(orgA, 'd2')).map((c) => c.text), ['two']);
  assert.is((await storage.documents.findDocumentBySource(orgA, collection.id, 'a.md'))?.id, 'd2');
  assert.is(await storage.documents.getDocument(orgB, 'd2'), undefined);
  assert.ok(await storage.documents.deleteDocument(orgA, 'd2'));

  await storage.apiKeys.create(orgA, { id: 'k1', name: 'ci', prefix: 'asdk_abc', hash: 'x', scopes: ['developer'] });
  await storage.apiKeys.create(orgB, { id: 'k2', name: 'ci', prefix: 'asdk_abc', hash: 'y', scopes: ['viewer'] });
  assert.equal((await storage.apiKeys.findByPrefix('asdk_abc')).map((k) => k.orgId).sort(), ['a', 'b']);
  assert.ok(await storage.apiKeys.revoke(orgA, 'k1'));
  assert.is(await storage.apiKeys.revoke(orgB, 'k1'), false);
  assert.ok((await storage.apiKeys.findByPrefix('asdk_abc')).find((k) => k.id === 'k1')?.revokedAt);
  assert.equal(await storage.health(), { ok: true, adapter: 'memory', detail: 'in-process memory; nothing is persisted', pendingMigrations: 0 });
});

test.run();
