// Metrics derived from envelopes: queued and active runs, failures by code, cancellations, retries, fallbacks,
// policy denials, cost; runs that end while queued; quantiles for /stats.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { contribution, definePlugin, defineTool, extensionPoints, ports, type EventEnvelope, type Kernel, type Policy } from '../../../core/index.js';
import { metricsPlugin, PromMetrics } from '../../../plugins/metrics/index.js';
import { observabilityPlugin, quantile, RunMetricsExporter, summarize } from '../../../plugins/observability/index.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { testToolsPlugin } from '../../helpers/tools.js';
import { parsePrometheusText, total } from './prometheus-text.js';

async function metricsOf(kernel: Kernel) {
  return parsePrometheusText((await kernel.get(ports.metrics).exposition()).text);
}

function gatedTool() {
  let release!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const tool = defineTool({
    name: 'test.gate',
    version: '1.0.0',
    description: 'Waits for the test',
    input: Type.Object({}),
    output: Type.Object({}),
    async execute(_args, context) {
      entered();
      await Promise.race([gate, new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason)))]);
      return {};
    },
  });
  return { plugin: definePlugin({ id: 'gate-tool', version: '1.0.0', contributes: [contribution(extensionPoints.tools, tool)] }), release, inside };
}

const gatedModel = () =>
  scripted((request) => (request.messages.at(-1)!.role === 'user' ? { toolCalls: [{ name: 'test.gate', args: {} }] } : { text: 'done', usage: { inputTokens: 1000, outputTokens: 500 } }));
const gatedAgent = { instructions: 'x', tools: ['test.gate'] };

test('queued runs: the queued and active gauges while they wait and run, the queue wait, then zero', async () => {
  const gate = gatedTool();
  const kernel = await startTestKernel({
    plugins: [metricsPlugin, observabilityPlugin, gate.plugin],
    model: gatedModel(),
    config: { metrics: { defaultMetrics: false }, runtime: { maxConcurrentRuns: 1 } },
  });
  const first = await kernel.runs.start({ agent: gatedAgent, input: 'one' });
  const second = await kernel.runs.start({ agent: gatedAgent, input: 'two' });
  await gate.inside;
  const during = await metricsOf(kernel);
  assert.is(total(during, 'agent_sdk_runs_active'), 1);
  assert.is(total(during, 'agent_sdk_runs_queued'), 1);
  gate.release();
  await first.result();
  await second.result();
  const after = await metricsOf(kernel);
  assert.is(total(after, 'agent_sdk_runs_queued'), 0);
  assert.is(total(after, 'agent_sdk_runs_active'), 0);
  assert.is(total(after, 'agent_sdk_run_queue_wait_seconds_count', { agent: 'agent' }), 1);
  assert.is(total(after, 'agent_sdk_runs_finished_total', { status: 'completed' }), 2);
  await kernel.stop();
});

test('failures by code, cancellations, and a price: cost by model and org', async () => {
  const gate = gatedTool();
  const kernel = await startTestKernel({
    plugins: [metricsPlugin, observabilityPlugin, gate.plugin],
    model: gatedModel(),
    models: { broken: scripted([{ error: { status: 400, message: 'bad request' } }]), priced: gatedModel() },
    config: {
      metrics: { defaultMetrics: false },
      models: { priced: { provider: 'scripted', script: 'priced', price: { inputPerMillion: 3, outputPerMillion: 15 } } },
    },
  });
  const failed = await kernel.runs.start({ agent: { instructions: 'x', model: 'broken' }, input: 'fail', orgId: 'acme' });
  assert.is((await failed.result()).status, 'failed');
  const cancelled = await kernel.runs.start({ agent: gatedAgent, input: 'wait' });
  await gate.inside;
  await cancelled.cancel('changed my mind');
  assert.is((await cancelled.result()).status, 'cancelled');
  const priced = await kernel.runs.start({ agent: { ...gatedAgent, model: 'priced' }, input: 'go', orgId: 'acme' });
  gate.release();
  await priced.result();
  const families = await metricsOf(kernel);
  assert.is(total(families, 'agent_sdk_run_failures_total', { code: 'ASDK_MODEL_REJECTED' }), 1);
  assert.is(total(families, 'agent_sdk_runs_finished_total', { status: 'failed' }), 1);
  assert.is(total(families, 'agent_sdk_runs_finished_total', { status: 'cancelled' }), 1);
  assert.is(total(families, 'agent_sdk_run_duration_seconds_count', { status: 'cancelled' }), 1);
  assert.is(total(families, 'agent_sdk_runs_active'), 0);
  // 1000 input tokens at $3/M and 500 output at $15/M.
  assert.ok(Math.abs(total(families, 'agent_sdk_cost_usd_total', { model: 'priced', org: 'acme' }) - 0.0105) < 1e-9);
  assert.is(total(families, 'agent_sdk_tokens_total', { org: 'acme', type: 'output' }), 500);
  await kernel.stop();
});

