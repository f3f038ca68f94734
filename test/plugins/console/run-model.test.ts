// The console's run model: envelopes in (live, replayed, overlapping), what the trace shows out. Each seq
// counts once; retries void their text; nested runs sit under the call that started them; usage adds up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Envelope } from '../../../plugins/console/ui/api/types.js';
import { RunModel, type ToolBlock } from '../../../plugins/console/ui/model/run-model.js';
import { startTestKernel } from '../../../testing.js';
import { calculatorPlugin } from '../../../plugins/tools-calculator/index.js';
import { timePlugin } from '../../../plugins/tools-time/index.js';
import { presetsPlugin } from '../../../plugins/presets/index.js';

const RUN = 'run_main';

/** Envelopes of one run, seq counted for you; `origin` marks an event mirrored from a nested run. */
function log() {
  let seq = 0;
  const events: Envelope[] = [];
  const add = (type: string, data: unknown, origin?: Envelope['origin']): Envelope => {
    seq++;
    const stream = type.startsWith('assistant.') ? 'assistant' : type.startsWith('tool.') ? 'tool' : 'lifecycle';
    const envelope: Envelope = {
      v: 1,
      id: `${RUN}:${seq}`,
      seq,
      runId: RUN,
      sessionId: 'ses_1',
      orgId: 'default',
      stream,
      type,
      ts: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq * 10)).toISOString(),
      data,
      ...(origin && { origin }),
    };
    events.push(envelope);
    return envelope;
  };
  return { events, add };
}

function toolLoop() {
  const { events, add } = log();
  add('run.started', { preset: 'assistant_tools' });
  add('step.started', { step: 1 });
  add('tool.call', { callId: 'c1', name: 'calculator', version: '1.0.0', args: { expression: '17 * 23' } });
  add('tool.result', { callId: 'c1', result: { result: 391 }, durationMs: 0.5 });
  add('step.completed', { step: 1, usage: { inputTokens: 148, outputTokens: 9 }, model: 'default' });
  add('step.started', { step: 2 });
  add('assistant.delta', { text: '17 * 23 ' });
  add('assistant.delta', { text: '= 391' });
  add('assistant.message', { text: '17 * 23 = 391' });
  add('step.completed', { step: 2, usage: { inputTokens: 157, outputTokens: 4 }, model: 'default' });
  add('run.completed', { output: '17 * 23 = 391', usage: { inputTokens: 305, outputTokens: 13 } });
  return events;
}

test('a tool loop: the tool card, the streamed answer, the steps and the usage', () => {
  const model = RunModel.from(RUN, toolLoop());
  assert.is(model.answer, '17 * 23 = 391');
  assert.is(model.status, 'completed');
  const [call] = model.toolCalls;
  assert.is(call.name, 'calculator');
  assert.is(call.version, '1.0.0');
  assert.equal(call.args, { expression: '17 * 23' });
  assert.equal(call.result, { result: 391 });
  assert.is(call.durationMs, 0.5);
  assert.is(call.state, 'ok');
  assert.is(model.root.steps, 2);
  assert.equal(model.usage, { inputTokens: 305, outputTokens: 13 });
  assert.equal(
    model.root.blocks.map((b) => (b.kind === 'event' ? b.type : b.kind)),
    ['run.started', 'step.started', 'tool', 'step.completed', 'step.started', 'text', 'step.completed', 'run.completed'],
    'in event order',
  );
});

test('every seq counts once: a replay overlapping what was shown, or the same event twice, changes nothing', () => {
  const events = toolLoop();
  const model = new RunModel(RUN);
  for (const e of events.slice(0, 8)) model.apply(e);
  assert.is(model.answer, '17 * 23 = 391', 'both deltas so far');
  const version = model.version;
  // A reconnection that replays from seq 3 (as a client with a stale Last-Event-ID would get).
  for (const e of events.slice(2)) model.apply(e);
  assert.is(model.answer, '17 * 23 = 391');
  assert.is(model.events.length, events.length);
  assert.is(model.toolCalls.length, 1);
  assert.is(model.apply(events[6]), false);
  assert.is(model.version, version + 3, 'only the three new events were applied');
  assert.equal(model.gaps, []);
});

