// Repository details of the SQL adapter beyond the contract: the audit chain recomputes from stored rows,
// ids that are not strings (an object would read as a query operator) match nothing, vectors keep float32.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { auditHash, openMikroOrmStorage, resolveStorageOptions, type MikroOrmStorage } from '../../../adapters/storage-mikro-orm/index.js';

let storage: MikroOrmStorage;
const org = { orgId: 'acme' };
test.before(async () => {
  storage = await openMikroOrmStorage(resolveStorageOptions({ path: ':memory:' }, { dataDir: process.cwd(), baseDir: process.cwd(), env: {} }));
  await storage.orgs.ensure({ id: 'acme', name: 'Acme' });
});
test.after(() => storage.close());

test('audit: every hash recomputes from the stored rows and the previous hash; editing a row breaks the chain', async () => {
  for (let i = 0; i < 6; i++) await storage.audit.append(org, { actor: `user:${i % 2}`, action: 'key.create', target: `k${i}`, details: { i, nested: { ok: true } } });
  const entries = [...(await storage.audit.list(org)).items].reverse();
  const verify = (list: typeof entries) =>
    list.every((e, i) => e.hash === auditHash(i ? list[i - 1].hash : '', { seq: e.seq, actor: e.actor, action: e.action, target: e.target ?? null, details: e.details ?? null, ts: e.ts }));
  assert.ok(verify(entries), 'the chain verifies');
  await storage.knex.raw(`update audit_log set action = 'key.delete' where org_id = ? and seq = 3`, ['acme']);
  assert.not.ok(verify([...(await storage.audit.list(org)).items].reverse()), 'a changed entry is detected');
});

test('ids that are not strings match nothing (no query operator gets through)', async () => {
  await storage.sessions.create(org, { id: 's1' });
  await storage.apiKeys.create(org, { id: 'k1', name: 'k', prefix: 'ak_1', hash: 'h', scopes: [] });
  const operator = { $ne: '' } as unknown as string;
  assert.is(await storage.sessions.get(org, operator), undefined);
  assert.is(await storage.sessions.delete(org, operator), false);
  assert.is(await storage.runs.update(org, operator, { status: 'cancelled' }), undefined);
  assert.equal(await storage.apiKeys.findByPrefix(operator), []);
  assert.is(await storage.apiKeys.revoke(org, operator), false);
  assert.equal(await storage.messages.list(org, operator), []);
  assert.is(await storage.events.lastSeq(org, operator), 0);
  assert.ok(await storage.sessions.get(org, 's1'), 'nothing was deleted');
});

test('chunks: vectors are stored as little-endian float32 blobs with their dimension', async () => {
  const collection = await storage.documents.ensureCollection(org, 'v');
  const vector = Float32Array.from({ length: 384 }, (_, i) => Math.sin(i) / (i + 1));
  await storage.documents.upsertDocument(org, { id: 'd1', collectionId: collection.id, source: 'v.md', contentHash: 'h' }, [{ id: 'c1', position: 0, text: 't', vector }]);
  const [row] = (await storage.knex.raw('select vector, dimensions from chunks where id = ?', ['c1'])) as { vector: Buffer; dimensions: number }[];
  assert.is(row.dimensions, 384);
  assert.is(row.vector.length, 384 * 4);
  assert.is(row.vector.readFloatLE(5 * 4), vector[5]);
  assert.equal([...(await storage.documents.listChunks(org, 'd1'))[0].vector!], [...vector]);
});

test.run();
