// The packs inside real runs: the agent loop offers them to a model, calls them through the registry,
// and records tool.call / tool.result / tool.error events; a refused call does not end the run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '../../../core/index.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { toolPacks } from '../tools-support/packs.js';

const dataDir = mkdtempSync(join(tmpdir(), 'asdk-loop-'));

/** Every event of a finished run, with its data loosely typed for assertions. */
async function eventsOf(handle: { events(): AsyncIterable<EventEnvelope> }): Promise<Array<EventEnvelope & { data: any }>> {
  const all: Array<EventEnvelope & { data: any }> = [];
  for await (const event of handle.events()) all.push(event as EventEnvelope & { data: any });
  return all;
}

test('the offline model answers "What is 17 * 23?" with 391 computed by the calculator', async () => {
  const kernel = await startTestKernel({ plugins: toolPacks(), config: { kernel: { dataDir } } });
  try {
    const run = await kernel.runs.start({ agent: { instructions: 'Use tools.', tools: ['calculator', 'time.*'] }, input: 'What is 17 * 23?' });
    const result = await run.result();
    assert.is(result.status, 'completed');
    assert.match(result.output ?? '', '391');
    const events = await eventsOf(run);
    const call = events.find((e) => e.type === 'tool.call')!;
    assert.equal([call.data.name, call.data.version, call.data.args], ['calculator', '1.0.0', { expression: '17 * 23' }]);
    const toolResult = events.find((e) => e.type === 'tool.result')!;
    assert.equal(toolResult.data.result, { result: 391, expression: '17 * 23' });
  } finally {
    await kernel.stop();
  }
});

test('hostile tool calls become tool.error events and the run carries on', async () => {
  const model = scripted([
    {
      toolCalls: [
        { name: 'filesystem.read', args: { path: '../../../../etc/passwd' } },
        { name: 'filesystem.write', args: { path: '/tmp/pwned.txt', content: 'x' } },
        { name: 'http.fetch', args: { url: 'http://169.254.169.254/latest/meta-data/iam/' } },
        { name: 'calculator', args: { expression: '2 ** 10' } },
      ],
    },
    'Some of that was refused.',
  ]);
  const kernel = await startTestKernel({ plugins: toolPacks(), model, config: { kernel: { dataDir }, 'tools-http': { allowHosts: ['169.254.169.254'] } } });
  try {
    const run = await kernel.runs.start({ agent: { instructions: 'Try things.', tools: ['filesystem.*', 'http.fetch', 'calculator'] }, input: 'go', orgId: 'acme' });
    const result = await run.result();
    assert.is(result.status, 'completed');
    const events = await eventsOf(run);
    const errors = events.filter((e) => e.type === 'tool.error').map((e) => e.data.code);
    assert.equal(errors.sort(), ['FS_ABSOLUTE_PATH', 'FS_TRAVERSAL', 'HTTP_ADDRESS_BLOCKED']);
    const ok = events.filter((e) => e.type === 'tool.result').map((e) => e.data.result);
    assert.equal(ok, [{ result: 1024, expression: '2 ** 10' }]);
    assert.equal([...model.calls[0].tools].sort(), ['calculator', 'filesystem.list', 'filesystem.read', 'filesystem.write', 'http.fetch']);
    assert.not.ok(existsSync(join(dataDir, 'workspace')), 'refused before any I/O: not even the workspace was created');
    assert.not.ok(existsSync('/tmp/pwned.txt'));
  } finally {
    await kernel.stop();
  }
});

test.after(() => rmSync(dataDir, { recursive: true, force: true }));
test.run();
