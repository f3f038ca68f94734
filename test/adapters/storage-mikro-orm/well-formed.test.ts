// Text that is not well-formed UTF-16 (a lone surrogate, left by a cut inside an emoji) is stored as U+FFFD:
// Postgres jsonb refuses it and failed the write (a compaction summary then failed the session for good).
// And storage failures name the driver's reason, never the failed statement with the conversation in it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Platform } from '@mikro-orm/core';
import { storagePlugin } from '../../../adapters/storage-mikro-orm/index.js';
import { JsonColumnType, jsonText } from '../../../adapters/storage-mikro-orm/schema/json-text.js';
import { asStorageError } from '../../../adapters/storage-mikro-orm/util/db-errors.js';
import { DEFAULT_ORG, ports } from '../../../core/index.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { createTestDatabase, PG_SKIP, testPgUrl } from '../../storage/postgres-database.js';

const HIGH = '\uD83D';
const LOW = '\uDE00';
/** No lone surrogate (String.prototype.isWellFormed, which this TypeScript lib does not declare). */
const isWellFormed = (text: string) => !/\p{Cs}/u.test(text);

test('jsonText and JsonColumnType turn lone surrogates (in values and keys) into U+FFFD, and keep pairs and escaped backslashes', () => {
  const value = { text: `a${HIGH}b${LOW}c😀`, [`k${LOW}`]: [`${HIGH}`], literal: '\\ud83d is six characters' };
  for (const postgres of [true, false]) {
    const text = jsonText(value, postgres);
    const back = JSON.parse(text);
    assert.equal(back, { text: 'a\uFFFDb\uFFFDc😀', 'k\uFFFD': ['\uFFFD'], literal: '\\ud83d is six characters' });
    assert.ok(isWellFormed(text));
  }
  assert.is(jsonText({ plain: 'text' }, true), '{"plain":"text"}');
  const column = new JsonColumnType();
  for (const declaration of ['jsonb', 'json']) {
    const platform = Object.assign(Object.create(Platform.prototype), { getJsonDeclarationSQL: () => declaration, convertJsonToDatabaseValue: (v: unknown) => JSON.stringify(v) }) as Platform;
    const stored = column.convertToDatabaseValue({ content: `x${HIGH}`, nul: 'a\0b' }, platform) as string;
    assert.equal(JSON.parse(stored), { content: 'x\uFFFD', nul: declaration === 'jsonb' ? 'a\uFFFDb' : 'a\0b' }, declaration);
  }
});

test('a storage failure keeps the driver reason and drops the statement knex prefixed it with', () => {
  const secret = "insert into \"messages\" (\"content\") values ('my card is 4111 1111 1111 1111 - please keep it') - invalid input syntax for type json";
  const error = asStorageError('messages.append', Object.assign(new Error(secret), { code: '22P02' })) as Error & { code: string; cause: unknown };
  assert.is(error.code, 'ASDK_STORAGE_UNAVAILABLE');
  assert.not.match(error.message, '4111');
  assert.match(error.message, 'invalid input syntax for type json');
  assert.ok((error.cause as Error).message.includes('4111'), 'the statement stays in the cause, for logs');
  const multiline = asStorageError('runs.create', new Error("insert into runs (input) values ('line one\nline two')\n - SQLITE_FULL: database or disk is full"));
  assert.not.match(multiline.message, 'line one');
  assert.match(multiline.message, 'SQLITE_FULL');
  assert.match(asStorageError('x', new Error('connect ECONNREFUSED 127.0.0.1:5432')).message, 'connect ECONNREFUSED 127.0.0.1:5432');
});

/** A summarize compaction cutting a message inside an emoji, then an event and a message with lone surrogates. */
async function roundTrip(storageConfig: Record<string, unknown>): Promise<void> {
  const kernel = await startTestKernel({ model: scripted(() => `ok ${LOW}`), plugins: [storagePlugin], config: { storage: storageConfig } });
  try {
    const agent = { name: 'a', instructions: 'x', memory: { maxMessages: 2, strategy: 'summarize' as const } };
    const first = await kernel.runs.start({ agent, input: `${'x'.repeat(158)}😀 and more` });
    assert.is((await first.result()).status, 'completed');
    for (const input of ['q2', 'q3', 'q4']) {
      const result = await (await kernel.runs.start({ agent, input, sessionId: first.sessionId })).result();
      assert.is(result.status, 'completed', `${input}: ${result.error?.message}`);
    }
    const storage = kernel.get(ports.storage);
    const messages = await storage.messages.list(DEFAULT_ORG, first.sessionId);
    assert.ok(messages.every((m) => isWellFormed(m.message.content)), 'every stored message is well-formed');
    assert.match(messages[0].message.content, 'Summary of the earlier conversation');
    await storage.runs.create(DEFAULT_ORG, { id: 'run_lone', sessionId: first.sessionId, input: `in ${HIGH}` });
    await storage.events.append(DEFAULT_ORG, { runId: 'run_lone', sessionId: first.sessionId }, [{ type: 'assistant.delta', data: { text: `half ${HIGH}` } }]);
    const [read] = await storage.events.read(DEFAULT_ORG, 'run_lone');
    assert.equal(read.data, { text: 'half \uFFFD' });
  } finally {
    await kernel.stop();
  }
}

test('SQLite: a compaction summary cut inside an emoji is stored, and reads back well-formed', async () => {
  await roundTrip({ path: ':memory:' });
});

test('Postgres: a compaction summary cut inside an emoji no longer fails the session', async () => {
  if (!testPgUrl) return console.log(PG_SKIP);
  const database = await createTestDatabase(testPgUrl);
  try {
    await roundTrip({ url: database.url, autoMigrate: true });
  } finally {
    await database.drop();
  }
});

test.run();
