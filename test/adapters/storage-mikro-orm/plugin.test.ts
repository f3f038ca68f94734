// The `storage` plugin: config slice, adapter inference, the embedded default file (WAL), env overrides,
// errors that name the key and the fix, and stop closing the database.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storagePlugin, resolveStorageOptions, redactUrl, type MikroOrmStorage } from '../../../adapters/storage-mikro-orm/index.js';
import { DEFAULT_ORG, DEFAULT_ORG_ID, Kernel, ports } from '../../../core/index.js';
import { kernelWith, rejection } from '../../helpers/kernel.js';
import { rejectsWith } from '../../storage/contract/assert-helpers.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-storage-plugin-'));
  dirs.push(dir);
  return dir;
};
test.after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

test('embedded default: a WAL-mode SQLite file under kernel.dataDir, migrated at start, default org ensured; stop closes it', async () => {
  const dataDir = tempDir();
  const kernel = kernelWith([storagePlugin], { kernel: { dataDir } });
  await kernel.start();
  const storage = kernel.get(ports.storage) as MikroOrmStorage;
  assert.ok(existsSync(join(dataDir, 'agent-sdk.sqlite')));
  assert.equal(storage.target, { adapter: 'sqlite', file: join(dataDir, 'agent-sdk.sqlite') });
  const [mode] = (await storage.knex.raw('pragma journal_mode')) as { journal_mode: string }[];
  assert.is(mode.journal_mode, 'wal');
  const [sync] = (await storage.knex.raw('pragma synchronous')) as { synchronous: number }[];
  assert.is(sync.synchronous, 2, 'synchronous=FULL: a commit is on disk before an append resolves');
  assert.equal(await storage.health(), { ok: true, adapter: 'sqlite', detail: join(dataDir, 'agent-sdk.sqlite'), pendingMigrations: 0 });
  assert.is((await storage.orgs.get(DEFAULT_ORG_ID))?.name, 'Default');
  await storage.sessions.create(DEFAULT_ORG, { id: 'kept' });
  await kernel.stop();
  await rejectsWith(storage.sessions.get(DEFAULT_ORG, 'kept'), 'ASDK_STORAGE_CLOSED');

  const again = kernelWith([storagePlugin], { kernel: { dataDir } });
  await again.start();
  assert.ok(await again.get(ports.storage).sessions.get(DEFAULT_ORG, 'kept'), 'the next kernel finds the data');
  await again.stop();
});

test('storage.path is relative to the config file; AGENT_SDK_DATABASE_URL may name a SQLite file', async () => {
  const base = tempDir();
  const kernel = new Kernel({ plugins: [storagePlugin], source: { raw: { kernel: { logLevel: 'silent' }, storage: { path: 'data/app.sqlite' } }, baseDir: base }, env: {} });
  await kernel.start();
  assert.equal((kernel.get(ports.storage) as MikroOrmStorage).target, { adapter: 'sqlite', file: join(base, 'data/app.sqlite') });
  await kernel.stop();
  const relaxed = kernelWith([storagePlugin], { storage: { path: join(base, 'relaxed.sqlite'), synchronous: 'normal' } });
  await relaxed.start();
  const [sync] = (await (relaxed.get(ports.storage) as MikroOrmStorage).knex.raw('pragma synchronous')) as { synchronous: number }[];
  assert.is(sync.synchronous, 1);
  await relaxed.stop();
  const file = join(tempDir(), 'from-env.sqlite');
  const fromEnv = kernelWith([storagePlugin], {}, { AGENT_SDK_DATABASE_URL: `file:${file}` });
  await fromEnv.start();
  assert.equal((fromEnv.get(ports.storage) as MikroOrmStorage).target, { adapter: 'sqlite', file });
  await fromEnv.stop();
});

test('a postgres:// URL selects the postgres adapter; a connection failure names the database without its password', async () => {
  const kernel = kernelWith([storagePlugin], {}, { AGENT_SDK_DATABASE_URL: 'postgres://agent:s3cret@127.0.0.1:1/agent' });
  const error = await rejection(kernel.start());
  assert.is(error.code, 'ASDK_PLUGIN_INIT_FAILED');
  assert.is(error.cause.code, 'ASDK_STORAGE_CONNECT');
  assert.match(error.message, 'postgres database postgres://agent:***@127.0.0.1:1/agent');
  assert.not.match(JSON.stringify(error.toJSON()) + error.cause.message + error.cause.hint, 's3cret');
  assert.match(error.cause.hint, 'PostgreSQL is running');
});

test('config: contradictions and unknown values are errors naming the key', async () => {
  const where = { dataDir: '/data', baseDir: '/app', env: {} };
  const cases: [object, string, string][] = [
    [{ adapter: 'postgres' }, 'storage.url', 'needs a database URL'],
    [{ adapter: 'postgres', url: 'mysql://x@y/z' }, 'storage.url', 'is not a postgres:// URL'],
    [{ adapter: 'postgres', url: 'postgres://h/db', path: 'x.sqlite' }, 'storage.path', 'SQLite setting'],
    [{ adapter: 'sqlite', url: 'postgres://h/db' }, 'storage.url', 'adapter is sqlite'],
    [{ url: 'a.sqlite', path: 'b.sqlite' }, 'storage.url', 'both storage.url and storage.path'],
    [{ eventBatchRows: 1000 }, 'storage.eventBatchRows', 'exceed what one SQLite insert'],
    [{ adapter: 'postgres', url: 'postgres://h/db', pool: { min: 5, max: 2 } }, 'storage.pool.min', 'greater than max'],
  ];
  for (const [config, path, reason] of cases) {
    let error: any;
    try {
      resolveStorageOptions(config, where);
    } catch (e) {
      error = e;
    }
    assert.is(error?.code, 'ASDK_STORAGE_CONFIG', JSON.stringify(config));
    assert.match(error.message, path);
    assert.match(error.message, reason);
  }
  assert.equal(resolveStorageOptions({ adapter: 'postgres' }, { ...where, env: { DATABASE_URL: 'postgresql://u@h/db' } }).target, { adapter: 'postgres', url: 'postgresql://u@h/db' });
  assert.equal(resolveStorageOptions({}, where), { target: { adapter: 'sqlite', file: '/data/agent-sdk.sqlite' }, autoMigrate: true, pool: { min: 0, max: 10 }, eventBatchRows: 400, synchronous: 'full' });
  assert.equal(resolveStorageOptions({ url: 'postgres://h/db' }, where).autoMigrate, false, 'Postgres is migrated by the operator');
  assert.equal(resolveStorageOptions({ path: ':memory:' }, where).target, { adapter: 'sqlite', file: ':memory:' });
  assert.is(redactUrl('postgres://u:p%40ss@h:5432/db?sslmode=require'), 'postgres://u:***@h:5432/db?sslmode=require');

  const kernel = kernelWith([storagePlugin], { storage: { adapter: 'mysql', pth: 'x' } });
  const invalid = await rejection(kernel.start());
  assert.is(invalid.code, 'ASDK_CONFIG_INVALID');
  assert.equal(invalid.problems.map((p: { path: string }) => p.path).sort(), ['storage.adapter', 'storage.pth']);
});

test.run();
