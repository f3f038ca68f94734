// Exporters (extensionPoints.exporters): every durable envelope, batch by batch, after the append; a failing or
// slow exporter never touches a run; shut down once the runtime has stopped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contribution, definePlugin, extensionPoints, ports, type EventEnvelope, type EventExporter, type Logger } from '../../../core/index.js';
import { EventExporters } from '../../../core/runtime/event-exporters.js';
import { createMemoryStorage, scripted, startTestKernel } from '../../../testing.js';
import { collect, withoutUnhandledRejections } from '../../helpers/runs.js';
import { testToolsPlugin } from '../../helpers/tools.js';

const toolLoop = () => scripted([{ toolCalls: [{ name: 'test.add', args: { a: 1, b: 2 }, callId: 'c1' }], usage: { inputTokens: 3, outputTokens: 2 } }, { text: 'Three.', usage: { inputTokens: 4, outputTokens: 1 } }]);

/** An exporter that keeps what it is given, and whether it was shut down. */
function recorder(name = 'recorder') {
  const batches: EventEnvelope[][] = [];
  const state = { shutdown: 0, afterShutdown: 0 };
  const exporter: EventExporter = {
    name,
    export(envelopes) {
      if (state.shutdown) state.afterShutdown++;
      batches.push([...envelopes]);
    },
    async shutdown() {
      state.shutdown++;
    },
  };
  return { exporter, batches, state, envelopes: () => batches.flat() };
}

function capturingLogger() {
  const errors: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message, fields) => errors.push({ message, fields }), child: () => logger };
  return { logger, errors };
}

test('every envelope of a run reaches the exporter once, in seq order, as stored, and only after it is stored', async () => {
  const rec = recorder();
  // Storage that remembers which envelopes its appends have resolved with: durable ones.
  const storage = createMemoryStorage();
  const durable = new Set<string>();
  const append = storage.events.append.bind(storage.events);
  storage.events.append = async (...args) => {
    const envelopes = await append(...args);
    for (const envelope of envelopes) durable.add(envelope.id);
    return envelopes;
  };
  let exportedBeforeStored = 0;
  const checking: EventExporter = { name: 'checking', export: (envelopes) => void (exportedBeforeStored += envelopes.filter((e) => !durable.has(e.id)).length) };
  const kernel = await startTestKernel({
    plugins: [
      testToolsPlugin,
      definePlugin({ id: 'wrapped-storage', version: '1.0.0', provides: [ports.storage], init: ({ provide }) => provide(ports.storage, storage) }),
      definePlugin({ id: 'rec', version: '1.0.0', contributes: [contribution(extensionPoints.exporters, rec.exporter, checking)] }),
    ],
    model: toolLoop(),
  });
  const run = await kernel.runs.start({ agent: { instructions: 'Add.', tools: ['test.add'] }, input: 'add 1 and 2' });
  const stored = await collect(run);
  assert.equal(rec.envelopes(), stored, 'the same envelopes as the log, in order');
  for (const batch of rec.batches) {
    assert.ok(batch.length > 0);
    assert.ok(batch.every((e) => e.runId === batch[0].runId), 'a batch is one run');
  }
  assert.is(exportedBeforeStored, 0);
  assert.is(rec.state.shutdown, 0);
  await kernel.stop();
  assert.is(rec.state.shutdown, 1, 'shut down once, at stop');
  assert.is(rec.state.afterShutdown, 0);
});

