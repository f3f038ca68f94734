// ports.metrics on prom-client: instruments, labels, collection, exposition (checked with a strict parser).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { noopMetrics, ports } from '../../../core/index.js';
import { metricsPlugin, PromMetrics } from '../../../plugins/metrics/index.js';
import { kernelWith, rejection } from '../../helpers/kernel.js';
import { parsePrometheusText, samplesOf, total } from './prometheus-text.js';

test('counters, gauges and histograms with labels come out as valid Prometheus text with their values', async () => {
  const metrics = new PromMetrics();
  const calls = metrics.counter({ name: 'demo_calls_total', help: 'Calls', labelNames: ['tool'] });
  calls.inc({ tool: 'calc' });
  calls.inc({ tool: 'calc' }, 2);
  calls.inc({ tool: 'time' });
  const open = metrics.gauge({ name: 'demo_open', help: 'Open things' });
  open.inc();
  open.inc();
  open.dec();
  const latency = metrics.histogram({ name: 'demo_seconds', help: 'Latency', labelNames: ['model'], buckets: [0.1, 1] });
  latency.observe(0.05, { model: 'a' });
  latency.observe(0.5, { model: 'a' });
  latency.observe(5, { model: 'a' });
  const { contentType, text } = await metrics.exposition();
  assert.match(contentType, 'text/plain');
  const families = parsePrometheusText(text);
  assert.is(families.get('demo_calls_total')!.type, 'counter');
  assert.is(families.get('demo_calls_total')!.help, 'Calls');
  assert.is(total(families, 'demo_calls_total', { tool: 'calc' }), 3);
  assert.is(total(families, 'demo_calls_total', { tool: 'time' }), 1);
  assert.is(total(families, 'demo_open'), 1);
  assert.is(families.get('demo_seconds')!.type, 'histogram');
  assert.equal(samplesOf(families, 'demo_seconds_bucket', { model: 'a' }).map((s) => [s.labels.le, s.value]), [['0.1', 1], ['1', 2], ['+Inf', 3]]);
  assert.is(total(families, 'demo_seconds_count', { model: 'a' }), 3);
  assert.is(total(families, 'demo_seconds_sum', { model: 'a' }), 5.55);
});

test('label values with quotes, backslashes and newlines survive the round trip', async () => {
  const metrics = new PromMetrics();
  const value = 'say "hi"\\ \nthere';
  metrics.counter({ name: 'demo_odd_total', help: 'Odd labels', labelNames: ['v'] }).inc({ v: value });
  const families = parsePrometheusText((await metrics.exposition()).text);
  assert.is(samplesOf(families, 'demo_odd_total')[0].labels.v, value);
});

