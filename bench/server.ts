// npm run bench:server — the server end to end, measured from outside: the server runs in a child process
// (its CPU read with process.cpuUsage over IPC), this process is the load generator.
//   1. runs/s: POST /run, then read its SSE stream to the terminal event (the offline model, the embedded
//      default's SQLite storage; and once on in-memory storage to show what the server itself costs), at
//      concurrency 1 and 50;
//   2. fan-out: one run streamed to 1,000 SSE subscribers: server CPU per delivered event, p50/p99 delivery
//      delay (event ts → parsed by the subscriber), server RSS;
//   3. the same fan-out from a bare Koa SSE endpoint (same frames, sizes, pace and subscribers), measured in
//      the same run, for comparison.
// Targets: SSE server CPU per delivered event <= 2x the bare endpoint; >= 300 runs/s at concurrency 50.
// Environment: BENCH_RUNS (runs at concurrency 50, default 3000), BENCH_SUBSCRIBERS (1000), BENCH_EVENTS (200),
// BENCH_PROFILE (a folder for CPU profiles of the server processes), BENCH_ONLY (e2e or fanout), BENCH_FAN_ROUNDS (3).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS_50 = Number(process.env.BENCH_RUNS) || 3000;
const RUNS_1 = Math.max(50, Math.round(RUNS_50 / 15));
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS) || 1000;
const EVENTS = Number(process.env.BENCH_EVENTS) || 200;
const EVENT_INTERVAL_MS = 10;
const ONLY = process.env.BENCH_ONLY;
const FAN_ROUNDS = Number(process.env.BENCH_FAN_ROUNDS) || 3;
/** `npm run bench` passes --json: one `BENCH_JSON {...}` line per figure, beside the table. */
const JSON_LINES = process.argv.includes('--json');

function figure(figure: string, value: number, unit: string, extra: { target?: string; ok?: boolean; note?: string } = {}): void {
  if (JSON_LINES) process.stdout.write(`BENCH_JSON ${JSON.stringify({ figure, value: Math.round(value * 100) / 100, unit, ...extra })}\n`);
}
const self = fileURLToPath(import.meta.url);

// ---- the child processes -------------------------------------------------------------------------------------

type ChildMessage = { type: 'ready'; base: string } | { type: 'usage'; cpu: NodeJS.CpuUsage; rss: number } | { type: 'published' };


/** Storage of the server under test: the embedded default, SQLite with synchronous=NORMAL, or memory. */
type Variant = 'sqlite' | 'sqlite-normal' | 'memory';

