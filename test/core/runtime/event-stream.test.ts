// Live delivery: the in-process bus and the replay-then-live iterator, with slow and late readers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMemoryEventBus, DEFAULT_ORG, definePlugin, ports, RunEventIterator, type EventEnvelope } from '../../../core/index.js';
import { createMemoryStorage, scripted, startTestKernel } from '../../../testing.js';
import { collect } from '../../helpers/runs.js';

test('the memory bus delivers in order to each subscriber; one that throws does not stop the others', () => {
  const errors: unknown[] = [];
  const bus = createMemoryEventBus({ error: (_m: string, f?: Record<string, unknown>) => errors.push(f?.error), warn() {}, info() {}, debug() {}, child: () => null as never });
  const a: number[] = [];
  const b: number[] = [];
  const offA = bus.subscribe('r1', (e) => a.push(e.seq));
  bus.subscribe('r1', () => {
    throw new Error('bad listener');
  });
  bus.subscribe('r1', (e) => b.push(e.seq));
  bus.subscribe('r2', () => assert.unreachable('other run'));
  bus.publish([{ runId: 'r1', seq: 1 }, { runId: 'r1', seq: 2 }] as EventEnvelope[]);
  offA();
  offA();
  bus.publish([{ runId: 'r1', seq: 3 }] as EventEnvelope[]);
  assert.equal(a, [1, 2]);
  assert.equal(b, [1, 2, 3]);
  assert.is(errors.length, 3);
  assert.is(bus.subscriberCount('r1'), 2);
});

test('a late reader replays from the log then follows live; a reader that falls behind loses nothing', async () => {
  const storage = createMemoryStorage();
  const bus = createMemoryEventBus();
  const scope = DEFAULT_ORG;
  await storage.sessions.create(scope, { id: 's' });
  await storage.runs.create(scope, { id: 'r', sessionId: 's', input: 'x' });
  const append = async (n: number) => {
    for (let i = 0; i < n; i++) bus.publish(await storage.events.append(scope, { runId: 'r', sessionId: 's' }, [{ type: 'step.started', data: { step: 1 } }]));
  };
  await append(3);
  const reader = new RunEventIterator(storage.events, bus, scope, 'r', 1);
  const seen: number[] = [];
  const first = await reader.next();
  seen.push(first.value.seq);
  // 6000 events arrive while the reader is not reading: more than the live buffer holds.
  await append(6000);
  await storage.events.append(scope, { runId: 'r', sessionId: 's' }, [{ type: 'run.completed', data: { output: '', usage: { inputTokens: 0, outputTokens: 0 } } }]).then((e) => bus.publish(e));
  for await (const event of reader) seen.push(event.seq);
  assert.equal(seen, Array.from({ length: 6003 }, (_, i) => i + 2));
  assert.is(bus.subscriberCount('r'), 0, 'unsubscribed after the terminal event');
});

test('breaking out of the loop unsubscribes', async () => {
  const kernel = await startTestKernel({ model: scripted([{ text: ['a', 'b', 'c'], delayMs: 20 }]) });
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
  for await (const event of run.events()) if (event.type === 'step.started') break;
  const all = await collect(run);
  assert.equal(all.filter((e) => e.type === 'assistant.delta').map((e) => (e.data as { text: string }).text), ['a', 'b', 'c']);
  await kernel.stop();
});

test('a plugin providing ports.eventBus replaces the in-process bus (the seam for LISTEN/NOTIFY)', async () => {
  const inner = createMemoryEventBus();
  const published: number[] = [];
  const bus = definePlugin({
    id: 'counting-bus',
    version: '1.0.0',
    provides: [ports.eventBus],
    init: ({ provide }) =>
      provide(ports.eventBus, {
        publish: (envelopes) => (published.push(...envelopes.map((e) => e.seq)), inner.publish(envelopes)),
        subscribe: (runId, listener) => inner.subscribe(runId, listener),
      }),
  });
  const kernel = await startTestKernel({ plugins: [bus], model: scripted([{ text: ['a', 'b'], delayMs: 10 }]) });
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
  const events = await collect(run);
  assert.equal(published, events.map((e) => e.seq), 'every envelope went through the provided bus, in order');
  await kernel.stop();
});

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> =>
  Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms))]);
