// `agent-sdk migrate [up|down|status]`, run as a user would (a separate process), on a SQLite file from a
// config file and on Postgres from AGENT_SDK_DATABASE_URL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storagePlugin } from '../../../adapters/storage-mikro-orm/index.js';
import { runCli } from '../../helpers/cli.js';
import { kernelWith, rejection } from '../../helpers/kernel.js';
import { createTestDatabase, PG_SKIP, testPgUrl } from '../../storage/postgres-database.js';

const dirs: string[] = [];
test.after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function project(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-migrate-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'agent-sdk.config.yaml'), config);
  return dir;
}

test('sqlite file from the config: status, up, status, down needs --yes, down --yes, up --json', async () => {
  const dir = project('storage:\n  path: ./data/app.sqlite\n');
  const status = await runCli(['migrate', 'status'], { cwd: dir });
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, `sqlite ${join(dir, 'data/app.sqlite')}`);
  assert.match(status.stdout, /pending\s+0001_initial/);
  assert.match(status.stdout, /pending\s+0002_rag_index/);
  assert.match(status.stdout, /pending\s+0003_org_keyed_sessions/);
  assert.match(status.stdout, '3 pending: run agent-sdk migrate up');

  const up = await runCli(['migrate', 'up'], { cwd: dir });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, '✓ applied 0001_initial');
  const again = await runCli(['migrate'], { cwd: dir });
  assert.match(again.stdout, /applied\s+0001_initial/);
  assert.match(again.stdout, 'up to date');

  const refused = await runCli(['migrate', 'down'], { cwd: dir });
  assert.is(refused.code, 2);
  assert.match(refused.stderr, 'ASDK_CLI_USAGE: down reverts 0003_org_keyed_sessions, dropping what it created with its data; pass --yes to confirm');
  const down = await runCli(['migrate', 'down', '--yes'], { cwd: dir });
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stdout, '✓ reverted 0003_org_keyed_sessions');

  const json = await runCli(['migrate', 'up', '--json'], { cwd: dir });
  assert.is(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.equal({ adapter: result.adapter, applied: result.applied, pending: result.state.pending }, { adapter: 'sqlite', applied: ['0003_org_keyed_sessions'], pending: [] });
});

test('usage and config errors are clear, without a stack trace', async () => {
  const bad = await runCli(['migrate', 'sideways'], { cwd: project('{}\n') });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'ASDK_CLI_USAGE: expected one of up, down, status, found "sideways"');
  const invalid = await runCli(['migrate', 'status'], { cwd: project('storage:\n  adapter: mysql\n') });
  assert.is(invalid.code, 1);
  assert.match(invalid.stderr, 'ASDK_CONFIG_INVALID');
  assert.match(invalid.stderr, 'storage.adapter');
  assert.not.match(invalid.stderr, /\bat .*\.ts:\d+/);
});

if (!testPgUrl) {
  console.log(PG_SKIP);
} else {
  test('postgres: the plugin refuses to start until `agent-sdk migrate up` has run, then starts', async () => {
    const database = await createTestDatabase(testPgUrl!);
    try {
      const env = { AGENT_SDK_DATABASE_URL: database.url };
      const refused = await rejection(kernelWith([storagePlugin], {}, env).start());
      assert.is(refused.cause?.code, 'ASDK_STORAGE_MIGRATIONS_PENDING');
      assert.match(refused.message, 'run `agent-sdk migrate up` first');
      const up = await runCli(['migrate', 'up'], { cwd: project('{}\n'), env });
      assert.is(up.code, 0, up.stderr);
      assert.match(up.stdout, `postgres ${database.url}`);
      assert.match(up.stdout, '✓ applied 0001_initial');
      const kernel = kernelWith([storagePlugin], {}, env);
      await kernel.start();
      await kernel.stop();
    } finally {
      await database.drop();
    }
  });
}

test.run();
