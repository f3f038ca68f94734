// End to end: the server on SQLite with the observability plugins; after a few runs (tool calls, a failing tool,
// a nested run), GET /metrics parses as Prometheus text with every series non-zero, GET /stats agrees, and the
// JSONL run logs hold exactly the envelopes storage holds.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { contribution, DEFAULT_ORG, definePlugin, defineTool, extensionPoints, ports, type EventEnvelope, type Kernel, type ModelRequest } from '../../../core/index.js';
import { serverPlugin } from '../../../adapters/http-koa/index.js';
import { storagePlugin } from '../../../adapters/storage-mikro-orm/index.js';
import { metricsPlugin } from '../../../plugins/metrics/index.js';
import { jsonlFilePlugin, observabilityPlugin, readRunLog, StatsSchema, type Stats } from '../../../plugins/observability/index.js';
import { scripted, startTestKernel, type ScriptStep } from '../../../testing.js';
import { testToolsPlugin } from '../../helpers/tools.js';
import { parsePrometheusText, total } from './prometheus-text.js';

let release!: () => void;
const gate = new Promise<void>((resolve) => (release = resolve));
const waitTool = defineTool({
  name: 'test.wait',
  version: '1.0.0',
  description: 'Waits until the test releases it',
  input: Type.Object({}),
  output: Type.Object({ waited: Type.Boolean() }),
  async execute() {
    await gate;
    return { waited: true };
  },
});

const last = (request: ModelRequest) => request.messages.at(-1)!;
const model = scripted((request): ScriptStep => {
  switch (request.messages[0].content) {
    case 'BOSS':
      return last(request).role === 'user'
        ? {
            toolCalls: [
              { name: 'test.add', args: { a: 1, b: 2 }, callId: 'add' },
              { name: 'test.fail', args: { how: 'failure' }, callId: 'fail' },
              { name: 'agent.helper', args: { task: 'help' }, callId: 'delegate' },
            ],
            usage: { inputTokens: 10, outputTokens: 5 },
            delayMs: 3,
          }
        : { text: 'All done.', usage: { inputTokens: 20, outputTokens: 3 }, delayMs: 3 };
    case 'HELPER':
      return { text: 'Helped.', usage: { inputTokens: 2, outputTokens: 1 }, delayMs: 3 };
    default:
      return last(request).role === 'user' ? { toolCalls: [{ name: 'test.wait', args: {}, callId: 'wait' }] } : { text: 'Waited.' };
  }
});
const boss = { name: 'boss', instructions: 'BOSS', tools: ['test.add', 'test.fail'], agents: { helper: { description: 'Helps', instructions: 'HELPER' } } };

let dir: string;
let kernel: Kernel;
let base: string;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'asdk-obs-e2e-'));
  kernel = await startTestKernel({
    plugins: [
      storagePlugin,
      serverPlugin,
      metricsPlugin,
      observabilityPlugin,
      jsonlFilePlugin,
      testToolsPlugin,
      definePlugin({ id: 'wait-tool', version: '1.0.0', contributes: [contribution(extensionPoints.tools, waitTool)] }),
    ],
    model,
    config: { kernel: { dataDir: dir }, server: { port: 0, validateResponses: true }, metrics: { defaultMetrics: true } },
  });
  base = kernel.get(ports.transport).find((t) => t.name === 'http')!.address()!;
});

