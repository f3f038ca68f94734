// Per-run limits end the run with run.failed and a code; tool failures of every kind go back to the model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, ports, type StoragePort } from '../../../core/index.js';
import { createMemoryStorage, scripted, startTestKernel } from '../../../testing.js';
import { assertLogInvariants, collect, withoutUnhandledRejections } from '../../helpers/runs.js';
import { testToolsPlugin, toolLog } from '../../helpers/tools.js';

const agent = { instructions: 'x', tools: ['test.*'] };
const addCall = { toolCalls: [{ name: 'test.add', args: { a: 1, b: 1 } }], usage: { inputTokens: 40, outputTokens: 10 } };

async function failure(limits: Record<string, number>, script: Parameters<typeof scripted>[0]) {
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model: scripted(script) });
  const run = await kernel.runs.start({ agent, input: 'go', limits });
  const events = await collect(run);
  assertLogInvariants(events, run);
  const result = await run.result();
  await kernel.stop();
  return { events, result };
}

test('maxSteps: the model still wanting tools after the last step fails the run, its tools not run', async () => {
  const { events, result } = await failure({ maxSteps: 2 }, [addCall, addCall, 'never']);
  assert.equal(result.error, { code: 'ASDK_RUN_MAX_STEPS', message: 'The run reached its limit of 2 model step(s) and the model still wanted to call tools' });
  assert.is(events.filter((e) => e.type === 'tool.call').length, 1);
  assert.equal(result.usage, { inputTokens: 80, outputTokens: 20 });
});

test('maxToolCalls: counts every call, parallel ones included', async () => {
  const three = { toolCalls: [1, 2, 3].map((a) => ({ name: 'test.add', args: { a, b: 0 } })) };
  const { events, result } = await failure({ maxToolCalls: 4 }, [three, three, 'never']);
  assert.equal(result.error, { code: 'ASDK_RUN_MAX_TOOL_CALLS', message: 'The model asked for 3 more tool call(s) after 3; the limit is 4' });
  assert.is(events.filter((e) => e.type === 'tool.result').length, 3);
});

test('maxTokens: no further model call once the budget is spent', async () => {
  const { result } = await failure({ maxTokens: 100 }, [addCall, addCall, addCall, 'never']);
  assert.equal(result.error, { code: 'ASDK_RUN_MAX_TOKENS', message: 'The run used 100 tokens; its limit is 100' });
});

test('timeout during a tool: the tool is aborted, tool.error then run.failed', async () => {
  toolLog.length = 0;
  const { events, result } = await failure({ timeoutMs: 40 }, [{ toolCalls: [{ name: 'test.sleep', args: { label: 't', ms: 150 } }] }, 'never']);
  assert.equal(events.slice(-2).map((e) => e.type), ['tool.error', 'run.failed']);
  assert.is((events.at(-2)!.data as { code: string }).code, 'ASDK_TOOL_CANCELLED');
  assert.is(result.error?.code, 'ASDK_RUN_TIMEOUT');
  assert.equal(toolLog, ['start t', 'aborted t: the run did not finish within 40 ms']);
});

test('every tool failure becomes a tool.error with its code, and the process keeps going', async () => {
  await withoutUnhandledRejections(async () => {
    const model = scripted([
      {
        toolCalls: [
          { name: 'test.fail', args: { how: 'failure' } },
          { name: 'test.fail', args: { how: 'throw' } },
          { name: 'test.fail', args: { how: 'sync' } },
          { name: 'test.fail', args: { how: 'output' } },
          { name: 'test.sleep', args: { label: 'slow', ms: 1000 } },
          { name: 'test.nope', args: {} },
          { name: 'calculator', args: {} },
        ],
      },
      'Recovered.',
    ]);
    const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
    const run = await kernel.runs.start({ agent: { instructions: 'x', tools: ['test.fail', 'test.sleep'] }, input: 'break things' });
    const events = await collect(run);
    const errors = events.filter((e) => e.type === 'tool.error').map((e) => [(e.data as { code: string }).code, (e.data as { message: string }).message]);
    assert.equal(errors, [
      ['TEST_NOPE', 'Nope, and here is why.'],
      ['ASDK_TOOL_FAILED', 'Tool "test.fail" failed: exploded'],
      ['ASDK_TOOL_FAILED', 'Tool "test.fail" failed: exploded synchronously'],
      ['ASDK_TOOL_INVALID_OUTPUT', 'Tool "test.fail" returned a result that does not match its output schema: ok: must be boolean'],
      ['ASDK_TOOL_TIMEOUT', 'Tool "test.sleep" did not finish within 200 ms'],
      ['ASDK_TOOL_NOT_FOUND', 'Unknown tool "test.nope"'],
      ['ASDK_TOOL_NOT_FOUND', 'Unknown tool "calculator"'],
    ]);
    assert.is((await run.result()).output, 'Recovered.');
    await kernel.stop();
  });
});

test('a model adapter that throws a plain error fails the run without a crash', async () => {
  await withoutUnhandledRejections(async () => {
    const kernel = await startTestKernel({
      model: scripted(() => {
        throw new TypeError("Cannot read properties of undefined (reading 'choices')");
      }),
    });
    const result = await (await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' })).result();
    assert.is(result.error?.code, 'ASDK_MODEL_REJECTED');
    assert.match(result.error!.message, "reading 'choices'");
    await kernel.stop();
  });
});

test('storage that fails mid-run: the run ends failed, result() resolves, nothing is unhandled', async () => {
  await withoutUnhandledRejections(async () => {
    const storage = createMemoryStorage();
    let appends = 0;
    const flaky: StoragePort = {
      ...storage,
      events: {
        ...storage.events,
        append: (scope, run, drafts) => (++appends === 3 ? Promise.reject(new Error('disk full')) : storage.events.append(scope, run, drafts)),
      },
    };
    const plugin = definePlugin({ id: 'flaky-storage', version: '1.0.0', provides: [ports.storage], init: ({ provide }) => provide(ports.storage, flaky) });
    const kernel = await startTestKernel({ plugins: [plugin], model: scripted([{ text: ['a', 'b', 'c'] }]) });
    const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
    const result = await run.result();
    assert.is(result.status, 'failed');
    assert.equal(result.error, { code: 'ASDK_RUN_STORAGE_FAILED', message: `Run "${run.id}" could not record its events: disk full` });
    const events = await collect(run);
    assert.is(events.at(-1)!.type, 'run.failed');
    assert.equal(events.map((e) => e.seq), events.map((_, i) => i + 1));
    await kernel.stop();
  });
});

test.run();
