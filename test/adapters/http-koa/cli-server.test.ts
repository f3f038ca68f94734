// `agent-sdk server` as a user runs it: prints the URL when ready (and that it runs open), serves runs from
// the embedded default, stops cleanly on SIGTERM (streams told, exit 0), and refuses 0.0.0.0 without a key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, tsxLoader } from '../../helpers/cli.js';
import { postJson, SseClient } from './helpers.js';

const cliEntry = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'asdk-cli-server-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('agent-sdk server prints the URL when ready, serves a run, and stops on SIGTERM with notices', async () => {
  // The offline model, slowed down so that a run is still streaming when SIGTERM arrives.
  writeFileSync(join(dir, 'agent-sdk.config.yaml'), 'models:\n  default: { provider: offline, delayMs: 100 }\n');
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, 'server', '--port', '0'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', AGENT_SDK_LOG_LEVEL: 'warn', AGENT_SDK_DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!/listening (http:\/\/\S+)/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const base = /listening (http:\/\/\S+)/.exec(stdout)![1];
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(stdout, /agent-sdk started \(.*agent-sdk.config.yaml\)/);
    assert.match(stdout, /open to anyone on this machine/);
    const presets = await (await fetch(`${base}/presets`)).json();
    assert.ok(presets.items.length >= 1, 'the embedded default has presets');
    const run = await (await postJson(base, '/run', { preset: presets.items[0].name, input: 'What is 2 + 2?' })).json();
    const stream = await SseClient.open(base + run.links.events);
    await stream.done();
    assert.ok(['run.completed', 'run.failed'].includes(stream.envelopes.at(-1)!.type));
    // A client still connected when SIGTERM arrives: told, then the process exits 0.
    const open = await SseClient.open(base + (await (await postJson(base, '/run', { preset: presets.items[0].name, input: 'Hello there, how are you?' })).json()).links.events);
    await open.until((events) => events.some((e) => e.event === 'assistant.delta'));
    child.kill('SIGTERM');
    assert.is(await exited, 0, stderr);
    assert.match(stdout, /SIGTERM: stopping/);
    await open.done();
    assert.is(open.events.at(-1)!.event, 'stream.shutdown');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('agent-sdk server --host 0.0.0.0 without a key exits 1 and names the fix', async () => {
  const result = await runCli(['server', '--host', '0.0.0.0', '--port', '0'], { cwd: dir, env: { AGENT_SDK_DATA_DIR: join(dir, 'data2'), AGENT_SDK_LOG_LEVEL: 'silent' } });
  assert.is(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, /ASDK_/);
  assert.match(result.stderr, /0\.0\.0\.0/);
  assert.match(result.stderr, /AGENT_SDK_API_KEY/);
});

test.run();
