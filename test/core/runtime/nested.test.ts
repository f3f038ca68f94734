// Delegation: sub-agents offered as agent.<name> tools, each call a nested run mirrored into the parent's log.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AgentDefinition, ModelRequest } from '../../../core/index.js';
import { createMemoryStorage, scripted, startTestKernel, type ScriptStep } from '../../../testing.js';
import { definePlugin, ports, type StoragePort } from '../../../core/index.js';
import { assertLogInvariants, collect, withoutUnhandledRejections } from '../../helpers/runs.js';
import { testToolsPlugin } from '../../helpers/tools.js';

const supervisor: AgentDefinition = {
  name: 'boss',
  instructions: 'SUPERVISOR',
  agents: {
    adder: { description: 'Adds numbers', instructions: 'ADDER', tools: ['test.add'] },
    sleeper: { description: 'Sleeps', instructions: 'SLEEPER', tools: ['test.sleep'] },
    broken: { description: 'Always fails', instructions: 'BROKEN' },
  },
};

/** One script for every agent: each answers by its system prompt and by how far its run has got. */
function byAgent(steps: Record<string, (request: ModelRequest) => ScriptStep>) {
  return scripted((request) => steps[request.messages[0].content](request));
}
const last = (request: ModelRequest) => request.messages.at(-1)!;

test('parallel delegations: nested runs mirrored with origin, results in call order, usage summed', async () => {
  const model = byAgent({
    SUPERVISOR: (request) =>
      last(request).role === 'user'
        ? { toolCalls: [{ name: 'agent.sleeper', args: { task: 'nap' }, callId: 'd1' }, { name: 'agent.adder', args: { task: 'add 2 and 3' }, callId: 'd2' }], usage: { inputTokens: 10, outputTokens: 10 } }
        : { text: 'All done.', usage: { inputTokens: 10, outputTokens: 1 } },
    ADDER: (request) =>
      last(request).role === 'user' ? { toolCalls: [{ name: 'test.add', args: { a: 2, b: 3 } }], usage: { inputTokens: 1, outputTokens: 1 } } : { text: '5', usage: { inputTokens: 1, outputTokens: 1 } },
    SLEEPER: (request) => (last(request).role === 'user' ? { toolCalls: [{ name: 'test.sleep', args: { label: 'nap', ms: 30 } }] } : { text: 'rested' }),
  });
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const run = await kernel.runs.start({ agent: supervisor, input: 'go' });
  const events = await collect(run);
  assertLogInvariants(events, run);
  const own = events.filter((e) => !e.origin);
  assert.equal(own.map((e) => e.type), [
    'run.started', 'step.started', 'tool.call', 'tool.call', 'tool.result', 'tool.result', 'step.completed',
    'step.started', 'assistant.delta', 'assistant.message', 'step.completed', 'run.completed',
  ]);
  const results = own.filter((e) => e.type === 'tool.result').map((e) => e.data as { callId: string; result: { output: string; runId: string } });
  assert.equal(results.map((r) => [r.callId, r.result.output]), [['d1', 'rested'], ['d2', '5']]);

  // Both nested runs appear in the parent's log, interleaved as they happened, each in its own seq order.
  const origins = new Map<string, number[]>();
  for (const e of events.filter((x) => x.origin)) origins.set(e.origin!.runId, [...(origins.get(e.origin!.runId) ?? []), e.origin!.seq]);
  assert.equal([...origins.keys()].sort(), results.map((r) => r.result.runId).sort());
  for (const [childId, seqs] of origins) {
    const child = (await kernel.runs.get({ orgId: 'default' }, childId))!;
    const childEvents = await collect(child);
    assertLogInvariants(childEvents, { id: childId, sessionId: run.sessionId, parentRunId: run.id });
    assert.equal(seqs, childEvents.slice(0, -1).map((e) => e.seq), 'every non-terminal child event mirrored once, in order');
  }
  // The parent's usage includes the nested runs' (here only the adder reported usage).
  assert.equal((await run.result()).usage, { inputTokens: 22, outputTokens: 13 });
  await kernel.stop();
});

