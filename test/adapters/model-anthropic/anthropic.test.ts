// The anthropic adapter against a local server speaking the Messages streaming wire format
// (event: message_start / content_block_* / message_delta / message_stop), through the router and runtime.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ServerResponse } from 'node:http';
import { anthropicModel, anthropicModelPlugin } from '../../../adapters/model-anthropic/index.js';
import { ModelCallError } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { collect, shape } from '../../helpers/runs.js';
import { jsonError, sse, sseHead, tick, vendorServer, type Responder } from '../../helpers/http-server.js';
import { testToolsPlugin } from '../../helpers/tools.js';

const send = (res: ServerResponse, data: { type: string }) => sse(res, data, data.type);
const start = (res: ServerResponse, inputTokens: number) =>
  send(res, {
    type: 'message_start',
    message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-test', stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } },
  } as { type: string });

function answer(text: string[], tokens = [12, 6]): Responder {
  return (res) => {
    sseHead(res);
    start(res, tokens[0]);
    send(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } as { type: string });
    send(res, { type: 'ping' });
    for (const part of text) send(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: part } } as { type: string });
    send(res, { type: 'content_block_stop', index: 0 } as { type: string });
    send(res, { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: tokens[1] } } as { type: string });
    send(res, { type: 'message_stop' });
    res.end();
  };
}

async function kernelFor(url: string) {
  return startTestKernel({
    plugins: [anthropicModelPlugin, testToolsPlugin],
    config: { models: { default: { provider: 'anthropic', model: 'claude-test', baseURL: url, apiKey: 'sk-ant-test', retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 100 } } } },
  });
}

const agent = { instructions: 'Be brief.', tools: ['test.add'] };

test('tool_use input split across input_json_delta events; text, usage and names mapped back', async () => {
  const server = await vendorServer([
    (res) => {
      sseHead(res);
      start(res, 40);
      send(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } as { type: string });
      send(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me add.' } } as { type: string });
      send(res, { type: 'content_block_stop', index: 0 } as { type: string });
      send(res, { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'test_add', input: {} } } as { type: string });
      send(res, { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } } as { type: string });
      send(res, { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a": 4, ' } } as { type: string });
      send(res, { type: 'ping' });
      send(res, { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"b": 5}' } } as { type: string });
      send(res, { type: 'content_block_stop', index: 1 } as { type: string });
      send(res, { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } } as { type: string });
      send(res, { type: 'message_stop' });
      res.end();
    },
    answer(['It is ', '9.'], [70, 4]),
  ]);
  const kernel = await kernelFor(server.url);
  const run = await kernel.runs.start({ agent, input: 'Add 4 and 5' });
  const events = await collect(run);
  assert.equal(shape(events).filter(([type]) => type !== 'assistant.delta'), [
    ['run.started', { agent: 'agent' }],
    ['step.started', { step: 1 }],
    ['assistant.message', { text: 'Let me add.' }],
    ['tool.call', { callId: 'toolu_1', name: 'test.add', version: '1.2.0', args: { a: 4, b: 5 } }],
    ['tool.result', { callId: 'toolu_1', result: { sum: 9 }, durationMs: 0 }],
    ['step.completed', { step: 1, usage: { inputTokens: 40, outputTokens: 30 }, model: 'default' }],
    ['step.started', { step: 2 }],
    ['assistant.message', { text: 'It is 9.' }],
    ['step.completed', { step: 2, usage: { inputTokens: 70, outputTokens: 4 }, model: 'default' }],
    ['run.completed', { output: 'It is 9.', usage: { inputTokens: 110, outputTokens: 34 } }],
  ]);
  const [first, second] = server.requests;
  assert.is(first.url, '/v1/messages');
  assert.ok(first.headers.authorization === 'Bearer sk-ant-test' || first.headers['x-api-key'] === 'sk-ant-test');
  assert.ok(first.headers['anthropic-version']);
  assert.is(first.body.system, 'Be brief.');
  assert.is(first.body.max_tokens, 4096);
  assert.is(first.body.stream, true);
  assert.equal(first.body.tools.map((t: { name: string }) => t.name), ['test_add']);
  assert.equal(first.body.tools[0].input_schema.required, ['a', 'b']);
  assert.equal(second.body.messages, [
    { role: 'user', content: [{ type: 'text', text: 'Add 4 and 5' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Let me add.' }, { type: 'tool_use', id: 'toolu_1', name: 'test_add', input: { a: 4, b: 5 } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"sum":9}' }] },
  ]);
  await kernel.stop();
  await server.close();
});

