// A small fuzz test: random and mutated inputs for every operation in /openapi.json (paths, queries, headers,
// bodies) and malformed HTTP on a raw socket. No client input may produce a 500, and every error is
// problem+json with a code. Seeded, so a failure names the seed that reproduces it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { postJson, rawRequest, SseClient, startServer, statusOf, type TestServer } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_124);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 25);

/** mulberry32: small, seedable, good enough to pick cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const int = (max: number) => Math.floor(random() * max);

const STRINGS = ['', ' ', 'a', 'run_x', 'ses_1', '0', '-1', '1e309', 'null', 'true', '../../etc/passwd', '%00', '\u0000', '😀', 'é', '<script>', "' OR 1=1 --", 'x'.repeat(300), '\\', '{}', '[]', '__proto__', 'constructor'];
const NUMBERS = [0, -1, 1, 1.5, 2 ** 53, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER, 3];

function randomJson(depth = 0): unknown {
  switch (depth > 3 ? int(4) : int(7)) {
    case 0:
      return pick(STRINGS);
    case 1:
      return pick(NUMBERS);
    case 2:
      return pick([true, false, null]);
    case 3:
      return pick(STRINGS) + String(int(1000));
    case 4:
      return Array.from({ length: int(4) }, () => randomJson(depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = int(4); i > 0; i--) out[pick(['input', 'preset', 'agent', 'sessionId', 'limits', 'reason', 'instructions', 'tools', 'x', '__proto__', 'maxSteps'])] = randomJson(depth + 1);
      return out;
    }
  }
}

/** A valid body, then a few random mutations of it. */
function mutate(base: Record<string, unknown>): unknown {
  const value = structuredClone(base) as Record<string, unknown>;
  for (let i = 1 + int(3); i > 0; i--) {
    const keys = Object.keys(value);
    switch (int(5)) {
      case 0:
        if (keys.length) delete value[pick(keys)];
        break;
      case 1:
        if (keys.length) value[pick(keys)] = randomJson(1);
        break;
      case 2:
        value[pick(['extra', 'agent', 'limits', 'idempotencyKey'])] = randomJson(1);
        break;
      case 3:
        value.limits = { [pick(['maxSteps', 'maxTokens', 'timeoutMs', 'other'])]: pick(NUMBERS) };
        break;
      default:
        value.agent = { instructions: pick(STRINGS), tools: randomJson(2), agents: { [pick(STRINGS)]: randomJson(2) } };
    }
  }
  return value;
}

function rawBody(): { body: string | Uint8Array; type: string } {
  switch (int(8)) {
    case 0:
      return { body: '{"input": "x",', type: 'application/json' };
    case 1:
      return { body: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), type: 'application/json' };
    case 2:
      return { body: '['.repeat(5000) + ']'.repeat(5000), type: 'application/json' };
    case 3:
      return { body: JSON.stringify(randomJson()), type: pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', '', 'application/json; charset=utf-16', 'APPLICATION/JSON']) };
    case 4:
      return { body: '\uFEFF{"preset":"plain","input":"bom"}', type: 'application/json' };
    case 5:
      return { body: '"just a string"', type: 'application/json' };
    case 6:
      return { body: 'null', type: 'application/json' };
    default:
      return { body: Buffer.from(Array.from({ length: 64 }, () => int(256))), type: 'application/json' };
  }
}

function randomSegment(): string {
  return pick([pick(STRINGS), `run_${int(10)}`, encodeURIComponent(pick(STRINGS)), '%E0%A4%A', '%ZZ', '..', 'a%2Fb', 'x'.repeat(int(2000))]);
}

