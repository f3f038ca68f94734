// Memory compaction's summaries (core/runtime/summarizer.ts, compaction.ts): written by the agent's model, by a
// contributed summariser, or extractively (the offline model, and `auto` with a scripted one); a failing
// summariser falls back to the extractive summary; an unknown runtime.summarizer is refused at start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contribution, definePlugin, ports, summaryPrompt, summarizers, type ChatMessage, type HistorySummarizer, type SummaryRequest } from '../../../core/index.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { collect } from '../../helpers/runs.js';
import { rejection } from '../../helpers/kernel.js';

const memoryAgent = { instructions: 'x', memory: { maxMessages: 4, strategy: 'summarize' as const } };
const isSummaryRequest = (messages: readonly ChatMessage[]) => messages[0]?.role === 'system' && messages[0].content.startsWith('You condense the earlier part');

async function threeTurnsThenOne(kernel: Awaited<ReturnType<typeof startTestKernel>>) {
  for (const input of ['My name is Ada and I ship parcels to Lyon.', 'beta', 'gamma']) await (await kernel.runs.start({ agent: memoryAgent, input, sessionId: 's' })).result();
  const run = await kernel.runs.start({ agent: memoryAgent, input: 'delta', sessionId: 's' });
  return { run, events: await collect(run), result: await run.result() };
}

test('runtime.summarizer: model — the agent\'s model writes the summary; its tokens count toward the run', async () => {
  const model = scripted((request) =>
    isSummaryRequest(request.messages)
      ? { text: '- The user is Ada; she ships parcels to Lyon.', usage: { inputTokens: 50, outputTokens: 12 } }
      : { text: `answer ${request.messages.length}`, usage: { inputTokens: 1, outputTokens: 1 } },
  );
  const kernel = await startTestKernel({ model, config: { runtime: { summarizer: 'model' } } });
  try {
    const { events, result } = await threeTurnsThenOne(kernel);
    const summaryCall = model.calls.find((call) => isSummaryRequest(call.messages))!;
    assert.match(summaryCall.messages[1].content, 'User: My name is Ada and I ship parcels to Lyon.\n\nAssistant: answer 2');
    assert.equal(summaryCall.tools, [], 'no tools are offered for a summary');
    const compacted = events.find((e) => e.type === 'memory.compacted');
    assert.equal(compacted?.data, { strategy: 'summarize', removedMessages: 2, keptMessages: 5 });
    const seen = model.calls.at(-1)!.messages;
    assert.is(seen[1].content, 'Summary of the earlier conversation (2 messages, summarised):\n- The user is Ada; she ships parcels to Lyon.');
    assert.equal(result.usage, { inputTokens: 51, outputTokens: 13 }, 'the summary call (50 + 12) and the answer (1 + 1)');
    const stored = await kernel.get(ports.storage).messages.list({ orgId: 'default' }, 's');
    assert.match(stored[0].message.content, 'she ships parcels to Lyon');

    // The next compaction folds the earlier summary in: the model sees it as notes.
    await (await kernel.runs.start({ agent: memoryAgent, input: 'epsilon', sessionId: 's' })).result();
    const second = model.calls.filter((call) => isSummaryRequest(call.messages)).at(-1)!;
    assert.match(second.messages[1].content, 'Notes from before:\n- The user is Ada; she ships parcels to Lyon.');
  } finally {
    await kernel.stop();
  }
});

test('auto: a scripted (or the offline) model gets the extractive summary — no extra model call', async () => {
  const model = scripted((request) => `answer ${request.messages.length}`);
  const kernel = await startTestKernel({ model });
  try {
    const { result } = await threeTurnsThenOne(kernel);
    assert.is(result.status, 'completed');
    assert.not.ok(model.calls.some((call) => isSummaryRequest(call.messages)));
    assert.match(model.calls.at(-1)!.messages[1].content, 'Summary of the earlier conversation (2 messages, condensed):\n- user: My name is Ada');
  } finally {
    await kernel.stop();
  }
  const offline = await startTestKernel({});
  try {
    const { events, result } = await threeTurnsThenOne(offline);
    assert.is(result.status, 'completed');
    assert.ok(events.some((e) => e.type === 'memory.compacted'));
    const stored = await offline.get(ports.storage).messages.list({ orgId: 'default' }, 's');
    assert.match(stored[0].message.content, '(2 messages, condensed)');
  } finally {
    await offline.stop();
  }
});

