// The library API: kernel.runs.start / get / presets, handles (events, result, cancel), sessions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { definePreset, contribution, definePlugin, extensionPoints, ports, DEFAULT_ORG, type StoragePort } from '../../../core/index.js';
import { createMemoryStorage, scripted, startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { assertLogInvariants, collect } from '../../helpers/runs.js';
import { testToolsPlugin } from '../../helpers/tools.js';

const agent = { instructions: 'x', tools: ['test.*'] };
const presets = definePlugin({
  id: 'test-presets',
  version: '1.0.0',
  contributes: [contribution(extensionPoints.presets, definePreset({ name: 'helper', description: 'A helper', instructions: 'Help.', tools: ['test.add', 'test.missing'] }))],
});

test('bad requests are refused with a clear code and what to fix', async () => {
  const kernel = await startTestKernel({ plugins: [testToolsPlugin, presets] });
  const cases: [unknown, string, string][] = [
    [{ agent, input: '' }, 'ASDK_RUN_INVALID_REQUEST', '`input` must be a non-empty string'],
    [{ input: 'hi' }, 'ASDK_RUN_INVALID_REQUEST', 'give exactly one of `preset` or `agent`'],
    [{ agent, preset: 'helper', input: 'hi' }, 'ASDK_RUN_INVALID_REQUEST', 'exactly one'],
    [{ agent, input: 'hi', sessionId: 'has spaces' }, 'ASDK_RUN_INVALID_REQUEST', '`sessionId`'],
    [{ agent, input: 'hi', limits: { maxSteps: 0 } }, 'ASDK_RUN_INVALID_REQUEST', 'limits`: maxSteps'],
    [{ preset: 'helpr', input: 'hi' }, 'ASDK_PRESET_NOT_FOUND', 'Unknown preset "helpr"; did you mean "helper"?'],
    [{ agent: { instructions: 'x', tools: ['test.ad'] }, input: 'hi' }, 'ASDK_AGENT_INVALID', 'tool "test.ad" is not registered; did you mean "test.add"?'],
    [{ agent: { instructions: 'x', model: 'fast' }, input: 'hi' }, 'ASDK_AGENT_INVALID', 'model "fast" is not configured'],
    [{ agent: { instructions: 42 }, input: 'hi' }, 'ASDK_AGENT_INVALID', 'instructions: must be string'],
    [{ agent: { instructions: 'x', agents: { 'Bad Name': { instructions: 'y' } } }, input: 'hi' }, 'ASDK_AGENT_INVALID', '"Bad Name" is not a valid sub-agent name'],
  ];
  for (const [request, code, message] of cases) {
    const error = await rejection(kernel.runs.start(request as never));
    assert.is(error.code, code, JSON.stringify(request));
    assert.match(error.message, message);
    assert.ok(error.hint.length > 10);
  }
  await kernel.stop();
});

test('a preset listing a tool no plugin provides still runs, without it', async () => {
  const model = scripted(['ok']);
  const kernel = await startTestKernel({ plugins: [testToolsPlugin, presets], model });
  await (await kernel.runs.start({ preset: 'helper', input: 'hi' })).result();
  assert.equal(model.calls[0].tools, ['test.add']);
  assert.is(kernel.runs.presets()[0].name, 'helper');
  await kernel.stop();
});

test('sessions: the next run sees the history; a session id may be chosen by the caller', async () => {
  const model = scripted(['First answer.', { toolCalls: [{ name: 'test.add', args: { a: 1, b: 1 } }] }, 'Two.', 'Third.']);
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const first = await kernel.runs.start({ agent, input: 'one', sessionId: 'chat-1' });
  await first.result();
  const second = await kernel.runs.start({ agent, input: 'two', sessionId: 'chat-1' });
  await second.result();
  const third = await kernel.runs.start({ agent, input: 'three', sessionId: 'chat-1' });
  await third.result();
  assert.equal(
    model.calls[3].messages.map((m) => `${m.role}:${m.content}`),
    ['system:x', 'user:one', 'assistant:First answer.', 'user:two', 'assistant:', 'tool:{"sum":2}', 'assistant:Two.', 'user:three'],
  );
  const other = await kernel.runs.start({ agent, input: 'fresh', orgId: 'other-org', sessionId: 'chat-1' });
  await other.result();
  assert.is(model.calls.length, 5);
  assert.equal(model.calls[4].messages.map((m) => m.content), ['x', 'fresh'], 'another org\'s session of the same id is another session');
  await kernel.stop();
});

test('memory policy: old turns are summarised, the compaction is an event and is stored', async () => {
  const model = scripted((request) => `answer ${request.messages.length}`);
  const memoryAgent = { instructions: 'x', memory: { maxMessages: 4, strategy: 'summarize' as const } };
  const kernel = await startTestKernel({ model });
  for (const input of ['alpha', 'beta', 'gamma']) await (await kernel.runs.start({ agent: memoryAgent, input, sessionId: 's' })).result();
  const run = await kernel.runs.start({ agent: memoryAgent, input: 'delta', sessionId: 's' });
  const events = await collect(run);
  const compacted = events.find((e) => e.type === 'memory.compacted');
  assert.equal(compacted?.data, { strategy: 'summarize', removedMessages: 2, keptMessages: 5 });
  const seen = model.calls.at(-1)!.messages;
  assert.is(seen[1].role, 'system');
  assert.match(seen[1].content, 'Summary of the earlier conversation (2 messages, condensed):\n- user: alpha\n- assistant: answer 2');
  assert.equal(seen.slice(2).map((m) => m.content), ['beta', 'answer 4', 'gamma', 'answer 6', 'delta']);
  const stored = await kernel.get(ports.storage).messages.list({ orgId: 'default' }, 's');
  assert.equal(stored.map((m) => m.position), [2, 3, 4, 5, 6, 7, 8], 'the summary takes the place of what it replaced; nothing is renumbered');
  assert.match(stored[0].message.content, 'Summary of the earlier conversation');
  await kernel.stop();
});

test('events(afterSeq) replays from storage after the run ended; each call is its own subscription', async () => {
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model: scripted([{ text: ['a', 'b', 'c'] }]) });
  const run = await kernel.runs.start({ agent, input: 'hi' });
  const [live, alsoLive] = await Promise.all([collect(run), collect(run)]);
  assert.equal(live, alsoLive);
  assertLogInvariants(live, run);
  await run.result();
  const tail = await collect(run, 4);
  assert.equal(tail.map((e) => e.seq), live.slice(4).map((e) => e.seq));
  const again = await kernel.runs.get({ orgId: 'default' }, run.id);
  assert.equal(await collect(again!), live);
  assert.equal((await again!.result()).output, 'abc');
  assert.is(await kernel.runs.get({ orgId: 'other' }, run.id), undefined);
  assert.is(await kernel.runs.get({ orgId: 'default' }, 'run_nope'), undefined);
  await kernel.stop();
});