function randomQuery(names: readonly string[]): string {
  const parts: string[] = [];
  for (let i = int(4); i > 0; i--) {
    const name = random() < 0.7 && names.length ? pick(names) : pick(['x', 'after', 'cursor', '__proto__', '%ZZ', '']);
    parts.push(`${name}=${pick([encodeURIComponent(pick(STRINGS)), String(pick(NUMBERS)), '%ZZ', '', 'W10', 'eyJ4IjoxfQ'])}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function randomHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  if (random() < 0.3) headers['last-event-id'] = pick(['', '0', '1', '-5', 'abc', '99999999999999999999', ' 3 ', '1.5']);
  if (random() < 0.3) headers['idempotency-key'] = pick(['k', ' ', 'x'.repeat(300), 'a b', 'ok-key']);
  if (random() < 0.2) headers.authorization = pick(['Bearer', 'Bearer x', 'Basic abc', 'bearer  ', '']);
  if (random() < 0.2) headers['x-api-key'] = pick(['', 'x', 'y'.repeat(600)]);
  if (random() < 0.1) headers.origin = pick(['null', 'https://evil.example', 'not a url']);
  if (random() < 0.1) headers['content-encoding'] = pick(['gzip', 'identity', 'br']);
  return headers;
}

let server: TestServer;
let runId = '';
let sessionId = '';

test.before(async () => {
  server = await startServer();
  const run = await (await postJson(server.base, '/run', { preset: 'plain', input: 'seed' })).json();
  await (await SseClient.open(server.base + run.links.events)).done();
  runId = run.runId;
  sessionId = run.sessionId;
});
test.after(async () => {
  await server.stop();
});

async function expectNoServerError(method: string, path: string, init: RequestInit & { headers?: Record<string, string> }, note: string): Promise<void> {
  const controller = new AbortController();
  const res = await fetch(server.base + path, { ...init, method, signal: controller.signal, redirect: 'manual' }).catch((error: Error) => error);
  if (res instanceof Error) {
    // fetch itself refused what we built (an invalid header value): not a server answer.
    if (/invalid|header|ByteString/i.test(`${res.message} ${String((res as { cause?: unknown }).cause)}`)) return;
    throw new Error(`${note}: ${res.message} (seed ${SEED})`);
  }
  const context = `${method} ${path.slice(0, 200)} ${JSON.stringify(init.headers)} ${note} (seed ${SEED})`;
  if (res.headers.get('content-type') === 'text/event-stream; charset=utf-8') {
    controller.abort();
    assert.is(res.status, 200, context);
    return;
  }
  const text = await res.text();
  assert.ok(res.status < 500, `${context} answered ${res.status}: ${text.slice(0, 500)}`);
  if (res.status >= 400 && method !== 'HEAD') {
    assert.is(res.headers.get('content-type'), 'application/problem+json', context);
    const problem = JSON.parse(text);
    assert.match(problem.code, /^ASDK_/, context);
    assert.is(problem.status, res.status, context);
  }
}

test('random and mutated inputs for every documented operation never get a 500', async () => {
  const doc = await (await fetch(`${server.base}/openapi.json`)).json();
  const valid: Record<string, Record<string, unknown>> = {
    'POST /run': { preset: 'plain', input: 'hello' },
    'POST /run/{id}/cancel': { reason: 'fuzz' },
  };
  let requests = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [template, item] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown }>>)) {
      for (const [lower, operation] of Object.entries(item)) {
        const method = lower.toUpperCase();
        const queryNames = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => (random() < 0.4 ? (name === 'id' && template.startsWith('/sessions') ? sessionId : runId) : randomSegment()));
        const headers = randomHeaders();
        let body: string | Uint8Array | undefined;
        if (operation.requestBody || random() < 0.1) {
          if (random() < 0.6) {
            body = JSON.stringify(mutate(valid[`${method} ${template}`] ?? {}));
            headers['content-type'] ??= 'application/json';
          } else {
            const raw = rawBody();
            body = raw.body;
            if (raw.type) headers['content-type'] = raw.type;
          }
        }
        await expectNoServerError(method, path + randomQuery(queryNames), { headers, ...(body !== undefined && method !== 'GET' && { body: body as BodyInit }) }, `round ${round}`);
        requests++;
      }
    }
    // Methods and paths nobody documented.
    await expectNoServerError(pick(['PUT', 'PATCH', 'DELETE', 'POST', 'GET', 'HEAD', 'OPTIONS']), `/${randomSegment()}/${randomSegment()}${randomQuery([])}`, { headers: randomHeaders() }, 'undocumented');
    requests++;
  }
  assert.ok(requests > 200, `${requests} requests`);
  const health = await fetch(`${server.base}/health`);
  assert.is(health.status, 200, 'the server is still fine');
});

test('malformed HTTP on a raw socket: 400 or 431 problem+json, never a crash', async () => {
  const cases = [
    'GARBAGE\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n',
    'GET /health HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n',
    `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    'GET /health HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n',
    'POST /run HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'GET /run/%E0%A4%A HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    'GET http://localhost/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    'GET * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  ];
  for (const request of cases) {
    const answer = await rawRequest(server.port, request, 3000);
    const status = statusOf(answer);
    assert.ok(status > 0 && status < 500, `${JSON.stringify(request.slice(0, 60))} answered ${status}: ${answer.slice(0, 200)}`);
    if (status >= 400) assert.match(answer, /application\/problem\+json/i);
  }
  assert.is((await fetch(`${server.base}/health`)).status, 200);
});

test.run();
