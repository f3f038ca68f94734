// SSE: replay after a cut connection, Last-Event-ID and ?after=, finished runs, heartbeats, slow clients,
// disconnects that never cancel, and one run fanned out to 1,000 subscribers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ports, type EventEnvelope } from '../../../core/index.js';
import { gate, pacedModelPlugin, postJson, sleep, SseClient, startServer, type TestServer } from './helpers.js';

async function startRun(server: TestServer, input = 'Go'): Promise<{ runId: string; sessionId: string; links: Record<string, string> }> {
  const res = await postJson(server.base, '/run', { preset: 'plain', input });
  assert.is(res.status, 202, await res.clone().text());
  return res.json();
}

async function storedLog(server: TestServer, runId: string): Promise<EventEnvelope[]> {
  return [...(await server.kernel.get(ports.storage).events.read({ orgId: 'default' }, runId, 0, 100_000))];
}

function seqs(envelopes: readonly EventEnvelope[]): number[] {
  return envelopes.map((e) => e.seq);
}

test('a cut connection resumes with Last-Event-ID: exactly the missing events arrive, the run is not cancelled', async () => {
  const server = await startServer({ plugins: [pacedModelPlugin], config: { models: { default: { provider: 'paced', deltas: 60, delayMs: 8 } } } });
  try {
    const run = await startRun(server);
    const first = await SseClient.open(server.base + run.links.events);
    await first.until((events) => events.filter((e) => e.id).length >= 12);
    first.cut();
    const received = first.envelopes;
    const lastId = received.at(-1)!.seq;
    await sleep(80); // the run goes on without a reader
    const second = await SseClient.open(server.base + run.links.events, { 'Last-Event-ID': String(lastId) });
    await second.done();
    const resumed = second.envelopes;
    assert.is(resumed[0].seq, lastId + 1, 'resumes right after the last event received');
    const log = await storedLog(server, run.runId);
    assert.equal(seqs([...received, ...resumed]), seqs(log), 'no gap and no duplicate');
    assert.equal([...received, ...resumed], log, 'the same envelopes as stored');
    assert.is(log.at(-1)!.type, 'run.completed', 'the disconnect did not cancel the run');
  } finally {
    await server.stop();
  }
});

test('?after= replays from that seq; Last-Event-ID wins over it; a finished run replays and closes; at its end: 204', async () => {
  const server = await startServer();
  try {
    const run = await startRun(server);
    const all = await (await SseClient.open(server.base + run.links.events)).done();
    const total = all.filter((e) => e.id).length;
    assert.ok(total >= 5);
    const tail = await SseClient.open(`${server.base}${run.links.events}?after=3`);
    await tail.done();
    assert.equal(seqs(tail.envelopes), Array.from({ length: total - 3 }, (_, i) => i + 4));
    const both = await SseClient.open(`${server.base}${run.links.events}?after=1`, { 'Last-Event-ID': '4' });
    await both.done();
    assert.is(both.envelopes[0].seq, 5);
    const end = await fetch(`${server.base}${run.links.events}`, { headers: { 'Last-Event-ID': String(total) } });
    assert.is(end.status, 204, 'EventSource stops reconnecting on 204');
  } finally {
    await server.stop();
  }
});

test('bad positions: malformed Last-Event-ID, after beyond the last event, absurd or negative after', async () => {
  const server = await startServer();
  try {
    const run = await startRun(server);
    await (await SseClient.open(server.base + run.links.events)).done();
    for (const [headers, query, code] of [
      [{ 'Last-Event-ID': 'abc' }, '', 'ASDK_HTTP_VALIDATION'],
      [{ 'Last-Event-ID': '-1' }, '', 'ASDK_HTTP_VALIDATION'],
      [{ 'Last-Event-ID': '99999999999999999' }, '', 'ASDK_HTTP_VALIDATION'],
      [{}, '?after=1000', 'ASDK_STREAM_CURSOR_AHEAD'],
      [{}, '?after=1e30', 'ASDK_HTTP_VALIDATION'],
      [{}, '?after=-2', 'ASDK_HTTP_VALIDATION'],
      [{}, '?after=1&after=2', 'ASDK_HTTP_VALIDATION'],
      [{}, '?from=1', 'ASDK_HTTP_VALIDATION'],
    ] as const) {
      const res = await fetch(`${server.base}${run.links.events}${query}`, { headers });
      assert.is(res.status, 400, `${JSON.stringify(headers)} ${query}`);
      assert.is((await res.json()).code, code);
    }
    const missing = await fetch(`${server.base}/run/run_nope/events`);
    assert.is(missing.status, 404);
  } finally {
    await server.stop();
  }
});

