import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batteries } from '../../batteries.js';
import { runCli } from '../helpers/cli.js';

test('init writes a commented config that shows every section and passes doctor', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'asdk-init-'));
  const result = await runCli(['init'], { cwd });
  assert.is(result.code, 0, result.stdout + result.stderr);
  const text = readFileSync(join(cwd, 'agent-sdk.config.yaml'), 'utf8');
  for (const id of ['kernel', 'plugins', ...batteries().filter((p) => p.config).map((p) => p.id)]) {
    assert.match(text, new RegExp(`^#? ?${id}:`, 'm'), `section ${id} is missing`);
  }
  assert.match(text, '${env:OPENAI_API_KEY}');
  const doctor = await runCli(['doctor'], { cwd, env: { AGENT_SDK_PORT: '0' } });
  assert.match(doctor.stdout, /✓ config: .*agent-sdk.config.yaml is valid/);
});

test('init refuses to replace a file unless --force, and writes where --file says', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'asdk-init-'));
  assert.is((await runCli(['init'], { cwd })).code, 0);
  const again = await runCli(['init'], { cwd });
  assert.is(again.code, 2);
  assert.match(again.stderr, 'already exists; pass --force');
  assert.is((await runCli(['init', '--force'], { cwd })).code, 0);
  assert.is((await runCli(['init', '--file', 'other.yaml'], { cwd })).code, 0);
  assert.ok(readFileSync(join(cwd, 'other.yaml'), 'utf8').length > 100);
});

test.run();
