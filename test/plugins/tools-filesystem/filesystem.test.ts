import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extensionPoints } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { filesystemPlugin } from '../../../plugins/tools-filesystem/index.js';
import { checkOrgId, splitWorkspacePath } from '../../../plugins/tools-filesystem/paths.js';
import { accepts, assertWellFormed, callTool, toolContext, toolFailure } from '../tools-support/tool-harness.js';
import { sandbox } from './fixture.js';

const acme = toolContext({ orgId: 'acme' });

test('schemas are strict and limits from config appear in them', () => {
  const s = sandbox({ maxReadBytes: 1000, maxListEntries: 20 });
  for (const tool of Object.values(s.tools)) assertWellFormed(tool);
  assert.ok(accepts(s.tools.read.input, { path: 'a.txt', offset: 0, length: 1000 }));
  assert.not.ok(accepts(s.tools.read.input, { path: 'a.txt', length: 1001 }));
  assert.not.ok(accepts(s.tools.read.input, { path: 'a.txt', offset: -1 }));
  assert.not.ok(accepts(s.tools.read.input, { path: 'a.txt', encoding: 'latin1' }));
  assert.not.ok(accepts(s.tools.write.input, { path: 'a.txt' }), 'content required');
  assert.not.ok(accepts(s.tools.write.input, { path: 'a.txt', content: 'x', mode: 'truncate' }));
  assert.not.ok(accepts(s.tools.list.input, { maxEntries: 21 }));
  assert.equal([s.tools.read.capabilities, s.tools.write.capabilities, s.tools.list.capabilities], [['fs.read'], ['fs.write'], ['fs.read']]);
  s.cleanup();
});

test('write then read and list: the round trip, created folders, sizes and types', async () => {
  const s = sandbox();
  const written = await callTool(s.tools.write, { path: 'notes/2024/todo.md', content: '# Todo\n- ünïcödé ✓\n' }, acme);
  assert.equal(written, { path: 'notes/2024/todo.md', bytes: 25, size: 25, created: true });
  assert.is(readFileSync(join(s.root, 'notes/2024/todo.md'), 'utf8'), '# Todo\n- ünïcödé ✓\n');
  const read = await callTool(s.tools.read, { path: './notes//2024/todo.md' }, acme);
  assert.equal(read, { path: 'notes/2024/todo.md', content: '# Todo\n- ünïcödé ✓\n', size: 25, offset: 0, bytes: 25, eof: true });
  await callTool(s.tools.write, { path: 'b.txt', content: 'bb' }, acme);
  await callTool(s.tools.write, { path: 'a.txt', content: '' }, acme);
  const listed = await callTool(s.tools.list, {}, acme);
  assert.equal(listed, {
    path: '.',
    entries: [{ name: 'a.txt', type: 'file', size: 0 }, { name: 'b.txt', type: 'file', size: 2 }, { name: 'notes', type: 'directory' }],
    truncated: false,
  });
  assert.equal((await callTool(s.tools.list, { path: 'notes/2024' }, acme)).entries, [{ name: 'todo.md', type: 'file', size: 25 }]);
  s.cleanup();
});

test('write modes: overwrite keeps permissions, create refuses to clobber, append adds', async () => {
  const s = sandbox();
  writeFileSync(join(s.root, 'keep.sh'), 'old');
  chmodSync(join(s.root, 'keep.sh'), 0o750);
  assert.equal(await callTool(s.tools.write, { path: 'keep.sh', content: 'new' }, acme), { path: 'keep.sh', bytes: 3, size: 3, created: false });
  assert.is(readFileSync(join(s.root, 'keep.sh'), 'utf8'), 'new');
  assert.is(statSync(join(s.root, 'keep.sh')).mode & 0o777, 0o750);
  const exists = await toolFailure(callTool(s.tools.write, { path: 'keep.sh', content: 'x', mode: 'create' }, acme));
  assert.is(exists.code, 'FS_EXISTS');
  assert.is(readFileSync(join(s.root, 'keep.sh'), 'utf8'), 'new');
  assert.is((await callTool(s.tools.write, { path: 'fresh.txt', content: 'one', mode: 'create' }, acme)).created, true);
  await callTool(s.tools.write, { path: 'log.txt', content: 'a\n', mode: 'append' }, acme);
  assert.equal(await callTool(s.tools.write, { path: 'log.txt', content: 'b\n', mode: 'append' }, acme), { path: 'log.txt', bytes: 2, size: 4, created: false });
  assert.is(readFileSync(join(s.root, 'log.txt'), 'utf8'), 'a\nb\n');
  const noParent = await toolFailure(callTool(s.tools.write, { path: 'missing/dir/x.txt', content: 'x', createDirectories: false }, acme));
  assert.is(noParent.code, 'FS_NOT_FOUND');
  assert.not.ok(existsSync(join(s.root, 'missing')));
  assert.equal(readdirSync(s.root).filter((n) => n.includes('asdk-write')), [], 'no temp files left behind');
  s.cleanup();
});