test('subscribers joining at different points all get every event once, in order', async () => {
  const server = await startServer({ plugins: [pacedModelPlugin], config: { models: { default: { provider: 'paced', deltas: 40, delayMs: 5 } } } });
  try {
    const run = await startRun(server);
    const early = await SseClient.open(server.base + run.links.events);
    await early.until((events) => events.filter((e) => e.id).length >= 15);
    const late = await SseClient.open(server.base + run.links.events);
    const partial = await SseClient.open(`${server.base}${run.links.events}?after=7`);
    await Promise.all([early.done(), late.done(), partial.done()]);
    const log = await storedLog(server, run.runId);
    assert.equal(early.envelopes, log);
    assert.equal(late.envelopes, log, 'a late subscriber replays from the start');
    assert.equal(partial.envelopes, log.slice(7));
  } finally {
    await server.stop();
  }
});

test('a heartbeat comment keeps an idle stream alive', async () => {
  const run = gate('heartbeat');
  const server = await startServer({
    plugins: [pacedModelPlugin],
    server: { sse: { heartbeatMs: 100 } },
    config: { models: { default: { provider: 'paced', deltas: 2, gate: 'heartbeat' } } },
  });
  try {
    const started = await startRun(server);
    const stream = await SseClient.open(server.base + started.links.events);
    await stream.until((events) => events.filter((e) => e.comment === 'keep-alive').length >= 2, 2000);
    run.open();
    await stream.done();
    assert.is(stream.envelopes.at(-1)!.type, 'run.completed');
  } finally {
    run.open();
    await server.stop();
  }
});

test('a client that stops reading gets stream.overflow and is disconnected; others are unaffected; it resumes', async () => {
  const open = gate('slow');
  const server = await startServer({
    plugins: [pacedModelPlugin],
    server: { sse: { maxBufferedBytes: 4096, stallTimeoutMs: 1000 } },
    config: { models: { default: { provider: 'paced', deltas: 400, size: 16 * 1024, gate: 'slow' } } },
  });
  try {
    const run = await startRun(server);
    const slow = await SseClient.open(server.base + run.links.events);
    const reader = await SseClient.open(server.base + run.links.events);
    await slow.until((events) => events.some((e) => e.retry !== undefined));
    slow.pause();
    open.open();
    await reader.done(20_000);
    const log = await storedLog(server, run.runId);
    assert.equal(seqs(reader.envelopes), seqs(log), 'the reading client got everything');
    await sleep(1500); // past the stall timeout
    slow.resume();
    await slow.done(20_000);
    const last = slow.events.at(-1)!;
    assert.is(last.event, 'stream.overflow', 'the slow client is told why');
    assert.is(last.id, undefined, 'the notice has no id, so Last-Event-ID stays the last event received');
    const notice = JSON.parse(last.data!);
    assert.is(notice.code, 'ASDK_STREAM_SLOW_CONSUMER');
    const got = slow.envelopes;
    assert.ok(got.length < log.length, 'it was cut before the end');
    assert.is(notice.lastSeq, got.at(-1)!.seq);
    const resumed = await SseClient.open(server.base + run.links.events, { 'Last-Event-ID': String(notice.lastSeq) });
    await resumed.done(20_000);
    assert.equal(seqs([...got, ...resumed.envelopes]), seqs(log));
  } finally {
    open.open();
    await server.stop();
  }
});

test('one run fanned out to 1,000 subscribers: one feed, every subscriber gets the whole log once', async () => {
  const open = gate('fanout');
  const server = await startServer({
    plugins: [pacedModelPlugin],
    config: { models: { default: { provider: 'paced', deltas: 30, delayMs: 2, gate: 'fanout' } } },
  });
  try {
    const run = await startRun(server);
    const clients: SseClient[] = [];
    for (let batch = 0; batch < 10; batch++) {
      clients.push(...(await Promise.all(Array.from({ length: 100 }, () => SseClient.open(server.base + run.links.events)))));
    }
    const health = await (await fetch(`${server.base}/health`)).json();
    assert.is(health.streams.subscribers, 1000);
    assert.is(health.streams.runs, 1, 'one follower of the run, whatever the number of subscribers');
    open.open();
    await Promise.all(clients.map((client) => client.done(30_000)));
    const log = await storedLog(server, run.runId);
    for (const client of clients) assert.equal(seqs(client.envelopes), seqs(log));
    assert.equal(clients[999].envelopes, log);
    const after = await (await fetch(`${server.base}/health`)).json();
    assert.is(after.streams.subscribers, 0);
    assert.is(after.streams.runs, 0);
  } finally {
    open.open();
    await server.stop();
  }
});

test.run();
