// Run logs as JSON Lines: daily files rotated by size, a disk budget, reopening, bounded buffers, an
// unwritable folder, the stdout exporter, and the plugins' defaults.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type EventEnvelope, type Logger } from '../../../core/index.js';
import { JsonlFileExporter, jsonlFilePlugin, JsonlStreamExporter, readRunLog } from '../../../plugins/observability/index.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-jsonl-'));
  dirs.push(dir);
  return dir;
}
test.after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// Seqs from 1000 on: every line has the same length, so sizes below are exact.
let seq = 1000;
function envelope(runId: string, text = 'x'.repeat(100)): EventEnvelope {
  seq++;
  return { v: 1, id: `${runId}:${seq}`, seq, runId, sessionId: 's', orgId: 'default', stream: 'assistant', type: 'assistant.delta', ts: new Date().toISOString(), data: { text } } as EventEnvelope;
}
const lineBytes = Buffer.byteLength(`${JSON.stringify(envelope('run_a'))}\n`);

function quietLogger() {
  const lines: string[] = [];
  const logger: Logger = { debug() {}, info: (m) => void lines.push(m), warn: (m) => void lines.push(m), error: (m) => void lines.push(m), child: () => logger };
  return { logger, lines };
}

test('one file per UTC day, rotated before it grows past maxFileBytes; every line is one envelope', async () => {
  const dir = tempDir();
  let now = Date.parse('2026-03-01T23:59:00Z');
  const exporter = await JsonlFileExporter.open({ dir, maxFileBytes: lineBytes * 10, maxTotalBytes: lineBytes * 1000, now: () => now });
  const day1 = Array.from({ length: 25 }, () => envelope('run_a'));
  exporter.export(day1.slice(0, 12));
  exporter.export(day1.slice(12));
  await exporter.flush();
  now = Date.parse('2026-03-02T00:00:01Z');
  const day2 = Array.from({ length: 3 }, () => envelope('run_b'));
  exporter.export(day2);
  await exporter.shutdown();
  assert.equal(readdirSync(dir).sort(), ['events-2026-03-01.1.jsonl', 'events-2026-03-01.2.jsonl', 'events-2026-03-01.jsonl', 'events-2026-03-02.jsonl']);
  for (const name of readdirSync(dir)) assert.ok(statSync(join(dir, name)).size <= lineBytes * 10, `${name} is within maxFileBytes`);
  const all: EventEnvelope[] = [];
  for await (const e of readRunLog(dir)) all.push(e);
  assert.equal(all, [...day1, ...day2], 'in write order, across rotations and days');
  const onlyB: EventEnvelope[] = [];
  for await (const e of readRunLog(dir, 'run_b')) onlyB.push(e);
  assert.equal(onlyB, day2);
  assert.is(exporter.stats.written, 28);
});

test('the disk budget: the oldest files are deleted once the folder exceeds maxTotalBytes', async () => {
  const dir = tempDir();
  const exporter = await JsonlFileExporter.open({ dir, maxFileBytes: lineBytes * 5, maxTotalBytes: lineBytes * 12, now: () => Date.parse('2026-03-01T12:00:00Z') });
  const written = Array.from({ length: 40 }, () => envelope('run_c'));
  for (const e of written) {
    exporter.export([e]);
    await exporter.flush();
  }
  await exporter.shutdown();
  const names = readdirSync(dir);
  const bytes = names.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  assert.ok(bytes <= lineBytes * 12, `${bytes} bytes on disk, budget ${lineBytes * 12}`);
  assert.ok(exporter.stats.deleted >= 5);
  const kept: EventEnvelope[] = [];
  for await (const e of readRunLog(dir)) kept.push(e);
  assert.equal(kept, written.slice(written.length - kept.length), 'what is kept is the newest, in order');
  assert.ok(kept.length >= 10);
});

test('reopening continues the newest file of the day and counts what is already there against the budget', async () => {
  const dir = tempDir();
  const now = () => Date.parse('2026-03-05T08:00:00Z');
  writeFileSync(join(dir, 'events-2026-03-04.jsonl'), `${JSON.stringify(envelope('old'))}\n`);
  writeFileSync(join(dir, 'unrelated.txt'), 'keep me');
  const first = await JsonlFileExporter.open({ dir, maxFileBytes: lineBytes * 10, maxTotalBytes: lineBytes * 100, now });
  first.export([envelope('run_d')]);
  await first.shutdown();
  // Yesterday's line, today's and one more: three lines over a budget of two.
  const second = await JsonlFileExporter.open({ dir, maxFileBytes: lineBytes * 2, maxTotalBytes: lineBytes * 2, now });
  second.export([envelope('run_d')]);
  await second.shutdown();
  assert.equal(readdirSync(dir).sort(), ['events-2026-03-05.jsonl', 'unrelated.txt'], 'yesterday went over the budget; other files are not touched');
  assert.is(readFileSync(join(dir, 'events-2026-03-05.jsonl'), 'utf8').trim().split('\n').length, 2);
});

