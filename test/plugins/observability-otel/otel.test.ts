// OpenTelemetry traces from envelopes: the run -> step -> model call / tool call tree with GenAI attributes,
// nested runs under the delegating call (parallel delegations told apart), retries and failures, span times
// from the envelopes, and the OTLP/HTTP endpoint from the config file.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { extensionPoints, type Kernel, type ModelRequest } from '../../../core/index.js';
import { createOtelPlugin, GEN_AI, GEN_AI_OPERATION } from '../../../plugins/otel/index.js';
import { scripted, startTestKernel, type ScriptStep } from '../../../testing.js';
import { collect } from '../../helpers/runs.js';
import { testToolsPlugin } from '../../helpers/tools.js';

const last = (request: ModelRequest) => request.messages.at(-1)!;
const ms = (time: [number, number]) => time[0] * 1000 + time[1] / 1e6;

/** Spans by id, with their children, to walk the tree. */
function tree(spans: readonly ReadableSpan[]) {
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  const children = (span: ReadableSpan) => spans.filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId).sort((a, b) => ms(a.startTime) - ms(b.startTime) || a.name.localeCompare(b.name));
  const roots = spans.filter((s) => !s.parentSpanContext || !byId.has(s.parentSpanContext.spanId));
  const render = (span: ReadableSpan, depth = 0): string[] => [`${'  '.repeat(depth)}${span.name}`, ...children(span).flatMap((c) => render(c, depth + 1))];
  return { roots, children, render: () => roots.flatMap((r) => render(r)) };
}

async function tracedKernel(model: ReturnType<typeof scripted>, config: Record<string, unknown> = {}) {
  const spans = new InMemorySpanExporter();
  const kernel = await startTestKernel({ plugins: [testToolsPlugin, createOtelPlugin({ spanExporter: spans })], model, config });
  const flush = () => kernel.contributions(extensionPoints.exporters).find((c) => c.item.name === 'otel')!.item.flush!();
  return { kernel, spans, flush };
}

