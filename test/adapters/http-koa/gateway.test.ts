// The WebSocket gateway (protocol v1): hello/welcome, req/res, run.start/subscribe/unsubscribe/cancel with
// server-side replay, several subscriptions per socket, ping/pong, frame size, Origin, slow consumers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ports, type EventEnvelope } from '../../../core/index.js';
import { scripted } from '../../../testing.js';
import { gate, GatewayClient, pacedModelPlugin, postJson, sleep, startServer, type TestServer } from './helpers.js';

let server: TestServer;

test.before(async () => {
  server = await startServer({ server: { ws: { maxFrameBytes: 4096 } } });
});
test.after(async () => {
  await server.stop();
});

async function storedLog(target: TestServer, runId: string): Promise<EventEnvelope[]> {
  return [...(await target.kernel.get(ports.storage).events.read({ orgId: 'default' }, runId, 0, 100_000))];
}

test('hello → welcome with the protocol version, the caller and the limits', async () => {
  const { client, welcome } = await GatewayClient.open(server.base);
  assert.is(welcome.type, 'welcome');
  assert.is(welcome.protocol, 1);
  assert.type(welcome.connectionId, 'string');
  assert.equal(welcome.auth, { required: false, orgId: 'default', actor: 'anonymous' });
  assert.is(welcome.limits.maxFrameBytes, 4096);
  assert.ok(welcome.methods.includes('run.subscribe'));
  client.close();
});

test('run.start with subscribe: res before the first event, every event, then end', async () => {
  const { client } = await GatewayClient.open(server.base);
  const res = await client.request('run.start', { preset: 'calc', input: 'What is 6 * 7?', subscribe: true });
  assert.is(res.ok, true, JSON.stringify(res));
  const { runId, sub } = res.result;
  assert.match(runId, /^run_/);
  await client.next((f) => f.type === 'end' && f.sub === sub);
  const resIndex = client.frames.indexOf(res);
  const firstEvent = client.frames.findIndex((f) => f.type === 'event' && f.sub === sub);
  assert.ok(resIndex < firstEvent, 'the res comes before the events');
  assert.equal(client.envelopes(sub), await storedLog(server, runId));
  const end = client.endOf(sub)!;
  assert.is(end.reason, 'completed');
  assert.is(end.lastSeq, client.envelopes(sub).at(-1)!.seq);
  client.close();
});

test('run.subscribe with afterSeq replays from storage; several subscriptions on one socket; unsubscribe', async () => {
  const open = gate('ws-multi');
  const paced = await startServer({ plugins: [pacedModelPlugin], config: { models: { default: { provider: 'paced', deltas: 20, delayMs: 3, gate: 'ws-multi' } } } });
  try {
    const a = await (await postJson(paced.base, '/run', { preset: 'plain', input: 'a' })).json();
    const b = await (await postJson(paced.base, '/run', { preset: 'plain', input: 'b' })).json();
    const { client } = await GatewayClient.open(paced.base);
    const subA = (await client.request('run.subscribe', { runId: a.runId })).result.sub;
    const subB = (await client.request('run.subscribe', { runId: b.runId, afterSeq: 0 })).result.sub;
    const subA2 = (await client.request('run.subscribe', { runId: a.runId })).result.sub;
    assert.is(new Set([subA, subB, subA2]).size, 3);
    const unsub = await client.request('run.unsubscribe', { sub: subA2 });
    assert.equal(unsub.result, { sub: subA2 });
    const beforeUnsubscribe = client.envelopes(subA2).length;
    open.open();
    await client.until(() => Boolean(client.endOf(subA) && client.endOf(subB)));
    assert.equal(client.envelopes(subA), await storedLog(paced, a.runId));
    assert.equal(client.envelopes(subB), await storedLog(paced, b.runId));
    assert.is(client.envelopes(subA2).length, beforeUnsubscribe, 'nothing after unsubscribing');
    assert.is(client.endOf(subA2), undefined);
    // Server-side replay: a reconnecting client names the last seq it has and gets exactly the rest.
    const replay = await client.request('run.subscribe', { runId: a.runId, afterSeq: 5 });
    await client.until(() => Boolean(client.endOf(replay.result.sub)));
    assert.equal(client.envelopes(replay.result.sub), (await storedLog(paced, a.runId)).slice(5));
    const done = await client.request('run.subscribe', { runId: a.runId, afterSeq: client.envelopes(subA).length });
    assert.is(done.result.complete, true, 'nothing left: the run ended and the client has its last event');
    const ahead = await client.request('run.subscribe', { runId: a.runId, afterSeq: 10_000 });
    assert.is(ahead.error.code, 'ASDK_STREAM_CURSOR_AHEAD');
    client.close();
  } finally {
    open.open();
    await paced.stop();
  }
});