/** The real server: the embedded default (SQLite under a temporary data dir), plus a paced model for the fan-out. */
async function agentChild(variant: Variant): Promise<void> {
  const memory = variant === 'memory';
  const { Type } = await import('typebox');
  const { createKernel, contribution, definePlugin, extensionPoints, ports } = await import('../index.js');
  const { memoryStoragePlugin } = await import('../adapters/storage-memory/index.js');
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  // One delta every EVENT_INTERVAL_MS once the gate opens: the same pace as the bare endpoint publishes at.
  const paced = definePlugin({
    id: 'bench-paced-model',
    version: '1.0.0',
    contributes: [
      contribution(extensionPoints.modelProviders, {
        name: 'bench-paced',
        optionsSchema: Type.Object({ deltas: Type.Integer(), intervalMs: Type.Integer() }),
        create: (options: { deltas: number; intervalMs: number }) => ({
          id: 'bench/paced',
          async *stream() {
            await gate;
            const started = Date.now();
            for (let i = 0; i < options.deltas; i++) {
              // Always a new turn of the event loop, even when late: events never leave in bursts.
              const due = started + (i + 1) * options.intervalMs;
              await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
              yield { type: 'text' as const, text: `word${String(i).padStart(4, '0')} ` };
            }
            yield { type: 'usage' as const, usage: { inputTokens: 10, outputTokens: options.deltas } };
            yield { type: 'finish' as const, reason: 'stop' as const };
          },
        }),
      }),
    ],
  });
  const dataDir = process.env.BENCH_DATA_DIR!;
  const kernel = await createKernel({
    config: {
      kernel: { dataDir, logLevel: 'warn' },
      server: { port: 0, sse: { maxSubscribers: SUBSCRIBERS + 100 } },
      models: { default: 'offline', fanout: { provider: 'bench-paced', deltas: EVENTS - 5, intervalMs: EVENT_INTERVAL_MS } },
      presets: { bench_fanout: { description: 'A paced answer for the fan-out benchmark', instructions: 'Stream.', model: 'fanout' } },
      ...(memory && { plugins: { disable: ['storage'] } }),
      ...(variant === 'sqlite-normal' && { storage: { synchronous: 'normal' } }),
    },
    plugins: [paced, ...(memory ? [memoryStoragePlugin] : [])],
    env: {},
  });
  await kernel.start();
  const base = kernel.get(ports.transport).find((t) => t.name === 'http')!.address()!;
  process.on('message', async (message: { cmd: string }) => {
    if (message.cmd === 'usage') process.send!({ type: 'usage', cpu: process.cpuUsage(), rss: process.memoryUsage().rss } satisfies ChildMessage);
    if (message.cmd === 'open') openGate();
    if (message.cmd === 'stop') {
      await kernel.stop();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', base } satisfies ChildMessage);
}

/**
 * The comparison: a bare Koa SSE endpoint, as one would write it without agent-sdk. Each event is an
 * envelope-shaped JSON of the same size, serialised once and written to every open response.
 */
async function bareChild(): Promise<void> {
  const { default: Koa } = await import('koa');
  const app = new Koa();
  const clients = new Set<import('node:http').ServerResponse>();
  app.use(async (ctx) => {
    if (ctx.path !== '/events') {
      ctx.status = 404;
      return;
    }
    ctx.respond = false;
    ctx.res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    ctx.res.write('retry: 2000\n\n');
    clients.add(ctx.res);
    ctx.res.once('close', () => clients.delete(ctx.res));
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  const runId = 'run_0123456789abcdef0123456789abcdef';
  const sessionId = 'ses_0123456789abcdef0123456789abcdef';
  process.on('message', async (message: { cmd: string }) => {
    if (message.cmd === 'usage') process.send!({ type: 'usage', cpu: process.cpuUsage(), rss: process.memoryUsage().rss } satisfies ChildMessage);
    if (message.cmd === 'open') {
      const started = Date.now();
      for (let seq = 1; seq <= EVENTS; seq++) {
        // One event per turn of the event loop, as events coming from elsewhere (an emitter fed by I/O) would:
        // a publisher that catches up in one synchronous burst lets Node merge the writes to each socket.
        const due = started + seq * EVENT_INTERVAL_MS;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        const envelope = {
          v: 1, id: `${runId}:${seq}`, seq, runId, sessionId, orgId: 'default', stream: 'assistant', type: 'assistant.delta',
          ts: new Date().toISOString(), data: { text: `word${String(seq).padStart(4, '0')} ` },
        };
        const frame = `id: ${seq}\nevent: ${envelope.type}\ndata: ${JSON.stringify(envelope)}\n\n`;
        for (const res of clients) res.write(frame);
      }
      for (const res of clients) res.end();
      process.send!({ type: 'published' } satisfies ChildMessage);
    }
    if (message.cmd === 'stop') {
      server.close();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', base: `http://127.0.0.1:${port}` } satisfies ChildMessage);
}

// ---- the load generator ----------------------------------------------------------------------------------------

interface Child {
  readonly process: ChildProcess;
  readonly base: string;
  usage(): Promise<{ cpuMs: number; rss: number }>;
  send(cmd: string): void;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill();
});

async function spawnChild(role: 'agent' | 'bare', variant: Variant = 'sqlite', dataDir = ''): Promise<Child> {
  const child = fork(self, ['--child', role, variant], {
    // BENCH_PROFILE=<dir> writes a CPU profile of each server process there.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])],
    env: { ...process.env, BENCH_DATA_DIR: dataDir, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: { type: ChildMessage['type']; resolve: (message: ChildMessage) => void }[] = [];
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.on('message', (message: ChildMessage) => {
    const index = waiters.findIndex((w) => w.type === message.type);
    if (index !== -1) waiters.splice(index, 1)[0].resolve(message);
  });
  const next = (type: ChildMessage['type']) => new Promise<ChildMessage>((resolve) => waiters.push({ type, resolve }));
  const ready = (await next('ready')) as Extract<ChildMessage, { type: 'ready' }>;
  return {
    process: child,
    base: ready.base,
    async usage() {
      const answer = next('usage');
      child.send({ cmd: 'usage' });
      const { cpu, rss } = (await answer) as Extract<ChildMessage, { type: 'usage' }>;
      return { cpuMs: (cpu.user + cpu.system) / 1000, rss };
    },
    send(cmd) {
      child.send({ cmd });
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ cmd: 'stop' });
      await exited;
    },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function post(base: string, path: string, body: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(`${base}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (res.statusCode === 202 ? resolve(JSON.parse(text)) : reject(new Error(`POST ${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads an SSE stream to its end; calls onEvent with the time each event's frame was parsed. */
function readStream(url: string, onEvent?: (ts: number, frame: string) => void, opened?: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { accept: 'text/event-stream' } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode}`));
      opened?.();
      let buffer = '';
      let events = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          if (!frame.startsWith('id: ')) continue;
          events++;
          onEvent?.(Date.now(), frame);
        }
      });
      res.on('end', () => resolve(events));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function endToEnd(child: Child, concurrency: number, runs: number): Promise<{ runsPerSecond: number; cpuPerRunMs: number; eventsPerRun: number }> {
  // Warm up (JIT, SQLite pages) before measuring.
  await Promise.all(Array.from({ length: Math.min(concurrency, 20) }, async () => readStream(child.base + (await post(child.base, '/run', { preset: 'assistant_basic', input: 'Hello!' })).links.events)));
  const before = await child.usage();
  const started = performance.now();
  let next = 0;
  let events = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        next++;
        const run = await post(child.base, '/run', { preset: 'assistant_basic', input: 'Hello! What can you do?' });
        events += await readStream(child.base + run.links.events);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await child.usage();
  return { runsPerSecond: runs / seconds, cpuPerRunMs: (after.cpuMs - before.cpuMs) / runs, eventsPerRun: events / runs };
}

interface FanOut {
  readonly delivered: number;
  readonly expected: number;
  readonly cpuPerEventUs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** After the run, with every subscriber connected; while connected before it started; before connecting. */
  readonly rssMb: number;
  readonly connectedRssMb: number;
  readonly idleRssMb: number;
}

/** Each server's RSS before the fan-out's subscribers connect. */
const idleRssOf = new Map<Child, number>();

/** Opens `SUBSCRIBERS` streams, lets the child publish, and measures until every stream has ended. */
async function fanOut(child: Child, url: string, eventsPerStream: () => number): Promise<FanOut> {
  idleRssOf.set(child, (await child.usage()).rss);
  const delays: number[] = [];
  const tsOf = /"ts":"([^"]+)"/;
  let connected = 0;
  let allConnected!: () => void;
  const ready = new Promise<void>((resolve) => (allConnected = resolve));
  const streams: Promise<number>[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    streams.push(
      readStream(
        url,
        (now, frame) => {
          const ts = tsOf.exec(frame)?.[1];
          if (ts) delays.push(now - Date.parse(ts));
        },
        () => {
          if (++connected === SUBSCRIBERS) allConnected();
        },
      ),
    );
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await ready;
  await new Promise((resolve) => setTimeout(resolve, 300));
  delays.length = 0; // only what is published from now on counts
  const before = await child.usage();
  const idleRss = idleRssOf.get(child) ?? before.rss;
  child.send('open');
  const counts = await Promise.all(streams);
  const after = await child.usage();
  const delivered = counts.reduce((a, b) => a + b, 0);
  delays.sort((a, b) => a - b);
  const expected = eventsPerStream() * SUBSCRIBERS;
  return {
    delivered,
    expected,
    cpuPerEventUs: ((after.cpuMs - before.cpuMs) * 1000) / Math.max(1, delays.length),
    p50Ms: delays[Math.floor(delays.length * 0.5)] ?? NaN,
    p99Ms: delays[Math.floor(delays.length * 0.99)] ?? NaN,
    rssMb: after.rss / 1024 / 1024,
    connectedRssMb: before.rss / 1024 / 1024,
    idleRssMb: idleRss / 1024 / 1024,
  };
}

/** The round with the median CPU per event (its other figures come with it). */
function median(rounds: readonly FanOut[]): FanOut {
  const sorted = [...rounds].sort((a, b) => a.cpuPerEventUs - b.cpuPerEventUs);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'asdk-bench-server-'));
  const rows: string[][] = [];
  const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  try {
    process.stdout.write(`bench:server — ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${fmt(totalmem() / 2 ** 30, 1)} GB, Node ${process.version}\n\n`);

    let e2e50: Awaited<ReturnType<typeof endToEnd>> | undefined;
    let normal50: typeof e2e50;
    let mem50: typeof e2e50;
    let agentFan: FanOut | undefined;
    let bareFan: FanOut | undefined;
    const agentRounds: FanOut[] = [];
    const bareRounds: FanOut[] = [];
    const sqlite = await spawnChild('agent', 'sqlite', join(dataDir, 'sqlite'));
    if (ONLY !== 'fanout') {
      const e2e1 = await endToEnd(sqlite, 1, RUNS_1);
      rows.push(['end to end, SQLite (default), concurrency 1', `${fmt(e2e1.runsPerSecond)} runs/s`, `${fmt(e2e1.cpuPerRunMs, 2)} ms server CPU/run, ${fmt(e2e1.eventsPerRun, 1)} events/run`]);
      figure('server: end-to-end runs/s, SQLite, concurrency 1', e2e1.runsPerSecond, 'runs/s');
      e2e50 = await endToEnd(sqlite, 50, RUNS_50);
      rows.push(['end to end, SQLite (default), concurrency 50', `${fmt(e2e50.runsPerSecond)} runs/s`, `${fmt(e2e50.cpuPerRunMs, 2)} ms server CPU/run`]);
      figure('server: end-to-end runs/s, SQLite, concurrency 50', e2e50.runsPerSecond, 'runs/s', { target: '>= 300', ok: e2e50.runsPerSecond >= 300 });
    }
    if (ONLY !== 'e2e') {
      // Fan-out rounds alternate with the bare endpoint's (further down, same child count): the median of
      // each is reported, so a burst of load from elsewhere on the machine does not decide the ratio.
      for (let round = 0; round < FAN_ROUNDS; round++) {
        const run = await post(sqlite.base, '/run', { preset: 'bench_fanout', input: 'Stream to everyone' });
        const measured = await fanOut(sqlite, sqlite.base + run.links.events, () => 0);
        // Every event of the run should have reached every subscriber: count the run's events from a replay.
        agentRounds.push({ ...measured, expected: (await readStream(sqlite.base + run.links.events)) * SUBSCRIBERS });
        const bare = await spawnChild('bare');
        bareRounds.push(await fanOut(bare, `${bare.base}/events`, () => EVENTS));
        await bare.stop();
      }
      agentFan = median(agentRounds);
      bareFan = median(bareRounds);
      rows.push([
        `fan-out: 1 run → ${fmt(SUBSCRIBERS)} SSE subscribers (agent-sdk)`,
        `${fmt(agentFan.cpuPerEventUs, 2)} µs CPU/event`,
        `p50 ${fmt(agentFan.p50Ms, 1)} ms, p99 ${fmt(agentFan.p99Ms, 1)} ms, ${fmt(agentFan.delivered)}/${fmt(agentFan.expected)} delivered, RSS ${fmt(agentFan.idleRssMb)} → ${fmt(agentFan.connectedRssMb)} (connected) → ${fmt(agentFan.rssMb)} MB (after)`,
      ]);
      rows.push([
        `fan-out: bare Koa SSE endpoint → ${fmt(SUBSCRIBERS)} subscribers`,
        `${fmt(bareFan.cpuPerEventUs, 2)} µs CPU/event`,
        `p50 ${fmt(bareFan.p50Ms, 1)} ms, p99 ${fmt(bareFan.p99Ms, 1)} ms, ${fmt(bareFan.delivered)}/${fmt(bareFan.expected)} delivered, RSS ${fmt(bareFan.idleRssMb)} → ${fmt(bareFan.connectedRssMb)} (connected) → ${fmt(bareFan.rssMb)} MB (after)`,
      ]);
    }
    await sqlite.stop();

    if (ONLY !== 'fanout') {
      const normal = await spawnChild('agent', 'sqlite-normal', join(dataDir, 'sqlite-normal'));
      normal50 = await endToEnd(normal, 50, RUNS_50);
      rows.push(['end to end, SQLite synchronous=NORMAL, concurrency 50', `${fmt(normal50.runsPerSecond)} runs/s`, `${fmt(normal50.cpuPerRunMs, 2)} ms server CPU/run`]);
      figure('server: end-to-end runs/s, SQLite synchronous=NORMAL, concurrency 50', normal50.runsPerSecond, 'runs/s');
      await normal.stop();

      const memory = await spawnChild('agent', 'memory', join(dataDir, 'memory'));
      mem50 = await endToEnd(memory, 50, RUNS_50);
      rows.push(['end to end, in-memory storage, concurrency 50', `${fmt(mem50.runsPerSecond)} runs/s`, `${fmt(mem50.cpuPerRunMs, 2)} ms server CPU/run`]);
      figure('server: end-to-end runs/s, in-memory storage, concurrency 50', mem50.runsPerSecond, 'runs/s', { note: `${fmt(mem50.cpuPerRunMs, 2)} ms server CPU per run` });
      await memory.stop();
    }

    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['scenario', 'result', 'detail'][i].length));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |\n`;
    process.stdout.write(line(['scenario', 'result', 'detail']));
    process.stdout.write(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
    for (const row of rows) process.stdout.write(line(row));
    process.stdout.write('\nTargets:\n');
    if (agentFan && bareFan) {
      const ratio = agentFan.cpuPerEventUs / bareFan.cpuPerEventUs;
      const ratios = agentRounds.map((r, i) => fmt(r.cpuPerEventUs / bareRounds[i].cpuPerEventUs, 2)).join(', ');
      figure(`server: SSE fan-out to ${SUBSCRIBERS} subscribers, server CPU per delivered event`, agentFan.cpuPerEventUs, 'µs', { note: `bare Koa: ${fmt(bareFan.cpuPerEventUs, 2)} µs` });
      figure('server: SSE fan-out CPU per event vs a bare Koa endpoint', ratio, 'x', { target: '<= 2', ok: ratio <= 2 });
      figure(`server: SSE fan-out to ${SUBSCRIBERS} subscribers, p99 delivery delay`, agentFan.p99Ms, 'ms', { note: `p50 ${fmt(agentFan.p50Ms, 1)} ms; bare Koa p99 ${fmt(bareFan.p99Ms, 1)} ms` });
      process.stdout.write(`  SSE server CPU per delivered event vs bare Koa: ${fmt(ratio, 2)}x, medians of ${FAN_ROUNDS} rounds (each round: ${ratios}) (target <= 2x) ${ratio <= 2 ? 'ok' : 'MISSED'}\n`);
      if ([...agentRounds, ...bareRounds].some((r) => r.delivered !== r.expected)) {
        process.stdout.write('  WARNING: not every event reached every subscriber\n');
        process.exitCode = 1;
      }
    }
    if (e2e50 && normal50 && mem50) {
      process.stdout.write(`  end-to-end runs/s at concurrency 50 (SQLite): ${fmt(e2e50.runsPerSecond)} (target >= 300) ${e2e50.runsPerSecond >= 300 ? 'ok' : 'MISSED'}\n`);
      process.stdout.write(`  end-to-end runs/s at concurrency 50 (SQLite synchronous=NORMAL): ${fmt(normal50.runsPerSecond)}; (in-memory storage): ${fmt(mem50.runsPerSecond)}\n`);
    }
    process.stdout.write(`  load while measuring (1-minute load average): ${fmt(loadavg()[0], 2)} on ${cpus().length} cores\n`);
  } finally {
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  // A child never outlives the load generator.
  process.on('disconnect', () => process.exit(0));
  if (process.argv[3] === 'agent') await agentChild(process.argv[4] as Variant);
  else await bareChild();
} else {
  await main();
}
