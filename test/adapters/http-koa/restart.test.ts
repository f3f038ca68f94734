// Replay across a server restart on a SQLite file, and graceful shutdown: streams end with a notice, the
// event log is complete, and a client resumes on the next server with Last-Event-ID, losing nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { storagePlugin } from '../../../adapters/storage-mikro-orm/index.js';
import { defineRoute, routes } from '../../../adapters/http-koa/index.js';
import { contribution, definePlugin } from '../../../core/index.js';
import { GatewayClient, gate, pacedModelPlugin, postJson, SseClient, startServer, type TestServer } from './helpers.js';

/** A route that takes 300 ms, to have a request in flight when the stop begins. */
let slowStarted!: () => void;
const slowRoute = definePlugin({
  id: 'test-slow-route',
  version: '1.0.0',
  contributes: [
    contribution(
      routes,
      defineRoute({
        method: 'GET',
        path: '/slow',
        summary: 'Answers after 300 ms',
        responses: { 200: { description: 'Done', schema: Type.Object({ done: Type.Boolean() }) } },
        async handle() {
          slowStarted();
          await new Promise((resolve) => setTimeout(resolve, 300));
          return { body: { done: true } };
        },
      }),
    ),
  ],
});

const dir = mkdtempSync(join(tmpdir(), 'asdk-server-restart-'));
const file = join(dir, 'agent-sdk.sqlite');

function start(models: Record<string, unknown>): Promise<TestServer> {
  return startServer({ plugins: [storagePlugin, pacedModelPlugin, slowRoute], config: { storage: { path: file }, models: { default: models } } });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a client cut mid-stream resumes after a server restart with exactly the missing events', async () => {
  const first = await start({ provider: 'paced', deltas: 40, delayMs: 3 });
  const run = await (await postJson(first.base, '/run', { preset: 'plain', input: 'Count for me' })).json();
  const client = await SseClient.open(first.base + run.links.events);
  await client.until((events) => events.filter((e) => e.id).length >= 10);
  client.cut();
  const seen = client.envelopes;
  // Let the run finish without a reader, then restart the server on the same file.
  const watcher = await SseClient.open(first.base + run.links.events);
  await watcher.done();
  const full = watcher.envelopes;
  await first.stop();

  const second = await start({ provider: 'paced', deltas: 40, delayMs: 3 });
  try {
    const stored = await (await fetch(`${second.base}/run/${run.runId}`)).json();
    assert.is(stored.status, 'completed');
    const resumed = await SseClient.open(second.base + run.links.events, { 'Last-Event-ID': String(seen.at(-1)!.seq) });
    await resumed.done();
    assert.equal([...seen, ...resumed.envelopes], full, 'no gap, no duplicate, the same envelopes');
    const end = await fetch(second.base + run.links.events, { headers: { 'Last-Event-ID': String(full.at(-1)!.seq) } });
    assert.is(end.status, 204);
  } finally {
    await second.stop();
  }
});

test('shutdown ends streams with a notice; the run is cancelled, logged completely, and readable after restart', async () => {
  const open = gate('restart-hold');
  const first = await start({ provider: 'paced', deltas: 1000, delayMs: 5, gate: 'restart-hold' });
  const run = await (await postJson(first.base, '/run', { preset: 'plain', input: 'Long one' })).json();
  const sse = await SseClient.open(first.base + run.links.events);
  const { client: ws } = await GatewayClient.open(first.base);
  const sub = (await ws.request('run.subscribe', { runId: run.runId })).result.sub;
  open.open();
  await sse.until((events) => events.filter((e) => e.id).length >= 5);
  await ws.until(() => ws.envelopes(sub).length >= 5);
  const received = new Promise<void>((resolve) => (slowStarted = resolve));
  const inFlight = fetch(`${first.base}/slow`).then(async (res) => ({ status: res.status, body: await res.json() }));
  await received;
  await first.stop();
  assert.equal(await inFlight, { status: 200, body: { done: true } }, 'a request in flight when the stop began was answered');
  const refused = await fetch(`${first.base}/health`).then((res) => res.status, (error: Error) => error.message);
  assert.is(refused, 'fetch failed', 'nothing listens after the stop');
  await sse.done();
  const notice = sse.events.at(-1)!;
  assert.is(notice.event, 'stream.shutdown');
  assert.is(JSON.parse(notice.data!).code, 'ASDK_SERVER_SHUTTING_DOWN');
  assert.is(await ws.closed(), 1001);
  const end = ws.endOf(sub)!;
  assert.is(end.reason, 'shutdown');
  assert.is(end.lastSeq, ws.envelopes(sub).at(-1)!.seq);

  const second = await start({ provider: 'paced', deltas: 5 });
  try {
    const stored = await (await fetch(`${second.base}/run/${run.runId}`)).json();
    assert.is(stored.status, 'cancelled', 'the runtime cancelled the run at shutdown and recorded it');
    const resumed = await SseClient.open(second.base + run.links.events, { 'Last-Event-ID': String(sse.envelopes.at(-1)!.seq) });
    await resumed.done();
    const all = [...sse.envelopes, ...resumed.envelopes];
    assert.equal(all.map((e) => e.seq), all.map((_, i) => i + 1), 'gapless across the restart');
    assert.is(all.at(-1)!.type, 'run.cancelled');
  } finally {
    await second.stop();
  }
});

test.run();
