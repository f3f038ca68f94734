// The SQL event log beyond the contract: appends of many runs coalesce into few inserts, an append larger
// than one insert is split inside a transaction, a wrong session is refused, close drains pending appends,
// and Postgres stores a NUL character (which jsonb cannot hold) as U+FFFD instead of failing the batch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openMikroOrmStorage, resolveStorageOptions, type MikroOrmStorage } from '../../../adapters/storage-mikro-orm/index.js';
import type { SqlEventLog } from '../../../adapters/storage-mikro-orm/event-log/event-log.js';
import { DEFAULT_ORG, type EventRunRef } from '../../../core/index.js';
import { rejectsWith } from '../../storage/contract/assert-helpers.js';
import { createTestDatabase, PG_SKIP, testPgUrl, type TestDatabase } from '../../storage/postgres-database.js';

const where = { dataDir: process.cwd(), baseDir: process.cwd(), env: {} };
let counter = 0;

async function runs(storage: MikroOrmStorage, count: number): Promise<EventRunRef[]> {
  const session = await storage.sessions.create(DEFAULT_ORG, { id: `s${++counter}-${Date.now()}` });
  const refs: EventRunRef[] = [];
  for (let i = 0; i < count; i++) refs.push({ runId: (await storage.runs.create(DEFAULT_ORG, { id: `${session.id}-r${i}`, sessionId: session.id, input: 'x' })).id, sessionId: session.id });
  return refs;
}

function eventLogTests(name: string, open: () => Promise<MikroOrmStorage>): void {
  test(`${name}: appends of 100 runs at once are written by a few multi-row inserts`, async () => {
    const storage = await open();
    try {
      const refs = await runs(storage, 100);
      const stats = (storage.events as SqlEventLog).stats;
      const before = { ...stats };
      await Promise.all(refs.map((ref) => storage.events.append(DEFAULT_ORG, ref, [{ type: 'run.queued', data: {} }, { type: 'run.started', data: {} }])));
      assert.is(stats.rows - before.rows, 200);
      assert.ok(stats.batches - before.batches <= 2, `expected at most 2 inserts, saw ${stats.batches - before.batches}`);
    } finally {
      await storage.close();
    }
  });

  test(`${name}: one append larger than a batch is stored whole, in order`, async () => {
    const storage = await open();
    try {
      const [ref] = await runs(storage, 1);
      const drafts = Array.from({ length: 2_500 }, (_, i) => ({ type: 'assistant.delta' as const, data: { text: `${i}` } }));
      const [out, next] = await Promise.all([storage.events.append(DEFAULT_ORG, ref, drafts), storage.events.append(DEFAULT_ORG, ref, [{ type: 'run.completed', data: { output: 'ok', usage: { inputTokens: 1, outputTokens: 2 } } }])]);
      assert.equal([out[0].seq, out[2_499].seq, next[0].seq], [1, 2_500, 2_501]);
      const stored = await storage.events.read(DEFAULT_ORG, ref.runId, 0, 10_000);
      assert.equal(stored.map((e) => e.seq), Array.from({ length: 2_501 }, (_, i) => i + 1));
      assert.is((stored[1_234].data as { text: string }).text, '1234');
    } finally {
      await storage.close();
    }
  });

  test(`${name}: bad input fails its own append only; a wrong session is refused; close drains pending appends`, async () => {
    const storage = await open();
    const [ref, other] = await runs(storage, 2);
    const good = storage.events.append(DEFAULT_ORG, ref, [{ type: 'run.queued', data: {} }]);
    await rejectsWith(storage.events.append(DEFAULT_ORG, ref, [{ type: 'Not A Type', data: {} } as never]), 'ASDK_STORAGE_INVALID');
    await rejectsWith(storage.events.append(DEFAULT_ORG, ref, [{ type: 'run.started', data: {}, ts: 'yesterday' }]), 'ASDK_STORAGE_INVALID');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await rejectsWith(storage.events.append(DEFAULT_ORG, ref, [{ type: 'run.started', data: circular as never }]), 'ASDK_STORAGE_INVALID');
    await rejectsWith(storage.events.append(DEFAULT_ORG, { runId: ref.runId, sessionId: other.sessionId + '-x' }, [{ type: 'run.started', data: {} }]), 'ASDK_STORAGE_INVALID');
    await rejectsWith(storage.events.read(DEFAULT_ORG, ref.runId, -1), 'ASDK_STORAGE_INVALID');
    assert.is((await good)[0].seq, 1);
    const pending = Array.from({ length: 50 }, (_, i) => storage.events.append(DEFAULT_ORG, other, [{ type: 'assistant.delta', data: { text: String(i) } }]));
    await storage.close();
    assert.equal((await Promise.all(pending)).map((e) => e[0].seq), Array.from({ length: 50 }, (_, i) => i + 1), 'close waited for every accepted append');
    await rejectsWith(storage.events.append(DEFAULT_ORG, other, [{ type: 'run.started', data: {} }]), 'ASDK_STORAGE_CLOSED');
  });

  test(`${name}: text with a NUL character is stored (as U+FFFD on Postgres, whose jsonb cannot hold NUL)`, async () => {
    const storage = await open();
    try {
      const [ref] = await runs(storage, 1);
      const [plain] = await storage.events.append(DEFAULT_ORG, ref, [{ type: 'assistant.delta', data: { text: 'a\u0000b \\u0000 literal' } }]);
      await storage.events.append(DEFAULT_ORG, ref, [{ type: 'assistant.delta', data: { text: 'after' } }]);
      const [stored] = await storage.events.read(DEFAULT_ORG, ref.runId, 0, 1);
      const expected = storage.dialect === 'postgres' ? 'a\uFFFDb \\u0000 literal' : 'a\u0000b \\u0000 literal';
      assert.is((stored.data as { text: string }).text, expected);
      assert.is(plain.seq, 1);
      const session = (await storage.sessions.list(DEFAULT_ORG, { limit: 1 })).items[0];
      await storage.messages.append(DEFAULT_ORG, session.id, [{ role: 'assistant', content: 'x\u0000y' }]);
      const [message] = await storage.messages.list(DEFAULT_ORG, session.id);
      assert.is(message.message.content, storage.dialect === 'postgres' ? 'x\uFFFDy' : 'x\u0000y');
    } finally {
      await storage.close();
    }
  });
}

eventLogTests('sqlite', () => openMikroOrmStorage(resolveStorageOptions({ path: ':memory:' }, where)));

if (!testPgUrl) {
  console.log(PG_SKIP);
} else {
  let database: TestDatabase;
  test.before(async () => {
    database = await createTestDatabase(testPgUrl!);
  });
  test.after(async () => {
    await database?.drop();
  });
  eventLogTests('postgres', () => openMikroOrmStorage({ ...resolveStorageOptions({ url: database.url }, where), migrate: 'auto' }));
}

test.run();
