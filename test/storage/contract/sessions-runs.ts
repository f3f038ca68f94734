import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatMessage } from '../../../core/index.js';
import type { ContractContext } from '../contract.js';
import { isIsoTime, rejectsWith, sleep } from './assert-helpers.js';

/** Sessions, runs and session memory (messages). */
export function registerSessionRunTests(test: Test, ctx: ContractContext): void {
  test('sessions: create, get, list by latest activity, touch, conflicts', async () => {
    const org = await ctx.newOrg();
    const a = await ctx.storage.sessions.create(org, { id: ctx.id('s'), title: 'First', preset: 'assistant', metadata: { channel: 'cli', n: 1 } });
    assert.equal({ orgId: a.orgId, title: a.title, preset: a.preset, metadata: a.metadata }, { orgId: org.orgId, title: 'First', preset: 'assistant', metadata: { channel: 'cli', n: 1 } });
    assert.ok(isIsoTime(a.createdAt) && a.createdAt === a.updatedAt);
    await sleep(3);
    const b = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    assert.is(b.title, undefined);
    assert.is(b.metadata, undefined);
    assert.equal(await ctx.storage.sessions.get(org, a.id), a);
    assert.equal((await ctx.storage.sessions.list(org)).items.map((s) => s.id), [b.id, a.id]);
    const later = new Date(Date.now() + 60_000).toISOString();
    await ctx.storage.sessions.touch(org, a.id, later);
    const touched = await ctx.storage.sessions.get(org, a.id);
    assert.is(Date.parse(touched!.updatedAt), Date.parse(later));
    assert.is(touched!.createdAt, a.createdAt);
    assert.equal((await ctx.storage.sessions.list(org)).items.map((s) => s.id), [a.id, b.id], 'touch moves a session to the front');
    await rejectsWith(ctx.storage.sessions.create(org, { id: a.id }), 'ASDK_STORAGE_CONFLICT');
    assert.is(await ctx.storage.sessions.get(org, ctx.id('missing')), undefined);
  });

  test('runs: create in a session of the org, get, partial update, list oldest first, idempotency key per org', async () => {
    const org = await ctx.newOrg();
    const other = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    const run = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'What is 2+2?', preset: 'assistant', agent: 'main', idempotencyKey: 'key-1' });
    assert.equal(
      { orgId: run.orgId, sessionId: run.sessionId, status: run.status, input: run.input, preset: run.preset, agent: run.agent, idempotencyKey: run.idempotencyKey },
      { orgId: org.orgId, sessionId: session.id, status: 'queued', input: 'What is 2+2?', preset: 'assistant', agent: 'main', idempotencyKey: 'key-1' },
    );
    assert.ok(isIsoTime(run.createdAt));
    assert.is(run.output, undefined);
    assert.equal(await ctx.storage.runs.get(org, run.id), run);

    const startedAt = new Date().toISOString();
    const running = await ctx.storage.runs.update(org, run.id, { status: 'running', startedAt });
    assert.is(running?.status, 'running');
    assert.is(Date.parse(running!.startedAt!), Date.parse(startedAt));
    const done = await ctx.storage.runs.update(org, run.id, {
      status: 'failed', output: 'partial', usage: { inputTokens: 10, outputTokens: 3, costUsd: 0.001 }, error: { code: 'ASDK_X', message: 'boom' }, finishedAt: new Date().toISOString(),
    });
    assert.equal({ status: done?.status, output: done?.output, usage: done?.usage, error: done?.error }, { status: 'failed', output: 'partial', usage: { inputTokens: 10, outputTokens: 3, costUsd: 0.001 }, error: { code: 'ASDK_X', message: 'boom' } });
    assert.is(Date.parse(done!.startedAt!), Date.parse(startedAt), 'fields not in the update are kept');
    assert.equal(await ctx.storage.runs.get(org, run.id), done);
    assert.is(await ctx.storage.runs.update(org, ctx.id('missing'), { status: 'running' }), undefined);

    const child = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'sub-task', parentRunId: run.id, status: 'running' });
    assert.equal({ parentRunId: child.parentRunId, status: child.status }, { parentRunId: run.id, status: 'running' });
    await sleep(2);
    const third = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'again' });
    assert.equal((await ctx.storage.runs.listBySession(org, session.id)).items.map((r) => r.id), [run.id, child.id, third.id]);

    assert.equal((await ctx.storage.runs.findByIdempotencyKey(org, 'key-1'))?.id, run.id);
    assert.is(await ctx.storage.runs.findByIdempotencyKey(org, 'key-2'), undefined);
    await rejectsWith(ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'x', idempotencyKey: 'key-1' }), 'ASDK_STORAGE_CONFLICT');
    await rejectsWith(ctx.storage.runs.create(org, { id: run.id, sessionId: session.id, input: 'x' }), 'ASDK_STORAGE_CONFLICT');
    await rejectsWith(ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: ctx.id('missing'), input: 'x' }), 'ASDK_STORAGE_NOT_FOUND');
    const otherSession = await ctx.storage.sessions.create(other, { id: ctx.id('s') });
    const sameKey = await ctx.storage.runs.create(other, { id: ctx.id('r'), sessionId: otherSession.id, input: 'x', idempotencyKey: 'key-1' });
    assert.is(sameKey.idempotencyKey, 'key-1', 'another org may use the same idempotency key');
    await rejectsWith(ctx.storage.runs.create(other, { id: ctx.id('r'), sessionId: session.id, input: 'x' }), 'ASDK_STORAGE_NOT_FOUND');
  });

  test('messages: appended in order from position 1, listed, compacted with positions renumbered', async () => {
    const org = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    const run = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'hi' });
    const first: ChatMessage[] = [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: '', toolCalls: [{ callId: 'c1', name: 'calc.add', args: { a: 1, b: 2 } }] },
      { role: 'tool', callId: 'c1', name: 'calc.add', content: '3' },
    ];
    const stored = await ctx.storage.messages.append(org, session.id, first, run.id);
    assert.equal(stored.map((m) => [m.position, m.runId, m.sessionId]), first.map((_, i) => [i + 1, run.id, session.id]));
    assert.ok(stored.every((m) => isIsoTime(m.createdAt)));
    await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.storage.messages.append(org, session.id, [{ role: 'user', content: `m${i}` }, { role: 'assistant', content: `a${i}` }])));
    const listed = await ctx.storage.messages.list(org, session.id);
    assert.equal(listed.map((m) => m.position), Array.from({ length: 24 }, (_, i) => i + 1), 'concurrent appends never collide or skip a position');
    assert.equal(listed.slice(0, 4).map((m) => m.message), first);
    for (let i = 4; i < 24; i += 2) {
      const [q, a] = [listed[i].message.content, listed[i + 1].message.content];
      assert.is(q.slice(1), a.slice(1), 'the messages of one append stay together');
    }
    assert.is(listed[5].runId, undefined);

    // Compaction never renumbers: the replacement ends where the replaced messages did, the rest keep theirs.
    await ctx.storage.messages.replacePrefix(org, session.id, 20, [{ role: 'system', content: 'Summary of 20 messages' }]);
    const compacted = await ctx.storage.messages.list(org, session.id);
    assert.equal(compacted.map((m) => m.position), [20, 21, 22, 23, 24]);
    assert.equal(compacted[0].message, { role: 'system', content: 'Summary of 20 messages' });
    assert.equal(compacted.slice(1).map((m) => m.message.content), listed.slice(20).map((m) => m.message.content));
    await ctx.storage.messages.replacePrefix(org, session.id, 20, [{ role: 'system', content: 's1' }, { role: 'system', content: 's2' }]);
    assert.equal((await ctx.storage.messages.list(org, session.id)).map((m) => [m.position, m.message.content]), [[19, 's1'], [20, 's2'], ...listed.slice(20).map((m, i) => [i + 21, m.message.content])]);
    const appended = await ctx.storage.messages.append(org, session.id, [{ role: 'user', content: 'next' }]);
    assert.is(appended[0].position, 25);
    await rejectsWith(ctx.storage.messages.replacePrefix(org, session.id, 99, []), 'ASDK_STORAGE_INVALID');
    await rejectsWith(ctx.storage.messages.replacePrefix(org, session.id, 1.5, []), 'ASDK_STORAGE_INVALID');
    await rejectsWith(ctx.storage.messages.append(org, ctx.id('missing'), [{ role: 'user', content: 'x' }]), 'ASDK_STORAGE_NOT_FOUND');
  });

  test('two compactions of one prefix at once, with appends between, lose no later message', async () => {
    const org = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    await ctx.storage.messages.append(org, session.id, Array.from({ length: 6 }, (_, i) => ({ role: 'user' as const, content: `m${i + 1}` })));
    // Both compactions read the history up to position 4 before either writes, as two runs starting at once do.
    await Promise.all([
      ctx.storage.messages.replacePrefix(org, session.id, 4, [{ role: 'system', content: 'summary A' }]),
      ctx.storage.messages.append(org, session.id, [{ role: 'user', content: 'm7' }]),
      ctx.storage.messages.replacePrefix(org, session.id, 4, [{ role: 'system', content: 'summary B' }]),
    ]);
    const after = await ctx.storage.messages.list(org, session.id);
    assert.equal(after.slice(1).map((m) => [m.position, m.message.content]), [[5, 'm5'], [6, 'm6'], [7, 'm7']]);
    assert.is(after.length, 4, 'one summary: the second replaced the first');
    assert.ok(['summary A', 'summary B'].includes(after[0].message.content));
    assert.is(after[0].position, 4);
  });

  test('sessions.delete removes the session with its runs, their events and its messages', async () => {
    const org = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    const keep = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    const run = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'x', idempotencyKey: ctx.id('k') });
    const kept = await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: keep.id, input: 'y' });
    await ctx.storage.events.append(org, { runId: run.id, sessionId: session.id }, [{ type: 'run.queued', data: {} }]);
    await ctx.storage.events.append(org, { runId: kept.id, sessionId: keep.id }, [{ type: 'run.queued', data: {} }]);
    await ctx.storage.messages.append(org, session.id, [{ role: 'user', content: 'x' }]);
    assert.is(await ctx.storage.sessions.delete(org, session.id), true);
    assert.is(await ctx.storage.sessions.delete(org, session.id), false);
    assert.is(await ctx.storage.sessions.get(org, session.id), undefined);
    assert.is(await ctx.storage.runs.get(org, run.id), undefined);
    assert.is(await ctx.storage.runs.findByIdempotencyKey(org, run.idempotencyKey!), undefined);
    assert.equal(await ctx.storage.events.read(org, run.id), []);
    assert.is(await ctx.storage.events.lastSeq(org, run.id), 0);
    assert.equal(await ctx.storage.messages.list(org, session.id), []);
    await rejectsWith(ctx.storage.events.append(org, { runId: run.id, sessionId: session.id }, [{ type: 'run.started', data: {} }]), 'ASDK_STORAGE_NOT_FOUND');
    assert.is(await ctx.storage.events.lastSeq(org, kept.id), 1, 'other sessions keep their runs and events');
    assert.ok(await ctx.storage.runs.get(org, kept.id));
  });
}