test('run.cancel cancels a running run; run.get reads it', async () => {
  const hanging = await startServer({ model: scripted([{ hang: true }]) });
  try {
    const { client } = await GatewayClient.open(hanging.base);
    const started = await client.request('run.start', { preset: 'plain', input: 'wait', subscribe: true });
    const { runId, sub } = started.result;
    await client.next((f) => f.type === 'event' && f.sub === sub && f.envelope.type === 'step.started');
    const cancelled = await client.request('run.cancel', { runId, reason: 'from the gateway' });
    assert.is(cancelled.ok, true);
    assert.is(cancelled.result.ended, true);
    assert.is(cancelled.result.run.status, 'cancelled');
    await client.until(() => Boolean(client.endOf(sub)));
    assert.is(client.envelopes(sub).at(-1)!.type, 'run.cancelled');
    const got = await client.request('run.get', { runId });
    assert.is(got.result.status, 'cancelled');
    client.close();
  } finally {
    await hanging.stop();
  }
});

test('errors: unknown method, invalid params, unknown run and subscription, malformed frames', async () => {
  const { client } = await GatewayClient.open(server.base);
  const unknown = await client.request('run.strat', {});
  assert.is(unknown.ok, false);
  assert.is(unknown.error.code, 'ASDK_WS_UNKNOWN_METHOD');
  assert.match(unknown.error.message, /run\.start/);
  const invalid = await client.request('run.start', { preset: 'calc', input: 5, extra: 1 });
  assert.is(invalid.error.code, 'ASDK_HTTP_VALIDATION');
  assert.equal(invalid.error.errors.map((e: { path: string }) => e.path).sort(), ['frame.extra', 'frame.input']);
  const missing = await client.request('run.get', { runId: 'run_missing' });
  assert.is(missing.error.code, 'ASDK_RUN_NOT_FOUND');
  assert.is(missing.error.status, 404);
  const noSub = await client.request('run.unsubscribe', { sub: 's999' });
  assert.is(noSub.error.code, 'ASDK_WS_SUBSCRIPTION_NOT_FOUND');
  client.sendRaw('{not json');
  const parseError = await client.next((f) => f.type === 'error');
  assert.is(parseError.code, 'ASDK_WS_PROTOCOL');
  client.sendFrame({ type: 'req', method: 'run.get' });
  const noId = await client.next((f) => f.type === 'res' && f.id === null);
  assert.is(noId.error.code, 'ASDK_WS_PROTOCOL');
  client.sendFrame({ type: 'dance' });
  await client.until(() => client.frames.filter((f) => f.type === 'error').length >= 2);
  client.sendRaw(Buffer.from([1, 2, 3]), true);
  await client.until(() => client.frames.filter((f) => f.type === 'error').length >= 3);
  assert.ok(client.open, 'protocol errors after hello keep the connection');
  const pong = await (async () => {
    client.sendFrame({ type: 'ping', ts: 42 });
    return client.next((f) => f.type === 'pong');
  })();
  assert.is(pong.ts, 42);
  client.close();
});

test('hello is required first, with protocol 1; frames over the limit close with 1009', async () => {
  const early = await GatewayClient.connect(server.base);
  early.sendFrame({ type: 'req', id: 1, method: 'run.get', params: { runId: 'x' } });
  assert.is(await early.closed(), 4000);
  assert.is((await early.next((f) => f.type === 'error')).code, 'ASDK_WS_HELLO_REQUIRED');
  const future = await GatewayClient.connect(server.base);
  future.sendFrame({ type: 'hello', protocol: 2 });
  assert.is(await future.closed(), 4000);
  assert.is((await future.next((f) => f.type === 'error')).code, 'ASDK_WS_PROTOCOL_VERSION');
  const { client } = await GatewayClient.open(server.base);
  client.sendFrame({ type: 'req', id: 1, method: 'run.start', params: { preset: 'plain', input: 'x'.repeat(10_000) } });
  assert.is(await client.closed(), 1009);
});