test('a supervisor delegating to two sub-agents at once: run -> step -> chat / execute_tool, nested runs under their calls', async () => {
  const model = scripted(
    (request): ScriptStep => {
      switch (request.messages[0].content) {
        case 'BOSS':
          return last(request).role === 'user'
            ? { toolCalls: [{ name: 'agent.sleeper', args: { task: 'nap' }, callId: 'd1' }, { name: 'agent.adder', args: { task: 'add' }, callId: 'd2' }], usage: { inputTokens: 10, outputTokens: 4 } }
            : { text: 'All done.', usage: { inputTokens: 30, outputTokens: 2 } };
        case 'ADDER':
          return last(request).role === 'user' ? { toolCalls: [{ name: 'test.add', args: { a: 2, b: 3 }, callId: 'a1' }], usage: { inputTokens: 1, outputTokens: 1 } } : { text: '5', usage: { inputTokens: 2, outputTokens: 1 } };
        default:
          return last(request).role === 'user' ? { toolCalls: [{ name: 'test.sleep', args: { label: 'nap', ms: 20 }, callId: 's1' }] } : { text: 'rested' };
      }
    },
    { id: 'scripted/test-model-1' },
  );
  const { kernel, spans, flush } = await tracedKernel(model);
  const run = await kernel.runs.start({
    agent: {
      name: 'boss',
      instructions: 'BOSS',
      agents: { adder: { description: 'Adds', instructions: 'ADDER', tools: ['test.add'] }, sleeper: { description: 'Sleeps', instructions: 'SLEEPER', tools: ['test.sleep'] } },
    },
    input: 'go',
  });
  const events = await collect(run);
  await flush();
  const finished = spans.getFinishedSpans();
  const { roots, children, render } = tree(finished);
  assert.equal(render(), [
    'invoke_agent boss',
    '  step 1',
    '    chat test-model-1',
    '    execute_tool agent.adder',
    '      invoke_agent adder',
    '        step 1',
    '          chat test-model-1',
    '          execute_tool test.add',
    '        step 2',
    '          chat test-model-1',
    '    execute_tool agent.sleeper',
    '      invoke_agent sleeper',
    '        step 1',
    '          chat test-model-1',
    '          execute_tool test.sleep',
    '        step 2',
    '          chat test-model-1',
    '  step 2',
    '    chat test-model-1',
  ]);
  assert.is(roots.length, 1);
  assert.is(new Set(finished.map((s) => s.spanContext().traceId)).size, 1, 'one trace');

  const root = roots[0];
  assert.is(root.kind, SpanKind.INTERNAL);
  assert.equal(
    [root.attributes[GEN_AI.operationName], root.attributes[GEN_AI.agentName], root.attributes[GEN_AI.conversationId], root.attributes['agent_sdk.run.id']],
    [GEN_AI_OPERATION.invokeAgent, 'boss', run.sessionId, run.id],
  );
  // Span times are the envelopes' times.
  const own = events.filter((e) => !e.origin);
  assert.is(ms(root.startTime), Date.parse(own[0].ts));
  assert.is(ms(root.endTime), Date.parse(own.at(-1)!.ts));
  assert.is(root.attributes[GEN_AI.usageInputTokens], 43, 'the run total, nested runs included');

  const [step1] = children(root);
  const [chat, delegateAdder, delegateSleeper] = children(step1).sort((a, b) => a.name.localeCompare(b.name));
  assert.is(chat.kind, SpanKind.CLIENT);
  assert.equal(
    [chat.attributes[GEN_AI.operationName], chat.attributes[GEN_AI.providerName], chat.attributes[GEN_AI.requestModel], chat.attributes[GEN_AI.usageInputTokens], chat.attributes[GEN_AI.usageOutputTokens]],
    ['chat', 'scripted', 'test-model-1', 10, 4],
  );
  assert.is(chat.attributes['agent_sdk.model'], 'default');
  assert.equal(
    [delegateAdder.attributes[GEN_AI.operationName], delegateAdder.attributes[GEN_AI.toolName], delegateAdder.attributes[GEN_AI.toolCallId]],
    [GEN_AI_OPERATION.executeTool, 'agent.adder', 'd2'],
  );
  assert.is(delegateSleeper.attributes[GEN_AI.toolCallId], 'd1');
  const adderRun = children(delegateAdder)[0];
  assert.is(adderRun.attributes[GEN_AI.agentName], 'adder');
  assert.is(adderRun.attributes['agent_sdk.run.parent_id'], run.id);
  const addCall = children(children(adderRun)[0]).find((s) => s.name === 'execute_tool test.add')!;
  assert.equal([addCall.attributes[GEN_AI.toolName], addCall.status.code], ['test.add', SpanStatusCode.UNSET]);
  // A nested run lies within the call that started it.
  assert.ok(ms(adderRun.startTime) >= ms(delegateAdder.startTime) && ms(adderRun.endTime) <= ms(delegateAdder.endTime));
  assert.ok(finished.every((s) => s.ended));
  await kernel.stop();
});

test('retries end an attempt with an error and start the next; a failing tool and a failing run are errors with their type', async () => {
  let calls = 0;
  const model = scripted((request): ScriptStep => {
    calls++;
    if (calls === 1) return { error: { status: 503, message: 'busy' } };
    if (last(request).role === 'user') return { toolCalls: [{ name: 'test.fail', args: { how: 'failure' }, callId: 'f1' }], text: 'trying', delayMs: 5 };
    return { error: { status: 400, message: 'no more' } };
  });
  const { kernel, spans, flush } = await tracedKernel(model, { models: { default: { provider: 'scripted', script: 'default', retry: { initialDelayMs: 1, maxDelayMs: 2 } } } });
  const run = await kernel.runs.start({ agent: { instructions: 'x', tools: ['test.fail'] }, input: 'go' });
  assert.is((await run.result()).status, 'failed');
  await flush();
  const { roots, children } = tree(spans.getFinishedSpans());
  const root = roots[0];
  assert.equal([root.status.code, root.attributes['error.type'], root.attributes['agent_sdk.run.status']], [SpanStatusCode.ERROR, 'ASDK_MODEL_REJECTED', 'failed']);
  const [step1, step2] = children(root);
  const [attempt1, attempt2, fail] = children(step1);
  assert.equal([attempt1.name, attempt1.status.code, attempt1.attributes['error.type'], attempt1.attributes['agent_sdk.model.attempt']], ['chat test', SpanStatusCode.ERROR, 'server', 1]);
  assert.equal([attempt2.status.code, attempt2.attributes['agent_sdk.model.attempt']], [SpanStatusCode.UNSET, 2]);
  assert.ok(typeof attempt2.attributes[GEN_AI.responseTimeToFirstChunk] === 'number', 'the text arrived first');
  assert.equal([fail.name, fail.status.code, fail.attributes['error.type']], ['execute_tool test.fail', SpanStatusCode.ERROR, 'TEST_NOPE']);
  const [failedAttempt] = children(step2);
  assert.is(failedAttempt.status.code, SpanStatusCode.ERROR, 'the attempt open when the run failed ends as an error');
  await kernel.stop();
});

