import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { definePlugin, Kernel, readConfigSource, type Plugin } from '../../core/index.js';
import { kernelWith, rejection } from '../helpers/kernel.js';

const serverLike = definePlugin({
  id: 'server',
  version: '1.0.0',
  config: Type.Object(
    {
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8787 }),
      apiKeys: Type.Array(Type.String(), { default: [] }),
      tls: Type.Optional(Type.Object({ cert: Type.String(), key: Type.String() }, { additionalProperties: false })),
    },
    { additionalProperties: false },
  ),
});
const storageLike = definePlugin({
  id: 'storage',
  version: '1.0.0',
  config: Type.Object(
    { adapter: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], { default: 'sqlite' }), url: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'asdk-config-'));
}

async function problemsOf(plugins: Plugin[], config: Record<string, unknown>, env: Record<string, string> = {}) {
  const report = await kernelWith(plugins, config, env).check();
  return report.configProblems;
}

test('an unknown key is reported with its path and a suggestion', async () => {
  const [p] = await problemsOf([serverLike], { server: { prot: 9000 } });
  assert.is(p.code, 'ASDK_CONFIG_UNKNOWN_KEY');
  assert.is(p.path, 'server.prot');
  assert.is(p.plugin, 'server');
  assert.match(p.message, 'did you mean "port"?');
});

test('an unknown top-level section suggests the plugin id', async () => {
  const [p] = await problemsOf([serverLike, storageLike], { sever: { port: 1 } });
  assert.is(p.code, 'ASDK_CONFIG_UNKNOWN_KEY');
  assert.is(p.path, 'sever');
  assert.match(p.message, 'did you mean "server"?');
});

test('a wrong type says what was expected and what was found', async () => {
  const [p] = await problemsOf([serverLike], { server: { port: 'eighty' } });
  assert.is(p.code, 'ASDK_CONFIG_TYPE');
  assert.is(p.path, 'server.port');
  assert.is(p.expected, 'integer >= 0 and <= 65535');
  assert.is(p.found, '"eighty" (string)');
});

test('every problem is reported at once, nested ones included', async () => {
  const problems = await problemsOf([serverLike, storageLike], {
    server: { port: 70000, apiKeys: ['ok', 3], tls: { cert: 'c' } },
    storage: { adapter: 'mysql' },
    extra: true,
  });
  const summary = problems.map((p) => `${p.code} ${p.path}`).sort();
  assert.equal(summary, [
    'ASDK_CONFIG_REQUIRED server.tls.key',
    'ASDK_CONFIG_TYPE server.apiKeys[1]',
    'ASDK_CONFIG_TYPE storage.adapter',
    'ASDK_CONFIG_UNKNOWN_KEY extra',
    'ASDK_CONFIG_VALUE server.port',
  ]);
  const adapter = problems.find((p) => p.path === 'storage.adapter')!;
  assert.is(adapter.expected, '"sqlite" or "postgres"');
  const start = await rejection(kernelWith([serverLike, storageLike], { storage: { adapter: 'mysql' } }).start());
  assert.is(start.code, 'ASDK_CONFIG_INVALID');
  assert.is(start.problems.length, 1);
});

test('a missing environment variable is an error naming it and where it is used', async () => {
  const [p] = await problemsOf([storageLike], { storage: { url: '${env:PG_URL}' } });
  assert.is(p.code, 'ASDK_CONFIG_ENV_MISSING');
  assert.is(p.path, 'storage.url');
  assert.match(p.message, 'PG_URL');
});

test('${env:...} with a fallback, ${file:...}, and $${ escapes interpolate', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'key.txt'), 'sk-from-file\n');
  let seen: any;
  const probe = definePlugin({
    id: 'probe',
    version: '1.0.0',
    config: Type.Object({ a: Type.String(), b: Type.String(), c: Type.String(), port: Type.Integer() }),
    init: (ctx) => void (seen = ctx.config),
  });
  const kernel = new Kernel({
    plugins: [probe],
    source: { raw: { probe: { a: '${env:HOME_DIR:-/tmp}', b: '${file:key.txt}', c: 'cost $${price}', port: '${env:PORT}' }, kernel: { logLevel: 'silent' } }, baseDir: dir },
    env: { PORT: '8080' },
  });
  await kernel.start();
  assert.equal({ ...seen }, { a: '/tmp', b: 'sk-from-file', c: 'cost ${price}', port: 8080 });
  await kernel.stop();
});

test('a missing ${file:...} is an error naming the file and the path', async () => {
  const [p] = await problemsOf([storageLike], { storage: { url: '${file:/nonexistent/secret}' } });
  assert.is(p.code, 'ASDK_CONFIG_FILE_REF');
  assert.is(p.path, 'storage.url');
  assert.match(p.message, '/nonexistent/secret');
});

