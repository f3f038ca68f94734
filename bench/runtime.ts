// npm run bench:runtime — the agent loop on the tool-loop workload: 3 model steps, 2 tool calls, an instant
// scripted model, envelopes emitted into in-memory storage (no persistence). Beside it, in the same process,
// a bare loop doing the same work with no events, no storage and no limits: the floor of what a loop costs.
// Targets: >= 10,000 sequential runs/s; <= 8 KB of live heap per in-flight run. Needs --expose-gc.
import { Type } from 'typebox';
import {
  contribution,
  definePlugin,
  defineTool,
  extensionPoints,
  ports,
  type ChatMessage,
  type Kernel,
  type ModelRequest,
  type ToolCallRequest,
} from '../core/index.js';
import { createMemoryStorage, scripted, startTestKernel, type MemoryStorage, type ScriptStep } from '../testing.js';

const SEQUENTIAL = Number(process.env.BENCH_RUNS) || 20_000;
const CONCURRENCY = 200;
const IN_FLIGHT = 2_000;
const STREAM_EVENTS = 100_000;

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('Run with --expose-gc: npm run bench:runtime\n');
  process.exit(1);
}
const gc = globalThis.gc as () => void;

// ---- the workload ------------------------------------------------------------------------------------------

let gate: Promise<void> | undefined;
const addTool = defineTool({
  name: 'bench.add',
  version: '1.0.0',
  description: 'Adds two numbers',
  input: Type.Object({ a: Type.Number(), b: Type.Number() }, { additionalProperties: false }),
  output: Type.Object({ sum: Type.Number() }),
  async execute({ a, b }) {
    if (gate) await gate;
    return { sum: a + b };
  },
});

/** Step 1 and 2 ask for a tool call, step 3 answers: decided from the request, so any number of runs interleave. */
function toolLoopStep(request: ModelRequest): ScriptStep {
  let results = 0;
  for (const message of request.messages) if (message.role === 'tool') results++;
  if (results < 2) return { toolCalls: [{ name: 'bench.add', args: { a: results, b: 1 }, callId: `c${results}` }], usage: { inputTokens: 20, outputTokens: 8 } };
  return { text: 'The sum is 2.', usage: { inputTokens: 30, outputTokens: 5 } };
}

const agent = { instructions: 'Add numbers.', tools: ['bench.add'] };

async function sdkKernel(storage: MemoryStorage): Promise<Kernel> {
  const tools = definePlugin({ id: 'bench-tools', version: '1.0.0', contributes: [contribution(extensionPoints.tools, addTool)] });
  const memory = definePlugin({ id: 'bench-storage', version: '1.0.0', provides: [ports.storage], init: ({ provide }) => provide(ports.storage, storage) });
  return startTestKernel({ plugins: [tools, memory], model: scripted(toolLoopStep, { record: false }) });
}

async function sdkRun(kernel: Kernel): Promise<void> {
  const run = await kernel.runs.start({ agent, input: 'Add 0 and 1, then 1 and 1.' });
  const result = await run.result();
  if (result.status !== 'completed') throw new Error(`run ${result.status}: ${JSON.stringify(result.error)}`);
}

/** The same work with nothing around it: the model stream, the tool, the messages. */
const bareModel = scripted(toolLoopStep, { record: false });
async function bareRun(): Promise<void> {
  const messages: ChatMessage[] = [{ role: 'system', content: agent.instructions }, { role: 'user', content: 'Add 0 and 1, then 1 and 1.' }];
  for (let step = 0; step < 8; step++) {
    const calls: ToolCallRequest[] = [];
    let text = '';
    for await (const event of bareModel.stream({ messages })) {
      if (event.type === 'text') text += event.text;
      else if (event.type === 'tool_call') calls.push(event.call);
    }
    if (!calls.length) {
      messages.push({ role: 'assistant', content: text });
      return;
    }
    messages.push({ role: 'assistant', content: text, toolCalls: calls });
    for (const call of calls) {
      const result = await addTool.execute(call.args as { a: number; b: number }, undefined as never);
      messages.push({ role: 'tool', callId: call.callId, name: call.name, content: JSON.stringify(result) });
    }
  }
}

// ---- measurements ------------------------------------------------------------------------------------------

async function sequential(run: () => Promise<void>, count: number): Promise<number> {
  for (let i = 0; i < Math.min(2_000, count); i++) await run(); // warm up
  gc();
  const started = performance.now();
  for (let i = 0; i < count; i++) await run();
  return count / ((performance.now() - started) / 1000);
}

/** `count` runs with `width` always in flight. */
async function concurrent(run: () => Promise<void>, count: number, width: number): Promise<number> {
  gc();
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: width }, async () => {
    while (next++ < count) await run();
  }));
  return count / ((performance.now() - started) / 1000);
}

