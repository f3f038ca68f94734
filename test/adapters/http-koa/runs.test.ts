// The run endpoints over real HTTP: POST /run, GET /run/{id}, POST /run/{id}/cancel, GET /run/{id}/events.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scripted } from '../../../testing.js';
import { assertLogInvariants } from '../../helpers/runs.js';
import { postJson, SseClient, startServer, type TestServer } from './helpers.js';

let server: TestServer;

test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server.stop();
});

async function startCalc(input = 'What is 17 * 23?'): Promise<{ runId: string; sessionId: string; links: Record<string, string> }> {
  const res = await postJson(server.base, '/run', { preset: 'calc', input });
  assert.is(res.status, 202);
  return res.json();
}

test('POST /run starts a run: 202, Location, links; its events stream to the terminal event', async () => {
  const res = await postJson(server.base, '/run', { preset: 'calc', input: 'What is 17 * 23?' });
  assert.is(res.status, 202);
  const body = await res.json();
  assert.match(body.runId, /^run_/);
  assert.match(body.sessionId, /^ses_/);
  assert.is(body.orgId, 'default');
  assert.is(res.headers.get('location'), `/run/${body.runId}`);
  assert.is(body.links.events, `/run/${body.runId}/events`);
  assert.ok(res.headers.get('x-request-id'));

  const stream = await SseClient.open(server.base + body.links.events);
  assert.is(stream.status, 200);
  assert.is(stream.response.headers['content-type'], 'text/event-stream; charset=utf-8');
  assert.is(stream.response.headers['cache-control'], 'no-cache');
  assert.is(stream.response.headers['x-accel-buffering'], 'no');
  await stream.done();
  assert.is(stream.events[0].retry, 2000, 'the stream opens with a retry hint');
  const envelopes = stream.envelopes;
  assertLogInvariants(envelopes, { id: body.runId, sessionId: body.sessionId });
  for (const event of stream.events.filter((e) => e.id !== undefined)) {
    const envelope = JSON.parse(event.data!);
    assert.is(event.id, String(envelope.seq), 'id: is the seq');
    assert.is(event.event, envelope.type, 'event: is the type');
  }
  assert.ok(envelopes.some((e) => e.type === 'tool.call'), 'the calculator was called');
  assert.is(envelopes.at(-1)!.type, 'run.completed');
  assert.match(JSON.stringify(envelopes.at(-1)!.data), /391/);
});

test('POST /run continues a session; GET /run/{id} shows the stored run', async () => {
  const first = await startCalc('What is 2 + 2?');
  const second = await (await postJson(server.base, '/run', { preset: 'plain', input: 'Thanks', sessionId: first.sessionId })).json();
  assert.is(second.sessionId, first.sessionId);
  await (await SseClient.open(server.base + second.links.events)).done();
  const res = await fetch(`${server.base}/run/${second.runId}`);
  assert.is(res.status, 200);
  const run = await res.json();
  assert.is(run.id, second.runId);
  assert.is(run.status, 'completed');
  assert.is(run.input, 'Thanks');
  assert.is(run.preset, 'plain');
  assert.type(run.output, 'string');
  assert.ok(run.usage.outputTokens > 0);
  assert.ok(run.finishedAt >= run.createdAt);
});

test('POST /run with an inline agent', async () => {
  const res = await postJson(server.base, '/run', { agent: { instructions: 'Be brief.' }, input: 'Hello' });
  assert.is(res.status, 202);
});

test('POST /run refuses invalid bodies with 400 problem+json naming each field', async () => {
  const res = await postJson(server.base, '/run', { preset: 'Calc!', input: '', extra: true, limits: { maxSteps: 0 } });
  assert.is(res.status, 400);
  assert.is(res.headers.get('content-type'), 'application/problem+json');
  const problem = await res.json();
  assert.is(problem.code, 'ASDK_HTTP_VALIDATION');
  assert.is(problem.status, 400);
  assert.ok(problem.hint.length > 10);
  const paths = problem.errors.map((e: { path: string }) => e.path).sort();
  assert.equal(paths, ['body.extra', 'body.input', 'body.limits.maxSteps', 'body.preset']);
  assert.ok(problem.type.endsWith('/docs#ASDK_HTTP_VALIDATION'));
  assert.is(problem.instance, '/run');
  assert.is(problem.requestId, res.headers.get('x-request-id'));
});

test('POST /run: neither or both of preset and agent, unknown preset, missing body', async () => {
  const neither = await postJson(server.base, '/run', { input: 'Hi' });
  assert.is(neither.status, 400);
  assert.is((await neither.json()).code, 'ASDK_RUN_INVALID_REQUEST');
  const unknown = await postJson(server.base, '/run', { preset: 'nope', input: 'Hi' });
  assert.is(unknown.status, 404);
  const problem = await unknown.json();
  assert.is(problem.code, 'ASDK_PRESET_NOT_FOUND');
  assert.match(problem.hint, /calc/);
  const empty = await fetch(`${server.base}/run`, { method: 'POST' });
  assert.is(empty.status, 400);
  assert.equal((await empty.json()).errors, [{ path: 'body', message: 'is required' }]);
});