test('AGENT_SDK_* overrides win over the file and are checked', async () => {
  let seen: any;
  const probe = definePlugin({ ...serverLike, init: (ctx: any) => void (seen = ctx.config) });
  const kernel = kernelWith([probe], { server: { port: 1000, host: 'localhost' } }, { AGENT_SDK_PORT: '9090', AGENT_SDK_API_KEY: 'k1, k2' });
  await kernel.start();
  assert.is(seen.port, 9090);
  assert.is(seen.host, 'localhost');
  assert.equal([...seen.apiKeys], ['k1', 'k2']);
  await kernel.stop();
  const [p] = await problemsOf([serverLike], {}, { AGENT_SDK_PORT: 'http' });
  assert.is(p.code, 'ASDK_CONFIG_ENV_OVERRIDE');
  assert.match(p.message, 'AGENT_SDK_PORT');
});

test('the validated config is frozen', async () => {
  let seen: any;
  const probe = definePlugin({ ...serverLike, init: (ctx: any) => void (seen = ctx.config) });
  const kernel = await kernelWith([probe], { server: { apiKeys: ['a'] } }).start();
  assert.ok(Object.isFrozen(seen));
  assert.ok(Object.isFrozen(seen.apiKeys));
  assert.throws(() => {
    'use strict';
    seen.port = 1;
  });
  await kernel.stop();
});

test('an unknown plugin id in plugins.disable suggests the right one', async () => {
  const [p] = await problemsOf([serverLike, storageLike], { plugins: { disable: ['storag'] } });
  assert.is(p.code, 'ASDK_PLUGIN_UNKNOWN');
  assert.is(p.path, 'plugins.disable[0]');
  assert.match(p.message, 'did you mean "storage"?');
});

test('the section of a disabled plugin is left alone, so a file can switch a plugin off', async () => {
  const problems = await problemsOf([serverLike, storageLike], { plugins: { disable: ['server'] }, server: { port: 'not checked' } });
  assert.equal(problems, []);
});

test('a plugin without a config schema refuses configuration', async () => {
  const bare = definePlugin({ id: 'bare', version: '1.0.0' });
  const [p] = await problemsOf([bare], { bare: { x: 1 } });
  assert.is(p.code, 'ASDK_CONFIG_UNKNOWN_KEY');
  assert.match(p.message, 'takes no configuration');
});

test('config files: YAML, JSON and .mjs are found in the working directory', async () => {
  for (const [name, text] of [
    ['agent-sdk.config.yaml', 'server:\n  port: 1234\n'],
    ['agent-sdk.config.json', '{ "server": { "port": 1234 } }'],
    ['agent-sdk.config.mjs', 'export default { server: { port: 1234 } };'],
  ]) {
    const dir = tempDir();
    writeFileSync(join(dir, name), text);
    const source = await readConfigSource({ cwd: dir, env: {} });
    assert.equal(source.raw, { server: { port: 1234 } }, name);
    assert.is(source.file, join(dir, name));
  }
});

test('config files: syntax errors carry the position; two files are ambiguous; a missing explicit file is named', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'agent-sdk.config.yaml'), 'server:\n  port: 1\n   host: x\n');
  const parse = await rejection(readConfigSource({ cwd: dir, env: {} }));
  assert.is(parse.code, 'ASDK_CONFIG_PARSE');
  assert.match(parse.message, /at line 2, column 9/);
  writeFileSync(join(dir, 'agent-sdk.config.json'), '{}');
  assert.is((await rejection(readConfigSource({ cwd: dir, env: {} }))).code, 'ASDK_CONFIG_AMBIGUOUS');
  const missing = await rejection(readConfigSource({ cwd: dir, env: {}, file: 'nope.yaml' }));
  assert.is(missing.code, 'ASDK_CONFIG_NOT_FOUND');
  assert.match(missing.message, 'nope.yaml');
});

test('plugins.load imports plugin modules relative to the config file', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'extra.mjs'), `export default { id: 'extra', version: '1.0.0' };\n`);
  const kernel = new Kernel({ source: { raw: { plugins: { load: ['./extra.mjs', './missing.mjs'] } }, baseDir: dir }, env: {} });
  const report = await kernel.check();
  assert.equal(report.plugins.map((p) => p.id), ['extra']);
  assert.is(report.configProblems.length, 1);
  assert.is(report.configProblems[0].code, 'ASDK_PLUGIN_LOAD_FAILED');
  assert.is(report.configProblems[0].path, 'plugins.load[1]');
});

test.run();