test('while running, usage is the sum of finished steps; a gap in seqs is recorded, not hidden', () => {
  const events = toolLoop();
  const model = RunModel.from(RUN, events, 7);
  assert.equal(model.usage, { inputTokens: 148, outputTokens: 9 });
  assert.is(model.status, 'running');
  assert.ok(model.root.blocks.some((b) => b.kind === 'text' && !b.done), 'the text is still streaming');
  const gapped = new RunModel(RUN);
  gapped.apply(events[0]);
  gapped.apply(events[3]);
  assert.equal(gapped.gaps, [{ from: 2, to: 3 }]);
  assert.is(gapped.apply({ ...events[1], runId: 'run_other' }), false, 'events of another run are ignored');
});

test('a retry voids what the failed attempt streamed; assistant.message holds what was finally said', () => {
  const { events, add } = log();
  add('run.started', {});
  add('step.started', { step: 1 });
  add('assistant.delta', { text: 'Half an ans' });
  add('model.retry', { step: 1, model: 'default', attempt: 1, delayMs: 250, reason: 'HTTP 503' });
  add('assistant.delta', { text: 'The whole ' });
  add('assistant.delta', { text: 'answer' });
  add('model.fallback', { step: 1, from: 'default', to: 'backup', reason: 'timeout' });
  add('assistant.delta', { text: 'From the backup.' });
  add('assistant.message', { text: 'From the backup.' });
  add('step.completed', { step: 1, usage: { inputTokens: 1, outputTokens: 2, costUsd: 0.001 } });
  const model = RunModel.from(RUN, events);
  assert.is(model.answer, 'From the backup.');
  const texts = model.root.blocks.filter((b) => b.kind === 'text');
  assert.equal(
    texts.map((b) => [b.text, b.superseded !== undefined]),
    [
      ['Half an ans', true],
      ['The whole answer', true],
      ['From the backup.', false],
    ],
  );
  assert.match(texts[1].kind === 'text' ? (texts[1].superseded ?? '') : '', /fell back from default to backup/);
  assert.equal(model.usage, { inputTokens: 1, outputTokens: 2, costUsd: 0.001 });
});

test('a tool error: its code and message, and a duration from the call to the error', () => {
  const { events, add } = log();
  add('run.started', {});
  add('step.started', { step: 1 });
  add('tool.call', { callId: 'c1', name: 'filesystem.read', version: '1.0.0', args: { path: '../etc/passwd' } });
  add('tool.error', { callId: 'c1', code: 'ASDK_FS_OUTSIDE_WORKSPACE', message: 'outside the workspace' });
  add('tool.result', { callId: 'unknown', result: 1, durationMs: 1 });
  add('run.failed', { error: { code: 'ASDK_RUN_MAX_STEPS', message: 'too many steps' }, usage: { inputTokens: 0, outputTokens: 0 } });
  const model = RunModel.from(RUN, events);
  const [call] = model.toolCalls;
  assert.is(call.state, 'error');
  assert.equal(call.error, { code: 'ASDK_FS_OUTSIDE_WORKSPACE', message: 'outside the workspace' });
  assert.is(call.durationMs, 10, 'ts of the error minus ts of the call');
  assert.is(model.status, 'failed');
  assert.ok(model.root.blocks.some((b) => b.kind === 'event' && b.type === 'tool.result'), 'a result for no known call is shown, not dropped');
});

