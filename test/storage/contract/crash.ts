import { spawn } from 'node:child_process';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, tsxLoader } from '../../helpers/cli.js';
import type { ContractContext } from '../contract.js';
import { readAll } from './events.js';

const ACKS_BEFORE_KILL = 150;
const CHILD_TIMEOUT_MS = 60_000;

/** Starts the crash child, waits for `ACKS_BEFORE_KILL` acknowledgements, kills it with SIGKILL; returns the acks. */
function appendUntilKilled(spec: object): Promise<Map<number, string>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, 'test/storage/crash-appender.ts', JSON.stringify(spec)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<number, string>(); // seq -> the text its append carried
    let buffer = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the crash child acknowledged only ${acked.size} events in ${CHILD_TIMEOUT_MS} ms\n${stderr}`));
    }, CHILD_TIMEOUT_MS);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const match = /^ack (\d+) (\d+) ([\d,]+)$/.exec(line);
        if (!match) continue;
        match[3].split(',').forEach((seq, k) => acked.set(Number(seq), `${match[1]}/${match[2]}/${k}`));
      }
      if (!killed && acked.size >= ACKS_BEFORE_KILL) {
        killed = true;
        child.kill('SIGKILL'); // mid-stream: appends are in flight
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) resolvePromise(acked);
      else reject(new Error(`the crash child exited by itself (code ${code}, signal ${signal})\n${stderr}`));
    });
  });
}

/** A child process appending events is killed with SIGKILL; the reopened store has every acknowledged event. */
export function registerCrashTests(test: Test, ctx: ContractContext): void {
  test('crash: after SIGKILL of a writer, the reopened store has every acknowledged event and no gap in seq', async () => {
    const child = ctx.sut.child;
    if (!ctx.sut.persistent || !child) {
      console.log('\n[skip] crash test: this store does not persist, so there is nothing to reopen');
      return;
    }
    const org = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    const run = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'crash' });
    const acked = await appendUntilKilled({ ...child, orgId: org.orgId, runId: run.id, sessionId: session.id, writers: 8 });

    const reopened = await ctx.sut.open();
    try {
      const events = await readAll(reopened.storage, org, run.id);
      const seqs = events.map((e) => e.seq);
      assert.equal(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'seq has no gap');
      const stored = new Map(events.map((e) => [e.seq, (e.data as { text: string }).text]));
      for (const [seq, text] of acked) assert.is(stored.get(seq), text, `acknowledged event ${seq} is stored as it was acknowledged`);
      assert.ok(seqs.length >= acked.size);
      const [next] = await reopened.storage.events.append(org, { runId: run.id, sessionId: session.id }, [{ type: 'run.failed', data: { error: { code: 'ASDK_X', message: 'worker died' }, usage: { inputTokens: 0, outputTokens: 0 } } }]);
      assert.is(next.seq, seqs.length + 1, 'a new process continues the run where the killed one stopped');
    } finally {
      await reopened.close();
    }
  });
}
