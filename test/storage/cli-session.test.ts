// `agent-sdk run` twice with --session continues the conversation from the SQLite file: two processes, one
// session, and the file holds both runs, their events and the whole history.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ORG } from '../../core/index.js';
import { runCli } from '../helpers/cli.js';
import { openMikroOrmForTest } from './open-mikro-orm.js';

test('agent-sdk run --session twice: the second process answers from the first one\'s history in the SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-cli-session-'));
  try {
    writeFileSync(join(dir, 'agent-sdk.config.yaml'), 'kernel:\n  logLevel: silent\nstorage:\n  path: ./state/agent.sqlite\n');
    const first = await runCli(['run', '--preset', 'assistant_basic', '--session', 'ses-cli', 'Hello, my name is Ada.'], { cwd: dir });
    assert.is(first.code, 0, first.stderr);
    const second = await runCli(['run', '--preset', 'assistant_basic', '--session', 'ses-cli', 'What is my name?'], { cwd: dir });
    assert.is(second.code, 0, second.stderr);
    assert.match(second.stdout, 'Ada', 'the second process knew the name from the stored session');

    const { storage, close } = await openMikroOrmForTest({ path: join(dir, 'state/agent.sqlite') });
    try {
      const messages = (await storage.messages.list(DEFAULT_ORG, 'ses-cli')).map((m) => m.message);
      assert.equal(messages.filter((m) => m.role === 'user').map((m) => m.content), ['Hello, my name is Ada.', 'What is my name?']);
      const runs = (await storage.runs.listBySession(DEFAULT_ORG, 'ses-cli')).items;
      assert.equal(runs.map((r) => r.status), ['completed', 'completed']);
      for (const run of runs) {
        const events = await storage.events.read(DEFAULT_ORG, run.id);
        assert.equal(events.map((e) => e.seq), events.map((_, i) => i + 1));
        assert.is(events.at(-1)?.type, 'run.completed');
      }
    } finally {
      await close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
