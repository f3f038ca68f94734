// What events cannot express, recorded into ports.metrics by the components themselves: the model router
// (each attempt, by provider, model and outcome) and the SQL event log (append latency, batch sizes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_ORG, ports } from '../../../core/index.js';
import { openMikroOrmStorage, resolveStorageOptions, storagePlugin } from '../../../adapters/storage-mikro-orm/index.js';
import { metricsPlugin, PromMetrics } from '../../../plugins/metrics/index.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { parsePrometheusText, samplesOf, total } from './prometheus-text.js';

test('the router records every attempt: ok, error (then a retry) and cancelled, with time to first chunk', async () => {
  let calls = 0;
  const model = scripted(() => {
    calls++;
    if (calls === 1) return { error: { status: 503, message: 'busy' } };
    if (calls === 2) return { text: 'hello', delayMs: 15 };
    return { text: 'never', delayMs: 5_000 };
  });
  const kernel = await startTestKernel({
    plugins: [metricsPlugin],
    model,
    config: { metrics: { defaultMetrics: false }, models: { default: { provider: 'scripted', script: 'default', retry: { initialDelayMs: 1, maxDelayMs: 2 } } } },
  });
  const ok = await (await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' })).result();
  assert.is(ok.status, 'completed');
  const slow = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await slow.cancel('enough');
  assert.is((await slow.result()).status, 'cancelled');
  const families = parsePrometheusText((await kernel.get(ports.metrics).exposition()).text);
  const labels = { provider: 'scripted', model: 'default' };
  assert.is(total(families, 'agent_sdk_model_call_duration_seconds_count', { ...labels, outcome: 'error' }), 1);
  assert.is(total(families, 'agent_sdk_model_call_duration_seconds_count', { ...labels, outcome: 'ok' }), 1);
  assert.is(total(families, 'agent_sdk_model_call_duration_seconds_count', { ...labels, outcome: 'cancelled' }), 1);
  assert.ok(total(families, 'agent_sdk_model_call_duration_seconds_sum', { ...labels, outcome: 'ok' }) >= 0.015, 'the delay is in the duration');
  assert.is(total(families, 'agent_sdk_model_time_to_first_chunk_seconds_count', labels), 1, 'only the answer had a first chunk');
  await kernel.stop();
});

test('without ports.metrics the router records nothing and needs nothing', async () => {
  const kernel = await startTestKernel({ model: scripted(['fine']) });
  assert.is(kernel.tryGet(ports.metrics), undefined);
  assert.is((await (await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' })).result()).output, 'fine');
  await kernel.stop();
});

test('the SQL event log records each append latency and each batch size, by adapter', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-obs-log-'));
  const metrics = new PromMetrics();
  const storage = await openMikroOrmStorage({ ...resolveStorageOptions({}, { dataDir: dir, baseDir: dir, env: {} }), metrics });
  try {
    await storage.sessions.create(DEFAULT_ORG, { id: 's' });
    await storage.runs.create(DEFAULT_ORG, { id: 'r', sessionId: 's', input: 'x' });
    const ref = { runId: 'r', sessionId: 's' };
    // 10 appends in one turn coalesce into few batches; 3 awaited one by one are one batch each.
    await Promise.all(Array.from({ length: 10 }, (_, i) => storage.events.append(DEFAULT_ORG, ref, [{ type: 'assistant.delta', data: { text: `t${i}` } }])));
    for (let i = 0; i < 3; i++) await storage.events.append(DEFAULT_ORG, ref, [{ type: 'step.started', data: { step: i + 1 } }, { type: 'assistant.delta', data: { text: 'x' } }]);
    const families = parsePrometheusText((await metrics.exposition()).text);
    assert.is(total(families, 'agent_sdk_event_log_append_duration_seconds_count', { adapter: 'sqlite' }), 13);
    assert.ok(total(families, 'agent_sdk_event_log_append_duration_seconds_sum', { adapter: 'sqlite' }) > 0);
    assert.is(total(families, 'agent_sdk_event_log_batch_rows_sum', { adapter: 'sqlite' }), 16, 'every row counted once');
    assert.ok(total(families, 'agent_sdk_event_log_batch_rows_count', { adapter: 'sqlite' }) <= 6, 'the 10 concurrent appends coalesced');
    assert.equal(samplesOf(families, 'agent_sdk_event_log_append_duration_seconds_bucket', { adapter: 'sqlite', le: '+Inf' }).map((s) => s.value), [13]);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the storage plugin takes ports.metrics when a metrics plugin is enabled (no cycle, either order)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-obs-plugin-'));
  const kernel = await startTestKernel({ plugins: [storagePlugin, metricsPlugin], config: { kernel: { dataDir: dir }, metrics: { defaultMetrics: false } } });
  try {
    const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hello' });
    await run.result();
    const families = parsePrometheusText((await kernel.get(ports.metrics).exposition()).text);
    // The run's writer group-commits its events, so the count of appends varies; that there are any proves the wiring.
    assert.ok(total(families, 'agent_sdk_event_log_append_duration_seconds_count', { adapter: 'sqlite' }) >= 1);
    assert.ok(total(families, 'agent_sdk_event_log_batch_rows_sum', { adapter: 'sqlite' }) >= 4, 'every event of the run counted as a row');
  } finally {
    await kernel.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
