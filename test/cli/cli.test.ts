import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'asdk-cli-'));

test('--help lists the commands and exits 0; --version prints the package version', async () => {
  const help = await runCli(['--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, 'Usage: agent-sdk <command>');
  assert.match(help.stdout, 'doctor');
  const version = await runCli(['--version']);
  assert.is(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('every command has its own --help', async () => {
  const result = await runCli(['doctor', '--help']);
  assert.is(result.code, 0);
  assert.match(result.stdout, 'Usage: agent-sdk doctor');
});

test('an unknown command or option is a usage error (exit 2) with a suggestion', async () => {
  const command = await runCli(['docter']);
  assert.is(command.code, 2);
  assert.match(command.stderr, 'did you mean "doctor"?');
  const option = await runCli(['doctor', '--verbose']);
  assert.is(option.code, 2);
  assert.match(option.stderr, "ASDK_CLI_USAGE: Unknown option '--verbose'");
  assert.not.match(option.stderr, /\bat .*\.ts:\d+/, 'no stack trace');
});

test('doctor passes on the embedded default', async () => {
  // Port 0: doctor checks the server's port can be listened on; 8787 may be held by a server or another test.
  const result = await runCli(['doctor'], { cwd: emptyDir(), env: { AGENT_SDK_PORT: '0' } });
  assert.is(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, '✓ config: no config file; using the embedded default');
});

test('doctor prints each problem of a bad config file with code, path and hint, and exits 1', async () => {
  const dir = emptyDir();
  writeFileSync(join(dir, 'agent-sdk.config.yaml'), 'kernel:\n  logLevl: debug\n  startTimeoutMs: soon\nplugins:\n  disable: [nonexistent]\n');
  const result = await runCli(['doctor'], { cwd: dir });
  assert.is(result.code, 1);
  assert.match(result.stdout, '✗ config: 3 problem(s)');
  assert.match(result.stdout, 'ASDK_CONFIG_UNKNOWN_KEY kernel.logLevl: Unknown key "logLevl"; did you mean "logLevel"?');
  assert.match(result.stdout, 'ASDK_CONFIG_TYPE kernel.startTimeoutMs');
  assert.match(result.stdout, 'found "soon" (string)');
  assert.match(result.stdout, 'ASDK_PLUGIN_UNKNOWN plugins.disable[0]');
  assert.match(result.stdout, 'hint:');
});

test('doctor reports an unreadable config file as one failed check, with the position', async () => {
  const dir = emptyDir();
  writeFileSync(join(dir, 'agent-sdk.config.json'), '{ "kernel": { "logLevel": "debug", } }');
  const result = await runCli(['doctor', '--json'], { cwd: dir });
  assert.is(result.code, 1);
  const report = JSON.parse(result.stdout);
  assert.is(report.ok, false);
  assert.match(report.checks[1].detail, 'ASDK_CONFIG_PARSE');
});

test('doctor --config names a missing file', async () => {
  const result = await runCli(['doctor', '--config', 'missing.yaml'], { cwd: emptyDir() });
  assert.is(result.code, 1);
  assert.match(result.stdout, 'ASDK_CONFIG_NOT_FOUND');
  assert.match(result.stdout, 'missing.yaml');
});

test.run();
