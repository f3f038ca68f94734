import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const dir = () => mkdtempSync(join(tmpdir(), 'asdk-doctor-'));
const clean = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', AGENT_SDK_DATABASE_URL: '', DATABASE_URL: '', AGENT_SDK_PORT: '0' };

test('doctor on the embedded default checks models, storage and workspace and passes', async () => {
  const cwd = dir();
  const result = await runCli(['doctor', '--json'], { cwd, env: clean });
  assert.is(result.code, 0, result.stdout + result.stderr);
  const { ok, checks } = JSON.parse(result.stdout);
  assert.ok(ok);
  const names = checks.map((c: any) => c.name);
  for (const name of ['Node.js', 'config', 'plugins', 'model default', 'storage', 'workspace', 'server']) assert.ok(names.includes(name), `missing ${name}: ${names}`);
  assert.match(checks.find((c: any) => c.name === 'storage').detail, 'will be created');
});

test('doctor names a model without its API key and an unknown provider, and exits 1', async () => {
  const cwd = dir();
  writeFileSync(join(cwd, 'agent-sdk.config.yaml'), 'models:\n  fast: { provider: openai, model: gpt-4.1-mini }\n  smart: { provider: anthropc, model: x }\n');
  const result = await runCli(['doctor'], { cwd, env: clean });
  assert.is(result.code, 1);
  assert.match(result.stdout, /✗ model fast: .*no API key/);
  assert.match(result.stdout, /✗ model smart: .*did you mean "anthropic"\?/);
  assert.match(result.stdout, '✓ model default');
});

test('doctor --online asks an OpenAI-compatible endpoint for its models', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/v1/models' && req.headers.authorization === 'Bearer sk-test') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'llama3.1', object: 'model', created: 0, owned_by: 'me' }] }));
    } else res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"bad key"}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  try {
    const cwd = dir();
    writeFileSync(join(cwd, 'agent-sdk.config.yaml'), `models:\n  local: { provider: openai, model: llama3.1, baseURL: "${base}", apiKey: sk-test }\n  wrong: { provider: openai, model: llama3.1, baseURL: "${base}", apiKey: sk-bad }\n`);
    const offline = await runCli(['doctor'], { cwd, env: clean });
    assert.is(offline.code, 0, offline.stdout);
    assert.match(offline.stdout, 'reachability: doctor --online');
    const online = await runCli(['doctor', '--online'], { cwd, env: clean });
    assert.is(online.code, 1);
    assert.match(online.stdout, '✓ model local: openai: reachable, llama3.1 is available');
    assert.match(online.stdout, /✗ model wrong: openai did not answer/);
  } finally {
    server.close();
  }
});

test('doctor reports a server port in use, naming --port and AGENT_SDK_PORT, and exits 1', async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const port = String((holder.address() as AddressInfo).port);
  try {
    const result = await runCli(['doctor', '--json'], { cwd: dir(), env: { ...clean, AGENT_SDK_PORT: port } });
    assert.is(result.code, 1, result.stdout);
    const server = JSON.parse(result.stdout).checks.find((c: any) => c.name === 'server');
    assert.is(server.ok, false);
    assert.match(server.detail, `127.0.0.1:${port}: EADDRINUSE`);
    assert.match(server.hint, /--port, AGENT_SDK_PORT/);
  } finally {
    holder.close();
  }
});

test('doctor refuses a workspace root that is a file', async () => {
  const cwd = dir();
  writeFileSync(join(cwd, 'not-a-folder'), 'x');
  writeFileSync(join(cwd, 'agent-sdk.config.yaml'), 'tools-filesystem:\n  root: ./not-a-folder\n');
  const result = await runCli(['doctor'], { cwd, env: clean });
  assert.is(result.code, 1);
  assert.match(result.stdout, /✗ workspace: .*not-a-folder exists and is not a folder/);
});

test('doctor says which migrations are pending on Postgres and names the command', async () => {
  const url = process.env.AGENT_SDK_TEST_PG_URL;
  if (!url) {
    console.log('[skip] doctor on Postgres: set AGENT_SDK_TEST_PG_URL to run it');
    return;
  }
  const name = `asdk_doctor_${process.pid}_${Date.now()}`;
  const psql = (sql: string) => execFileSync('psql', [url, '-qc', sql], { stdio: 'ignore' });
  psql(`create database ${name}`);
  try {
    const cwd = dir();
    const target = url.replace(/\/[^/]*$/, `/${name}`);
    writeFileSync(join(cwd, 'agent-sdk.config.yaml'), `storage:\n  url: ${target}\n`);
    const result = await runCli(['doctor'], { cwd, env: clean });
    assert.is(result.code, 1);
    assert.match(result.stdout, /✗ storage: postgres .* migration\(s\) are pending/);
    assert.match(result.stdout, 'agent-sdk migrate up --config');
    const migrated = await runCli(['migrate', 'up'], { cwd, env: clean });
    assert.is(migrated.code, 0, migrated.stdout + migrated.stderr);
    const after = await runCli(['doctor'], { cwd, env: clean });
    assert.match(after.stdout, /✓ storage: postgres .* is reachable and migrated/);
  } finally {
    psql(`drop database if exists ${name} with (force)`);
  }
});

test.run();
