// The runtime persists through ports.storage: a session continues in a second process from the SQLite file,
// and on Postgres every envelope a run delivered is stored, equal, in order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKernel } from '../../index.js';
import { DEFAULT_ORG, ports, type EventEnvelope, type RunResult } from '../../core/index.js';
import { repoRoot, tsxLoader } from '../helpers/cli.js';
import { openMikroOrmForTest } from './open-mikro-orm.js';
import { createTestDatabase, PG_SKIP, testPgUrl } from './postgres-database.js';

const run = promisify(execFile);
const dirs: string[] = [];
test.after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function runInChild(config: object, input: string, sessionId = ''): Promise<RunResult> {
  const { stdout } = await run(process.execPath, ['--import', tsxLoader, 'test/storage/fixtures/run-once.ts', JSON.stringify(config), input, sessionId], { cwd: repoRoot });
  return JSON.parse(stdout.trim().split('\n').pop()!) as RunResult;
}

test('sqlite file: a second process continues the session: its history, runs and events are there', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'asdk-persist-'));
  dirs.push(dataDir);
  // Port 0: the batteries' HTTP server must not collide with other tests (or a server on 8787) running at the same time.
  const config = { kernel: { dataDir, logLevel: 'silent' }, server: { port: 0 } };
  const first = await runInChild(config, 'Hello, my name is Ada.');
  assert.is(first.status, 'completed');
  const second = await runInChild(config, 'What is my name?', first.sessionId);
  assert.equal({ status: second.status, sessionId: second.sessionId }, { status: 'completed', sessionId: first.sessionId });
  assert.match(second.output ?? '', 'Ada', 'the second process saw the first one\'s conversation');

  const { storage, close } = await openMikroOrmForTest({ path: join(dataDir, 'agent-sdk.sqlite') });
  try {
    const messages = await storage.messages.list(DEFAULT_ORG, first.sessionId);
    assert.equal(messages.slice(0, 1).concat(messages.slice(2, 3)).map((m) => m.message.content), ['Hello, my name is Ada.', 'What is my name?']);
    assert.equal((await storage.runs.listBySession(DEFAULT_ORG, first.sessionId)).items.map((r) => [r.id, r.status]), [[first.runId, 'completed'], [second.runId, 'completed']]);
    for (const runId of [first.runId, second.runId]) {
      const events = await storage.events.read(DEFAULT_ORG, runId);
      assert.equal(events.map((e) => e.seq), events.map((_, i) => i + 1));
      assert.is(events.at(-1)?.type, 'run.completed');
    }
  } finally {
    await close();
  }
});

if (!testPgUrl) {
  console.log(PG_SKIP);
} else {
  test('postgres: every envelope of a run is stored, equal to what the run delivered', async () => {
    const database = await createTestDatabase(testPgUrl!);
    try {
      const migrated = await openMikroOrmForTest({ url: database.url }); // what `agent-sdk migrate up` does
      await migrated.close();
      const kernel = await createKernel({ config: { kernel: { logLevel: 'silent' }, server: { port: 0 }, storage: { url: database.url } }, env: {} });
      await kernel.start();
      try {
        const handle = await kernel.runs.start({ preset: 'assistant_tools', input: 'What is 17 * 23?' });
        const delivered: EventEnvelope[] = [];
        for await (const envelope of handle.events()) delivered.push(envelope);
        const result = await handle.result();
        assert.is(result.status, 'completed');
        const stored = await kernel.get(ports.storage).events.read(DEFAULT_ORG, handle.id);
        assert.ok(stored.length >= 4);
        assert.equal(stored, delivered);
        assert.is((await kernel.get(ports.storage).runs.get(DEFAULT_ORG, handle.id))?.status, 'completed');
      } finally {
        await kernel.stop();
      }
    } finally {
      await database.drop();
    }
  });
}

test.run();