test('a failed sub-agent is a tool.error the supervisor can read; delegation arguments are validated', async () => {
  const model = byAgent({
    SUPERVISOR: (request) => {
      const tail = last(request);
      if (tail.role === 'user') return { toolCalls: [{ name: 'agent.broken', args: { task: 'try' }, callId: 'd1' }, { name: 'agent.adder', args: { job: 'x' }, callId: 'd2' }] };
      return { text: 'Both failed.' };
    },
    BROKEN: () => ({ error: { status: 400, message: 'bad request' } }),
  });
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const run = await kernel.runs.start({ agent: supervisor, input: 'go' });
  const events = await collect(run);
  const errors = events.filter((e) => e.type === 'tool.error' && !e.origin).map((e) => e.data as { callId: string; code: string; message: string });
  assert.equal(errors.map((e) => [e.callId, e.code]), [['d1', 'ASDK_MODEL_REJECTED'], ['d2', 'ASDK_TOOL_INVALID_ARGS']]);
  assert.match(errors[0].message, 'The broken agent failed: Model "default" refused the request');
  assert.is((await run.result()).output, 'Both failed.');
  await kernel.stop();
});

test('cancelling the supervisor cancels the nested run in flight', async () => {
  const model = byAgent({
    SUPERVISOR: () => ({ toolCalls: [{ name: 'agent.sleeper', args: { task: 'nap' } }] }),
    SLEEPER: () => ({ hang: true }),
  });
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const run = await kernel.runs.start({ agent: supervisor, input: 'go' });
  let childId = '';
  for await (const event of run.events()) {
    if (event.origin && event.type === 'step.started') {
      childId = event.origin.runId;
      void run.cancel('user stop');
    }
  }
  const child = (await kernel.runs.get({ orgId: 'default' }, childId))!;
  const childResult = await child.result();
  assert.is(childResult.status, 'cancelled');
  assert.equal((await collect(child)).at(-1)!.data, { reason: 'the delegating run ended: user stop', usage: { inputTokens: 0, outputTokens: 0 } });
  assert.is((await run.result()).status, 'cancelled');
  await kernel.stop();
});

test('a parent that fails while a delegation runs stops it, and nothing is mirrored after its end', async () => {
  await withoutUnhandledRejections(async () => {
    const storage = createMemoryStorage();
    let parentId = '';
    const flaky: StoragePort = {
      ...storage,
      events: {
        ...storage.events,
        append: (scope, run, drafts) =>
          run.runId === parentId && drafts[0].type === 'tool.result' && !drafts[0].origin ? Promise.reject(new Error('disk full')) : storage.events.append(scope, run, drafts),
      },
    };
    const plugin = definePlugin({ id: 'flaky-storage', version: '1.0.0', provides: [ports.storage], init: ({ provide }) => provide(ports.storage, flaky) });
    const model = byAgent({
      SUPERVISOR: () => ({ toolCalls: [{ name: 'agent.adder', args: { task: 'quick' } }, { name: 'agent.sleeper', args: { task: 'slow' } }] }),
      ADDER: (request) => (last(request).role === 'user' ? { toolCalls: [{ name: 'test.add', args: { a: 1, b: 1 } }] } : 'two'),
      SLEEPER: (request) => (last(request).role === 'user' ? { toolCalls: [{ name: 'test.sleep', args: { label: 'z', ms: 150 } }] } : 'rested'),
    });
    const kernel = await startTestKernel({ plugins: [testToolsPlugin, plugin], model });
    const run = await kernel.runs.start({ agent: supervisor, input: 'go' });
    parentId = run.id;
    const result = await run.result();
    assert.is(result.error?.code, 'ASDK_RUN_STORAGE_FAILED');
    const events = await collect(run);
    assertLogInvariants(events, run);
    const sleeperId = events.find((e) => e.origin?.agent === 'sleeper')!.origin!.runId;
    const sleeper = (await kernel.runs.get({ orgId: 'default' }, sleeperId))!;
    assert.is((await sleeper.result()).status, 'cancelled');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(await collect(run), events, 'nothing was appended after the terminal event');
    await kernel.stop();
  });
});

test('an agent that delegates to itself stops at the depth limit', async () => {
  const recursive: AgentDefinition & { agents: Record<string, AgentDefinition> } = { instructions: 'LOOP', agents: {} };
  recursive.agents.again = recursive;
  const model = scripted((request) => (last(request).role === 'user' ? { toolCalls: [{ name: 'agent.again', args: { task: 'deeper' } }] } : { text: 'stopped' }));
  const kernel = await startTestKernel({ model });
  const error = await kernel.runs.start({ agent: recursive, input: 'go' }).catch((e) => e);
  assert.is(error.code, 'ASDK_AGENT_INVALID');
  assert.match(error.message, 'nest deeper than 8 levels');
  await kernel.stop();
});

test.run();