test('the parser refuses what Prometheus refuses (so the exposition checks above mean something)', () => {
  const bad: [string, string][] = [
    ['no newline', '# TYPE a counter\na 1'],
    ['not contiguous', 'a 1\nb 1\na{x="1"} 2\n'],
    ['duplicate series', 'a{x="1"} 1\na{x="1"} 2\n'],
    ['type after samples', 'a 1\n# TYPE a counter\n'],
    ['bad escape', 'a{x="\\t"} 1\n'],
    ['bad value', 'a one\n'],
    ['unterminated label', 'a{x="1} 1\n'],
    ['buckets not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'],
    ['+Inf differs from count', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n'],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
  ];
  for (const [what, text] of bad) assert.throws(() => parsePrometheusText(text), undefined, what);
  const good = parsePrometheusText('# HELP a A thing\\nwith a newline\n# TYPE a gauge\na{x="1",} 1.5e3 1700000000000\nb NaN\nc +Inf\n');
  assert.is(good.get('a')!.samples[0].value, 1500);
  assert.is(good.get('a')!.help, 'A thing\nwith a newline');
});

test('declaring a metric again returns the same instrument; another shape under the name is refused', () => {
  const metrics = new PromMetrics();
  const first = metrics.counter({ name: 'demo_total', help: 'x', labelNames: ['a', 'b'] });
  assert.is(metrics.counter({ name: 'demo_total', help: 'x', labelNames: ['b', 'a'] }), first);
  const asGauge = assert.throws;
  asGauge(() => metrics.gauge({ name: 'demo_total', help: 'x', labelNames: ['a', 'b'] }), /ASDK_METRIC_CONFLICT|declared twice/);
  assert.throws(() => metrics.counter({ name: 'demo_total', help: 'x', labelNames: ['a'] }), /declared twice/);
  assert.throws(() => metrics.counter({ name: 'demo-total', help: 'x' }), /not a Prometheus metric name/);
  assert.throws(() => metrics.counter({ name: 'demo2_total', help: 'x', labelNames: ['__x'] }), /not allowed/);
  assert.throws(() => metrics.histogram({ name: 'demo_h', help: 'x', labelNames: ['le'] }), /not allowed/);
  assert.throws(() => metrics.histogram({ name: 'demo_h2', help: 'x', buckets: [1, 0.5] }), /ascending/);
  assert.throws(() => metrics.counter({ name: 'demo3_total', help: '' }), /help/);
});

test('a gauge with collect is read at every scrape, and series it stops reporting disappear', async () => {
  const metrics = new PromMetrics();
  let streams: Record<string, number> = { sse: 3, ws: 1 };
  metrics.gauge({ name: 'demo_streams', help: 'Open streams', labelNames: ['transport'], collect: (gauge) => Object.entries(streams).forEach(([t, n]) => gauge.set(n, { transport: t })) });
  let families = parsePrometheusText((await metrics.exposition()).text);
  assert.is(total(families, 'demo_streams', { transport: 'sse' }), 3);
  streams = { sse: 5 };
  families = parsePrometheusText((await metrics.exposition()).text);
  assert.is(total(families, 'demo_streams', { transport: 'sse' }), 5);
  assert.equal(samplesOf(families, 'demo_streams', { transport: 'ws' }), []);
});

test('collect() gives the same values as data; two instances share nothing', async () => {
  const a = new PromMetrics();
  const b = new PromMetrics();
  a.counter({ name: 'demo_total', help: 'x' }).inc(undefined, 4);
  b.counter({ name: 'demo_total', help: 'x' }).inc();
  a.histogram({ name: 'demo_seconds', help: 'x', buckets: [1] }).observe(0.5);
  const families = await a.collect();
  assert.equal(families.find((f) => f.name === 'demo_total'), { name: 'demo_total', help: 'x', type: 'counter', samples: [{ name: 'demo_total', labels: {}, value: 4 }] });
  const histogram = families.find((f) => f.name === 'demo_seconds')!;
  assert.is(histogram.type, 'histogram');
  assert.equal(histogram.samples.find((s) => s.name === 'demo_seconds_count')?.value, 1);
  assert.equal((await b.collect()).find((f) => f.name === 'demo_total')!.samples[0].value, 1);
});

test('the metrics plugin provides ports.metrics with process metrics and default labels, per kernel', async () => {
  const kernel = await kernelWith([metricsPlugin], { metrics: { defaultLabels: { service: 'agents' } } }).start();
  const metrics = kernel.get(ports.metrics);
  metrics.counter({ name: 'demo_total', help: 'x' }).inc();
  const families = parsePrometheusText((await metrics.exposition()).text);
  assert.is(samplesOf(families, 'demo_total')[0].labels.service, 'agents');
  assert.ok(families.has('process_cpu_user_seconds_total'), 'process metrics');
  assert.ok(families.has('nodejs_eventloop_lag_seconds'));
  const quiet = await kernelWith([metricsPlugin], { metrics: { defaultMetrics: false } }).start();
  const text = (await quiet.get(ports.metrics).exposition()).text;
  assert.not.match(text, 'process_cpu');
  assert.not.match(text, 'demo_total', 'two kernels share no registry');
  await kernel.stop();
  await quiet.stop();
  const invalid = await rejection(kernelWith([metricsPlugin], { metrics: { defaultLabels: { 'bad-label': 'x' } } }).start());
  assert.match(invalid.message, 'default label "bad-label" is not a label name');
});

test('noopMetrics records nothing and never throws', async () => {
  noopMetrics.counter({ name: 'x', help: 'x' }).inc();
  noopMetrics.gauge({ name: 'x', help: 'x' }).set(1);
  noopMetrics.histogram({ name: 'x', help: 'x' }).observe(1);
  assert.equal(await noopMetrics.collect(), []);
  assert.is((await noopMetrics.exposition()).text, '');
});

test.run();