const usage = { inputTokens: 0, outputTokens: 0 };

test('a run executing in another process (written straight to storage) is followed to its end by polling the log', async () => {
  const kernel = await startTestKernel();
  const storage = kernel.get(ports.storage);
  const ref = { runId: 'run_other', sessionId: 's1' };
  await storage.sessions.create(DEFAULT_ORG, { id: 's1' });
  await storage.runs.create(DEFAULT_ORG, { id: 'run_other', sessionId: 's1', input: 'hi', status: 'running' });
  await storage.events.append(DEFAULT_ORG, ref, [{ type: 'run.started', data: {} }]);
  const handle = (await kernel.runs.get(DEFAULT_ORG, 'run_other'))!;
  const reading = collect(handle).then((events) => events.map((e) => `${e.seq}:${e.type}`));
  const waiting = handle.result();
  setTimeout(async () => {
    // "The other process" goes on and finishes the run: the record first, then the terminal event.
    await storage.events.append(DEFAULT_ORG, ref, [{ type: 'step.started', data: { step: 1 } }]);
    await storage.runs.update(DEFAULT_ORG, 'run_other', { status: 'completed', output: 'x', usage });
    await storage.events.append(DEFAULT_ORG, ref, [{ type: 'run.completed', data: { output: 'x', usage } }]);
  }, 100);
  assert.equal(await within(reading, 3000), ['1:run.started', '2:step.started', '3:run.completed']);
  const result = await within(waiting, 3000);
  assert.is((result as { status: string }).status, 'completed');
  await kernel.stop();
});

test('a run whose record ended without a terminal event (its append failed, its process died) ends its readers', async () => {
  const kernel = await startTestKernel();
  const storage = kernel.get(ports.storage);
  await storage.sessions.create(DEFAULT_ORG, { id: 's2' });
  await storage.runs.create(DEFAULT_ORG, { id: 'run_cut', sessionId: 's2', input: 'hi', status: 'running' });
  await storage.events.append(DEFAULT_ORG, { runId: 'run_cut', sessionId: 's2' }, [{ type: 'run.started', data: {} }]);
  const handle = (await kernel.runs.get(DEFAULT_ORG, 'run_cut'))!;
  const reading = collect(handle).then((events) => events.map((e) => e.type));
  const waiting = handle.result();
  setTimeout(() => void storage.runs.update(DEFAULT_ORG, 'run_cut', { status: 'failed', error: { code: 'ASDK_RUN_INTERNAL', message: 'gone' } }), 50);
  assert.equal(await within(reading, 3000), ['run.started']);
  assert.is(((await within(waiting, 3000)) as { status: string }).status, 'failed');
  await kernel.stop();
});

test('a local run whose terminal event could not be stored still ends its readers', async () => {
  const memory = createMemoryStorage();
  const refusing = definePlugin({
    id: 'refusing-storage',
    version: '1.0.0',
    provides: [ports.storage],
    init: ({ provide }) =>
      provide(ports.storage, {
        ...memory,
        events: {
          ...memory.events,
          append: (scope, ref, drafts) => (drafts.some((d) => d.type === 'run.completed') ? Promise.reject(new Error('disk full')) : memory.events.append(scope, ref, drafts)),
        },
      }),
  });
  const kernel = await startTestKernel({ plugins: [refusing], model: scripted([{ text: 'hello', delayMs: 30 }]) });
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
  const early = collect(run).then((events) => events.map((e) => e.type));
  assert.is((await run.result()).status, 'completed');
  const late = collect(run).then((events) => events.map((e) => e.type));
  const expected = ['run.started', 'step.started', 'assistant.delta', 'assistant.message', 'step.completed'];
  assert.equal(await within(early, 3000), expected, 'a reader that was waiting on the bus');
  assert.equal(await within(late, 3000), expected, 'a reader that came after the end');
  await kernel.stop();
});

test.run();
