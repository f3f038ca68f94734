// npm run bench:observability — what each exporter costs per envelope, in CPU (user + system, worker threads
// included): run metrics derived from envelopes (prom-client), the JSONL run-log file, and OpenTelemetry spans
// (built and batched; the span exporter discards them, so no network is measured). The input is the runtime
// benchmark's tool-loop run (14 envelopes in 13 batches), 50,000 runs.
// Targets, in CPU per envelope (a run of the server benchmark costs ~1-2 ms of CPU): run metrics and the JSONL
// file <= 2 µs each (they are in the batteries); OpenTelemetry <= 5 µs (opt-in and sampled; the SDK itself
// costs a few µs per span, and the tool-loop run makes 9 spans).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { EventEnvelope, EventExporter } from '../core/index.js';
import { PromMetrics } from '../plugins/metrics/index.js';
import { JsonlFileExporter, RunMetricsExporter } from '../plugins/observability/index.js';
import { OtelTraceExporter } from '../plugins/otel/index.js';

const RUNS = Number(process.env.BENCH_RUNS) || 50_000;

/** The tool-loop run of bench/runtime.ts as its log has it, batch by batch. */
function toolLoopRun(i: number): EventEnvelope[][] {
  const runId = `run_${i}`;
  const ts = new Date(Date.UTC(2026, 0, 1) + i).toISOString();
  let seq = 0;
  const e = (type: string, stream: string, data: unknown) => ({ v: 1, id: `${runId}:${++seq}`, seq, runId, sessionId: `ses_${i}`, orgId: 'default', stream, type, ts, data }) as EventEnvelope;
  const usage = { inputTokens: 20, outputTokens: 8 };
  const step = (n: number) => [
    [e('step.started', 'lifecycle', { step: n })],
    [e('tool.call', 'tool', { callId: `c${n}`, name: 'bench.add', version: '1.0.0', args: { a: n, b: 1 } })],
    [e('tool.result', 'tool', { callId: `c${n}`, result: { sum: n + 1 }, durationMs: 0.1 })],
    [e('step.completed', 'lifecycle', { step: n, usage, model: 'default' })],
  ];
  return [
    [e('run.started', 'lifecycle', { agent: 'agent' })],
    ...step(1),
    ...step(2),
    [e('step.started', 'lifecycle', { step: 3 })],
    [e('assistant.delta', 'assistant', { text: 'The sum is 2.' })],
    [e('assistant.message', 'assistant', { text: 'The sum is 2.' }), e('step.completed', 'lifecycle', { step: 3, usage: { inputTokens: 30, outputTokens: 5 }, model: 'default' })],
    [e('run.completed', 'lifecycle', { output: 'The sum is 2.', usage: { inputTokens: 70, outputTokens: 21 } })],
  ];
}

const runs = Array.from({ length: RUNS }, (_, i) => toolLoopRun(i));
const envelopes = runs.reduce((n, run) => n + run.flat().length, 0);

/** CPU per envelope of `exporter`, after a warm-up, including its flush (the writes it buffered). */
async function measure(exporter: EventExporter): Promise<number> {
  for (const run of runs.slice(0, 2_000)) for (const batch of run) exporter.export(batch);
  await exporter.flush?.();
  const cpu = process.cpuUsage();
  for (const run of runs) for (const batch of run) exporter.export(batch);
  await exporter.flush?.();
  const used = process.cpuUsage(cpu);
  await exporter.shutdown?.();
  return (used.user + used.system) / envelopes;
}

const discard: SpanExporter = { export: (_spans: ReadableSpan[], done) => done({ code: 0 }), shutdown: async () => undefined };
const dir = mkdtempSync(join(tmpdir(), 'asdk-bench-obs-'));
const results: { figure: string; us: number; target: number }[] = [];
try {
  results.push({ figure: 'run metrics (prom-client)', us: await measure(new RunMetricsExporter(new PromMetrics())), target: 2 });
  results.push({ figure: 'JSONL run-log file', us: await measure(await JsonlFileExporter.open({ dir, maxFileBytes: 64 << 20, maxTotalBytes: 1 << 30 })), target: 2 });
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard, { maxQueueSize: 1 << 20, scheduledDelayMillis: 200 })] });
  results.push({ figure: 'OpenTelemetry spans (built and batched)', us: await measure(new OtelTraceExporter({ provider })), target: 5 });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const perRun = envelopes / RUNS;
const lines = results.map((r) => `| ${r.figure} | ${r.us.toFixed(2)} µs | ${((r.us * perRun) / 1000).toFixed(3)} ms | <= ${r.target} µs ${r.us <= r.target ? 'ok' : 'MISSED'} |`);
process.stdout.write(
  [
    `bench:observability — ${RUNS.toLocaleString('en-US')} tool-loop runs (${envelopes.toLocaleString('en-US')} envelopes), Node ${process.version}`,
    '',
    `| exporter | CPU per envelope | per run (${perRun} envelopes) | target |`,
    '|---|---:|---:|---|',
    ...lines,
    '',
  ].join('\n'),
);
const ok = results.every((r) => r.us <= r.target);
process.stdout.write(ok ? 'targets met\n' : 'TARGETS MISSED\n');
if (process.argv.includes('--json')) {
  for (const r of results) {
    process.stdout.write(`BENCH_JSON ${JSON.stringify({ bench: 'observability', figure: `${r.figure}: CPU per envelope`, value: Math.round(r.us * 100) / 100, unit: 'µs', target: `<= ${r.target} µs`, ok: r.us <= r.target })}\n`);
  }
}
process.exitCode = ok ? 0 : 1;