test('reads in parts: size limit, offset/length, nextOffset, and multi-byte characters never split', async () => {
  const s = sandbox({ maxReadBytes: 10 });
  const text = 'héllo wörld ✓ ok 🎉!';
  writeFileSync(join(s.root, 'big.txt'), text);
  const size = Buffer.byteLength(text);
  const tooBig = await toolFailure(callTool(s.tools.read, { path: 'big.txt' }, acme));
  assert.is(tooBig.code, 'FS_TOO_LARGE');
  assert.match(tooBig.message, `is ${size} bytes`);
  assert.match(tooBig.message, 'offset and length');
  let offset = 0;
  let joined = '';
  for (let i = 0; i < 20; i++) {
    const part = await callTool(s.tools.read, { path: 'big.txt', offset, length: 7 }, acme);
    assert.ok(part.bytes <= 7);
    joined += part.content;
    if (part.eof) break;
    offset = part.nextOffset;
  }
  assert.is(joined, text, 'parts join back into the text');
  const mid = await callTool(s.tools.read, { path: 'big.txt', offset: 2, length: 4 }, acme);
  assert.equal([mid.offset, mid.content], [3, 'llo'], 'a start inside "é" skips to the next character');
  const pastEnd = await toolFailure(callTool(s.tools.read, { path: 'big.txt', offset: size + 1, length: 1 }, acme));
  assert.is(pastEnd.code, 'FS_INVALID_RANGE');
  assert.equal((await callTool(s.tools.read, { path: 'big.txt', offset: size, length: 5 }, acme)).content, '');
  s.cleanup();
});