test('an AbortSignal cancels; cancel() after the end is a no-op', async () => {
  const kernel = await startTestKernel({ model: scripted([{ hang: true }, 'done']) });
  const controller = new AbortController();
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi', signal: controller.signal });
  setTimeout(() => controller.abort('the client went away'), 10);
  const result = await run.result();
  assert.equal([result.status, (await collect(run)).at(-1)!.data], ['cancelled', { reason: 'the client went away', usage: { inputTokens: 0, outputTokens: 0 } }]);
  const done = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
  await done.result();
  await done.cancel();
  assert.is((await done.result()).status, 'completed');
  await kernel.stop();
});

test('idempotency key: a second start returns the first run', async () => {
  const model = scripted(['once', 'twice']);
  const kernel = await startTestKernel({ model });
  const [a, b] = await Promise.all([
    kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi', idempotencyKey: 'k-1' }),
    kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi', idempotencyKey: 'k-1' }),
  ]);
  assert.is(a.id, b.id);
  const c = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi', idempotencyKey: 'k-1' });
  assert.is(c.id, a.id);
  assert.is((await c.result()).output, 'once');
  assert.is(model.calls.length, 1);
  await kernel.stop();
});

test('stopping the kernel cancels the runs in flight and records their end', async () => {
  const kernel = await startTestKernel({ model: scripted([{ hang: true }]) });
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
  await kernel.stop();
  const result = await run.result();
  assert.is(result.status, 'cancelled');
  const record = await kernel.get(ports.storage).runs.get({ orgId: 'default' }, run.id);
  assert.is(record?.status, 'cancelled');
  assert.ok(record?.finishedAt);
  const error = await rejection(kernel.runs.start({ agent: { instructions: 'x' }, input: 'late' }));
  assert.is(error.code, 'ASDK_RUNTIME_STOPPED');
});

