// End to end, as a user would, in separate processes on the embedded SQLite default: `agent-sdk ingest` a folder,
// ask `agent-sdk run --preset assistant_rag`, get an answer citing the right file; delete the file and prune,
// and the answer no longer uses it. Also: unchanged files are skipped, --json, --delete, --reindex, the progress
// bar on a terminal, and usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, tsxLoader } from '../../helpers/cli.js';
import { fixturesDir } from './eval-set.js';

const project = mkdtempSync(join(tmpdir(), 'asdk-rag-cli-'));
const docs = join(project, 'docs');
mkdirSync(docs);
for (const folder of ['policies', 'kitchen', 'science']) cpSync(join(fixturesDir, folder), join(docs, folder), { recursive: true });
writeFileSync(join(docs, 'logo.png'), Buffer.from([137, 80, 78, 71]));
const cli = (args: string[]) => runCli(args, { cwd: project, timeoutMs: 90_000 });
const ask = (question: string) => cli(['run', '--preset', 'assistant_rag', question]);

test.after(() => rmSync(project, { recursive: true, force: true }));

test('ingest a folder: one line per file off a terminal, a summary, unsupported files skipped; again: all unchanged', async () => {
  const first = await cli(['ingest', 'docs']);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stderr, /created\s+docs\/policies\/shipping\.md \(\d+ chunks?\)/);
  assert.match(first.stderr, /✓ 13 files into "default": 13 new, 0 updated, 0 unchanged; \d+ chunks embedded in/);
  assert.match(first.stderr, '1 file skipped (not markdown, text, html): docs/logo.png');
  assert.is(first.stdout, '');
  const again = await cli(['ingest', 'docs', '--json']);
  assert.is(again.code, 0, again.stderr);
  const result = JSON.parse(again.stdout);
  assert.is(result.collection, 'default');
  assert.is(result.files.length, 13);
  assert.ok(result.files.every((f: { status: string }) => f.status === 'unchanged'));
});

test('assistant_rag answers from the ingested files and cites the right one', async () => {
  const run = await ask('How much does express delivery cost?');
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, 'From the knowledge base:');
  assert.match(run.stdout, 'costs 12 euros');
  assert.match(run.stdout, /Sources:\n\s+\[1\] docs\/policies\/shipping\.md \(ch_[0-9a-f]{16}\)/);
  assert.match(run.stderr, '→ vector.search');
  const json = await cli(['run', '--preset', 'assistant_rag', '--json', 'What angle should I sharpen a Japanese knife at?']);
  const message = json.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((e) => e.type === 'assistant.message');
  assert.equal(message.data.citations.map((c: { source: string }) => c.source), ['docs/kitchen/knife-care.html']);
  assert.match(message.data.citations[0].quote, 'Hold Japanese knives at about 15 degrees');
});

test('after the file is deleted and the folder pruned, answers no longer use it', async () => {
  rmSync(join(docs, 'policies', 'shipping.md'));
  const prune = await cli(['ingest', 'docs', '--prune']);
  assert.is(prune.code, 0, prune.stderr);
  assert.match(prune.stderr, '12 files into "default": 0 new, 0 updated, 12 unchanged, 1 deleted');
  const run = await ask('How much does express delivery cost?');
  assert.is(run.code, 0, run.stderr);
  assert.not.match(run.stdout, 'shipping.md');
  assert.not.match(run.stdout, '12 euros');
  assert.not.match(run.stderr, 'shipping.md', 'not even among the retrieved passages');
});

test('--delete removes a document by source; --reindex re-embeds the collection', async () => {
  const deleted = await cli(['ingest', '--delete', 'docs/policies/refunds.md']);
  assert.is(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stderr, '✓ deleted docs/policies/refunds.md');
  const missing = await cli(['ingest', '--delete', 'docs/policies/refunds.md']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, 'no document "docs/policies/refunds.md" in "default"');
  const run = await ask('When will my refund be paid after I return something?');
  assert.not.match(run.stdout, 'refunds.md');
  const reindex = await cli(['ingest', '--reindex', '--json']);
  assert.is(reindex.code, 0, reindex.stderr);
  assert.ok(JSON.parse(reindex.stdout).chunks > 10);
});

test('another collection with --collection; a file that cannot be read makes the exit code 1', async () => {
  writeFileSync(join(project, 'empty.md'), '\n\n');
  writeFileSync(join(project, 'note.txt'), 'Cats sleep about fifteen hours a day.');
  const mixed = await cli(['ingest', 'note.txt', 'empty.md', '--collection', 'pets']);
  assert.is(mixed.code, 1);
  assert.match(mixed.stderr, /created\s+note\.txt \(1 chunk\)/);
  assert.match(mixed.stderr, /failed\s+empty\.md \(ASDK_RAG_EMPTY_DOCUMENT: Cannot ingest empty\.md: it has no text\)/);
  assert.match(mixed.stderr, '1 failed');
});

test('usage errors exit 2; a path that does not exist is named', async () => {
  const none = await cli(['ingest']);
  assert.is(none.code, 2);
  assert.match(none.stderr, 'give a file or a folder to ingest');
  const both = await cli(['ingest', 'docs', '--reindex']);
  assert.is(both.code, 2);
  const nowhere = await cli(['ingest', 'nowhere/']);
  assert.is(nowhere.code, 1);
  assert.match(nowhere.stderr, 'ASDK_RAG_PATH_NOT_FOUND: Nothing to ingest at nowhere/: no such file or folder');
  const help = await cli(['ingest', '--help']);
  assert.match(help.stdout, 'Usage: agent-sdk ingest <file|folder>...');
});

// `script` gives the command a pseudo-terminal, so the progress bar is drawn (util-linux; skipped without it).
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.log('[skip] progress bar on a terminal: the `script` command (util-linux) is not installed');
else {
  test('on a terminal, a progress bar is redrawn in place instead of one line per file', () => {
    const cliEntry = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url));
    const command = `${process.execPath} --import ${tsxLoader} ${cliEntry} ingest docs --force --collection tty`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: project, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1', COLUMNS: '200' } });
    assert.is(result.status, 0, result.stdout);
    assert.match(result.stdout, /Ingesting into "tty" [█░]{24} +\d+%  \d+\/12 files/);
    assert.match(result.stdout, '\r\x1b[2K');
    assert.not.match(result.stdout, /created\s+docs\//, 'no per-file lines');
    assert.match(result.stdout, '✓ 12 files into "tty": 12 new');
  });
}

test.run();