test('POST /run: malformed JSON, bad UTF-8, wrong content type, oversized body, unknown query parameter', async () => {
  const malformed = await fetch(`${server.base}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input": "x",' });
  assert.is(malformed.status, 400);
  assert.is((await malformed.json()).code, 'ASDK_HTTP_MALFORMED_JSON');
  const badUtf8 = await fetch(`${server.base}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
  assert.is(badUtf8.status, 400);
  assert.is((await badUtf8.json()).code, 'ASDK_HTTP_BAD_ENCODING');
  const text = await fetch(`${server.base}/run`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"input":"x"}' });
  assert.is(text.status, 415);
  assert.is((await text.json()).code, 'ASDK_HTTP_UNSUPPORTED_MEDIA_TYPE');
  const gz = await fetch(`${server.base}/run`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'x' });
  assert.is(gz.status, 415);
  const latin1 = await fetch(`${server.base}/run`, { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' });
  assert.is(latin1.status, 415);
  const big = await postJson(server.base, '/run', { preset: 'plain', input: 'x'.repeat(1024 * 1024 + 10) });
  assert.is(big.status, 413);
  assert.is((await big.json()).code, 'ASDK_HTTP_BODY_TOO_LARGE');
  const deep = await fetch(`${server.base}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '['.repeat(10_000) + ']'.repeat(10_000) });
  assert.is(deep.status, 400);
  const query = await postJson(server.base, '/run?debug=1', { preset: 'plain', input: 'x' });
  assert.is(query.status, 400);
  assert.equal((await query.json()).errors, [{ path: 'query.debug', message: 'is not a known parameter' }]);
  const jsonVariant = await fetch(`${server.base}/run`, { method: 'POST', headers: { 'content-type': 'application/merge-patch+json; charset=UTF-8' }, body: '{"preset":"plain","input":"x"}' });
  assert.is(jsonVariant.status, 202, '+json media types and charset=UTF-8 are JSON');
});

test('GET /run/{id}: unknown id 404, malformed id 400, another org cannot see it', async () => {
  const unknown = await fetch(`${server.base}/run/run_missing`);
  assert.is(unknown.status, 404);
  assert.is((await unknown.json()).code, 'ASDK_RUN_NOT_FOUND');
  const malformed = await fetch(`${server.base}/run/${encodeURIComponent('../etc passwd')}`);
  assert.is(malformed.status, 400);
  assert.is((await malformed.json()).errors[0].path, 'params.id');
  const extra = await fetch(`${server.base}/run/run_missing?x=1`);
  assert.is(extra.status, 400);
});

test('POST /run/{id}/cancel cancels a running run (run.cancelled), and is a no-op on a finished one', async () => {
  const slow = await startServer({ model: scripted([{ hang: true }]) });
  try {
    const started = await (await postJson(slow.base, '/run', { preset: 'plain', input: 'Wait' })).json();
    const stream = await SseClient.open(slow.base + started.links.events);
    await stream.until((events) => events.some((e) => e.event === 'step.started'));
    const res = await postJson(slow.base, started.links.cancel, { reason: 'user pressed stop' });
    assert.is(res.status, 200);
    const run = await res.json();
    assert.is(run.status, 'cancelled');
    await stream.done();
    const terminal = stream.envelopes.at(-1)!;
    assert.is(terminal.type, 'run.cancelled');
    assert.is((terminal.data as { reason: string }).reason, 'user pressed stop');
    const again = await fetch(slow.base + started.links.cancel, { method: 'POST' });
    assert.is(again.status, 200, 'no body is fine; cancelling a finished run changes nothing');
    assert.is((await again.json()).status, 'cancelled');
  } finally {
    await slow.stop();
  }
});

test('POST /run/{id}/cancel: unknown run 404, bad body 400 and 415', async () => {
  assert.is((await postJson(server.base, '/run/run_missing/cancel', {})).status, 404);
  const { links } = await startCalc();
  const bad = await postJson(server.base, links.cancel, { reason: 5 });
  assert.is(bad.status, 400);
  assert.is((await bad.json()).errors[0].path, 'body.reason');
  const form = await fetch(server.base + links.cancel, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'reason=x' });
  assert.is(form.status, 415);
});

test('unknown routes are 404 problems, wrong methods 405 with Allow, OPTIONS lists methods', async () => {
  const missing = await fetch(`${server.base}/runs`);
  assert.is(missing.status, 404);
  assert.is(missing.headers.get('content-type'), 'application/problem+json');
  assert.is((await missing.json()).code, 'ASDK_HTTP_NOT_FOUND');
  const trailing = await fetch(`${server.base}/health/`);
  assert.is(trailing.status, 404);
  const wrong = await fetch(`${server.base}/run`, { method: 'GET' });
  assert.is(wrong.status, 405);
  assert.is(wrong.headers.get('allow'), 'POST');
  assert.is((await wrong.json()).code, 'ASDK_HTTP_METHOD_NOT_ALLOWED');
  const put = await fetch(`${server.base}/run/run_x`, { method: 'PUT', body: '{}' });
  assert.is(put.status, 405);
  assert.is(put.headers.get('allow'), 'GET, HEAD');
  const options = await fetch(`${server.base}/run/run_x/events`, { method: 'OPTIONS' });
  assert.is(options.status, 204);
  assert.is(options.headers.get('allow'), 'GET, HEAD, OPTIONS');
  const head = await fetch(`${server.base}/health`, { method: 'HEAD' });
  assert.is(head.status, 200);
  const ws = await fetch(`${server.base}/ws`);
  assert.is(ws.status, 426);
  assert.is((await ws.json()).code, 'ASDK_HTTP_UPGRADE_REQUIRED');
});

test.run();
