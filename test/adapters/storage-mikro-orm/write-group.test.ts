// The SQLite write group: writes queued together share one transaction, yet each succeeds or fails alone, and
// nothing resolves before its commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WriteGroup } from '../../../adapters/storage-mikro-orm/write-group.js';
import { openMikroOrmStorage, resolveStorageOptions, type MikroOrmStorage } from '../../../adapters/storage-mikro-orm/index.js';

let dir: string;
let storage: MikroOrmStorage;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'asdk-write-group-'));
  storage = await openMikroOrmStorage(resolveStorageOptions({}, { dataDir: dir, baseDir: dir, env: {} }));
  await storage.knex.raw('create table scratch (id integer primary key, note text not null)');
});

test.after(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = async () => ((await storage.knex.raw('select id from scratch order by id')) as { id: number }[]).map((r) => r.id);

test('concurrent writes share transactions; the one that fails is rejected alone, the others commit', async () => {
  const group = new WriteGroup(storage.knex, true);
  await storage.knex.raw('insert into scratch (id, note) values (7, ?)', ['taken']);
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => group.run((db) => db.raw('insert into scratch (id, note) values (?, ?)', [i + 1, 'x']), { transaction: false })),
  );
  assert.equal(results.map((r) => r.status).filter((s) => s === 'rejected').length, 1);
  assert.is((results[6] as PromiseRejectedResult).reason.code, 'SQLITE_CONSTRAINT', 'id 7 was taken');
  assert.equal(await ids(), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.ok(group.stats.groups < 5, `20 writes in ${group.stats.groups} transactions`);
  await storage.knex.raw('delete from scratch');
});

test('an atomic write is all or nothing inside its group (a savepoint)', async () => {
  const group = new WriteGroup(storage.knex, true);
  const atomic = group.run(
    async (db) => {
      await db.raw('insert into scratch (id, note) values (100, ?)', ['first half']);
      await db.raw('insert into scratch (id, note) values (101, null)'); // not null: fails
    },
    { atomic: true },
  );
  const other = group.run((db) => db.raw('insert into scratch (id, note) values (200, ?)', ['neighbour']), { transaction: false });
  const [a, b] = await Promise.allSettled([atomic, other]);
  assert.is(a.status, 'rejected');
  assert.is(b.status, 'fulfilled');
  assert.equal(await ids(), [200], 'the atomic write left nothing; its neighbour committed');
  await storage.knex.raw('delete from scratch');
});

test('a lone write runs without a transaction; a write that throws before any SQL is rejected and the queue goes on', async () => {
  const group = new WriteGroup(storage.knex, true);
  await group.run((db) => db.raw('insert into scratch (id, note) values (1, ?)', ['alone']), { transaction: false });
  const broken = group.run((() => {
    throw new Error('bug in a write');
  }) as never, { transaction: false });
  await assert.is((await Promise.allSettled([broken]))[0].status, 'rejected');
  await group.run((db) => db.raw('insert into scratch (id, note) values (2, ?)', ['after']), { transaction: false });
  await group.flush();
  assert.equal(await ids(), [1, 2]);
});

test.run();
