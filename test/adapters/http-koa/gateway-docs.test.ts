// The client example of docs/gateway.md runs: against a live server it streams a run's answer, and resumes
// after its connection is cut.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { repoRoot } from '../../helpers/cli.js';
import { gate, pacedModelPlugin, startServer } from './helpers.js';

const doc = readFileSync(new URL('../../../docs/gateway.md', import.meta.url), 'utf8');
const example = /<!-- example:gateway-client -->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];

function runExample(env: Record<string, string>, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Evaluated from the repository, so `import WebSocket from 'ws'` resolves as it would in a user's project.
    const child = spawn(process.execPath, ['--input-type=module', '-e', example!, '--', input], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('docs/gateway.md has the example', () => {
  assert.ok(example && example.includes("import WebSocket from 'ws'"));
});

test('the example streams the answer of a run through the gateway', async () => {
  const server = await startServer();
  try {
    const result = await runExample({ AGENT_SDK_WS: `${server.base.replace('http', 'ws')}/ws`, AGENT_SDK_PRESET: 'calc' }, 'What is 17 * 23?');
    assert.is(result.code, 0, result.stderr);
    assert.match(result.stdout, /391/);
    assert.match(result.stderr, /\[calculator /, 'tool calls are shown');
  } finally {
    await server.stop();
  }
});

test('the example reports a refused key and exits 1 instead of retrying', async () => {
  const server = await startServer({ server: { apiKeys: ['asdk_docs_0123456789abcdef'] } });
  try {
    const result = await runExample({ AGENT_SDK_WS: `${server.base.replace('http', 'ws')}/ws`, AGENT_SDK_PRESET: 'calc', AGENT_SDK_API_KEY: 'wrong-wrong-wrong-wrong' }, 'Hi');
    assert.is(result.code, 1);
    assert.match(result.stderr, /ASDK_AUTH_INVALID_KEY/);
  } finally {
    await server.stop();
  }
});

test('the example resumes after its connection is cut: the answer arrives whole, once', async () => {
  const open = gate('docs-resume');
  const server = await startServer({ plugins: [pacedModelPlugin], config: { models: { default: { provider: 'paced', deltas: 60, delayMs: 10, gate: 'docs-resume' } } } });
  // A TCP proxy between the example and the server, whose connections the test can cut.
  const pairs = new Set<Socket>();
  let connections = 0;
  const proxy = createServer((client) => {
    connections++;
    const upstream = connect(server.port, '127.0.0.1');
    pairs.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as { port: number }).port;
  try {
    const running = runExample({ AGENT_SDK_WS: `ws://127.0.0.1:${port}/ws`, AGENT_SDK_PRESET: 'plain' }, 'Count');
    while (connections === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    open.open();
    await new Promise((resolve) => setTimeout(resolve, 200)); // some deltas arrive, then the line drops
    for (const socket of pairs) socket.destroy();
    const result = await running;
    assert.is(result.code, 0, result.stderr);
    assert.ok(connections >= 2, 'it reconnected');
    const expected = Array.from({ length: 60 }, (_, i) => `${String(i).padStart(4, '0')}xxx `).join('');
    assert.is(result.stdout.trim(), expected.trim(), 'every delta exactly once, in order');
  } finally {
    open.open();
    proxy.close();
    await server.stop();
  }
});

test.run();
