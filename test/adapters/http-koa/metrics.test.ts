// With a metrics port present (observability provides one), the server counts requests by route and status,
// times them, and reports the streams it serves when metrics are collected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, ports, type Gauge, type GaugeSpec, type MetricLabels, type MetricsPort } from '../../../core/index.js';
import { GatewayClient, gate, pacedModelPlugin, postJson, SseClient, startServer } from './helpers.js';

/** A metrics port that keeps what is recorded, for assertions. */
function recordingMetrics() {
  const counters = new Map<string, number>();
  const observations: { name: string; labels: MetricLabels; value: number }[] = [];
  const gauges: GaugeSpec[] = [];
  const key = (name: string, labels: MetricLabels = {}) => `${name}${JSON.stringify(labels)}`;
  const port: MetricsPort = {
    counter: (spec) => ({ inc: (labels, value = 1) => counters.set(key(spec.name, labels), (counters.get(key(spec.name, labels)) ?? 0) + value) }),
    gauge: (spec) => {
      gauges.push(spec);
      return { set() {}, inc() {}, dec() {} };
    },
    histogram: (spec) => ({ observe: (value, labels = {}) => observations.push({ name: spec.name, labels, value }) }),
    collect: async () => [],
    exposition: async () => ({ contentType: 'text/plain', text: '' }),
  };
  /** Reads the collect-gauges now, as a scrape would. */
  const read = () => {
    const values: Record<string, number> = {};
    for (const spec of gauges) spec.collect?.({ set: (value: number, labels?: MetricLabels) => (values[key(spec.name, labels)] = value) } as Pick<Gauge, 'set'>);
    return values;
  };
  return { port, counters, observations, read };
}

test('requests are counted by route template and status; open streams are read at collection', async () => {
  const metrics = recordingMetrics();
  const provider = definePlugin({ id: 'test-metrics', version: '1.0.0', provides: [ports.metrics], init: ({ provide }) => provide(ports.metrics, metrics.port) });
  const open = gate('metrics-hold');
  const server = await startServer({
    plugins: [provider, pacedModelPlugin],
    config: { models: { default: { provider: 'paced', deltas: 3, gate: 'metrics-hold' } } },
  });
  try {
    await fetch(`${server.base}/health`);
    await fetch(`${server.base}/run/run_missing`);
    await fetch(`${server.base}/nowhere`);
    const run = await (await postJson(server.base, '/run', { preset: 'plain', input: 'x' })).json();
    const sse = await SseClient.open(server.base + run.links.events);
    const { client } = await GatewayClient.open(server.base);
    await client.request('run.subscribe', { runId: run.runId });
    await sse.until((events) => events.some((e) => e.id !== undefined));
    assert.equal(metrics.read(), {
      'agent_sdk_stream_subscribers{"transport":"sse"}': 1,
      'agent_sdk_stream_subscribers{"transport":"ws"}': 1,
      'agent_sdk_ws_connections{}': 1,
    });
    open.open();
    await sse.done();
    client.close();
    assert.is(metrics.counters.get('agent_sdk_http_requests_total{"method":"GET","route":"/health","status":"200"}'), 1);
    assert.is(metrics.counters.get('agent_sdk_http_requests_total{"method":"GET","route":"/run/:id","status":"404"}'), 1);
    assert.is(metrics.counters.get('agent_sdk_http_requests_total{"method":"GET","route":"unmatched","status":"404"}'), 1);
    assert.is(metrics.counters.get('agent_sdk_http_requests_total{"method":"POST","route":"/run","status":"202"}'), 1);
    assert.is(metrics.counters.get('agent_sdk_http_requests_total{"method":"GET","route":"/run/:id/events","status":"200"}'), 1);
    const durations = metrics.observations.filter((o) => o.name === 'agent_sdk_http_request_duration_seconds');
    assert.is(durations.length, 5);
    assert.ok(durations.every((o) => o.value >= 0 && o.value < 10));
    await client.closed();
    assert.is(metrics.read()['agent_sdk_ws_connections{}'], 0);
  } finally {
    open.open();
    await server.stop();
  }
});

test.run();
