// The openai adapter against a local server speaking the chat-completions streaming wire format
// (data: {chunk}\n\n ... data: [DONE]), through the router and the runtime as in production.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ServerResponse } from 'node:http';
import { openaiModel, openaiModelPlugin } from '../../../adapters/model-openai/index.js';
import { ModelCallError, type EventEnvelope } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { collect, shape } from '../../helpers/runs.js';
import { jsonError, sse, sseHead, tick, vendorServer, type Responder } from '../../helpers/http-server.js';
import { testToolsPlugin } from '../../helpers/tools.js';

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-test',
  system_fingerprint: 'fp_test',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  usage: null,
});
const usage = (prompt: number, completion: number) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-test',
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
});

function answer(text: string[], tokens = [9, 4]): Responder {
  return (res) => {
    sseHead(res);
    sse(res, chunk({ role: 'assistant', content: '', refusal: null }));
    for (const part of text) sse(res, chunk({ content: part }));
    sse(res, chunk({}, 'stop'));
    sse(res, usage(tokens[0], tokens[1]));
    sse(res, '[DONE]');
    res.end();
  };
}

async function kernelFor(url: string, retry = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 100 }) {
  return startTestKernel({
    plugins: [openaiModelPlugin, testToolsPlugin],
    config: { models: { default: { provider: 'openai', model: 'gpt-test', baseURL: `${url}/v1`, apiKey: 'sk-test', retry, price: { inputPerMillion: 1, outputPerMillion: 2 } } } },
  });
}

const agent = { instructions: 'Be brief.', tools: ['test.add'] };

test('tool-call arguments split across chunks, two calls, dotted names mapped; usage from the last chunk', async () => {
  const server = await vendorServer([
    (res) => {
      sseHead(res);
      sse(res, chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'test_add', arguments: '' } }] }));
      sse(res, chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a": 2' } }] }));
      sse(res, chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'test_add', arguments: '{"a":' } }] }));
      sse(res, chunk({ tool_calls: [{ index: 0, function: { arguments: ', "b": 3}' } }] }));
      sse(res, chunk({ tool_calls: [{ index: 1, function: { arguments: ' 10, "b": 1}' } }] }));
      sse(res, chunk({}, 'tool_calls'));
      sse(res, usage(50, 20));
      sse(res, '[DONE]');
      res.end();
    },
    answer(['5 and ', '11.'], [80, 5]),
  ]);
  const kernel = await kernelFor(server.url);
  const run = await kernel.runs.start({ agent, input: 'Add' });
  const events = await collect(run);
  assert.equal(shape(events).filter(([type]) => type.startsWith('tool.') || type === 'step.completed'), [
    ['tool.call', { callId: 'call_A', name: 'test.add', version: '1.2.0', args: { a: 2, b: 3 } }],
    ['tool.call', { callId: 'call_B', name: 'test.add', version: '1.2.0', args: { a: 10, b: 1 } }],
    ['tool.result', { callId: 'call_A', result: { sum: 5 }, durationMs: 0 }],
    ['tool.result', { callId: 'call_B', result: { sum: 11 }, durationMs: 0 }],
    ['step.completed', { step: 1, usage: { inputTokens: 50, outputTokens: 20, costUsd: 0.00009 }, model: 'default' }],
    ['step.completed', { step: 2, usage: { inputTokens: 80, outputTokens: 5, costUsd: 0.00009 }, model: 'default' }],
  ]);
  const result = await run.result();
  assert.is(result.output, '5 and 11.');
  assert.equal(result.usage, { inputTokens: 130, outputTokens: 25, costUsd: 0.00018 });

  const [first, second] = server.requests;
  assert.is(first.url, '/v1/chat/completions');
  assert.is(first.headers.authorization, 'Bearer sk-test');
  assert.is(first.body.model, 'gpt-test');
  assert.is(first.body.stream, true);
  assert.equal(first.body.stream_options, { include_usage: true });
  assert.equal(first.body.tools[0].function.name, 'test_add');
  assert.equal(first.body.tools[0].function.parameters.required, ['a', 'b']);
  assert.equal(first.body.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Add' },
  ]);
  assert.equal(second.body.messages.slice(2), [
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_A', type: 'function', function: { name: 'test_add', arguments: '{"a":2,"b":3}' } },
        { id: 'call_B', type: 'function', function: { name: 'test_add', arguments: '{"a":10,"b":1}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_A', content: '{"sum":5}' },
    { role: 'tool', tool_call_id: 'call_B', content: '{"sum":11}' },
  ]);
  await kernel.stop();
  await server.close();
});