test('parallel delegations: a nested run is hung under its own call even when it starts before the earlier one', async () => {
  const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { TraceBuilder } = await import('../../../plugins/otel/index.js');
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const builder = new TraceBuilder({ tracer: provider.getTracer('test') });
  let second = 0;
  const ts = () => new Date(Date.UTC(2026, 0, 1, 0, 0, second++)).toISOString();
  const seqs = new Map<string, number>();
  const event = (runId: string, type: string, data: unknown, extra: Record<string, unknown> = {}) => {
    const seq = (seqs.get(runId) ?? 0) + 1;
    seqs.set(runId, seq);
    return { v: 1, id: `${runId}:${seq}`, seq, runId, sessionId: 's', orgId: 'o', stream: 'lifecycle', type, ts: ts(), data, ...extra } as never;
  };
  const usage = { inputTokens: 1, outputTokens: 1 };
  builder.add([event('P', 'run.started', { agent: 'boss' }), event('P', 'step.started', { step: 1 })]);
  builder.add([event('P', 'tool.call', { callId: 'd1', name: 'agent.sleeper', version: '1.0.0', args: {} }), event('P', 'tool.call', { callId: 'd2', name: 'agent.adder', version: '1.0.0', args: {} })]);
  // The adder's run starts first; its agent is named differently from the delegate key: origin.agent decides.
  builder.add([event('C2', 'run.started', { agent: 'Adder Bot' }, { parentRunId: 'P' })]);
  builder.add([event('C2', 'step.started', { step: 1 }, { parentRunId: 'P' })]);
  builder.add([event('P', 'run.started', { agent: 'Adder Bot' }, { origin: { runId: 'C2', seq: 1, agent: 'adder' } })]);
  builder.add([event('C1', 'run.started', { agent: 'sleeper' }, { parentRunId: 'P' })]);
  builder.add([event('P', 'run.started', { agent: 'sleeper' }, { origin: { runId: 'C1', seq: 1, agent: 'sleeper' } })]);
  for (const child of ['C2', 'C1']) builder.add([event(child, 'run.completed', { output: 'x', usage }, { parentRunId: 'P' })]);
  builder.add([event('P', 'tool.result', { callId: 'd1', result: {}, durationMs: 1 }), event('P', 'tool.result', { callId: 'd2', result: {}, durationMs: 1 })]);
  builder.add([event('P', 'step.completed', { step: 1, usage, model: 'default' }), event('P', 'run.completed', { output: 'ok', usage })]);
  assert.is(builder.open, 0);
  const finished = spans.getFinishedSpans();
  const byName = (name: string) => finished.find((span) => span.name === name)!;
  const parentOf = (span: ReadableSpan) => finished.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId)?.name;
  assert.is(parentOf(byName('invoke_agent Adder Bot')), 'execute_tool agent.adder');
  assert.is(parentOf(byName('invoke_agent sleeper')), 'execute_tool agent.sleeper');
  assert.ok(finished.some((s) => s.name === 'step 1' && parentOf(s) === 'invoke_agent Adder Bot'), 'what waited for the link was replayed under it');
  await provider.shutdown();
});