test('retries, fallbacks and policy denials are counted by model and policy', async () => {
  const denyFail: Policy = { id: 'no-failing-tools', beforeToolCall: (_context, call) => (call.name === 'test.fail' ? { allow: false, reason: 'not today' } : { allow: true }) };
  let primaryCalls = 0;
  const kernel = await startTestKernel({
    plugins: [metricsPlugin, observabilityPlugin, testToolsPlugin, definePlugin({ id: 'deny', version: '1.0.0', contributes: [contribution(extensionPoints.policies, denyFail)] })],
    model: scripted(() => (primaryCalls++ < 10 ? { error: { status: 503, message: 'busy' } } : { text: 'late' })),
    models: {
      backup: scripted((request) => (request.messages.at(-1)!.role === 'user' ? { toolCalls: [{ name: 'test.fail', args: { how: 'throw' } }] } : { text: 'fine' })),
    },
    config: {
      metrics: { defaultMetrics: false },
      models: { default: { provider: 'scripted', script: 'default', retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 } } },
    },
  });
  const run = await kernel.runs.start({ agent: { instructions: 'x', model: ['default', 'backup'], tools: ['test.fail'] }, input: 'go' });
  assert.is((await run.result()).status, 'completed');
  const families = await metricsOf(kernel);
  assert.is(total(families, 'agent_sdk_model_retries_total', { model: 'default' }), 4, 'two retries in each of the two steps');
  assert.is(total(families, 'agent_sdk_model_fallbacks_total', { from: 'default', to: 'backup' }), 2);
  assert.is(total(families, 'agent_sdk_policy_denials_total', { point: 'beforeToolCall', policy: 'no-failing-tools' }), 1);
  assert.is(total(families, 'agent_sdk_tool_errors_total', { tool: 'test.fail', code: 'ASDK_POLICY_DENIED' }), 1);
  assert.is(total(families, 'agent_sdk_model_call_duration_seconds_count', { model: 'default', outcome: 'error' }), 6);
  await kernel.stop();
});

test('a run that ends while queued releases the queued gauge; an end without a start is still counted', () => {
  const metrics = new PromMetrics();
  const exporter = new RunMetricsExporter(metrics);
  const at = (type: string, seq: number, data: unknown, runId = 'r1') => ({ v: 1, id: `${runId}:${seq}`, seq, runId, sessionId: 's', orgId: 'o', stream: 'lifecycle', type, ts: '2026-01-01T00:00:00.000Z', data }) as EventEnvelope;
  exporter.export([at('run.queued', 1, { agent: 'a' })]);
  assert.is(exporter.tracked, 1);
  exporter.export([at('run.cancelled', 2, { reason: 'no', usage: { inputTokens: 0, outputTokens: 0 } })]);
  exporter.export([at('run.failed', 1, { error: { code: 'X', message: 'x' }, usage: { inputTokens: 0, outputTokens: 0 } }, 'r2')]);
  // A mirrored copy (origin) is not counted again.
  exporter.export([{ ...at('run.started', 5, { agent: 'a' }, 'parent'), origin: { runId: 'r3', seq: 1 } }]);
  assert.is(exporter.tracked, 0);
  return metrics.exposition().then(({ text }) => {
    const families = parsePrometheusText(text);
    assert.is(total(families, 'agent_sdk_runs_queued'), 0);
    assert.is(total(families, 'agent_sdk_runs_finished_total', { agent: 'a', status: 'cancelled' }), 1);
    assert.is(total(families, 'agent_sdk_runs_finished_total', { agent: 'unknown', status: 'failed' }), 1);
    assert.is(total(families, 'agent_sdk_runs_started_total'), 0);
    assert.is(total(families, 'agent_sdk_run_duration_seconds_count'), 0, 'a run never started has no duration');
  });
});

test('quantiles from cumulative buckets, as Prometheus estimates them', () => {
  const buckets: [number, number][] = [[0.1, 50], [0.5, 90], [1, 100], [Infinity, 100]];
  assert.is(quantile(0.5, buckets), 0.1);
  assert.ok(Math.abs(quantile(0.7, buckets)! - 0.3) < 1e-12);
  assert.ok(Math.abs(quantile(0.95, buckets)! - 0.75) < 1e-12);
  assert.is(quantile(0.5, [[1, 0], [Infinity, 0]]), null);
  assert.is(quantile(0.99, [[1, 1], [Infinity, 10]]), 1, 'in +Inf: the last finite bound');
  const empty = summarize([], { startedAt: 0, now: 1000 });
  assert.equal([empty.runs.started, empty.runs.duration.p50Seconds, empty.models, empty.eventLog.meanBatchRows, empty.uptimeSeconds], [0, null, [], null, 1]);
});

test.run();