test('the run record follows the run: output, usage, timestamps, preset and agent', async () => {
  const kernel = await startTestKernel({ model: scripted([{ text: 'Hi', usage: { inputTokens: 5, outputTokens: 1 } }]) });
  const run = await kernel.runs.start({ agent: { name: 'greeter', instructions: 'x' }, input: 'hello' });
  await run.result();
  const record = await kernel.get(ports.storage).runs.get({ orgId: 'default' }, run.id);
  assert.equal(
    { status: record!.status, output: record!.output, usage: record!.usage, agent: record!.agent, input: record!.input },
    { status: 'completed', output: 'Hi', usage: { inputTokens: 5, outputTokens: 1 }, agent: 'greeter', input: 'hello' },
  );
  assert.ok(record!.startedAt! <= record!.finishedAt!);
  const events = await collect(run);
  assert.equal(events[0].data, { agent: 'greeter' });
  await kernel.stop();
});

test('maxConcurrentRuns: later runs wait with run.queued and start in order', async () => {
  const order: string[] = [];
  const model = scripted((request) => {
    order.push(request.messages.at(-1)!.content);
    return { text: 'ok', delayMs: 20 };
  });
  const kernel = await startTestKernel({ model, config: { runtime: { maxConcurrentRuns: 1 } } });
  const runs = await Promise.all(['a', 'b', 'c'].map((input) => kernel.runs.start({ agent: { instructions: 'x' }, input })));
  const logs = await Promise.all(runs.map((run) => collect(run)));
  assert.equal(order, ['a', 'b', 'c']);
  assert.equal(logs.map((log) => log[0].type), ['run.started', 'run.queued', 'run.queued']);
  assert.equal(logs[1].map((e) => e.type).slice(0, 2), ['run.queued', 'run.started']);
  // A queued run can be cancelled before it starts; the queue moves on.
  const blocker = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'd' });
  const queued = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'e' });
  const after = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'f' });
  await queued.cancel('not needed');
  assert.equal((await collect(queued)).map((e) => e.type), ['run.queued', 'run.cancelled']);
  await Promise.all([blocker.result(), after.result()]);
  assert.equal(order.slice(3), ['d', 'f']);
  await kernel.stop();
});

test('a run started while the kernel stops is refused or cancelled before stop() resolves, never left running', async () => {
  for (const slowStep of ['sessions.create', 'runs.create'] as const) {
    const memory = createMemoryStorage();
    let closed = false;
    const late: string[] = [];
    const slow = <T extends (...args: any[]) => Promise<unknown>>(fn: T): T => (async (...args: unknown[]) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return fn(...args);
    }) as T;
    const same = <T>(fn: T): T => fn;
    const guard = <T extends (...args: any[]) => Promise<unknown>>(name: string, fn: T): T => ((...args: unknown[]) => {
      if (closed) late.push(name);
      return fn(...args);
    }) as T;
    const storage: StoragePort = {
      ...memory,
      sessions: { ...memory.sessions, create: (slowStep === 'sessions.create' ? slow : same)(memory.sessions.create.bind(memory.sessions)) },
      runs: {
        ...memory.runs,
        create: (slowStep === 'runs.create' ? slow : same)(memory.runs.create.bind(memory.runs)),
        update: guard('runs.update', memory.runs.update.bind(memory.runs)),
      },
      events: { ...memory.events, append: guard('events.append', memory.events.append.bind(memory.events)) },
    };
    const plugin = definePlugin({ id: 'slow-storage', version: '1.0.0', provides: [ports.storage], init: ({ provide }) => provide(ports.storage, storage), stop: () => void (closed = true) });
    const kernel = await startTestKernel({ model: scripted(() => ({ text: 'slow answer', delayMs: 300 })), plugins: [plugin] });
    const starting = kernel.runs.start({ agent: { name: 'a', instructions: 'x' }, input: 'hi', sessionId: 'during-stop' });
    const outcome = starting.then((run) => run.result(), (error) => error);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await kernel.stop();
    const settled = await Promise.race([outcome, new Promise((resolve) => setTimeout(() => resolve('pending'), 10))]);
    assert.equal(late, [], `${slowStep}: nothing is written after storage stopped`);
    if (slowStep === 'sessions.create') {
      assert.is((settled as { code?: string }).code, 'ASDK_RUNTIME_STOPPED', slowStep);
      assert.equal((await memory.runs.listBySession(DEFAULT_ORG, 'during-stop')).items, [], 'no run record was created');
    } else {
      assert.is((settled as { status?: string }).status, 'cancelled', slowStep);
      const stored = await memory.events.read(DEFAULT_ORG, (settled as { runId: string }).runId);
      assert.is(stored.at(-1)?.type, 'run.cancelled');
      assert.is((await memory.runs.get(DEFAULT_ORG, (settled as { runId: string }).runId))?.status, 'cancelled');
    }
  }
});

test.run();
