// Golden tests: the exact envelope sequence of scripted runs. A change here is a change of the event
// contract (docs/events.md): make it on purpose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scripted, startTestKernel } from '../../../testing.js';
import type { Kernel } from '../../../core/index.js';
import { assertLogInvariants, collect, shape, withoutUnhandledRejections } from '../../helpers/runs.js';
import { testToolsPlugin, toolLog } from '../../helpers/tools.js';

const agent = { instructions: 'Be brief.', tools: ['test.*'] };
const usage0 = { inputTokens: 0, outputTokens: 0 };

async function runOnce(kernel: Kernel, input: string, extra: Record<string, unknown> = {}) {
  const handle = await kernel.runs.start({ agent, input, ...extra });
  const events = await collect(handle);
  assertLogInvariants(events, handle);
  return { handle, events, result: await handle.result() };
}

test('text only', async () => {
  const model = scripted([{ text: ['Hello', ' world'], usage: { inputTokens: 3, outputTokens: 2 } }]);
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const { events, result } = await runOnce(kernel, 'Hi');
  const usage = { inputTokens: 3, outputTokens: 2 };
  assert.equal(shape(events), [
    ['run.started', { agent: 'agent' }],
    ['step.started', { step: 1 }],
    ['assistant.delta', { text: 'Hello' }],
    ['assistant.delta', { text: ' world' }],
    ['assistant.message', { text: 'Hello world' }],
    ['step.completed', { step: 1, usage, model: 'default' }],
    ['run.completed', { output: 'Hello world', usage }],
  ]);
  assert.equal(events.map((e) => e.stream), ['lifecycle', 'lifecycle', 'assistant', 'assistant', 'assistant', 'lifecycle', 'lifecycle']);
  assert.is(result.status, 'completed');
  assert.is(result.output, 'Hello world');
  await kernel.stop();
});

test('a tool loop', async () => {
  const model = scripted([
    { text: 'Adding.', toolCalls: [{ name: 'test.add', args: { a: 2, b: 3 }, callId: 'c1' }] },
    { toolCalls: [{ name: 'test.add', args: { a: 5, b: 10 }, callId: 'c2' }] },
    { text: 'It is 15.' },
  ]);
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const { events } = await runOnce(kernel, 'Add 2, 3 and 10');
  assert.equal(shape(events), [
    ['run.started', { agent: 'agent' }],
    ['step.started', { step: 1 }],
    ['assistant.delta', { text: 'Adding.' }],
    ['assistant.message', { text: 'Adding.' }],
    ['tool.call', { callId: 'c1', name: 'test.add', version: '1.2.0', args: { a: 2, b: 3 } }],
    ['tool.result', { callId: 'c1', result: { sum: 5 }, durationMs: 0 }],
    ['step.completed', { step: 1, usage: usage0, model: 'default' }],
    ['step.started', { step: 2 }],
    ['tool.call', { callId: 'c2', name: 'test.add', version: '1.2.0', args: { a: 5, b: 10 } }],
    ['tool.result', { callId: 'c2', result: { sum: 15 }, durationMs: 0 }],
    ['step.completed', { step: 2, usage: usage0, model: 'default' }],
    ['step.started', { step: 3 }],
    ['assistant.delta', { text: 'It is 15.' }],
    ['assistant.message', { text: 'It is 15.' }],
    ['step.completed', { step: 3, usage: usage0, model: 'default' }],
    ['run.completed', { output: 'It is 15.', usage: usage0 }],
  ]);
  // The model's second request carried the first result, in the provider-neutral form.
  assert.equal(model.calls[1].messages.slice(-2), [
    { role: 'assistant', content: 'Adding.', toolCalls: [{ callId: 'c1', name: 'test.add', args: { a: 2, b: 3 } }] },
    { role: 'tool', callId: 'c1', name: 'test.add', content: '{"sum":5}' },
  ]);
  await kernel.stop();
});

test('parallel tool calls run concurrently; results come in call order', async () => {
  toolLog.length = 0;
  const model = scripted([
    {
      toolCalls: [
        { name: 'test.sleep', args: { label: 'slow', ms: 60 }, callId: 'a' },
        { name: 'test.sleep', args: { label: 'fast', ms: 5 }, callId: 'b' },
      ],
    },
    'Both done.',
  ]);
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const { events } = await runOnce(kernel, 'Sleep twice');
  assert.equal(toolLog, ['start slow', 'start fast', 'end fast', 'end slow'], 'both started before either ended');
  assert.equal(shape(events).slice(2, 6), [
    ['tool.call', { callId: 'a', name: 'test.sleep', version: '1.0.0', args: { label: 'slow', ms: 60 } }],
    ['tool.call', { callId: 'b', name: 'test.sleep', version: '1.0.0', args: { label: 'fast', ms: 5 } }],
    ['tool.result', { callId: 'a', result: { label: 'slow' }, durationMs: 0 }],
    ['tool.result', { callId: 'b', result: { label: 'fast' }, durationMs: 0 }],
  ]);
  const [slow, fast] = events.filter((e) => e.type === 'tool.result').map((e) => (e.data as { durationMs: number }).durationMs);
  assert.ok(slow >= 50 && fast < 50, `durations ${slow} ${fast}`);
  assert.equal(model.calls[1].messages.slice(-2).map((m) => (m as { callId: string }).callId), ['a', 'b']);
  await kernel.stop();
});