test('429 with Retry-After, 529 overloaded and an error event mid-stream are retried; the run answers', async () => {
  const server = await vendorServer([
    (res) => jsonError(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } }, { 'retry-after-ms': '30' }),
    (res) => jsonError(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    (res) => {
      sseHead(res);
      start(res, 10);
      send(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } as { type: string });
      send(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Half' } } as { type: string });
      sse(res, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error');
      res.end();
    },
    answer(['Done.']),
  ]);
  const kernel = await startTestKernel({
    plugins: [anthropicModelPlugin],
    config: { models: { default: { provider: 'anthropic', model: 'claude-test', baseURL: server.url, apiKey: 'k', retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 100 } } } },
  });
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'Hi' });
  const events = await collect(run);
  const retries = events.filter((e) => e.type === 'model.retry').map((e) => e.data as { delayMs: number; reason: string });
  assert.equal(retries.map((r) => r.reason.split(':')[0]), ['rate_limited', 'server', 'server']);
  assert.ok(retries[0].delayMs >= 30);
  assert.match(retries[1].reason, '529 Overloaded');
  assert.match(retries[2].reason, 'overloaded_error in the stream');
  assert.is((await run.result()).output, 'Done.');
  await kernel.stop();
  await server.close();
});

test('the adapter classifies statuses and reads Retry-After; a 400 is not retryable', async () => {
  const server = await vendorServer([
    (res) => jsonError(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: 'slow' } }, { 'retry-after': '3' }),
    (res) => jsonError(res, 500, { type: 'error', error: { type: 'api_error', message: 'Internal' } }),
    (res) => jsonError(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'messages: roles must alternate' } }),
  ]);
  const model = anthropicModel({ model: 'claude-test', apiKey: 'k', baseURL: server.url, maxOutputTokens: 100 });
  const failures: ModelCallError[] = [];
  for (let i = 0; i < 3; i++) {
    try {
      for await (const _ of model.stream({ messages: [{ role: 'user', content: 'x' }] })) void _;
    } catch (error) {
      failures.push(error as ModelCallError);
    }
  }
  assert.equal(failures.map((f) => [f.kind, f.status, f.retryable, f.retryAfterMs]), [
    ['rate_limited', 429, true, 3000],
    ['server', 500, true, undefined],
    ['rejected', 400, false, undefined],
  ]);
  assert.match(failures[2].message, 'roles must alternate');
  await server.close();
});

test('a long API error message is cut to 300 characters without splitting an emoji', async () => {
  const server = await vendorServer([(res) => jsonError(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: `${'x'.repeat(299)}😀 and more` } })]);
  const model = anthropicModel({ model: 'claude-test', apiKey: 'k', baseURL: server.url, maxOutputTokens: 100 });
  let failure: ModelCallError | undefined;
  try {
    for await (const _ of model.stream({ messages: [{ role: 'user', content: 'x' }] })) void _;
  } catch (error) {
    failure = error as ModelCallError;
  }
  assert.is(failure?.kind, 'rejected');
  assert.is(failure?.message, 'x'.repeat(299));
  await server.close();
});

test('a connection dropped mid-stream is retried', async () => {
  const server = await vendorServer([
    (res) => {
      sseHead(res);
      start(res, 10);
      send(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } as { type: string });
      send(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Cut ' } } as { type: string });
      setTimeout(() => res.destroy(), 10);
    },
    answer(['Complete.']),
  ]);
  const kernel = await kernelFor(server.url);
  const run = await kernel.runs.start({ agent, input: 'Hi' });
  const events = await collect(run);
  assert.equal(events.map((e) => e.type), [
    'run.started', 'step.started', 'assistant.delta', 'model.retry', 'assistant.delta', 'assistant.message', 'step.completed', 'run.completed',
  ]);
  assert.match((events[3].data as { reason: string }).reason, /^connection: /);
  assert.is((await run.result()).output, 'Complete.');
  await kernel.stop();
  await server.close();
});