/** Live heap per run with `count` runs parked in their first tool call, after a full GC. */
async function heapPerRun(start: () => Promise<void>, count: number, reset: () => void): Promise<number> {
  reset();
  gc();
  await tick();
  gc();
  const before = process.memoryUsage().heapUsed;
  let release!: () => void;
  gate = new Promise<void>((resolve) => (release = resolve));
  let parked = 0;
  const runs: Promise<void>[] = [];
  for (let i = 0; i < count; i++) runs.push(start().finally(() => parked--));
  parked = count;
  for (let i = 0; i < 20; i++) await tick(); // let every run reach the tool
  gc();
  await tick();
  gc();
  const during = process.memoryUsage().heapUsed;
  release();
  await Promise.all(runs);
  gate = undefined;
  void parked;
  return (during - before) / count;
}

/** Envelopes delivered to a reader of `run.events()` per second, live, one run streaming `count` deltas. */
async function consumption(kernel: Kernel, count: number): Promise<{ perSecond: number; events: number }> {
  const text = Array.from({ length: count }, (_, i) => `t${i} `);
  const streamer = await startTestKernel({ model: scripted([{ text }], { record: false }) });
  void kernel;
  gc();
  const started = performance.now();
  const run = await streamer.runs.start({ agent: { instructions: 'x' }, input: 'stream' });
  let events = 0;
  for await (const _ of run.events()) events++;
  const perSecond = events / ((performance.now() - started) / 1000);
  await streamer.stop();
  return { perSecond, events };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

// ---- the report --------------------------------------------------------------------------------------------

const storage = createMemoryStorage();
const kernel = await sdkKernel(storage);
const probe = await kernel.runs.start({ agent, input: 'probe' });
let eventsPerRun = 0;
for await (const _ of probe.events()) eventsPerRun++;

const rows: [string, string, string, string][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const bareSeq = await sequential(bareRun, SEQUENTIAL);
storage.clear();
const sdkSeq = await sequential(() => sdkRun(kernel), SEQUENTIAL);
rows.push(['sequential runs/s', fmt(bareSeq), fmt(sdkSeq), '>= 10,000']);
storage.clear();

const bareConc = await concurrent(bareRun, SEQUENTIAL, CONCURRENCY);
storage.clear();
const sdkConc = await concurrent(() => sdkRun(kernel), SEQUENTIAL, CONCURRENCY);
rows.push([`${CONCURRENCY} concurrent, runs/s`, fmt(bareConc), fmt(sdkConc), '']);

const bareHeap = await heapPerRun(bareRun, IN_FLIGHT, () => undefined);
const sdkHeap = await heapPerRun(() => sdkRun(kernel), IN_FLIGHT, () => storage.clear());
rows.push([`live heap per in-flight run (${fmt(IN_FLIGHT)} parked)`, `${(bareHeap / 1024).toFixed(1)} KB`, `${(sdkHeap / 1024).toFixed(1)} KB`, '<= 8 KB']);

const streamed = await consumption(kernel, STREAM_EVENTS);
rows.push(['streamed events consumed/s (one run, live)', '—', fmt(streamed.perSecond), '']);
rows.push(['envelopes per tool-loop run', '0', String(eventsPerRun), '']);
await kernel.stop();

const headers: [string, string, string, string] = ['tool-loop workload (3 steps, 2 tool calls)', 'bare loop', 'agent-sdk', 'target'];
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
process.stdout.write(
  [
    `Node ${process.version}, ${SEQUENTIAL.toLocaleString('en-US')} runs per rate, in-memory storage (no persistence)`,
    line(headers),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
    '',
  ].join('\n'),
);
const ok = sdkSeq >= 10_000 && sdkHeap <= 8 * 1024;
process.stdout.write(ok ? 'targets met\n' : 'TARGETS MISSED\n');
// --json (npm run bench): the same figures, one `BENCH_JSON {...}` line each, for bench/index.ts.
if (process.argv.includes('--json')) {
  const figures = [
    { figure: 'sequential runs/s', value: Math.round(sdkSeq), unit: 'runs/s', target: '>= 10,000', ok: sdkSeq >= 10_000, note: `bare loop ${fmt(bareSeq)}` },
    { figure: `${CONCURRENCY} concurrent runs/s`, value: Math.round(sdkConc), unit: 'runs/s', note: `bare loop ${fmt(bareConc)}` },
    { figure: 'live heap per in-flight run', value: Math.round((sdkHeap / 1024) * 10) / 10, unit: 'KB', target: '<= 8 KB', ok: sdkHeap <= 8 * 1024, note: `bare loop ${(bareHeap / 1024).toFixed(1)} KB` },
    { figure: 'streamed events consumed/s (one run)', value: Math.round(streamed.perSecond), unit: 'events/s' },
    { figure: 'envelopes per tool-loop run', value: eventsPerRun, unit: 'envelopes' },
  ];
  for (const figure of figures) process.stdout.write(`BENCH_JSON ${JSON.stringify({ bench: 'runtime', ...figure })}\n`);
}
