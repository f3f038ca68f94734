// The `agent-sdk` bin in a source checkout runs cli/main.ts through tsx: `npx agent-sdk` works on a fresh clone
// with no build, and never runs a stale dist/. (The installed package's path is covered by test/package.test.ts.)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const bin = fileURLToPath(new URL('../../bin/agent-sdk.mjs', import.meta.url));

test('bin/agent-sdk.mjs runs the CLI from source in a checkout', () => {
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.is(help.status, 0, help.stderr);
  assert.match(help.stdout, 'Usage: agent-sdk <command>');
  const usage = spawnSync(process.execPath, [bin, 'no-such-command'], { encoding: 'utf8' });
  assert.is(usage.status, 2, 'a usage error keeps its exit code through the launcher');
});

test.run();