test('429 with Retry-After is retried after the time the server asked for', async () => {
  const server = await vendorServer([
    (res) => jsonError(res, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after-ms': '40' }),
    answer(['Fine.']),
  ]);
  const kernel = await kernelFor(server.url);
  const run = await kernel.runs.start({ agent, input: 'Hi' });
  const events = await collect(run);
  const retry = events.find((e) => e.type === 'model.retry')!.data as { delayMs: number; attempt: number; reason: string };
  assert.ok(retry.delayMs >= 40, `delay ${retry.delayMs}`);
  assert.is(retry.attempt, 1);
  assert.match(retry.reason, 'rate_limited: 429');
  assert.match(retry.reason, 'Rate limit reached');
  assert.is((await run.result()).output, 'Fine.');
  assert.is(server.requests.length, 2);
  await kernel.stop();
  await server.close();
});

test('the adapter reads Retry-After in seconds and classifies statuses', async () => {
  const server = await vendorServer([
    (res) => jsonError(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '7' }),
    (res) => jsonError(res, 503, { error: { message: 'overloaded' } }),
    (res) => jsonError(res, 401, { error: { message: 'Incorrect API key provided' } }),
  ]);
  const model = openaiModel({ model: 'gpt-test', apiKey: 'sk-x', baseURL: `${server.url}/v1`, maxTokensParam: 'max_tokens', streamUsage: false });
  const failures: ModelCallError[] = [];
  for (let i = 0; i < 3; i++) {
    try {
      for await (const _ of model.stream({ messages: [{ role: 'user', content: 'x' }], maxOutputTokens: 5 })) void _;
    } catch (error) {
      failures.push(error as ModelCallError);
    }
  }
  assert.equal(failures.map((f) => [f.kind, f.status, f.retryable, f.retryAfterMs]), [
    ['rate_limited', 429, true, 7000],
    ['server', 503, true, undefined],
    ['rejected', 401, false, undefined],
  ]);
  assert.is(server.requests[0].body.max_tokens, 5);
  assert.is(server.requests[0].body.stream_options, undefined);
  await server.close();
});

test('a long API error message is cut to 300 characters without splitting an emoji', async () => {
  const server = await vendorServer([(res) => jsonError(res, 400, { error: { message: `${'x'.repeat(299)}😀 and more` } })]);
  const model = openaiModel({ model: 'gpt-test', apiKey: 'k', baseURL: server.url, maxTokensParam: 'max_completion_tokens', streamUsage: false });
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

test('500 is retried; a 400 is never retried and fails the run with ASDK_MODEL_REJECTED', async () => {
  const server = await vendorServer([(res) => jsonError(res, 500, { error: { message: 'boom' } }), answer(['Recovered.'])]);
  const kernel = await kernelFor(server.url);
  const run = await kernel.runs.start({ agent, input: 'Hi' });
  assert.is((await run.result()).output, 'Recovered.');
  await kernel.stop();
  await server.close();

  const bad = await vendorServer([(res) => jsonError(res, 400, { error: { message: "Invalid schema for function 'test_add'" } })]);
  const strict = await kernelFor(bad.url);
  const failed = await (await strict.runs.start({ agent, input: 'Hi' })).result();
  assert.is(failed.status, 'failed');
  assert.is(failed.error?.code, 'ASDK_MODEL_REJECTED');
  assert.match(failed.error!.message, "Model \"default\" refused the request: rejected: 400 Invalid schema for function 'test_add'");
  assert.is(bad.requests.length, 1, 'a 400 is not retried');
  await strict.stop();
  await bad.close();
});

test('a connection dropped mid-stream is retried; what the broken attempt said is superseded', async () => {
  const server = await vendorServer([
    (res) => {
      sseHead(res);
      sse(res, chunk({ role: 'assistant', content: 'Half an ' }));
      setTimeout(() => res.destroy(), 10);
    },
    (res) => {
      // Ends cleanly but without finish_reason or [DONE]: also an incomplete answer.
      sseHead(res);
      sse(res, chunk({ content: 'Another half' }));
      res.end();
    },
    answer(['Whole answer.']),
  ]);
  const kernel = await kernelFor(server.url);
  const run = await kernel.runs.start({ agent, input: 'Hi' });
  const events = await collect(run);
  const flow = events.map((e: EventEnvelope) => (e.type === 'model.retry' ? `retry:${(e.data as { reason: string }).reason.split(':')[0]}` : e.type));
  assert.equal(flow, [
    'run.started', 'step.started', 'assistant.delta', 'retry:connection', 'assistant.delta', 'retry:connection',
    'assistant.delta', 'assistant.message', 'step.completed', 'run.completed',
  ]);
  assert.is((await run.result()).output, 'Whole answer.');
  await kernel.stop();
  await server.close();
});

test('cancelling mid-stream aborts the HTTP request', async () => {
  let hold: ServerResponse | undefined;
  const server = await vendorServer([
    (res) => {
      hold = res;
      sseHead(res);
      sse(res, chunk({ role: 'assistant', content: 'Thinking' }));
    },
  ]);
  const kernel = await kernelFor(server.url);
  const run = await kernel.runs.start({ agent, input: 'Hi' });
  for await (const event of run.events()) if (event.type === 'assistant.delta') break;
  const started = Date.now();
  await run.cancel('stop');
  assert.is((await run.result()).status, 'cancelled');
  assert.ok(Date.now() - started < 1000);
  for (let i = 0; i < 50 && !server.closed.includes(0); i++) await tick(10);
  assert.equal(server.closed, [0], 'the server saw the request go away');
  hold?.end();
  await kernel.stop();
  await server.close();
});

test('no API key and no baseURL is refused when the kernel starts, naming the model', async () => {
  try {
    await startTestKernel({ plugins: [openaiModelPlugin], config: { models: { fast: { provider: 'openai', model: 'gpt-4.1-mini' } } } });
    assert.unreachable();
  } catch (error: any) {
    assert.match(error.message, 'models.fast is invalid: no API key');
  }
});

test.run();
