// Each preset end to end on the offline model, with the real tool packs and a stand-in vector index.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, ports, type EventEnvelope, type VectorHit } from '../../../core/index.js';
import { presetsPlugin } from '../../../plugins/presets/index.js';
import { calculatorPlugin } from '../../../plugins/tools-calculator/index.js';
import { filesystemPlugin } from '../../../plugins/tools-filesystem/index.js';
import { timePlugin } from '../../../plugins/tools-time/index.js';
import { vectorPlugin } from '../../../plugins/tools-vector/index.js';
import { startTestKernel } from '../../../testing.js';
import { assertLogInvariants, collect } from '../../helpers/runs.js';

const root = mkdtempSync(join(tmpdir(), 'asdk-presets-'));
mkdirSync(join(root, 'default'), { recursive: true });
writeFileSync(join(root, 'default', 'notes.txt'), 'Buy milk.\nCall Ada.\n');

const hits: VectorHit[] = [
  { chunkId: 'faq-3', documentId: 'd1', source: 'docs/faq.md', position: 3, score: 0.82, text: 'Orders ship within two days. Refunds are paid within five business days of the return.' },
  { chunkId: 'terms-1', documentId: 'd2', source: 'docs/terms.md', position: 1, score: 0.41, text: 'These terms apply to all customers.' },
];
const queries: string[] = [];
const fakeIndex = definePlugin({
  id: 'fake-vector-index',
  version: '1.0.0',
  provides: [ports.vectorIndex],
  init: ({ provide }) =>
    provide(ports.vectorIndex, {
      async search(_scope, request) {
        queries.push(request.query);
        return hits.slice(0, request.topK);
      },
    }),
});

const kernel = await startTestKernel({
  plugins: [presetsPlugin, calculatorPlugin, timePlugin, filesystemPlugin, vectorPlugin, fakeIndex],
  config: {
    'tools-filesystem': { root },
    presets: { terse_math: { description: 'Only arithmetic', instructions: 'Compute.', tools: ['calculator'], limits: { maxSteps: 3 } } },
  },
});

async function ask(preset: string, input: string) {
  const run = await kernel.runs.start({ preset, input });
  const events = await collect(run);
  assertLogInvariants(events, run);
  return { run, events, result: await run.result() };
}

test('the four presets and the config file\'s own are listed', () => {
  assert.equal(kernel.runs.presets().map((p) => p.name), ['assistant_basic', 'assistant_tools', 'assistant_rag', 'assistant_multiagent', 'terse_math']);
  assert.ok(kernel.runs.presets().every((p) => p.description.length > 10 || p.name === 'terse_math'));
});

test('assistant_tools: 17 * 23 is computed by the calculator', async () => {
  const { events, result } = await ask('assistant_tools', 'What is 17 * 23?');
  const call = events.find((e) => e.type === 'tool.call')!;
  assert.equal(call.data, { callId: (call.data as { callId: string }).callId, name: 'calculator', version: '1.0.0', args: { expression: '17 * 23' } });
  assert.is(result.output, '17 * 23 = 391');
});

test('assistant_tools: the time in a city, and the workspace files', async () => {
  const time = await ask('assistant_tools', 'What time is it in Tokyo?');
  assert.match(time.result.output!, /^It is \d\d:\d\d on \w+day, \d{4}-\d\d-\d\d in Asia\/Tokyo \(UTC\+09:00\)\.$/);
  const list = await ask('assistant_tools', 'List the files');
  assert.match(list.result.output!, '- notes.txt (20 bytes)');
  const read = await ask('assistant_tools', 'Read notes.txt');
  assert.match(read.result.output!, 'Here is notes.txt:\n\nBuy milk.\nCall Ada.');
  const write = await ask('assistant_tools', 'write "hello" to out/hello.txt');
  assert.match(write.result.output!, 'Created out/hello.txt');
  assert.is(readFileSync(join(root, 'default', 'out', 'hello.txt'), 'utf8'), 'hello');
});