test('a connection that never says hello is closed after helloTimeoutMs', async () => {
  const quick = await startServer({ server: { ws: { helloTimeoutMs: 150 } } });
  try {
    const client = await GatewayClient.connect(quick.base);
    assert.is(await client.closed(), 4408);
    assert.is((await client.next((f) => f.type === 'error')).code, 'ASDK_WS_HELLO_TIMEOUT');
  } finally {
    await quick.stop();
  }
});

test('Origin: the server\'s own and allowed origins pass, others are refused at the handshake', async () => {
  const strict = await startServer({ server: { allowedOrigins: ['https://app.example.com'] } });
  try {
    const own = await GatewayClient.connect(strict.base, { origin: strict.base });
    own.close();
    const allowed = await GatewayClient.connect(strict.base, { origin: 'https://app.example.com' });
    allowed.close();
    const refused = await GatewayClient.connect(strict.base, { origin: 'https://evil.example' }).catch((error: { status: number }) => error);
    assert.is((refused as { status: number }).status, 403);
    const rebinding = await GatewayClient.connect(strict.base, { headers: { host: 'attacker.example:80' } }).catch((error: { status: number }) => error);
    assert.is((rebinding as { status: number }).status, 403, 'an open server answers loopback host names only');
  } finally {
    await strict.stop();
  }
});

test('a socket that stops reading is closed as a slow consumer (4008), each end saying where to resume', async () => {
  const open = gate('ws-slow');
  const slow = await startServer({
    plugins: [pacedModelPlugin],
    server: { ws: { maxBufferedBytes: 4096, stallTimeoutMs: 500 } },
    config: { models: { default: { provider: 'paced', deltas: 300, size: 16 * 1024, gate: 'ws-slow' } } },
  });
  try {
    const run = await (await postJson(slow.base, '/run', { preset: 'plain', input: 'x' })).json();
    const { client } = await GatewayClient.open(slow.base);
    const sub = (await client.request('run.subscribe', { runId: run.runId })).result.sub;
    client.pause();
    open.open();
    await sleep(1500);
    client.resume();
    assert.is(await client.closed(), 4008);
    const end = client.endOf(sub)!;
    assert.is(end.reason, 'overflow');
    assert.is(end.error.code, 'ASDK_STREAM_SLOW_CONSUMER');
    const got = client.envelopes(sub);
    assert.is(end.lastSeq, got.at(-1)?.seq ?? 0);
    const log = await storedLog(slow, run.runId);
    assert.ok(got.length < log.length);
    const { client: again } = await GatewayClient.open(slow.base);
    const resumed = (await again.request('run.subscribe', { runId: run.runId, afterSeq: end.lastSeq })).result.sub;
    await again.until(() => Boolean(again.endOf(resumed)));
    assert.equal([...got, ...again.envelopes(resumed)].map((e) => e.seq), log.map((e) => e.seq));
    again.close();
  } finally {
    open.open();
    await slow.stop();
  }
});

test('an unknown frame type is quoted cut on a code point boundary, before and after hello', async () => {
  // JSON.stringify writes a lone surrogate as a \uD83D escape: half an emoji shown as text.
  const type = `${'x'.repeat(39)}😀 dance`;
  const early = await GatewayClient.connect(server.base);
  early.sendFrame({ type });
  assert.is(await early.closed(), 4000);
  const required = await early.next((f) => f.type === 'error');
  assert.is(required.code, 'ASDK_WS_HELLO_REQUIRED');
  assert.match(required.message, `"${'x'.repeat(39)}"`);
  const { client } = await GatewayClient.open(server.base);
  client.sendFrame({ type });
  const unknown = await client.next((f) => f.type === 'error');
  assert.match(unknown.message, `unknown frame type "${'x'.repeat(39)}";`);
  client.close();
});

test.run();
