// Migrations: what they create is exactly what the entities describe (on SQLite and Postgres), up and down
// work, Postgres refuses to open with pending migrations and names the command, and a database migrated by
// a newer version is refused on both.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { knownMigrations, openMikroOrmStorage, resolveStorageOptions, type MikroOrmStorage } from '../../../adapters/storage-mikro-orm/index.js';
import { DEFAULT_ORG_ID } from '../../../core/index.js';
import { rejectsWith } from '../../storage/contract/assert-helpers.js';
import { createTestDatabase, PG_SKIP, testPgUrl, type TestDatabase } from '../../storage/postgres-database.js';

const where = { dataDir: process.cwd(), baseDir: process.cwd(), env: {} };
const open = (config: object, migrate?: 'auto' | 'check' | 'none') => openMikroOrmStorage({ ...resolveStorageOptions(config, where), migrate });

/** The schema generator's diff between the entities and the migrated database: empty when they agree. */
async function drift(storage: MikroOrmStorage): Promise<string> {
  return (await storage.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim();
}

async function tables(storage: MikroOrmStorage): Promise<string[]> {
  const sql = storage.dialect === 'sqlite'
    ? "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name"
    : "select table_name as name from information_schema.tables where table_schema = 'public' order by table_name";
  const result = (await storage.knex.raw(sql)) as { rows?: { name: string }[] } | { name: string }[];
  return (Array.isArray(result) ? result : result.rows!).map((r) => r.name);
}

const INITIAL_TABLES = ['agent_sdk_migrations', 'api_keys', 'audit_log', 'chunks', 'collections', 'documents', 'events', 'idempotency_keys', 'messages', 'orgs', 'runs', 'sessions', 'usage_counters', 'users'];
/** 0002_rag_index: the RAG index's tables (SQLite: FTS5 and its shadow tables), outside the entities. */
const RAG_TABLES = {
  sqlite: ['rag_chunk_keys', 'rag_chunks_fts', 'rag_chunks_fts_config', 'rag_chunks_fts_data', 'rag_chunks_fts_docsize', 'rag_chunks_fts_idx', 'rag_collection_state'],
  postgres: ['rag_chunk_search', 'rag_collection_state'],
};
const EXPECTED_TABLES = (dialect: 'sqlite' | 'postgres') => [...INITIAL_TABLES, ...RAG_TABLES[dialect]].sort();

test('sqlite: the migrations create exactly the schema of the entities; down drops it, up restores it', async () => {
  const storage = await open({ path: ':memory:' });
  try {
    const applied = await drift(storage);
    assert.is(applied, '', `the entities and the migrations disagree; write a migration with:\n${applied}`);
    assert.equal(await tables(storage), EXPECTED_TABLES('sqlite'));
    const state = await storage.migrations();
    assert.equal({ executed: state.executed.map((m) => m.name), pending: state.pending }, { executed: knownMigrations('sqlite'), pending: [] });
    assert.is((await storage.health()).pendingMigrations, 0);
    assert.is(await storage.migrateDown(), '0003_org_keyed_sessions');
    assert.equal(await tables(storage), EXPECTED_TABLES('sqlite'));
    assert.is(await storage.migrateDown(), '0002_rag_index');
    assert.equal(await tables(storage), INITIAL_TABLES);
    assert.is(await storage.migrateDown(), '0001_initial');
    assert.equal(await tables(storage), ['agent_sdk_migrations']);
    assert.equal((await storage.migrations()).pending, knownMigrations('sqlite'));
    assert.equal(await storage.health().then((h) => [h.ok, h.pendingMigrations]), [false, 3]);
    assert.equal(await storage.migrateUp(), knownMigrations('sqlite'));
    assert.is(await drift(storage), '');
    assert.ok(await storage.orgs.get(DEFAULT_ORG_ID), 'migrate up ensures the default org');
  } finally {
    await storage.close();
  }
});

test('sqlite: migrate "check" refuses pending migrations; a schema from a newer version is refused', async () => {
  const error = await rejectsWith(open({ path: ':memory:' }, 'check'), 'ASDK_STORAGE_MIGRATIONS_PENDING');
  assert.match(error.message, '0001_initial');
  assert.match(error.hint, 'agent-sdk migrate up');
  const storage = await open({ path: ':memory:' });
  try {
    await storage.knex.raw("insert into agent_sdk_migrations (name, executed_at) values ('9999_from_the_future', CURRENT_TIMESTAMP)");
    assert.equal((await storage.migrations()).unknown, ['9999_from_the_future']);
    const ahead = await rejectsWith(storage.migrateUp(), 'ASDK_STORAGE_SCHEMA_AHEAD');
    assert.match(ahead.message, '9999_from_the_future');
    assert.is((await storage.health()).ok, false);
  } finally {
    await storage.close();
  }
});

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

  test('postgres: refuses to open with pending migrations and names the command', async () => {
    const error = await rejectsWith(open({ url: database.url }), 'ASDK_STORAGE_MIGRATIONS_PENDING');
    assert.match(error.message, '3 pending migration(s): 0001_initial, 0002_rag_index, 0003_org_keyed_sessions');
    assert.match(error.message, 'asdk_test_');
    assert.match(error.hint, 'agent-sdk migrate up');
  });

  test('postgres: concurrent migrators apply each migration once; the schema matches the entities; down and up', async () => {
    const a = await open({ url: database.url }, 'none');
    const b = await open({ url: database.url }, 'none');
    try {
      const [ranA, ranB] = await Promise.all([a.migrateUp(), b.migrateUp()]);
      assert.equal([...ranA, ...ranB], knownMigrations('postgres'), 'the advisory lock lets one migrator apply them; the other finds nothing pending');
      const applied = await drift(a);
      assert.is(applied, '', `the entities and the migrations disagree; write a migration with:\n${applied}`);
      assert.equal(await tables(a), EXPECTED_TABLES('postgres'));
      assert.equal((await a.migrations()).executed.map((m) => m.name), knownMigrations('postgres'));
      assert.is(await a.migrateDown(), '0003_org_keyed_sessions');
      assert.equal(await tables(a), EXPECTED_TABLES('postgres'), 'down keeps every table (only the keys change)');
      assert.is(await a.migrateDown(), '0002_rag_index');
      assert.equal(await tables(a), INITIAL_TABLES);
      assert.is(await a.migrateDown(), '0001_initial');
      assert.equal(await tables(a), ['agent_sdk_migrations']);
      assert.equal(await a.migrateUp(), knownMigrations('postgres'));
      assert.is(await drift(a), '');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const started = await open({ url: database.url });
    try {
      assert.is((await started.health()).ok, true);
      assert.ok(await started.orgs.get(DEFAULT_ORG_ID));
    } finally {
      await started.close();
    }
  });
}

test.run();