test('runs cancelled by the kernel stop still reach the exporters before they are shut down', async () => {
  const rec = recorder();
  const kernel = await startTestKernel({
    plugins: [testToolsPlugin, definePlugin({ id: 'rec', version: '1.0.0', contributes: [contribution(extensionPoints.exporters, rec.exporter)] })],
    model: scripted([{ text: 'slow', delayMs: 5_000 }]),
  });
  const run = await kernel.runs.start({ agent: { instructions: 'Wait.' }, input: 'wait' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await kernel.stop();
  const types = rec.envelopes().filter((e) => e.runId === run.id).map((e) => e.type);
  assert.is(types.at(-1), 'run.cancelled');
  assert.is(rec.state.shutdown, 1);
  assert.is(rec.state.afterShutdown, 0);
});

test('nested runs: the exporter sees the nested log and the copies mirrored into the parent (with origin)', async () => {
  const rec = recorder();
  const model = scripted((request) => {
    const system = request.messages[0].content;
    const tail = request.messages.at(-1)!;
    if (system === 'BOSS') return tail.role === 'user' ? { toolCalls: [{ name: 'agent.helper', args: { task: 'help' }, callId: 'd1' }] } : { text: 'done' };
    return { text: 'helped' };
  });
  const kernel = await startTestKernel({ plugins: [definePlugin({ id: 'rec', version: '1.0.0', contributes: [contribution(extensionPoints.exporters, rec.exporter)] })], model });
  const run = await kernel.runs.start({ agent: { name: 'boss', instructions: 'BOSS', agents: { helper: { description: 'Helps', instructions: 'HELPER' } } }, input: 'go' });
  const parentLog = await collect(run);
  const childId = (parentLog.find((e) => e.type === 'tool.result')!.data as { result: { runId: string } }).result.runId;
  const childLog = await collect((await kernel.runs.get({ orgId: 'default' }, childId))!);
  const seen = rec.envelopes();
  assert.equal(seen.filter((e) => e.runId === run.id), parentLog);
  assert.equal(seen.filter((e) => e.runId === childId), childLog);
  assert.ok(parentLog.some((e) => e.origin?.runId === childId));
  await kernel.stop();
});

test('an exporter that throws, rejects or never settles does not affect the run or the other exporters', async () => {
  await withoutUnhandledRejections(async () => {
    const good = recorder('good');
    const throwing: EventExporter = { name: 'throwing', export: () => { throw new Error('disk on fire'); } };
    const rejecting: EventExporter = { name: 'rejecting', export: () => Promise.reject(new Error('network down')) };
    const hanging: EventExporter = { name: 'hanging', export: () => new Promise(() => undefined) };
    const kernel = await startTestKernel({
      plugins: [testToolsPlugin, definePlugin({ id: 'bad-exporters', version: '1.0.0', contributes: [contribution(extensionPoints.exporters, throwing, rejecting, hanging, good.exporter)] })],
      model: toolLoop(),
    });
    const run = await kernel.runs.start({ agent: { instructions: 'Add.', tools: ['test.add'] }, input: 'add' });
    const result = await run.result();
    assert.is(result.status, 'completed');
    assert.is(result.output, 'Three.');
    assert.equal(good.envelopes(), await collect(run));
    await kernel.stop();
  });
});

test('failures are logged with the exporter and plugin named, the first and then every 1000th', async () => {
  const { logger, errors } = capturingLogger();
  const exporters = new EventExporters(logger);
  exporters.load([{ item: { name: 'flaky', export: () => { throw new Error('nope'); } }, pluginId: 'flaky-plugin' }]);
  const envelope = { runId: 'r', seq: 1 } as EventEnvelope;
  for (let i = 0; i < 2500; i++) exporters.export([envelope]);
  assert.is(errors.length, 3);
  assert.equal(errors[0].fields?.exporter, 'flaky');
  assert.equal(errors[0].fields?.plugin, 'flaky-plugin');
  assert.equal(errors.map((e) => e.fields?.failures), [1, 1000, 2000]);
});

test('a contribution that is not an exporter is refused at start, naming its plugin', async () => {
  const kernel = startTestKernel({ plugins: [definePlugin({ id: 'not-an-exporter', version: '1.0.0', contributes: [contribution(extensionPoints.exporters, { name: 'x' } as never)] })] });
  const error = await kernel.then(() => undefined, (e) => e);
  assert.ok(error, 'start failed');
  assert.match(String(error.message), 'not-an-exporter');
  assert.match(String(error.message), 'export() function');
});

test('shutdown: a hook that hangs is abandoned after the timeout; a throwing one is logged; nothing exported after', async () => {
  const { logger, errors } = capturingLogger();
  const exporters = new EventExporters(logger);
  const calls: string[] = [];
  exporters.load([
    { item: { name: 'a', export: () => void calls.push('a'), shutdown: async () => { throw new Error('close failed'); } }, pluginId: 'p' },
    { item: { name: 'b', export: () => void calls.push('b'), flush: async () => void calls.push('b.flush') }, pluginId: 'p' },
  ]);
  exporters.export([{ runId: 'r', seq: 1 } as EventEnvelope]);
  await exporters.flush();
  await exporters.shutdown();
  exporters.export([{ runId: 'r', seq: 2 } as EventEnvelope]);
  assert.equal(calls, ['a', 'b', 'b.flush']);
  assert.is(errors.length, 1);
  assert.match(errors[0].message, 'shutdown');
  assert.is(exporters.size, 0);
});

test('with no exporter, export returns at once and nothing is allocated per batch', () => {
  const exporters = new EventExporters(capturingLogger().logger);
  exporters.load([]);
  const batch = [{ runId: 'r', seq: 1 } as EventEnvelope];
  const started = performance.now();
  for (let i = 0; i < 1_000_000; i++) exporters.export(batch);
  // A million calls of a length check: well under a millisecond each (a generous bound for a shared machine).
  assert.ok(performance.now() - started < 200, `took ${performance.now() - started} ms`);
});

test.run();