test('the attribute names are the GenAI semantic conventions of the installed package', () => {
  const conventions = incubating as unknown as Record<string, string>;
  const expected: Record<keyof typeof GEN_AI, string> = {
    operationName: conventions.ATTR_GEN_AI_OPERATION_NAME,
    providerName: conventions.ATTR_GEN_AI_PROVIDER_NAME,
    system: conventions.ATTR_GEN_AI_SYSTEM,
    requestModel: conventions.ATTR_GEN_AI_REQUEST_MODEL,
    requestMaxTokens: conventions.ATTR_GEN_AI_REQUEST_MAX_TOKENS,
    responseModel: conventions.ATTR_GEN_AI_RESPONSE_MODEL,
    responseFinishReasons: conventions.ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
    responseTimeToFirstChunk: conventions.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    usageInputTokens: conventions.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    usageOutputTokens: conventions.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    agentName: conventions.ATTR_GEN_AI_AGENT_NAME,
    conversationId: conventions.ATTR_GEN_AI_CONVERSATION_ID,
    toolName: conventions.ATTR_GEN_AI_TOOL_NAME,
    toolCallId: conventions.ATTR_GEN_AI_TOOL_CALL_ID,
    toolType: conventions.ATTR_GEN_AI_TOOL_TYPE,
    toolCallArguments: conventions.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
    toolCallResult: conventions.ATTR_GEN_AI_TOOL_CALL_RESULT,
    errorType: conventions.ATTR_ERROR_TYPE,
  };
  assert.equal({ ...GEN_AI }, expected);
  assert.equal(
    [GEN_AI_OPERATION.chat, GEN_AI_OPERATION.executeTool, GEN_AI_OPERATION.invokeAgent],
    [conventions.GEN_AI_OPERATION_NAME_VALUE_CHAT, conventions.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL, conventions.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT],
  );
});

test('enabled from the config file (plugins.load), spans go to the configured OTLP/HTTP endpoint with its headers', async () => {
  const received: { url: string; headers: Record<string, unknown>; body: string }[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  let kernel: Kernel | undefined;
  try {
    kernel = await startTestKernel({
      model: scripted(['Hello.']),
      config: {
        plugins: { load: [fileURLToPath(new URL('../../../plugins/otel/index.ts', import.meta.url))] },
        otel: { endpoint, headers: { authorization: 'Bearer collector-token' }, serviceName: 'agents-under-test', captureContent: true },
      },
    });
    const run = await kernel.runs.start({ agent: { name: 'greeter', instructions: 'x' }, input: 'hi' });
    await run.result();
    await kernel.stop();
    kernel = undefined;
    assert.ok(received.length >= 1, 'the collector got an export');
    const [first] = received;
    assert.is(first.url, '/v1/traces');
    assert.is(first.headers.authorization, 'Bearer collector-token');
    assert.match(first.body, 'invoke_agent greeter');
    assert.match(first.body, 'agents-under-test');
    assert.match(first.body, 'gen_ai.operation.name');
  } finally {
    await kernel?.stop();
    await new Promise<void>((resolve) => collector.close(() => resolve()));
  }
});

test('captured tool arguments and results are cut on a code point boundary', async () => {
  const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { TraceBuilder } = await import('../../../plugins/otel/index.js');
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const builder = new TraceBuilder({ tracer: provider.getTracer('test'), captureContent: true });
  let seq = 0;
  const event = (type: string, data: unknown) => ({ v: 1, id: `R:${++seq}`, seq, runId: 'R', sessionId: 's', orgId: 'o', stream: 'lifecycle', type, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), data }) as never;
  const usage = { inputTokens: 1, outputTokens: 1 };
  const long = `${'x'.repeat(4_095)}${'😀'.repeat(4)}`; // the pair straddles the 4 096-unit cut
  builder.add([event('run.started', { agent: 'a' }), event('step.started', { step: 1 })]);
  builder.add([event('tool.call', { callId: 'c', name: 'echo', version: '1.0.0', args: long }), event('tool.result', { callId: 'c', result: long, durationMs: 1 })]);
  builder.add([event('step.completed', { step: 1, usage, model: 'default' }), event('run.completed', { output: 'ok', usage })]);
  const tool = spans.getFinishedSpans().find((s) => s.name === 'execute_tool echo')!;
  for (const key of [GEN_AI.toolCallArguments, GEN_AI.toolCallResult]) {
    const value = tool.attributes[key] as string;
    assert.is(value, `${'x'.repeat(4_095)}…`, key);
  }
  await provider.shutdown();
});

test.run();
