// The five packs through the runtime's tool registry (ports.tool), the way the agent loop calls them:
// arguments validated strictly first, results validated after, failures as coded outcomes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ports, vendorToolNames, type ToolPort } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { batteries } from '../../../batteries.js';
import { toolPacks } from '../tools-support/packs.js';
import { toolContext } from '../tools-support/tool-harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'asdk-packs-'));
// startTestKernel adds the runtime (with its tool registry) and in-memory storage.
const kernel = await startTestKernel({ plugins: toolPacks(), config: { kernel: { dataDir } } });
const registry: ToolPort = kernel.get(ports.tool);
const context = toolContext({ orgId: 'acme' });

test('the default configuration registers the five packs', () => {
  const ids = new Set(batteries().map((plugin) => plugin.id));
  for (const pack of toolPacks()) assert.ok(ids.has(pack.id), `batteries() lacks ${pack.id}`);
});

test('the registry accepts every pack: names, versions, timeouts and capabilities', () => {
  const listed = registry.list().map((t) => `${t.name}@${t.version} ${t.timeoutMs}ms [${t.capabilities.join(',')}]`);
  assert.equal(listed, [
    'calculator@1.0.0 1000ms [compute]',
    'time.now@1.0.0 1000ms [time]',
    'time.convert@1.0.0 1000ms [time]',
    'time.diff@1.0.0 1000ms [time]',
    'filesystem.read@1.0.0 10000ms [fs.read]',
    'filesystem.write@1.0.0 10000ms [fs.write]',
    'filesystem.list@1.0.0 10000ms [fs.read]',
    'http.fetch@1.0.0 17000ms [network]',
    'vector.search@1.0.0 10000ms [retrieval]',
  ]);
  const names = registry.list().map((t) => t.name);
  const vendor = vendorToolNames(names);
  assert.is(new Set(names.map((n) => vendor.toVendor(n))).size, names.length, 'names stay distinct for model vendors');
});

test('successful calls come back as results', async () => {
  const calc = await registry.invoke('calculator', { expression: '17 * 23' }, context);
  assert.ok(calc.ok);
  if (calc.ok) assert.equal(calc.result, { result: 391, expression: '17 * 23' });
  const written = await registry.invoke('filesystem.write', { path: 'notes/a.txt', content: 'hello' }, context);
  assert.ok(written.ok, JSON.stringify(written));
  const read = await registry.invoke('filesystem.read', { path: 'notes/a.txt' }, context);
  assert.ok(read.ok && (read.result as { content: string }).content === 'hello');
  const now = await registry.invoke('time.now', { timeZone: 'Europe/Paris' }, context);
  assert.ok(now.ok && (now.result as { timeZone: string }).timeZone === 'Europe/Paris');
});

test('hostile and invalid calls come back as coded failures the model can read', async () => {
  const cases: Array<[string, unknown, string]> = [
    ['filesystem.read', { path: '../../etc/passwd' }, 'FS_TRAVERSAL'],
    ['filesystem.read', { path: '/etc/passwd' }, 'FS_ABSOLUTE_PATH'],
    ['filesystem.write', { path: 'a\u0000b', content: 'x' }, 'FS_INVALID_PATH'],
    ['filesystem.read', { path: 'a.txt', length: 10 * 1024 * 1024 }, 'ASDK_TOOL_INVALID_ARGS'],
    ['filesystem.list', { path: '.', recursive: true }, 'ASDK_TOOL_INVALID_ARGS'],
    ['http.fetch', { url: 'http://169.254.169.254/latest/meta-data/' }, 'HTTP_HOST_NOT_ALLOWED'],
    ['http.fetch', { url: 'file:///etc/passwd' }, 'HTTP_SCHEME'],
    ['calculator', { expression: 'process.exit(1)' }, 'CALC_SYNTAX'],
    ['calculator', { expression: 'exit(1)' }, 'CALC_UNKNOWN_NAME'],
    ['calculator', { expression: '1/0' }, 'CALC_DIVISION_BY_ZERO'],
    ['calculator', { expr: '1+1' }, 'ASDK_TOOL_INVALID_ARGS'],
    ['time.convert', { time: 'yesterday', to: 'UTC' }, 'TIME_INVALID_TIME'],
    ['time.now', { timeZone: 'Mars/Base' }, 'TIME_INVALID_ZONE'],
    ['vector.search', { query: 'refunds' }, 'VECTOR_INDEX_UNAVAILABLE'],
  ];
  for (const [name, args, code] of cases) {
    const outcome = await registry.invoke(name, args, context);
    assert.is(outcome.ok, false, `${name} ${JSON.stringify(args)}`);
    if (!outcome.ok) {
      assert.is(outcome.code, code, `${name} ${JSON.stringify(args)}: ${outcome.message}`);
      assert.ok(outcome.message.length > 20, `${name}: the message explains (${outcome.message})`);
      assert.not.ok(outcome.message.includes(dataDir), `${name}: the message reveals the data folder`);
    }
  }
});

test.after(async () => {
  await kernel.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
test.run();
