// Hostile inputs for the filesystem sandbox: every way out of the workspace we know of must be refused with a
// clear tool error, leave the outside untouched, and never reveal host paths. Run with both proof strategies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { callTool, toolContext, toolFailure } from '../tools-support/tool-harness.js';
import { MODES, sandbox, type Sandbox } from './fixture.js';

const acme = toolContext({ orgId: 'acme' });

async function refused(s: Sandbox, tool: 'read' | 'write' | 'list', args: Record<string, unknown>, code: string): Promise<string> {
  const failure = await toolFailure(callTool(s.tools[tool], args, acme));
  assert.is(failure.code, code, `${tool} ${JSON.stringify(args)}: ${failure.message}`);
  // Echoing the path the model gave is fine; revealing where a link points, or where the workspace lives, is not.
  if (!String(args.path).includes(s.dir)) assert.not.ok(failure.message.includes(s.dir), `the message reveals a host path: ${failure.message}`);
  return failure.message;
}

function outsideUntouched(s: Sandbox): void {
  assert.is(readFileSync(join(s.outside, 'secret.txt'), 'utf8'), 'TOP SECRET');
  assert.equal(readdirSync(s.outside).sort(), ['secret.txt']);
}

for (const mode of MODES) {
  test(`[${mode.name}] traversal, absolute paths, NUL bytes and control characters are refused before any I/O`, async () => {
    const s = sandbox({}, mode);
    for (const path of ['../outside/secret.txt', '..', 'a/../../outside/secret.txt', 'docs/../..', './../x']) {
      assert.match(await refused(s, 'read', { path }, 'FS_TRAVERSAL'), '".."');
      await refused(s, 'write', { path, content: 'pwned' }, 'FS_TRAVERSAL');
      await refused(s, 'list', { path }, 'FS_TRAVERSAL');
    }
    for (const path of ['/etc/passwd', join(s.outside, 'secret.txt'), '//etc/passwd', 'C:\\Windows\\win.ini', 'c:/x', '\\\\server\\share', '~/.ssh/id_rsa', '~']) {
      assert.match(await refused(s, 'read', { path }, 'FS_ABSOLUTE_PATH'), 'relative to the workspace');
      await refused(s, 'write', { path, content: 'pwned' }, 'FS_ABSOLUTE_PATH');
    }
    for (const path of ['secret.txt\0.md', '\0', 'a\0/../../etc/passwd']) {
      assert.match(await refused(s, 'read', { path }, 'FS_INVALID_PATH'), 'NUL byte');
      await refused(s, 'write', { path, content: 'x' }, 'FS_INVALID_PATH');
    }
    for (const path of ['a\nb', 'x\u001b[31m', 'tab\there', 'dir\\..\\..\\secret.txt']) await refused(s, 'write', { path, content: 'x' }, 'FS_INVALID_PATH');
    await refused(s, 'write', { path: '.asdk-write-0.tmp', content: 'x' }, 'FS_INVALID_PATH');
    await refused(s, 'read', { path: `${'x'.repeat(256)}.txt` }, 'FS_INVALID_PATH');
    outsideUntouched(s);
    s.cleanup();
  });

  test(`[${mode.name}] symlinks that lead out are refused for read, write and list; inside ones work`, async () => {
    const s = sandbox({}, mode);
    symlinkSync(join(s.outside, 'secret.txt'), join(s.root, 'link.txt'));
    symlinkSync('../../outside/secret.txt', join(s.root, 'relative.txt'));
    symlinkSync(s.outside, join(s.root, 'outdir'));
    symlinkSync('/', join(s.root, 'slash'));
    symlinkSync(join(s.root, 'chain2'), join(s.root, 'chain1'));
    symlinkSync(join(s.outside, 'secret.txt'), join(s.root, 'chain2'));
    symlinkSync('/dev/zero', join(s.root, 'zero'));
    for (const path of ['link.txt', 'relative.txt', 'outdir/secret.txt', 'slash/etc/passwd', 'chain1', 'zero']) {
      assert.match(await refused(s, 'read', { path }, 'FS_OUTSIDE_ROOT'), 'outside the workspace');
    }
    await refused(s, 'write', { path: 'link.txt', content: 'pwned' }, 'FS_OUTSIDE_ROOT');
    await refused(s, 'write', { path: 'chain1', content: 'pwned', mode: 'append' }, 'FS_OUTSIDE_ROOT');
    await refused(s, 'write', { path: 'outdir/new.txt', content: 'pwned' }, 'FS_OUTSIDE_ROOT');
    await refused(s, 'write', { path: 'outdir/sub/new.txt', content: 'pwned' }, 'FS_OUTSIDE_ROOT');
    await refused(s, 'write', { path: 'slash/tmp/pwned.txt', content: 'pwned' }, 'FS_OUTSIDE_ROOT');
    await refused(s, 'list', { path: 'outdir' }, 'FS_OUTSIDE_ROOT');
    await refused(s, 'list', { path: 'slash' }, 'FS_OUTSIDE_ROOT');
    outsideUntouched(s);
    assert.not.ok(existsSync('/tmp/pwned.txt'));

    // Links that stay inside are followed.
    mkdirSync(join(s.root, 'docs'));
    writeFileSync(join(s.root, 'docs', 'a.txt'), 'inside');
    symlinkSync('docs/a.txt', join(s.root, 'alias.txt'));
    symlinkSync(join(s.root, 'docs'), join(s.root, 'docs-link'));
    assert.is((await callTool(s.tools.read, { path: 'alias.txt' }, acme)).content, 'inside');
    assert.is((await callTool(s.tools.read, { path: 'docs-link/a.txt' }, acme)).content, 'inside');
    assert.equal((await callTool(s.tools.write, { path: 'alias.txt', content: 'changed' }, acme)).path, 'alias.txt');
    assert.is(readFileSync(join(s.root, 'docs', 'a.txt'), 'utf8'), 'changed', 'written through to the target');
    await callTool(s.tools.write, { path: 'docs-link/b.txt', content: 'b' }, acme);
    assert.is(readFileSync(join(s.root, 'docs', 'b.txt'), 'utf8'), 'b');
    const listed = await callTool(s.tools.list, {}, acme);
    assert.equal(listed.entries.find((e: { name: string }) => e.name === 'link.txt'), { name: 'link.txt', type: 'symlink' }, 'a link is listed, not followed');
    s.cleanup();
  });

  test(`[${mode.name}] symlink loops and dangling links give a clear error`, async () => {
    const s = sandbox({}, mode);
    symlinkSync('loop2', join(s.root, 'loop1'));
    symlinkSync('loop1', join(s.root, 'loop2'));
    symlinkSync('nowhere.txt', join(s.root, 'dangling'));
    assert.match(await refused(s, 'read', { path: 'loop1' }, 'FS_SYMLINK'), 'loops');
    await refused(s, 'write', { path: 'loop1', content: 'x' }, 'FS_SYMLINK');
    await refused(s, 'write', { path: 'dangling', content: 'x' }, 'FS_SYMLINK');
    await refused(s, 'read', { path: 'dangling' }, 'FS_NOT_FOUND');
    s.cleanup();
  });

  test(`[${mode.name}] hard links are refused: another name may be outside`, async () => {
    const s = sandbox({}, mode);
    linkSync(join(s.outside, 'secret.txt'), join(s.root, 'hard.txt'));
    assert.match(await refused(s, 'read', { path: 'hard.txt' }, 'FS_HARD_LINK'), '2 names');
    await refused(s, 'write', { path: 'hard.txt', content: 'pwned' }, 'FS_HARD_LINK');
    await refused(s, 'write', { path: 'hard.txt', content: 'pwned', mode: 'append' }, 'FS_HARD_LINK');
    symlinkSync('hard.txt', join(s.root, 'to-hard'));
    await refused(s, 'read', { path: 'to-hard' }, 'FS_HARD_LINK');
    outsideUntouched(s);
    const listed = await callTool(s.tools.list, {}, acme);
    assert.ok(listed.entries.some((e: { name: string }) => e.name === 'hard.txt'), 'listing shows the name (no content)');
    s.cleanup();
  });

  test(`[${mode.name}] FIFOs, sockets and devices are refused without blocking`, async () => {
    const s = sandbox({}, mode);
    execFileSync('mkfifo', [join(s.root, 'pipe')]);
    const started = Date.now();
    assert.match(await refused(s, 'read', { path: 'pipe' }, 'FS_SPECIAL_FILE'), 'FIFO');
    await refused(s, 'write', { path: 'pipe', content: 'x' }, 'FS_SPECIAL_FILE');
    await refused(s, 'write', { path: 'pipe', content: 'x', mode: 'append' }, 'FS_SPECIAL_FILE');
    assert.ok(Date.now() - started < 2_000, 'a FIFO with no writer did not block the read');
    symlinkSync('pipe', join(s.root, 'pipe-link'));
    await refused(s, 'read', { path: 'pipe-link' }, 'FS_SPECIAL_FILE');

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(s.root, 'sock'), resolve));
    assert.match(await refused(s, 'read', { path: 'sock' }, 'FS_SPECIAL_FILE'), 'socket');
    await refused(s, 'write', { path: 'sock', content: 'x' }, 'FS_SPECIAL_FILE');
    await new Promise((resolve) => server.close(resolve));

    try {
      execFileSync('mknod', [join(s.root, 'null-device'), 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      console.log('[skip] device node inside the workspace: mknod is not permitted here (devices outside are covered by the /dev/zero link test)');
    }
    if (existsSync(join(s.root, 'null-device'))) {
      assert.match(await refused(s, 'read', { path: 'null-device' }, 'FS_SPECIAL_FILE'), 'device');
      await refused(s, 'write', { path: 'null-device', content: 'x' }, 'FS_SPECIAL_FILE');
    }
    const listed = await callTool(s.tools.list, {}, acme);
    assert.equal(listed.entries.find((e: { name: string }) => e.name === 'pipe'), { name: 'pipe', type: 'other' });
    s.cleanup();
  });

  test(`[${mode.name}] oversize reads and writes are refused; nothing partial is left`, async () => {
    const s = sandbox({ maxReadBytes: 1_000, maxWriteBytes: 1_000 }, mode);
    writeFileSync(join(s.root, 'big.log'), 'x'.repeat(5_000));
    await refused(s, 'read', { path: 'big.log' }, 'FS_TOO_LARGE');
    assert.is((await callTool(s.tools.read, { path: 'big.log', offset: 4_500, length: 1_000 }, acme)).bytes, 500);
    assert.match(await refused(s, 'write', { path: 'huge.txt', content: 'y'.repeat(1_001) }, 'FS_TOO_LARGE'), '1001 bytes');
    assert.match(await refused(s, 'write', { path: 'multi.txt', content: '✓'.repeat(334) }, 'FS_TOO_LARGE'), '1002 bytes', 'counted in bytes, not characters');
    await callTool(s.tools.write, { path: 'grow.txt', content: 'z'.repeat(600) }, acme);
    await refused(s, 'write', { path: 'grow.txt', content: 'z'.repeat(600), mode: 'append' }, 'FS_TOO_LARGE');
    assert.is(readFileSync(join(s.root, 'grow.txt'), 'utf8').length, 600);
    assert.not.ok(existsSync(join(s.root, 'huge.txt')));
    assert.equal(readdirSync(s.root).filter((n) => n.startsWith('.asdk-write-')), []);
    s.cleanup();
  });

  test(`[${mode.name}] a workspace folder replaced by a link out is refused`, async () => {
    const s = sandbox({}, mode);
    symlinkSync(s.outside, join(s.base, 'evil'));
    const failure = await toolFailure(callTool(s.tools.read, { path: 'secret.txt' }, toolContext({ orgId: 'evil' })));
    assert.is(failure.code, 'FS_ROOT_UNAVAILABLE');
    await toolFailure(callTool(s.tools.write, { path: 'x.txt', content: 'x' }, toolContext({ orgId: 'evil' })));
    outsideUntouched(s);
    s.cleanup();
  });
}

test.run();