test('assistant_basic: greets, says honestly what it is, remembers the session', async () => {
  const hello = await ask('assistant_basic', 'Hello');
  assert.match(hello.result.output!, 'not a language model');
  const first = await kernel.runs.start({ preset: 'assistant_basic', input: 'My name is Ada', sessionId: 'presets-session' });
  await first.result();
  const second = await kernel.runs.start({ preset: 'assistant_basic', input: 'What is my name?', sessionId: 'presets-session' });
  assert.is((await second.result()).output, 'Your name is Ada.');
});

test('assistant_rag: searches, then answers with citations on assistant.message', async () => {
  const { events, result } = await ask('assistant_rag', 'How fast are refunds paid?');
  assert.equal(queries.at(-1), 'How fast are refunds paid?');
  const message = events.find((e) => e.type === 'assistant.message')!.data as { text: string; citations: unknown[] };
  assert.equal(message.citations, [{ source: 'docs/faq.md', chunkId: 'faq-3', quote: 'Refunds are paid within five business days of the return.' }]);
  assert.match(message.text, '[1] (docs/faq.md)');
  assert.equal(result.citations, message.citations);
});

test('assistant_multiagent: the supervisor delegates; the nested run is mirrored into the parent log', async () => {
  const { run, events, result } = await ask('assistant_multiagent', 'What is 12 * 12?');
  assert.match(result.output!, 'The analyst agent answered:\n\n12 * 12 = 144');
  const delegation = events.find((e) => e.type === 'tool.call' && !e.origin)!;
  assert.equal((delegation.data as { name: string }).name, 'agent.analyst');
  const mirrored = events.filter((e) => e.origin);
  assert.ok(mirrored.length > 0);
  const childId = mirrored[0].origin!.runId;
  assert.ok(mirrored.every((e) => e.origin!.runId === childId && e.origin!.agent === 'analyst' && e.runId === run.id));
  assert.ok(!mirrored.some((e) => e.type.startsWith('run.completed')), 'the nested terminal event is not mirrored');
  assert.ok(mirrored.some((e) => e.type === 'tool.call' && (e.data as { name: string }).name === 'calculator'));
  const delegationResult = events.find((e) => e.type === 'tool.result' && !e.origin)!;
  assert.ok(delegationResult.seq > mirrored.at(-1)!.seq, 'the delegation ends after everything it mirrored');
  assert.equal((delegationResult.data as { result: { runId: string } }).result.runId, childId);

  // The nested run's own log is complete and self-contained, and points at its parent.
  const child = (await kernel.runs.get({ orgId: 'default' }, childId))!;
  assert.is(child.parentRunId, run.id);
  const childEvents: EventEnvelope[] = await collect(child);
  assertLogInvariants(childEvents, { id: childId, sessionId: run.sessionId, parentRunId: run.id });
  assert.equal(
    mirrored.map((e) => [e.origin!.seq, e.type]),
    childEvents.slice(0, -1).map((e) => [e.seq, e.type]),
  );
  assert.is(childEvents.at(-1)!.type, 'run.completed');
  assert.is((await child.result()).output, '12 * 12 = 144');
});

test('a preset from the config file runs, with its own limits', async () => {
  const { result, events } = await ask('terse_math', '2 + 2');
  assert.is(result.output, '2 + 2 = 4');
  assert.ok(events.some((e) => e.type === 'tool.result'));
});

test('an invalid preset in the config file is refused with its path', async () => {
  try {
    await startTestKernel({ plugins: [presetsPlugin], config: { presets: { broken: { instructions: 'x', tols: ['calculator'] } } } });
    assert.unreachable();
  } catch (error: any) {
    assert.is(error.code, 'ASDK_CONFIG_INVALID');
    const paths = error.problems.map((p: { path: string }) => p.path);
    assert.ok(paths.includes('presets.broken.tols'), paths.join(', '));
    assert.ok(paths.includes('presets.broken.description'), paths.join(', '));
  }
});

test('a preset naming an unconfigured model is refused when the kernel starts', async () => {
  try {
    await startTestKernel({ plugins: [presetsPlugin], config: { presets: { fancy: { description: 'x', instructions: 'x', model: ['gtp-5'] } } } });
    assert.unreachable();
  } catch (error: any) {
    assert.match(error.message, 'Preset "fancy"');
    assert.match(error.message, 'model "gtp-5" is not configured');
  }
});

test.after(() => kernel.stop());
test.run();