test('a contributed summariser is used under auto and gets the removed messages with the run\'s context', async () => {
  const seen: SummaryRequest[] = [];
  const bullets: HistorySummarizer = {
    name: 'bullets',
    async summarize(request) {
      seen.push(request);
      return request.messages.filter((m) => m.role === 'user').map((m) => `* asked: ${m.content}`).join('\n');
    },
  };
  const plugin = definePlugin({ id: 'bullet-memory', version: '1.0.0', contributes: [contribution(summarizers, bullets)] });
  const model = scripted((request) => `answer ${request.messages.length}`);
  const kernel = await startTestKernel({ model, plugins: [plugin] });
  try {
    const { run } = await threeTurnsThenOne(kernel);
    assert.is(seen.length, 1);
    assert.equal([seen[0].orgId, seen[0].sessionId, seen[0].runId, seen[0].agent], ['default', 's', run.id, seen[0].agent]);
    assert.equal(seen[0].messages.map((m) => m.content), ['My name is Ada and I ship parcels to Lyon.', 'answer 2']);
    assert.is(model.calls.at(-1)!.messages[1].content, 'Summary of the earlier conversation (2 messages, summarised):\n* asked: My name is Ada and I ship parcels to Lyon.');
  } finally {
    await kernel.stop();
  }
});

/** A logger that keeps warnings, replacing the kernel's. */
function capturingLogger(warnings: { message: string; fields?: Record<string, unknown> }[]) {
  const logger = {
    debug() {},
    info() {},
    error() {},
    warn: (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields }),
    child: () => logger,
  };
  return definePlugin({ id: 'test-capturing-logger', version: '1.0.0', provides: [ports.logger], init: ({ provide }) => provide(ports.logger, logger) });
}

test('a summariser that fails (or a model that errors) leaves the extractive summary and a warning; the run goes on', async () => {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  const broken: HistorySummarizer = { name: 'broken', summarize: async () => Promise.reject(new Error('summary service down')) };
  const plugin = definePlugin({ id: 'broken-memory', version: '1.0.0', contributes: [contribution(summarizers, broken)] });
  const model = scripted((request) => `answer ${request.messages.length}`);
  const kernel = await startTestKernel({ model, plugins: [capturingLogger(warnings), plugin], config: { runtime: { summarizer: 'broken' } } });
  try {
    const { result } = await threeTurnsThenOne(kernel);
    assert.is(result.status, 'completed');
    assert.match(model.calls.at(-1)!.messages[1].content, '(2 messages, condensed)');
    const warning = warnings.find((w) => w.message.startsWith('the history summariser failed'));
    assert.equal([warning?.fields?.summarizer, warning?.fields?.reason, warning?.fields?.sessionId], ['broken', 'summary service down', 's']);
  } finally {
    await kernel.stop();
  }

  const failing = scripted((request) => (isSummaryRequest(request.messages) ? { error: { status: 400, message: 'context too long' } } : `answer ${request.messages.length}`));
  const second = await startTestKernel({ model: failing, config: { runtime: { summarizer: 'model' } } });
  try {
    const { result } = await threeTurnsThenOne(second);
    assert.is(result.status, 'completed');
    assert.match(failing.calls.at(-1)!.messages[1].content, '(2 messages, condensed)');
  } finally {
    await second.stop();
  }
});

test('an unknown runtime.summarizer is refused at start, naming the ones there are', async () => {
  const error = await rejection(startTestKernel({ config: { runtime: { summarizer: 'gpt-notes' } } }));
  const found = error.code === 'ASDK_RAG_SUMMARIZER_UNKNOWN' ? error : error.cause;
  assert.is(found?.code, 'ASDK_RAG_SUMMARIZER_UNKNOWN');
  assert.match(found.message, 'runtime.summarizer is "gpt-notes"');
  assert.match(found.hint, 'extractive, model');
});

test('summaryPrompt: roles, tool calls and results, an earlier summary as notes; long messages cut', () => {
  const prompt = summaryPrompt([
    { role: 'system', content: 'Summary of the earlier conversation (4 messages, condensed):\n- user: hello' },
    { role: 'user', content: 'What is 2 + 2?' },
    { role: 'assistant', content: '', toolCalls: [{ callId: 'c', name: 'calculator', args: { expression: '2 + 2' } }] },
    { role: 'tool', callId: 'c', name: 'calculator', content: '{"result":4}' },
    { role: 'assistant', content: 'x'.repeat(3_000) },
  ]);
  assert.is(prompt.length, 2);
  const transcript = prompt[1].content;
  assert.match(transcript, 'Notes from before:\n- user: hello\n\nUser: What is 2 + 2?\n\nAssistant: [called calculator({"expression":"2 + 2"})]\n\nTool calculator returned: {"result":4}');
  assert.match(transcript, `Assistant: ${'x'.repeat(1_500)}…`);
});

test.run();