test.after(async () => {
  await kernel?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startRun(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${base}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.is(response.status, 202, await response.clone().text());
  return ((await response.json()) as { runId: string }).runId;
}

/** Reads a run's SSE stream until `until` holds for an envelope (the stream stays open); returns a reader to finish it. */
async function follow(runId: string, until: (e: EventEnvelope) => boolean) {
  const response = await fetch(`${base}/run/${runId}/events`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const envelopes = () => [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]) as EventEnvelope);
  while (!envelopes().some(until)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return {
    async end(): Promise<EventEnvelope[]> {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return envelopes();
        text += decoder.decode(value, { stream: true });
      }
    },
  };
}

async function scrape() {
  const response = await fetch(`${base}/metrics`);
  assert.is(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', 'text/plain');
  return parsePrometheusText(await response.text());
}

const rootRuns: string[] = [];

test('while a run is in flight, /metrics shows it active (and its SSE subscriber)', async () => {
  const runId = await startRun({ agent: { instructions: 'WAITER', tools: ['test.wait'] }, input: 'wait' });
  rootRuns.push(runId);
  const stream = await follow(runId, (e) => e.type === 'tool.call');
  const during = await scrape();
  assert.is(total(during, 'agent_sdk_runs_active'), 1);
  assert.is(total(during, 'agent_sdk_runs_started_total'), 1);
  assert.is(total(during, 'agent_sdk_runs_finished_total'), 0);
  // The server's own gauges (it takes ports.metrics too): this test's SSE stream is open.
  assert.is(total(during, 'agent_sdk_stream_subscribers', { transport: 'sse' }), 1);
  assert.is(total(during, 'agent_sdk_stream_subscribers', { transport: 'ws' }), 0);
  const stats = (await (await fetch(`${base}/stats`)).json()) as Stats;
  assert.equal([stats.runs.active, stats.streams.sse], [1, 1]);
  release();
  const events = await stream.end();
  assert.is(events.at(-1)!.type, 'run.completed');
});

test('after a few runs, every series of docs/observability.md is there with non-zero values', async () => {
  for (let i = 0; i < 3; i++) rootRuns.push(await startRun({ agent: boss, input: `go ${i}` }));
  for (const runId of rootRuns.slice(1)) await (await follow(runId, (e) => e.type === 'run.completed')).end();
  const families = await scrape();
  const nonZero = (name: string, labels: Record<string, string> = {}) => assert.ok(total(families, name, labels) > 0, `${name} ${JSON.stringify(labels)} is ${total(families, name, labels)}`);

  // 4 root runs + 3 nested runs, all completed.
  assert.is(total(families, 'agent_sdk_runs_started_total'), 7);
  assert.is(total(families, 'agent_sdk_runs_finished_total', { status: 'completed' }), 7);
  assert.is(total(families, 'agent_sdk_runs_finished_total', { agent: 'helper', status: 'completed' }), 3);
  assert.is(total(families, 'agent_sdk_runs_active'), 0);
  assert.is(total(families, 'agent_sdk_run_duration_seconds_count', { status: 'completed' }), 7);
  nonZero('agent_sdk_run_duration_seconds_sum');
  // Steps: boss 2 each, helper 1 each, waiter 2.
  assert.is(total(families, 'agent_sdk_step_duration_seconds_count', { model: 'default' }), 3 * 2 + 3 + 2);
  nonZero('agent_sdk_step_duration_seconds_sum');
  // Tokens by model and org, from step.completed: boss (10+20 in, 5+3 out) and helper (2 in, 1 out), three times.
  assert.is(total(families, 'agent_sdk_tokens_total', { model: 'default', org: 'default', type: 'input' }), 3 * 32);
  assert.is(total(families, 'agent_sdk_tokens_total', { model: 'default', org: 'default', type: 'output' }), 3 * 9);
  // Tools by tool; the failing one also as an error with its code.
  assert.is(total(families, 'agent_sdk_tool_calls_total', { tool: 'test.add' }), 3);
  assert.is(total(families, 'agent_sdk_tool_calls_total', { tool: 'agent.helper' }), 3);
  assert.is(total(families, 'agent_sdk_tool_calls_total', { tool: 'test.wait' }), 1);
  assert.is(total(families, 'agent_sdk_tool_errors_total', { tool: 'test.fail', code: 'TEST_NOPE' }), 3);
  assert.is(total(families, 'agent_sdk_tool_errors_total', { tool: 'test.add' }), 0);
  assert.is(total(families, 'agent_sdk_tool_duration_seconds_count', { tool: 'test.add', outcome: 'ok' }), 3);
  // Model calls by provider and model (recorded by the router), event-log appends (by the SQL event log).
  assert.is(total(families, 'agent_sdk_model_call_duration_seconds_count', { provider: 'scripted', model: 'default', outcome: 'ok' }), 11);
  nonZero('agent_sdk_model_call_duration_seconds_sum', { provider: 'scripted', model: 'default' });
  nonZero('agent_sdk_event_log_append_duration_seconds_count', { adapter: 'sqlite' });
  nonZero('agent_sdk_event_log_append_duration_seconds_sum', { adapter: 'sqlite' });
  nonZero('agent_sdk_events_total', { type: 'tool.call' });
  assert.is(total(families, 'agent_sdk_stream_subscribers', { transport: 'sse' }), 0, 'the streams have ended');
  nonZero('agent_sdk_http_requests_total', { method: 'POST', route: '/run', status: '202' });
  assert.is(total(families, 'agent_sdk_model_info', { model: 'default', provider: 'scripted' }), 1);
  nonZero('process_resident_memory_bytes');
  // Every family has its HELP and TYPE.
  for (const family of families.values()) {
    assert.ok(family.help, `${family.name} has no HELP`);
    assert.is.not(family.type, 'untyped', `${family.name} has no TYPE`);
  }
});

test('GET /stats summarises the same figures, in its documented shape', async () => {
  const response = await fetch(`${base}/stats`);
  assert.is(response.status, 200);
  const stats = (await response.json()) as Stats;
  assert.ok(Compile(StatsSchema).Check(stats), JSON.stringify([...Compile(StatsSchema).Errors(stats)].slice(0, 3)));
  assert.equal(stats.runs, { ...stats.runs, started: 7, completed: 7, failed: 0, cancelled: 0, active: 0, queued: 0 });
  assert.is(stats.runs.duration.count, 7);
  assert.ok(stats.runs.duration.p50Seconds! >= 0 && stats.runs.duration.p95Seconds! >= stats.runs.duration.p50Seconds!);
  assert.equal(stats.tokens, { input: 96, output: 27, costUsd: 0 });
  const modelRow = stats.models.find((m) => m.model === 'default')!;
  assert.equal([modelRow.provider, modelRow.calls, modelRow.errors, modelRow.inputTokens], ['scripted', 11, 0, 96]);
  assert.equal(stats.tools.find((t) => t.tool === 'test.fail'), { ...stats.tools.find((t) => t.tool === 'test.fail')!, calls: 3, errors: 3 });
  assert.ok(stats.eventLog.appends.count > 0);
  assert.ok(stats.eventLog.meanBatchRows! >= 1);
  assert.ok(stats.process.rssBytes > 0);
  // Documented in /openapi.json.
  const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  assert.ok(openapi.paths['/metrics'] && openapi.paths['/stats']);
});

test('the JSONL run logs hold every envelope of those runs, exactly as storage holds them', async () => {
  const exporter = kernel.contributions(extensionPoints.exporters).find((c) => c.item.name === 'jsonl-file')!.item;
  await exporter.flush!();
  const storage = kernel.get(ports.storage);
  const runIds = [...rootRuns];
  for (const runId of rootRuns) {
    for (const e of await storage.events.read(DEFAULT_ORG, runId)) {
      if (e.type === 'tool.result' && (e.data as { callId: string }).callId === 'delegate') runIds.push((e.data as { result: { runId: string } }).result.runId);
    }
  }
  assert.is(runIds.length, 7);
  const logged = new Map<string, EventEnvelope[]>();
  for await (const envelope of readRunLog(join(dir, 'logs'))) logged.set(envelope.runId, [...(logged.get(envelope.runId) ?? []), envelope]);
  assert.equal([...logged.keys()].sort(), [...runIds].sort(), 'the logs hold these runs and no other');
  let count = 0;
  for (const runId of runIds) {
    const stored = JSON.parse(JSON.stringify(await storage.events.read(DEFAULT_ORG, runId)));
    assert.equal(logged.get(runId), stored, `run ${runId}`);
    count += stored.length;
  }
  assert.ok(count > 50);
  assert.equal(readdirSync(join(dir, 'logs')), [`events-${new Date().toISOString().slice(0, 10)}.jsonl`]);
});

test('/metrics and /stats need the API key when the server has keys, unless observability.auth is public', async () => {
  const key = 'asdk_observability_0123456789';
  const guarded = await startTestKernel({ plugins: [serverPlugin, metricsPlugin, observabilityPlugin], config: { server: { port: 0, apiKeys: [key] }, metrics: { defaultMetrics: false } } });
  const open = await startTestKernel({
    plugins: [serverPlugin, metricsPlugin, observabilityPlugin],
    config: { server: { port: 0, apiKeys: [key] }, metrics: { defaultMetrics: false }, observability: { auth: 'public' } },
  });
  try {
    const at = (k: Kernel) => k.get(ports.transport).find((t) => t.name === 'http')!.address()!;
    assert.is((await fetch(`${at(guarded)}/metrics`)).status, 401);
    assert.is((await fetch(`${at(guarded)}/stats`)).status, 401);
    const scraped = await fetch(`${at(guarded)}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    assert.is(scraped.status, 200);
    assert.ok(parsePrometheusText(await scraped.text()).has('agent_sdk_runs_active'));
    assert.is((await fetch(`${at(open)}/metrics`)).status, 200);
    assert.is((await fetch(`${at(open)}/stats`)).status, 200);
    assert.is((await fetch(`${at(open)}/sessions`)).status, 401, 'only the observability routes are public');
  } finally {
    await guarded.stop();
    await open.stop();
  }
});

test.run();