test('citations ride on the step text; unknown event types (a newer server) are shown by type', () => {
  const { events, add } = log();
  add('run.started', {});
  add('step.started', { step: 1 });
  add('assistant.delta', { text: 'Deploy with compose [1].' });
  add('assistant.message', { text: 'Deploy with compose [1].', citations: [{ source: 'ops.md', chunkId: 'chunk-1', quote: 'docker compose up' }] });
  add('budget.warning', { left: 3 });
  const model = RunModel.from(RUN, events);
  const text = model.root.blocks.find((b) => b.kind === 'text');
  assert.equal(text?.kind === 'text' && text.citations, [{ source: 'ops.md', chunkId: 'chunk-1', quote: 'docker compose up' }]);
  assert.ok(model.root.blocks.some((b) => b.kind === 'event' && b.type === 'budget.warning'));
});

test('nested runs go under the agent call that started them, even when parallel calls start out of order', () => {
  const { events, add } = log();
  add('run.started', {});
  add('step.started', { step: 1 });
  add('tool.call', { callId: 'd1', name: 'agent.analyst', version: '1.0.0', args: { task: 'a' } });
  add('tool.call', { callId: 'd2', name: 'agent.analyst', version: '1.0.0', args: { task: 'b' } });
  // The second call's nested run is the first to say anything.
  add('run.started', { agent: 'analyst' }, { runId: 'run_b', seq: 1, agent: 'analyst' });
  add('run.started', { agent: 'analyst' }, { runId: 'run_a', seq: 1, agent: 'analyst' });
  add('assistant.delta', { text: 'answer b' }, { runId: 'run_b', seq: 2, agent: 'analyst' });
  add('assistant.delta', { text: 'answer a' }, { runId: 'run_a', seq: 2, agent: 'analyst' });
  add('tool.result', { callId: 'd1', result: { runId: 'run_a', output: 'answer a' }, durationMs: 5 });
  add('tool.result', { callId: 'd2', result: { runId: 'run_b', output: 'answer b' }, durationMs: 6 });
  const model = RunModel.from(RUN, events);
  const [d1, d2] = model.toolCalls as ToolBlock[];
  assert.is(d1.nested?.runId, 'run_a');
  assert.is(d2.nested?.runId, 'run_b');
  assert.is(d1.nested?.status, 'completed');
  assert.equal(
    d1.nested?.blocks.filter((b) => b.kind === 'text').map((b) => b.kind === 'text' && b.text),
    ['answer a'],
  );
  assert.is(model.answer, '', 'nested text is not the run\'s own answer');
  // Before the results, the pairing was by order of appearance.
  const early = RunModel.from(RUN, events, 8);
  assert.is((early.toolCalls[0] as ToolBlock).nested?.runId, 'run_b');
});

test('a real multi-agent run (offline model): the calculator call of the analyst sits in the nested run', async () => {
  const kernel = await startTestKernel({ plugins: [presetsPlugin, calculatorPlugin, timePlugin] });
  try {
    const run = await kernel.runs.start({ preset: 'assistant_multiagent', input: 'What is 6 * 7?' });
    const events: Envelope[] = [];
    for await (const event of run.events()) events.push(event as unknown as Envelope);
    const model = new RunModel(run.id);
    for (const e of events) model.apply(e);
    assert.is(model.status, 'completed');
    assert.match(model.answer, /6 \* 7 = 42/);
    const delegation = model.root.blocks.find((b): b is ToolBlock => b.kind === 'tool');
    assert.is(delegation?.name, 'agent.analyst');
    assert.is(delegation?.nested?.agent, 'analyst');
    assert.is(delegation?.nested?.runId, (delegation?.result as { runId: string }).runId);
    const inner = delegation?.nested?.blocks.find((b): b is ToolBlock => b.kind === 'tool');
    assert.is(inner?.name, 'calculator');
    assert.equal(inner?.result, { result: 42, expression: '6 * 7' });
    assert.equal(model.usage, events[events.length - 1].data.usage, 'the terminal usage (nested runs included)');
    assert.ok(!model.root.blocks.some((b) => b.kind === 'group'), 'no nested run was left without its call');
  } finally {
    await kernel.stop();
  }
});

test.run();
