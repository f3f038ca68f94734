// API keys: Bearer and X-API-Key, failures, public routes, the gateway's hello, open loopback servers,
// refusing a non-loopback address without keys, Host and Origin checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apiKeyPrefix, ApiKeyVerifier, hashApiKey, serverPlugin } from '../../../adapters/http-koa/index.js';
import { startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { GatewayClient, postJson, rawRequest, startServer, statusOf, type TestServer } from './helpers.js';

const KEY = 'asdk_test_0123456789abcdef';
const OTHER = 'asdk_other_fedcba9876543210';
let server: TestServer;

test.before(async () => {
  server = await startServer({ server: { apiKeys: [KEY, { key: OTHER, name: 'ci', orgId: 'acme', scopes: ['developer'] }] } });
});
test.after(async () => {
  await server.stop();
});

test('without a key: 401 problem with WWW-Authenticate; /health says a key is required', async () => {
  const res = await fetch(`${server.base}/sessions`);
  assert.is(res.status, 401);
  assert.is(res.headers.get('www-authenticate'), 'Bearer realm="agent-sdk"');
  const problem = await res.json();
  assert.is(problem.code, 'ASDK_AUTH_REQUIRED');
  assert.match(problem.hint, /Authorization: Bearer/);
  const health = await (await fetch(`${server.base}/health`)).json();
  assert.is(health.auth.required, true);
  const post = await postJson(server.base, '/run', { preset: 'plain', input: 'x' });
  assert.is(post.status, 401, 'auth is checked before the body is read');
});

test('a wrong key, a malformed Authorization header, another scheme: 401 ASDK_AUTH_INVALID_KEY', async () => {
  for (const headers of [
    { authorization: `Bearer ${KEY}x` },
    { authorization: `Bearer ${KEY.slice(0, -1)}` },
    { authorization: `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}` },
    { authorization: 'Bearer' },
    { 'x-api-key': 'nope' },
  ] as Record<string, string>[]) {
    const res = await fetch(`${server.base}/sessions`, { headers });
    assert.is(res.status, 401, JSON.stringify(headers));
    assert.is((await res.json()).code, 'ASDK_AUTH_INVALID_KEY');
  }
});

test('Bearer and X-API-Key both work; each key acts for its own org', async () => {
  const bearer = await fetch(`${server.base}/sessions`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.is(bearer.status, 200);
  const header = await fetch(`${server.base}/sessions`, { headers: { 'x-api-key': KEY } });
  assert.is(header.status, 200);
  const lower = await fetch(`${server.base}/sessions`, { headers: { authorization: `bearer ${KEY}` } });
  assert.is(lower.status, 200, 'the scheme is case-insensitive');
  const started = await (await postJson(server.base, '/run', { preset: 'plain', input: 'hello' }, { 'x-api-key': OTHER })).json();
  assert.is(started.orgId, 'acme');
  const own = await fetch(`${server.base}/run/${started.runId}`, { headers: { 'x-api-key': OTHER } });
  assert.is(own.status, 200);
  const foreign = await fetch(`${server.base}/run/${started.runId}`, { headers: { 'x-api-key': KEY } });
  assert.is(foreign.status, 404, 'a run of another org is invisible');
  const events = await fetch(`${server.base}/run/${started.runId}/events`, { headers: { 'x-api-key': KEY } });
  assert.is(events.status, 404);
});

test('public routes need no key: health, openapi.json, docs; the gateway takes the key in hello or the upgrade', async () => {
  for (const path of ['/health', '/openapi.json', '/docs']) assert.is((await fetch(server.base + path)).status, 200, path);
  const { client, welcome } = await GatewayClient.open(server.base, { apiKey: KEY });
  assert.is(welcome.type, 'welcome');
  assert.equal(welcome.auth, { required: true, orgId: 'default', actor: `key:${apiKeyPrefix(KEY)}` });
  client.close();
  const { client: viaHeader, welcome: second } = await GatewayClient.open(server.base, { headers: { authorization: `Bearer ${OTHER}` } });
  assert.is(second.auth.actor, 'ci');
  viaHeader.close();
  const { client: noKey, welcome: refused } = await GatewayClient.open(server.base);
  assert.is(refused.type, 'error');
  assert.is(refused.code, 'ASDK_AUTH_REQUIRED');
  assert.is(await noKey.closed(), 4001);
  const { client: badKey, welcome: bad } = await GatewayClient.open(server.base, { apiKey: 'wrong-key-wrong-key' });
  assert.is(bad.code, 'ASDK_AUTH_INVALID_KEY');
  assert.is(await badKey.closed(), 4001);
  const badHeader = await GatewayClient.connect(server.base, { headers: { 'x-api-key': 'wrong' } }).catch((error: { status: number }) => error);
  assert.is((badHeader as { status: number }).status, 401);
});

test('keys are held as prefix + SHA-256 and compared in constant time', () => {
  const verifier = new ApiKeyVerifier([KEY]);
  assert.is(hashApiKey(KEY).length, 64);
  assert.is(apiKeyPrefix(KEY), KEY.slice(0, 8));
  assert.is(verifier.authenticateHeaders({ authorization: `Bearer ${KEY}` }).actor, `key:${KEY.slice(0, 8)}`);
  assert.not.ok(JSON.stringify(verifier).includes(KEY), 'the verifier does not expose the key');
  const open = new ApiKeyVerifier([]);
  assert.is(open.required, false);
  assert.is(open.authenticateHeaders({}).authenticated, false);
});

test('a non-loopback address without keys is refused at start, naming the fix', async () => {
  const error = await rejection(startTestKernel({ plugins: [serverPlugin], config: { server: { host: '0.0.0.0', port: 0 } } }));
  assert.is(error.code, 'ASDK_PLUGIN_INIT_FAILED');
  assert.is(error.cause.code, 'ASDK_SERVER_NO_API_KEY');
  assert.match(error.message, /0\.0\.0\.0/);
  assert.match(error.message, /AGENT_SDK_API_KEY/);
  const viaEnv = await startTestKernel({ plugins: [serverPlugin], config: { server: { host: '0.0.0.0', port: 0 } }, env: { AGENT_SDK_API_KEY: KEY } });
  await viaEnv.stop();
});

test('keys shorter than 16 characters are refused by config validation', async () => {
  const error = await rejection(startTestKernel({ plugins: [serverPlugin], config: { server: { port: 0, apiKeys: ['short'] } } }));
  assert.is(error.code, 'ASDK_CONFIG_INVALID');
  assert.match(JSON.stringify(error.problems), /server\.apiKeys\[0\]/);
});

test('an open loopback server says so, and answers loopback host names only (DNS rebinding)', async () => {
  const open = await startServer();
  try {
    const transport = open.kernel.get((await import('../../../core/index.js')).ports.transport)[0] as unknown as { warnings(): string[]; authRequired: boolean };
    assert.is(transport.authRequired, false);
    assert.match(transport.warnings()[0], /open/);
    assert.is((await (await fetch(`${open.base}/health`)).json()).auth.required, false);
    const rebinding = await rawRequest(open.port, 'GET /sessions HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n');
    assert.is(statusOf(rebinding), 403);
    assert.match(rebinding, /ASDK_HTTP_HOST_REFUSED/);
    const localhost = await rawRequest(open.port, `GET /health HTTP/1.1\r\nHost: localhost:${open.port}\r\nConnection: close\r\n\r\n`);
    assert.is(statusOf(localhost), 200);
  } finally {
    await open.stop();
  }
});

test('Origin: cross-origin requests are refused unless allowed, and allowed ones get CORS headers', async () => {
  const cors = await startServer({ server: { allowedOrigins: ['https://app.example.com'] } });
  try {
    const refused = await postJson(cors.base, '/run/run_x/cancel', {}, { origin: 'https://evil.example' });
    assert.is(refused.status, 403);
    assert.is((await refused.json()).code, 'ASDK_HTTP_ORIGIN_REFUSED');
    const allowed = await fetch(`${cors.base}/health`, { headers: { origin: 'https://app.example.com' } });
    assert.is(allowed.status, 200);
    assert.is(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    const preflight = await fetch(`${cors.base}/run`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
    });
    assert.is(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers')!, /Idempotency-Key/);
    assert.match(preflight.headers.get('access-control-allow-methods')!, /POST/);
    const same = await fetch(`${cors.base}/health`, { headers: { origin: cors.base } });
    assert.is(same.status, 200, 'the server\'s own origin');
    assert.is(same.headers.get('access-control-allow-origin'), null);
  } finally {
    await cors.stop();
  }
});

test.run();