test('input tokens reported in message_start count even when the attempt then breaks: on a retry and at a final failure', async () => {
  const broken: Responder = (res) => {
    sseHead(res);
    start(res, 10);
    send(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } as { type: string });
    sse(res, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error');
    res.end();
  };
  const server = await vendorServer([broken, answer(['Done.'], [12, 6]), broken]);
  const configured = (maxRetries: number) =>
    startTestKernel({
      plugins: [anthropicModelPlugin],
      config: { models: { default: { provider: 'anthropic', model: 'claude-test', baseURL: server.url, apiKey: 'k', retry: { maxRetries, initialDelayMs: 1, maxDelayMs: 10 } } } },
    });
  const retrying = await configured(1);
  const giving = await configured(0);
  try {
    const recovered = await (await retrying.runs.start({ agent: { instructions: 'x' }, input: 'Hi' })).result();
    assert.is(recovered.output, 'Done.');
    assert.equal(recovered.usage, { inputTokens: 22, outputTokens: 7 }, 'the broken attempt (10 in, 1 out) and the answer (12 in, 6 out)');
    const run = await giving.runs.start({ agent: { instructions: 'x' }, input: 'Hi' });
    const failed = await run.result();
    assert.is(failed.error?.code, 'ASDK_MODEL_UNAVAILABLE');
    assert.equal(failed.usage, { inputTokens: 10, outputTokens: 1 });
    const terminal = (await collect(run)).at(-1)!;
    assert.equal((terminal.data as { usage: unknown }).usage, { inputTokens: 10, outputTokens: 1 });
  } finally {
    await retrying.stop();
    await giving.stop();
    await server.close();
  }
});

test('tool errors go back as tool_result with is_error; consecutive results share one user turn', async () => {
  const server = await vendorServer([
    (res) => {
      sseHead(res);
      start(res, 5);
      for (const [index, id, input] of [[0, 'toolu_a', '{"a":1,"b":2}'], [1, 'toolu_b', '{"a":"x"}']] as const) {
        send(res, { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: 'test_add', input: {} } } as { type: string });
        send(res, { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: input } } as { type: string });
        send(res, { type: 'content_block_stop', index } as { type: string });
      }
      send(res, { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } } as { type: string });
      send(res, { type: 'message_stop' });
      res.end();
    },
    answer(['3, and the second call was wrong.']),
  ]);
  const kernel = await kernelFor(server.url);
  await (await kernel.runs.start({ agent, input: 'Add' })).result();
  const turn = server.requests[1].body.messages[2];
  assert.is(turn.role, 'user');
  assert.equal(turn.content.map((b: { type: string; tool_use_id: string; is_error?: boolean }) => [b.type, b.tool_use_id, b.is_error ?? false]), [
    ['tool_result', 'toolu_a', false],
    ['tool_result', 'toolu_b', true],
  ]);
  assert.match(turn.content[1].content, 'ASDK_TOOL_INVALID_ARGS');
  await kernel.stop();
  await server.close();
});

test('cancelling mid-stream aborts the request', async () => {
  const server = await vendorServer([
    (res) => {
      sseHead(res);
      start(res, 1);
      send(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } as { type: string });
      send(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hmm' } } as { type: string });
    },
  ]);
  const kernel = await kernelFor(server.url);
  const run = await kernel.runs.start({ agent, input: 'Hi' });
  for await (const event of run.events()) if (event.type === 'assistant.delta') break;
  await run.cancel('stop');
  assert.is((await run.result()).status, 'cancelled');
  for (let i = 0; i < 50 && !server.closed.includes(0); i++) await tick(10);
  assert.equal(server.closed, [0]);
  await kernel.stop();
  await server.close();
});

test.run();