test('binary files, folders and the root are refused as files', async () => {
  const s = sandbox();
  writeFileSync(join(s.root, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  writeFileSync(join(s.root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x21]));
  mkdirSync(join(s.root, 'docs'));
  assert.is((await toolFailure(callTool(s.tools.read, { path: 'image.png' }, acme))).code, 'FS_BINARY');
  assert.is((await toolFailure(callTool(s.tools.read, { path: 'latin1.txt' }, acme))).code, 'FS_BINARY');
  assert.is((await toolFailure(callTool(s.tools.read, { path: 'docs' }, acme))).code, 'FS_NOT_A_FILE');
  assert.is((await toolFailure(callTool(s.tools.read, { path: '.' }, acme))).code, 'FS_NOT_A_FILE');
  assert.is((await toolFailure(callTool(s.tools.write, { path: 'docs', content: 'x' }, acme))).code, 'FS_NOT_A_FILE');
  assert.is((await toolFailure(callTool(s.tools.write, { path: '', content: 'x' }, acme))).code, 'FS_INVALID_PATH');
  assert.is((await toolFailure(callTool(s.tools.read, { path: 'nope.txt' }, acme))).code, 'FS_NOT_FOUND');
  assert.is((await toolFailure(callTool(s.tools.list, { path: 'nope' }, acme))).code, 'FS_NOT_FOUND');
  assert.is((await toolFailure(callTool(s.tools.list, { path: 'image.png' }, acme))).code, 'FS_NOT_A_DIRECTORY');
  writeFileSync(join(s.root, 'file'), 'x');
  assert.is((await toolFailure(callTool(s.tools.write, { path: 'file/inner.txt', content: 'x' }, acme))).code, 'FS_NOT_A_DIRECTORY');
  s.cleanup();
});

test('listing is bounded, sorted and hides temp files', async () => {
  const s = sandbox({ maxListEntries: 10 });
  for (let i = 0; i < 30; i++) writeFileSync(join(s.root, `f${String(i).padStart(2, '0')}.txt`), 'x'.repeat(i));
  writeFileSync(join(s.root, '.asdk-write-0123.tmp'), 'partial');
  const listed = await callTool(s.tools.list, {}, acme);
  assert.is(listed.entries.length, 10);
  assert.is(listed.truncated, true);
  const names = listed.entries.map((e: { name: string }) => e.name);
  assert.equal(names, [...names].sort());
  assert.not.ok(names.some((n: string) => n.startsWith('.asdk-write-')));
  const few = await callTool(s.tools.list, { maxEntries: 3 }, acme);
  assert.equal([few.entries.length, few.truncated], [3, true]);
  s.cleanup();
});

test('each org has its own root, created on demand; org ids cannot name other folders', async () => {
  const s = sandbox();
  await callTool(s.tools.write, { path: 'acme-only.txt', content: 'mine' }, acme);
  const globex = toolContext({ orgId: 'globex' });
  assert.equal((await callTool(s.tools.list, {}, globex)).entries, []);
  assert.ok(statSync(join(s.base, 'globex')).isDirectory(), 'created on first use');
  assert.is((await toolFailure(callTool(s.tools.read, { path: 'acme-only.txt' }, globex))).code, 'FS_NOT_FOUND');
  for (const orgId of ['../acme', '..', '.', 'a/b', '', 'acme\0', '.hidden']) {
    const failure = await toolFailure(callTool(s.tools.list, {}, toolContext({ orgId })));
    assert.is(failure.code, 'FS_ROOT_UNAVAILABLE', orgId);
  }
  s.cleanup();
});

test('an aborted call stops and leaves no temp file', async () => {
  const s = sandbox();
  const controller = new AbortController();
  controller.abort(new Error('cancelled'));
  const error = await rejection(s.workspace.write('acme', 'x.txt', 'data', { signal: controller.signal }));
  assert.match(String(error?.message), 'cancelled');
  assert.not.ok(existsSync(join(s.root, 'x.txt')));
  assert.equal(readdirSync(s.root), []);
  writeFileSync(join(s.root, 'r.txt'), 'abc');
  await rejection(s.workspace.read('acme', 'r.txt', { signal: controller.signal }));
  s.cleanup();
});

test('the plugin: default root under kernel.dataDir, relative root, readOnly, and a root that is a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-fs-plugin-'));
  const kernel = await startTestKernel({ plugins: [filesystemPlugin], config: { kernel: { dataDir: dir } } });
  const tools = kernel.contributions(extensionPoints.tools).map((t) => t.item);
  assert.equal(tools.map((t) => `${t.name}@${t.version}`), ['filesystem.read@1.0.0', 'filesystem.write@1.0.0', 'filesystem.list@1.0.0']);
  await callTool(tools[1], { path: 'hello.txt', content: 'hi' }, acme);
  assert.is(readFileSync(join(dir, 'workspace', 'acme', 'hello.txt'), 'utf8'), 'hi');
  await kernel.stop();

  const readOnly = await startTestKernel({ plugins: [filesystemPlugin], config: { kernel: { dataDir: dir }, 'tools-filesystem': { readOnly: true, root: join(dir, 'ro') } } });
  assert.equal(readOnly.contributions(extensionPoints.tools).map((t) => t.item.name), ['filesystem.read', 'filesystem.list']);
  await readOnly.stop();

  writeFileSync(join(dir, 'not-a-folder'), '');
  const error = await rejection(startTestKernel({ plugins: [filesystemPlugin], config: { 'tools-filesystem': { root: join(dir, 'not-a-folder') } } }));
  assert.is(error.code, 'ASDK_PLUGIN_INIT_FAILED');
  assert.is(error.cause.code, 'ASDK_TOOLS_FS_ROOT_INVALID');
  const typo = await rejection(startTestKernel({ plugins: [filesystemPlugin], config: { 'tools-filesystem': { maxReadByte: 5 } } }));
  assert.match(typo.problems[0].message, 'did you mean "maxReadBytes"?');
  rmSync(dir, { recursive: true, force: true });
});

test('a long refused path or organisation id is quoted cut on a code point boundary', () => {
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected a failure');
  };
  // JSON.stringify writes a lone surrogate as a \uD83D escape: half an emoji shown as text.
  const path = message(() => splitWorkspacePath(`${'x'.repeat(116)}😀😀\\a`));
  assert.match(path, `The path "${'x'.repeat(116)}..." contains a backslash`);
  const org = message(() => checkOrgId(`${'x'.repeat(59)}😀`));
  assert.match(org, `The organisation id "${'x'.repeat(59)}" cannot`);
});

test.run();
