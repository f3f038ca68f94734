import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventEnvelope, OrgScope, StoragePort } from '../../../core/index.js';
import type { ContractContext } from '../contract.js';
import { isIsoTime, rejectsWith } from './assert-helpers.js';

async function newRun(ctx: ContractContext, org: OrgScope, parentRunId?: string) {
  const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
  const run = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'x' });
  if (!parentRunId) return { runId: run.id, sessionId: session.id };
  const child = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'sub', parentRunId: run.id });
  return { runId: child.id, sessionId: session.id, parentRunId: run.id };
}

/** Reads every event of a run, page by page. */
export async function readAll(storage: StoragePort, org: OrgScope, runId: string, pageSize = 1000): Promise<EventEnvelope[]> {
  const all: EventEnvelope[] = [];
  for (;;) {
    const page = await storage.events.read(org, runId, all.length ? all[all.length - 1].seq : 0, pageSize);
    all.push(...page);
    if (page.length < pageSize) return all;
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The event log: envelopes, gapless seq under concurrency, replay. */
export function registerEventTests(test: Test, ctx: ContractContext): void {
  test('events: append returns envelope v1 with seq from 1; ts, origin and parentRunId persist; read replays them equal', async () => {
    const org = await ctx.newOrg();
    const ref = await newRun(ctx, org, 'nested');
    const ts = '2026-03-04T05:06:07.089Z';
    const first = await ctx.storage.events.append(org, ref, [
      { type: 'run.queued', data: { preset: 'assistant' } },
      { type: 'run.started', data: {}, ts },
    ]);
    const second = await ctx.storage.events.append(org, ref, [
      { type: 'tool.call', data: { callId: 'c1', name: 'calc.add', version: '1.0.0', args: { a: 1, nested: [1, { b: null }] } }, origin: { runId: 'nested-1', seq: 4, agent: 'researcher' } },
      { type: 'assistant.delta', data: { text: 'héllo ✓ "quoted" \\ back' } },
    ]);
    const envelopes = [...first, ...second];
    assert.equal(envelopes.map((e) => e.seq), [1, 2, 3, 4]);
    assert.equal(envelopes.map((e) => e.id), [1, 2, 3, 4].map((s) => `${ref.runId}:${s}`));
    assert.equal(envelopes.map((e) => e.stream), ['lifecycle', 'lifecycle', 'tool', 'assistant']);
    for (const e of envelopes) {
      assert.equal({ v: e.v, runId: e.runId, sessionId: e.sessionId, orgId: e.orgId, parentRunId: e.parentRunId }, { v: 1, runId: ref.runId, sessionId: ref.sessionId, orgId: org.orgId, parentRunId: ref.parentRunId });
      assert.ok(isIsoTime(e.ts));
    }
    assert.is(Date.parse(envelopes[1].ts), Date.parse(ts), 'a draft\'s ts is kept');
    assert.equal(envelopes[2].origin, { runId: 'nested-1', seq: 4, agent: 'researcher' });
    assert.is(envelopes[0].origin, undefined);
    const read = await ctx.storage.events.read(org, ref.runId);
    assert.equal(read, envelopes, 'what read returns equals what append returned');
    assert.is(await ctx.storage.events.lastSeq(org, ref.runId), 4);
    assert.equal(await ctx.storage.events.append(org, ref, []), []);
  });

  test('events: 50 concurrent appenders on one run get gapless, unique seq; each append\'s events are contiguous', async () => {
    const org = await ctx.newOrg();
    const ref = await newRun(ctx, org);
    const results: { writer: number; seqs: number[] }[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, writer) => {
        for (let i = 0; i < 8; i++) {
          const count = 1 + ((writer + i) % 3);
          const drafts = Array.from({ length: count }, (_, k) => ({ type: 'assistant.delta' as const, data: { text: `${writer}/${i}/${k}` } }));
          const out = await ctx.storage.events.append(org, ref, drafts);
          results.push({ writer, seqs: out.map((e) => e.seq) });
          out.forEach((e, k) => assert.is((e.data as { text: string }).text, `${writer}/${i}/${k}`));
        }
      }),
    );
    const total = results.reduce((n, r) => n + r.seqs.length, 0);
    for (const { seqs } of results) assert.equal(seqs, range(seqs[0], seqs[0] + seqs.length - 1));
    assert.equal(results.flatMap((r) => r.seqs).sort((a, b) => a - b), range(1, total));
    assert.is(await ctx.storage.events.lastSeq(org, ref.runId), total);
    const stored = await readAll(ctx.storage, org, ref.runId, 97);
    assert.equal(stored.map((e) => e.seq), range(1, total));
    const perWriter = new Map<number, number[]>();
    for (const e of stored) {
      const [writer, i] = (e.data as { text: string }).text.split('/').map(Number);
      perWriter.set(writer, [...(perWriter.get(writer) ?? []), i]);
    }
    for (const order of perWriter.values()) assert.equal(order, [...order].sort((a, b) => a - b), 'one writer\'s appends keep their order');
  });

  test('events: appends of many runs at once stay per-run gapless', async () => {
    const org = await ctx.newOrg();
    const refs = await Promise.all(Array.from({ length: 20 }, () => newRun(ctx, org)));
    await Promise.all(refs.flatMap((ref) => Array.from({ length: 15 }, (_, i) => ctx.storage.events.append(org, ref, [{ type: 'step.started', data: { step: i + 1 } }]))));
    for (const ref of refs) assert.equal((await ctx.storage.events.read(org, ref.runId)).map((e) => e.seq), range(1, 15));
  });

  test('events: replay from any seq, with limits', async () => {
    const org = await ctx.newOrg();
    const ref = await newRun(ctx, org);
    for (let i = 1; i <= 30; i++) await ctx.storage.events.append(org, ref, [{ type: 'assistant.delta', data: { text: `t${i}` } }]);
    for (let after = 0; after <= 31; after++) {
      const events = await ctx.storage.events.read(org, ref.runId, after);
      assert.equal(events.map((e) => e.seq), range(after + 1, 30), `read after ${after}`);
      assert.ok(events.every((e) => (e.data as { text: string }).text === `t${e.seq}`));
    }
    assert.equal((await ctx.storage.events.read(org, ref.runId, 10, 5)).map((e) => e.seq), [11, 12, 13, 14, 15]);
    assert.equal((await ctx.storage.events.read(org, ref.runId, 28, 5)).map((e) => e.seq), [29, 30]);
    assert.equal(await ctx.storage.events.read(org, ctx.id('unknown-run')), []);
    assert.is(await ctx.storage.events.lastSeq(org, ctx.id('unknown-run')), 0);
  });

  test('events: appending to a run that does not exist is refused', async () => {
    const org = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    await rejectsWith(ctx.storage.events.append(org, { runId: ctx.id('ghost'), sessionId: session.id }, [{ type: 'run.queued', data: {} }]), 'ASDK_STORAGE_NOT_FOUND');
  });

  test('events: a reference naming another session than the run\'s is refused, before and after the first event', async () => {
    const org = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    const other = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    const run = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'x' });
    await rejectsWith(ctx.storage.events.append(org, { runId: run.id, sessionId: other.id }, [{ type: 'run.queued', data: {} }]), 'ASDK_STORAGE_INVALID');
    const [first] = await ctx.storage.events.append(org, { runId: run.id, sessionId: session.id }, [{ type: 'run.queued', data: {} }]);
    assert.is(first.seq, 1, 'the refused append took no seq');
    await rejectsWith(ctx.storage.events.append(org, { runId: run.id, sessionId: other.id }, [{ type: 'run.started', data: {} }]), 'ASDK_STORAGE_INVALID');
    assert.equal((await ctx.storage.events.read(org, run.id)).map((e) => [e.seq, e.sessionId]), [[1, session.id]]);
  });

  test('events: flush waits for every accepted append', async () => {
    const org = await ctx.newOrg();
    const ref = await newRun(ctx, org);
    let settled = 0;
    const appends = Array.from({ length: 200 }, (_, i) => ctx.storage.events.append(org, ref, [{ type: 'assistant.delta', data: { text: String(i) } }]).then(() => settled++));
    await ctx.storage.flush();
    assert.is(settled, 200);
    await Promise.all(appends);
    assert.is(await ctx.storage.events.lastSeq(org, ref.runId), 200);
  });

  test('events: two handles on the same store appending to one run stay gapless (a second process)', async () => {
    if (!ctx.sut.persistent) {
      console.log(`\n[skip] second-writer test: this store does not persist across handles`);
      return;
    }
    const org = await ctx.newOrg();
    const ref = await newRun(ctx, org);
    const second = await ctx.sut.open();
    try {
      await Promise.all(
        [ctx.storage, second.storage].flatMap((storage, w) =>
          Array.from({ length: 10 }, async (_, i) => {
            for (let k = 0; k < 10; k++) await storage.events.append(org, ref, [{ type: 'assistant.delta', data: { text: `${w}/${i}/${k}` } }]);
          }),
        ),
      );
    } finally {
      await second.close();
    }
    assert.equal((await readAll(ctx.storage, org, ref.runId)).map((e) => e.seq), range(1, 200));
  });
}