test('writes are gathered: one per flushIntervalMs under a trickle, sooner once a thousand envelopes wait', async () => {
  const until = async (condition: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    return condition();
  };
  const dir = tempDir();
  const interval = 200;
  const exporter = await JsonlFileExporter.open({ dir, maxFileBytes: 1 << 24, maxTotalBytes: 1 << 26, flushIntervalMs: interval });
  const started = Date.now();
  for (let i = 0; i < 200; i++) {
    exporter.export([envelope('run_t')]);
    await new Promise((resolve) => setImmediate(resolve));
  }
  // 200 batches, one per turn of the event loop: at most one write per interval elapsed (plus the last one).
  const intervals = Math.floor((Date.now() - started) / interval);
  assert.ok(await until(() => exporter.stats.written === 200, 5_000), 'written without a flush');
  assert.ok(exporter.stats.writes <= intervals + 2, `${exporter.stats.writes} writes for 200 batches in ${intervals + 1} intervals`);
  const slow = await JsonlFileExporter.open({ dir: tempDir(), maxFileBytes: 1 << 24, maxTotalBytes: 1 << 26, flushIntervalMs: 60_000 });
  for (let i = 0; i < 2500; i++) slow.export([envelope('run_u')]);
  assert.ok(await until(() => slow.stats.written >= 2000, 10_000), `a full batch does not wait a minute (${slow.stats.written} written)`);
  await exporter.shutdown();
  await slow.shutdown();
  assert.is(slow.stats.written, 2500);
});

test('a disk that cannot keep up costs dropped envelopes (counted, warned once), not memory', async () => {
  const dir = tempDir();
  const { logger, lines } = quietLogger();
  const exporter = await JsonlFileExporter.open({ dir, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24, maxBufferedEnvelopes: 100, logger });
  // 1000 envelopes in one turn: the writer has not run yet, so at most 100 wait for it.
  for (let i = 0; i < 1000; i++) exporter.export([envelope('run_e')]);
  await exporter.shutdown();
  assert.is(exporter.stats.written, 100);
  assert.is(exporter.stats.dropped, 900);
  assert.is(lines.filter((l) => l.includes('dropped')).length, 1);
});

test('exclude leaves event types out; after shutdown nothing is written', async () => {
  const dir = tempDir();
  const exporter = await JsonlFileExporter.open({ dir, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24, exclude: ['assistant.delta'] });
  const kept = { ...envelope('run_f'), type: 'step.started', stream: 'lifecycle', data: { step: 1 } } as EventEnvelope;
  exporter.export([envelope('run_f'), kept]);
  await exporter.shutdown();
  exporter.export([kept]);
  await exporter.flush();
  const all: EventEnvelope[] = [];
  for await (const e of readRunLog(dir)) all.push(e);
  assert.equal(all, [kept]);
});

test('a folder that cannot be written fails at start with ASDK_RUN_LOGS_UNWRITABLE; a budget below one file too', async () => {
  if (process.getuid?.() === 0) {
    // root writes anywhere: use a path under a regular file instead of a read-only folder.
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const error = await rejection(JsonlFileExporter.open({ dir: join(file, 'logs'), maxFileBytes: 4096, maxTotalBytes: 8192 }));
    assert.is(error.code, 'ASDK_RUN_LOGS_UNWRITABLE');
  } else {
    const dir = tempDir();
    mkdirSync(join(dir, 'ro'));
    chmodSync(join(dir, 'ro'), 0o500);
    const error = await rejection(JsonlFileExporter.open({ dir: join(dir, 'ro'), maxFileBytes: 4096, maxTotalBytes: 8192 }));
    assert.is(error.code, 'ASDK_RUN_LOGS_UNWRITABLE');
  }
  const budget = await rejection(JsonlFileExporter.open({ dir: tempDir(), maxFileBytes: 8192, maxTotalBytes: 4096 }));
  assert.match(budget.message, 'maxTotalBytes');
});

test('the jsonl-file plugin writes under <kernel.dataDir>/logs by default, and dir relative to the config', async () => {
  const dataDir = tempDir();
  const kernel = await startTestKernel({ plugins: [jsonlFilePlugin], model: scripted(['Hello.']), config: { kernel: { dataDir } } });
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
  await run.result();
  await kernel.stop();
  const logged: EventEnvelope[] = [];
  for await (const e of readRunLog(join(dataDir, 'logs'), run.id)) logged.push(e);
  assert.equal(logged.map((e) => e.type), ['run.started', 'step.started', 'assistant.delta', 'assistant.message', 'step.completed', 'run.completed']);
  const file = join(tempDir(), 'a-file');
  writeFileSync(file, '');
  const unwritable = await rejection(startTestKernel({ plugins: [jsonlFilePlugin], config: { 'jsonl-file': { dir: join(file, 'logs') } } }));
  assert.match(unwritable.message, `Run logs cannot be written to ${join(file, 'logs')}: ENOTDIR`);
});

test('the stream exporter writes one line per envelope per turn, and drops while the reader lags', async () => {
  const writes: string[] = [];
  const sink = { writableLength: 0, write: (text: string) => writes.push(text) };
  const { logger, lines } = quietLogger();
  const exporter = new JsonlStreamExporter({ sink, logger, maxBufferedBytes: 1000, exclude: ['step.started'] });
  const a = envelope('run_g');
  const b = envelope('run_g');
  exporter.export([a]);
  exporter.export([b, { ...a, type: 'step.started' } as EventEnvelope]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes, [`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`], 'one write for the turn');
  sink.writableLength = 5000;
  exporter.export([envelope('run_g')]);
  await exporter.flush();
  assert.is(exporter.stats.dropped, 1);
  assert.is(lines.length, 1);
  sink.writableLength = 0;
  exporter.export([a]);
  await exporter.shutdown();
  assert.is(writes.length, 2);
  exporter.export([a]);
  await exporter.flush();
  assert.is(writes.length, 2, 'nothing after shutdown');
});

test.run();
