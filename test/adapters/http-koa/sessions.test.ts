// GET /sessions (cursor pages), GET /sessions/{id} (with its runs), /sessions/{id}/messages, /presets, /tools, /health.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { postJson, SseClient, startServer, type TestServer } from './helpers.js';

let server: TestServer;
const sessions: string[] = [];

test.before(async () => {
  server = await startServer();
  for (let i = 0; i < 5; i++) {
    const run = await (await postJson(server.base, '/run', { preset: 'plain', input: `Session ${i}` })).json();
    await (await SseClient.open(server.base + run.links.events)).done();
    sessions.push(run.sessionId);
  }
  const follow = await (await postJson(server.base, '/run', { preset: 'calc', input: 'What is 3 * 4?', sessionId: sessions[0] })).json();
  await (await SseClient.open(server.base + follow.links.events)).done();
});
test.after(async () => {
  await server.stop();
});

test('GET /sessions pages newest first with cursors, and the last page has no cursor', async () => {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await fetch(`${server.base}/sessions?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.is(res.status, 200);
    const page = await res.json();
    assert.ok(page.items.length <= 2);
    seen.push(...page.items.map((s: { id: string }) => s.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  assert.is(pages, 3);
  assert.equal([...seen].sort(), [...sessions].sort(), 'every session once');
  assert.is(seen[0], sessions[0], 'the session with the latest run comes first');
  const all = await (await fetch(`${server.base}/sessions`)).json();
  assert.is(all.items.length, 5);
  assert.is(all.nextCursor, undefined);
});

test('GET /sessions refuses bad cursors and limits with 400, never 500', async () => {
  for (const query of ['?limit=0', '?limit=201', '?limit=abc', '?cursor=', '?cursor=%%%', '?cursor=bm90LWEtY3Vyc29y', '?cursor=W10', `?cursor=${'A'.repeat(2000)}`, '?sort=asc']) {
    const res = await fetch(`${server.base}/sessions${query}`);
    assert.is(res.status, 400, query);
    const problem = await res.json();
    assert.is(problem.code, 'ASDK_HTTP_VALIDATION', query);
    assert.match(problem.errors[0].path, /^query\./);
  }
});

test('GET /sessions/{id}: the session and its runs, oldest first, paged; 404 and 400', async () => {
  const res = await fetch(`${server.base}/sessions/${sessions[0]}`);
  assert.is(res.status, 200);
  const detail = await res.json();
  assert.is(detail.session.id, sessions[0]);
  assert.equal(detail.runs.items.map((r: { input: string }) => r.input), ['Session 0', 'What is 3 * 4?']);
  assert.ok(detail.runs.items.every((r: { status: string }) => r.status === 'completed'));
  const first = await (await fetch(`${server.base}/sessions/${sessions[0]}?runsLimit=1`)).json();
  assert.is(first.runs.items.length, 1);
  const second = await (await fetch(`${server.base}/sessions/${sessions[0]}?runsLimit=1&runsCursor=${first.runs.nextCursor}`)).json();
  assert.is(second.runs.items[0].input, 'What is 3 * 4?');
  const missing = await fetch(`${server.base}/sessions/ses_missing`);
  assert.is(missing.status, 404);
  assert.is((await missing.json()).code, 'ASDK_SESSION_NOT_FOUND');
  assert.is((await fetch(`${server.base}/sessions/${encodeURIComponent('a b')}`)).status, 400);
  assert.is((await fetch(`${server.base}/sessions/${sessions[0]}?runsCursor=nope`)).status, 400);
});

test('GET /sessions/{id}/messages: the conversation in order, tool messages included', async () => {
  const res = await fetch(`${server.base}/sessions/${sessions[0]}/messages`);
  assert.is(res.status, 200);
  const { items } = await res.json();
  const roles = items.map((m: { message: { role: string } }) => m.message.role);
  assert.is(roles[0], 'user');
  assert.ok(roles.includes('tool'), roles.join(','));
  assert.equal(items.map((m: { position: number }) => m.position), items.map((_: unknown, i: number) => i + 1));
  assert.is((await fetch(`${server.base}/sessions/ses_missing/messages`)).status, 404);
});

test('GET /presets and GET /tools list what runs can use', async () => {
  const presets = await (await fetch(`${server.base}/presets`)).json();
  assert.equal(presets.items.map((p: { name: string }) => p.name).sort(), ['calc', 'plain']);
  assert.equal(presets.items.find((p: { name: string }) => p.name === 'calc').tools, ['calculator']);
  const tools = await (await fetch(`${server.base}/tools`)).json();
  const calculator = tools.items.find((t: { name: string }) => t.name === 'calculator');
  assert.ok(calculator);
  assert.match(calculator.version, /^\d+\.\d+\.\d+/);
  assert.is(calculator.input.type, 'object');
  assert.is((await fetch(`${server.base}/tools?x=1`)).status, 400);
});

test('GET /health: ok with storage, auth and stream counts', async () => {
  const res = await fetch(`${server.base}/health`);
  assert.is(res.status, 200);
  const health = await res.json();
  assert.is(health.status, 'ok');
  assert.is(health.storage.ok, true);
  assert.is(health.storage.adapter, 'memory');
  assert.equal(health.protocols, { events: 1, gateway: 1 });
  assert.type(health.version, 'string');
  assert.is(health.streams.subscribers, 0);
});

test.run();
