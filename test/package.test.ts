// The published package, as a user installs it: `npm pack`, install the tarball into an empty folder, then
// import it as ESM and CJS, import agent-sdk/testing, and run the CLI through npx. Install scripts are skipped
// (sqlite3 would compile for a minute): the repository's compiled sqlite3 binding (the same exact version) is
// copied in instead, so the embedded default's storage opens and migrates from dist/ with plain node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', AGENT_SDK_PORT: '0' } }); // port 0: no collision with a server or test on 8787

test('npm pack installs into an empty folder and works as ESM, CJS, agent-sdk/testing and npx agent-sdk', async () => {
  const packDir = mkdtempSync(join(tmpdir(), 'asdk-pack-'));
  run('npm', ['pack', '--pack-destination', packDir, '--silent'], repoRoot);
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'))!;
  assert.ok(tarball, 'npm pack produced no tarball');

  const app = mkdtempSync(join(tmpdir(), 'asdk-app-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  run('npm', ['install', join(packDir, tarball), '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], app);
  cpSync(join(repoRoot, 'node_modules/sqlite3/build'), join(app, 'node_modules/sqlite3/build'), { recursive: true });

  const esm = run('node', ['--input-type=module', '-e', "import { createKernel, definePlugin } from 'agent-sdk'; const k = await createKernel(); await k.start(); await k.stop(); console.log(typeof definePlugin, k.state);"], app);
  assert.is(esm.trim(), 'function stopped');
  const cjs = run('node', ['-e', "const sdk = require('agent-sdk'); console.log(typeof sdk.createKernel, typeof sdk.ports.storage.id);"], app);
  assert.is(cjs.trim(), 'function string');
  const surface = run('node', ['--input-type=module', '-e', "import * as sdk from 'agent-sdk'; console.log([sdk.embeddingPlugin.id, sdk.ragPlugin.id, typeof sdk.ragPorts.documents.id, typeof sdk.hashApiKey, sdk.apiKeyPrefix('asdk_0123456789')].join(' '));"], app);
  assert.is(surface.trim(), 'embedding rag string function asdk_012', 'the RAG plugins and the API key helpers are exported');
  const otel = run('node', ['--input-type=module', '-e', "import otel, { otelPlugin } from 'agent-sdk/otel'; import { jsonlStdoutPlugin } from 'agent-sdk'; console.log(otel === otelPlugin, otel.id, jsonlStdoutPlugin.id);"], app);
  assert.is(otel.trim(), 'true otel jsonl-stdout', 'agent-sdk/otel loads as a plugin module; jsonl-stdout is exported');
  const testing = run('node', ['--input-type=module', '-e', "import { startTestKernel } from 'agent-sdk/testing'; console.log(typeof startTestKernel);"], app);
  assert.is(testing.trim(), 'function');
  const help = run('npx', ['--no-install', 'agent-sdk', '--help'], app);
  assert.match(help, 'Usage: agent-sdk <command>');
  const migrations = run('npx', ['--no-install', 'agent-sdk', 'migrate', 'status'], app);
  assert.match(migrations, /applied\s+0001_initial/, 'the shipped migrations ran when the kernel started');
});

test.run();
