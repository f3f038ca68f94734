// `agent-sdk run` as a user runs it: a separate process in an empty folder, on the embedded default.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, tsxLoader } from '../helpers/cli.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'asdk-run-'));

test('the answer streams to stdout, tool calls to stderr; exit 0', async () => {
  const result = await runCli(['run', '--preset', 'assistant_tools', 'What is 17 * 23?'], { cwd: emptyDir() });
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout, '17 * 23 = 391\n');
  assert.match(result.stderr, '→ calculator {"expression":"17 * 23"}');
  assert.match(result.stderr, '← calculator {"result":391');
  assert.match(result.stderr, /session ses_[\w-]+ \(continue with --session/);
});

test('--json prints one envelope per line, in seq order, ending with the terminal event', async () => {
  const result = await runCli(['run', '--json', '--preset', 'assistant_multiagent', 'What is 12 * 12?'], { cwd: emptyDir() });
  assert.is(result.code, 0, result.stderr);
  const envelopes = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(envelopes.map((e) => e.seq), envelopes.map((_, i) => i + 1));
  assert.ok(envelopes.every((e) => e.v === 1 && e.runId === envelopes[0].runId));
  assert.ok(envelopes.some((e) => e.origin?.agent === 'analyst'), 'nested runs appear in the stream');
  assert.is(envelopes.at(-1).type, 'run.completed');
  assert.is(result.stderr, '');
});

test('--session continues a session across processes', async () => {
  const cwd = emptyDir();
  const first = await runCli(['run', '--preset', 'assistant_basic', '--session', 'mine', 'My name is Ada'], { cwd });
  assert.is(first.code, 0, first.stderr);
  const second = await runCli(['run', '--preset', 'assistant_basic', '-s', 'mine', 'What is my name?'], { cwd });
  assert.is(second.stdout, 'Your name is Ada.\n');
});

test('an unknown preset: exit 1 with the code, a suggestion and the list; a failed run: exit 1', async () => {
  const unknown = await runCli(['run', '--preset', 'assistant_tool', 'hi'], { cwd: emptyDir() });
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, '✗ ASDK_PRESET_NOT_FOUND: Unknown preset "assistant_tool"; did you mean "assistant_tools"?');
  assert.match(unknown.stderr, 'Available presets: assistant_basic, assistant_tools');
  assert.not.match(unknown.stderr, /\bat .*\.ts:\d+/, 'no stack trace');

  const cwd = emptyDir();
  writeFileSync(join(cwd, 'agent-sdk.config.yaml'), 'models:\n  default: { provider: offline, delayMs: 50 }\nruntime:\n  limits: { timeoutMs: 20 }\n');
  const failed = await runCli(['run', 'Hello there'], { cwd });
  assert.is(failed.code, 1);
  assert.match(failed.stderr, '✗ ASDK_RUN_TIMEOUT: The run did not finish within 20 ms');
});

test('no prompt is a usage error (exit 2); the prompt may come from stdin', async () => {
  const missing = await runCli(['run', '--preset', 'assistant_basic'], { cwd: emptyDir() });
  assert.is(missing.code, 2);
  assert.match(missing.stderr, 'Give a prompt');
  const piped = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, fileURLToPath(new URL('../../cli/main.ts', import.meta.url)), 'run', '--preset', 'assistant_tools'], {
      cwd: emptyDir(),
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end('What is 2 + 3?');
  });
  assert.equal(piped, { code: 0, stdout: '2 + 3 = 5\n' });
});

test('Ctrl-C cancels the run cleanly and exits 130', async () => {
  const cwd = emptyDir();
  writeFileSync(join(cwd, 'agent-sdk.config.yaml'), 'models:\n  default: { provider: offline, chunkWords: 1, delayMs: 100 }\n');
  const child = spawn(process.execPath, ['--import', tsxLoader, fileURLToPath(new URL('../../cli/main.ts', import.meta.url)), 'run', '--preset', 'assistant_basic', 'Hello'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (d) => {
      if (!stdout) child.kill('SIGINT');
      stdout += d;
    });
    child.on('close', resolve);
  });
  assert.is(code, 130, stderr);
  assert.match(stderr, 'cancelled: interrupted (Ctrl-C)');
  assert.ok(stdout.length > 0 && stdout.length < 60, `only the first words were printed: ${JSON.stringify(stdout)}`);
});

test('run --help', async () => {
  const help = await runCli(['run', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, 'Usage: agent-sdk run [--preset <name>] [--session <id>] [--json] [--config <file>] "<prompt>"');
});

test('tool arguments shown on stderr are cut on a code point boundary (no replacement character)', async () => {
  // {"content":" is 12 units, so the first emoji's pair straddles the 99-unit cut of a 100-character preview.
  const content = `${'x'.repeat(86)}😀😀😀 end`;
  const result = await runCli(['run', '--preset', 'assistant_tools', `write "${content}" to todo.txt`], { cwd: emptyDir() });
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stderr, `→ filesystem.write {"content":"${'x'.repeat(86)}…`);
  assert.not.match(result.stderr, '\uFFFD');
});

test.run();