test('invalid arguments, then a corrected call', async () => {
  const model = scripted([
    { toolCalls: [{ name: 'test.add', args: { a: '2', b: 3, c: 1 }, callId: 'c1' }] },
    { toolCalls: [{ name: 'test.add', args: { a: 2, b: 3 }, callId: 'c2' }] },
    '5.',
  ]);
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const { events } = await runOnce(kernel, 'Add');
  const message = 'Invalid arguments for tool "test.add": unexpected properties "c"; a: must be number';
  assert.equal(shape(events), [
    ['run.started', { agent: 'agent' }],
    ['step.started', { step: 1 }],
    ['tool.call', { callId: 'c1', name: 'test.add', version: '1.2.0', args: { a: '2', b: 3, c: 1 } }],
    ['tool.error', { callId: 'c1', code: 'ASDK_TOOL_INVALID_ARGS', message }],
    ['step.completed', { step: 1, usage: usage0, model: 'default' }],
    ['step.started', { step: 2 }],
    ['tool.call', { callId: 'c2', name: 'test.add', version: '1.2.0', args: { a: 2, b: 3 } }],
    ['tool.result', { callId: 'c2', result: { sum: 5 }, durationMs: 0 }],
    ['step.completed', { step: 2, usage: usage0, model: 'default' }],
    ['step.started', { step: 3 }],
    ['assistant.delta', { text: '5.' }],
    ['assistant.message', { text: '5.' }],
    ['step.completed', { step: 3, usage: usage0, model: 'default' }],
    ['run.completed', { output: '5.', usage: usage0 }],
  ]);
  assert.equal(model.calls[1].messages.at(-1), {
    role: 'tool',
    callId: 'c1',
    name: 'test.add',
    content: JSON.stringify({ error: { code: 'ASDK_TOOL_INVALID_ARGS', message } }),
    isError: true,
  });
  await kernel.stop();
});

test('a retry, then a fallback', async () => {
  const primary = scripted([
    { error: { status: 429, retryAfterMs: 1, message: 'slow down' } },
    { text: 'partial ans', error: { status: 500, message: 'upstream broke' }, midStream: true },
  ]);
  const backup = scripted([{ text: 'From the backup.', usage: { inputTokens: 4, outputTokens: 3 } }], { id: 'scripted/backup' });
  const kernel = await startTestKernel({
    plugins: [testToolsPlugin],
    models: { default: primary, backup },
    config: { models: { default: { provider: 'scripted', script: 'default', retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 1 } } } },
  });
  const handle = await kernel.runs.start({ agent: { ...agent, model: ['default', 'backup'] }, input: 'Hi' });
  const events = await collect(handle);
  assertLogInvariants(events, handle);
  const usage = { inputTokens: 4, outputTokens: 3 };
  assert.equal(shape(events), [
    ['run.started', { agent: 'agent' }],
    ['step.started', { step: 1 }],
    ['model.retry', { step: 1, model: 'default', attempt: 1, delayMs: 1, reason: 'rate_limited: 429 slow down' }],
    ['assistant.delta', { text: 'partial ans' }],
    ['model.fallback', { step: 1, from: 'default', to: 'backup', reason: 'server: 500 upstream broke' }],
    ['assistant.delta', { text: 'From the backup.' }],
    ['assistant.message', { text: 'From the backup.' }],
    ['step.completed', { step: 1, usage, model: 'backup' }],
    ['run.completed', { output: 'From the backup.', usage }],
  ]);
  await kernel.stop();
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

test('cancel during a tool', async () => {
  toolLog.length = 0;
  const model = scripted([{ toolCalls: [{ name: 'test.sleep', args: { label: 'long', ms: 150 }, callId: 'c1' }] }, 'never used']);
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  await withoutUnhandledRejections(async () => {
    const handle = await kernel.runs.start({ agent, input: 'Wait' });
    const events = [];
    for await (const event of handle.events()) {
      events.push(event);
      // Cancel once the tool is running (not merely requested), so the tool sees its signal abort.
      if (event.type === 'tool.call') void waitUntil(() => toolLog.includes('start long')).then(() => handle.cancel('the user pressed stop'));
    }
    assertLogInvariants(events, handle);
    assert.equal(shape(events), [
      ['run.started', { agent: 'agent' }],
      ['step.started', { step: 1 }],
      ['tool.call', { callId: 'c1', name: 'test.sleep', version: '1.0.0', args: { label: 'long', ms: 150 } }],
      ['tool.error', { callId: 'c1', code: 'ASDK_TOOL_CANCELLED', message: 'Tool "test.sleep" was stopped: the user pressed stop' }],
      ['run.cancelled', { reason: 'the user pressed stop', usage: usage0 }],
    ]);
    assert.equal(toolLog, ['start long', 'aborted long: the user pressed stop'], 'the tool saw its signal abort');
    const result = await handle.result();
    assert.is(result.status, 'cancelled');
    assert.is(model.remaining, 1, 'the model was not called again');
  });
  await kernel.stop();
});

test('a timeout', async () => {
  const model = scripted([{ hang: true }]);
  const kernel = await startTestKernel({ plugins: [testToolsPlugin], model });
  const started = Date.now();
  const { events, result } = await runOnce(kernel, 'Hang', { limits: { timeoutMs: 50 } });
  assert.ok(Date.now() - started < 1000);
  assert.equal(shape(events), [
    ['run.started', { agent: 'agent' }],
    ['step.started', { step: 1 }],
    ['run.failed', { error: { code: 'ASDK_RUN_TIMEOUT', message: 'The run did not finish within 50 ms' }, usage: usage0 }],
  ]);
  assert.equal(result.error, { code: 'ASDK_RUN_TIMEOUT', message: 'The run did not finish within 50 ms' });
  await kernel.stop();
});

test.run();
