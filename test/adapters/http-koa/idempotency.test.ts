// Idempotency-Key on POST /run: same key + same body → same run and answer; another body → 422; while the
// first is in progress → its answer once ready, or 409; per org; failures free the key; 50 at once → one run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson, IdempotencyGate, requestHash } from '../../../adapters/http-koa/idempotency.js';
import { createJsonLogger, ports } from '../../../core/index.js';
import { createMemoryStorage } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { postJson, startServer, type TestServer } from './helpers.js';

const KEY_A = 'asdk_idem_org_a_0123456789';
const KEY_B = 'asdk_idem_org_b_0123456789';
let server: TestServer;

test.before(async () => {
  server = await startServer({ server: { apiKeys: [KEY_A, { key: KEY_B, orgId: 'other' }] } });
});
test.after(async () => {
  await server.stop();
});

const post = (body: unknown, key: string | undefined, apiKey = KEY_A) =>
  postJson(server.base, '/run', body, { 'x-api-key': apiKey, ...(key !== undefined && { 'idempotency-key': key }) });

test('same key and same body: the same run and the same answer, marked as replayed', async () => {
  const body = { preset: 'plain', input: 'Hello once' };
  const first = await post(body, 'key-1');
  assert.is(first.status, 202);
  assert.is(first.headers.get('idempotent-replayed'), null);
  const firstBody = await first.json();
  // Key order and whitespace do not make another request.
  const again = await fetch(`${server.base}/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY_A, 'idempotency-key': 'key-1' },
    body: '{ "input": "Hello once",   "preset": "plain" }',
  });
  assert.is(again.status, 202);
  assert.is(again.headers.get('idempotent-replayed'), 'true');
  assert.is(again.headers.get('location'), first.headers.get('location'));
  assert.equal(await again.json(), firstBody);
});

test('same key with a different body: 422; without a key every POST is a new run', async () => {
  await post({ preset: 'plain', input: 'One' }, 'key-2');
  const other = await post({ preset: 'plain', input: 'Two' }, 'key-2');
  assert.is(other.status, 422);
  const problem = await other.json();
  assert.is(problem.code, 'ASDK_IDEMPOTENCY_KEY_REUSED');
  assert.match(problem.detail, /key-2/);
  const a = await (await post({ preset: 'plain', input: 'Same' }, undefined)).json();
  const b = await (await post({ preset: 'plain', input: 'Same' }, undefined)).json();
  assert.is.not(a.runId, b.runId);
});

test('keys are scoped per org', async () => {
  const body = { preset: 'plain', input: 'Per org' };
  const a = await (await post(body, 'shared-key')).json();
  const b = await (await post(body, 'shared-key', KEY_B)).json();
  assert.is.not(a.runId, b.runId);
  assert.is(b.orgId, 'other');
  const otherBody = await post({ preset: 'plain', input: 'Different' }, 'shared-key', KEY_B);
  assert.is(otherBody.status, 422, 'within org "other" the key is now taken too');
});

test('invalid keys are 400; a request that fails does not use up its key', async () => {
  for (const key of ['', 'has space', 'x'.repeat(256), 'caf\u00e9']) {
    const res = await post({ preset: 'plain', input: 'x' }, key);
    assert.is(res.status, 400, JSON.stringify(key));
    assert.is((await res.json()).code, 'ASDK_IDEMPOTENCY_KEY_INVALID');
  }
  const failed = await post({ preset: 'missing', input: 'x' }, 'key-3');
  assert.is(failed.status, 404);
  const fixed = await post({ preset: 'plain', input: 'x' }, 'key-3');
  assert.is(fixed.status, 202, 'the key was freed by the failure; the corrected request claims it');
});

test('50 concurrent POSTs with one Idempotency-Key make exactly one run, and all get its answer', async () => {
  const body = { preset: 'plain', input: 'Exactly once, please' };
  const answers = await Promise.all(Array.from({ length: 50 }, () => post(body, 'burst-key')));
  const statuses = answers.map((res) => res.status);
  assert.equal([...new Set(statuses)], [202], `statuses: ${statuses.join(',')}`);
  const bodies = await Promise.all(answers.map((res) => res.json()));
  assert.is(new Set(bodies.map((b) => b.runId)).size, 1);
  assert.is(answers.filter((res) => res.headers.get('idempotent-replayed') === 'true').length, 49);
  const storage = server.kernel.get(ports.storage);
  const session = await storage.sessions.get({ orgId: 'default' }, bodies[0].sessionId);
  assert.ok(session);
  const runs = await storage.runs.listBySession({ orgId: 'default' }, bodies[0].sessionId);
  assert.is(runs.items.length, 1, 'one run in its session');
  const sessions = await storage.sessions.list({ orgId: 'default' }, { limit: 200 });
  let runCount = 0;
  for (const s of sessions.items) {
    const page = await storage.runs.listBySession({ orgId: 'default' }, s.id, { limit: 200 });
    runCount += page.items.filter((r) => r.input === body.input).length;
  }
  assert.is(runCount, 1, 'exactly one run with that input in the whole org');
});

test('the gate: a retry while the first is in progress waits for its answer, or gets 409 after waitMs', async () => {
  const storage = createMemoryStorage();
  const logger = createJsonLogger({ level: 'silent' });
  const scope = { orgId: 'default' };
  let release!: () => void;
  const slow = new Promise<void>((resolve) => (release = resolve));
  const patient = new IdempotencyGate(storage.idempotency, { ttlMs: 60_000, waitMs: 2000, logger });
  const impatient = new IdempotencyGate(storage.idempotency, { ttlMs: 60_000, waitMs: 50, logger });
  let produced = 0;
  const first = patient.run(scope, 'k', 'h', async () => {
    produced++;
    await slow;
    return { status: 202, body: { runId: 'run_1' }, runId: 'run_1' };
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  const conflict = await rejection(impatient.run(scope, 'k', 'h', async () => ({ status: 500, body: null })));
  assert.is(conflict.code, 'ASDK_IDEMPOTENCY_IN_PROGRESS');
  assert.is(conflict.status, 409);
  const waiting = patient.run(scope, 'k', 'h', async () => ({ status: 500, body: null }));
  release();
  assert.equal(await first, { status: 202, body: { runId: 'run_1' }, replayed: false });
  assert.equal(await waiting, { status: 202, body: { runId: 'run_1' }, replayed: true });
  assert.is(produced, 1);
  const reused = await rejection(patient.run(scope, 'k', 'other-hash', async () => ({ status: 500, body: null })));
  assert.is(reused.code, 'ASDK_IDEMPOTENCY_KEY_REUSED');
  const record = await storage.idempotency.get(scope, 'k');
  assert.is(record!.state, 'completed');
  assert.ok(Date.parse(record!.expiresAt) - Date.parse(record!.createdAt) === 60_000, 'kept for ttlMs');
});

test('keys are kept 24 hours by default; the request hash ignores key order', async () => {
  const record = await server.kernel.get(ports.storage).idempotency.get({ orgId: 'default' }, 'key-1');
  assert.ok(record);
  assert.is(Date.parse(record!.expiresAt) - Date.parse(record!.createdAt), 24 * 3600 * 1000);
  assert.is(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  assert.is(requestHash('POST', '/run', { a: 1, b: 2 }), requestHash('POST', '/run', { b: 2, a: 1 }));
  assert.is.not(requestHash('POST', '/run', { a: 1 }), requestHash('POST', '/run', { a: 2 }));
});

test.run();
