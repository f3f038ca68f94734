// How the console reads a run's events: the SSE parser on every way a stream can be chunked, and followRun
// against the real server behind a proxy that cuts the connection mid-run and is down for a while: the run
// arrives complete, each seq once, resumed with Last-Event-ID.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiClient } from '../../../plugins/console/ui/api/client.js';
import { followRun, SseParser, type SseMessage, type StreamPhase } from '../../../plugins/console/ui/api/sse.js';
import type { Envelope } from '../../../plugins/console/ui/api/types.js';
import { RunModel } from '../../../plugins/console/ui/model/run-model.js';
import { CuttableProxy, removeDir, startConsoleServer, until, type ConsoleServer } from './helpers.js';

const STREAM =
  '\uFEFFretry: 2000\n\n: keep-alive\n\nid: 1\nevent: run.started\ndata: {"seq":1}\n\n' +
  'id: 2\r\nevent: assistant.delta\r\ndata: {"seq":2,\r\ndata:  "text":"a b"}\r\n\r\n' +
  'id: 3\revent: x\rdata:no-space\r\rdata\n\n: comment only\n\nevent: stream.overflow\ndata: {"lastSeq":3}\n\n';

const EXPECTED: SseMessage[] = [
  { event: 'run.started', data: '{"seq":1}', id: '1' },
  { event: 'assistant.delta', data: '{"seq":2,\n "text":"a b"}', id: '2' },
  { event: 'x', data: 'no-space', id: '3' },
  { event: 'message', data: '' },
  { event: 'stream.overflow', data: '{"lastSeq":3}' },
];

test('the parser gives the same messages however the stream is cut into chunks (CRLF split included)', () => {
  const reference = new SseParser().push(STREAM);
  // A `data` line with no colon dispatches an empty data field: one message with data ''.
  assert.equal(reference, EXPECTED);
  for (let cut = 1; cut < STREAM.length; cut++) {
    const parser = new SseParser();
    const got = [...parser.push(STREAM.slice(0, cut)), ...parser.push(STREAM.slice(cut))];
    assert.equal(got, EXPECTED, `split at ${cut} (${JSON.stringify(STREAM.slice(cut - 2, cut + 2))})`);
  }
  const parser = new SseParser();
  const got = [...STREAM].flatMap((char) => parser.push(char));
  assert.equal(got, EXPECTED);
  assert.is(parser.retryMs, 2000);
});

let server: ConsoleServer;
let proxy: CuttableProxy;

test.before(async () => {
  server = await startConsoleServer({ delayMs: 15 });
  proxy = await CuttableProxy.start(server.port);
});
test.after(async () => {
  await proxy?.close();
  await server?.stop();
  removeDir(server.dataDir);
});

async function startRun(input: string): Promise<string> {
  const res = await fetch(`${server.base}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: 'assistant_basic', input }) });
  assert.is(res.status, 202);
  return ((await res.json()) as { runId: string }).runId;
}

async function storedEvents(runId: string): Promise<Envelope[]> {
  const text = await (await fetch(`${server.base}/run/${runId}/events`)).text();
  return new SseParser().push(text).filter((m) => m.id).map((m) => JSON.parse(m.data) as Envelope);
}

test('followRun: a connection cut twice mid-run resumes with Last-Event-ID; every event arrives once, in order', async () => {
  const runId = await startRun('Hello');
  const api = new ApiClient({ key: () => undefined, base: `${proxy.base}/` });
  const received: Envelope[] = [];
  const phases: StreamPhase['phase'][] = [];
  const model = new RunModel(runId);
  const done = followRun(api, runId, {
    signal: new AbortController().signal,
    onEvent: (e) => {
      received.push(e);
      model.apply(e);
    },
    onPhase: (p) => phases.push(p.phase),
  });
  await until(() => received.filter((e) => e.type === 'assistant.delta').length >= 5, 'five deltas');
  assert.is(proxy.cutStreams(), 1);
  await until(() => received.filter((e) => e.type === 'assistant.delta').length >= 15, 'fifteen deltas');
  assert.is(proxy.cutStreams(), 1);
  await done;
  const stored = await storedEvents(runId);
  assert.equal(received.map((e) => e.seq), stored.map((e) => e.seq), 'each seq once, none missing');
  assert.equal(received, stored);
  assert.is(model.answer, stored.find((e) => e.type === 'run.completed')!.data.output, 'the answer, exactly once');
  const resumes = proxy.eventRequests().filter((r) => r.line.includes(runId));
  assert.is(resumes.length, 3);
  assert.is(resumes[0].lastEventId, undefined);
  assert.ok(Number(resumes[1].lastEventId) >= 5 && Number(resumes[2].lastEventId) > Number(resumes[1].lastEventId), JSON.stringify(resumes));
  assert.equal(phases.filter((p) => p === 'reconnecting').length, 2);
  assert.is(phases[phases.length - 1], 'ended');
});

test('followRun: while the server is unreachable it keeps trying, then resumes where it was', async () => {
  const runId = await startRun('Hello again');
  const api = new ApiClient({ key: () => undefined, base: `${proxy.base}/` });
  const received: Envelope[] = [];
  const phases: StreamPhase[] = [];
  const done = followRun(api, runId, { signal: new AbortController().signal, onEvent: (e) => received.push(e), onPhase: (p) => phases.push(p) });
  await until(() => received.length >= 6, 'six events');
  proxy.refusing = true;
  proxy.cutStreams();
  await until(() => phases.filter((p) => p.phase === 'reconnecting').length >= 3, 'three failed attempts');
  proxy.refusing = false;
  await done;
  const stored = await storedEvents(runId);
  assert.equal(received.map((e) => e.seq), stored.map((e) => e.seq));
  const attempts = phases.filter((p): p is Extract<StreamPhase, { phase: 'reconnecting' }> => p.phase === 'reconnecting');
  assert.ok(attempts[1].inMs > attempts[0].inMs, 'backs off');
});

test('followRun: a finished run replays and ends; an unknown run fails with the 404 problem', async () => {
  const runId = await startRun('Hi');
  const api = new ApiClient({ key: () => undefined, base: `${server.base}/` });
  const first: Envelope[] = [];
  await followRun(api, runId, { signal: new AbortController().signal, onEvent: (e) => first.push(e) });
  assert.is(first[first.length - 1].type, 'run.completed');
  // Resuming after the last event: the server answers 204 and the follower ends at once.
  const again: Envelope[] = [];
  const phases: StreamPhase[] = [];
  await followRun(api, runId, { afterSeq: first.length, signal: new AbortController().signal, onEvent: (e) => again.push(e), onPhase: (p) => phases.push(p) });
  assert.equal(again, []);
  assert.is(phases[phases.length - 1].phase, 'ended');
  const missing: StreamPhase[] = [];
  await followRun(api, 'run_doesnotexist', { signal: new AbortController().signal, onEvent: () => undefined, onPhase: (p) => missing.push(p) });
  const last = missing[missing.length - 1];
  assert.is(last.phase, 'failed');
  assert.is(last.phase === 'failed' && last.problem.code, 'ASDK_RUN_NOT_FOUND');
});

test.run();
