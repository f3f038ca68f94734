import { getEventListeners } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { decide, offlineModel } from '../../../adapters/model-offline/index.js';
import type { ChatMessage, ModelRequest, ModelStreamEvent } from '../../../core/index.js';

const tool = (name: string, description = name) => ({ name, description, inputSchema: Type.Object({}) });
const allTools = ['calculator', 'time.now', 'time.diff', 'filesystem.list', 'filesystem.read', 'filesystem.write', 'http.fetch'].map((n) => tool(n));
const ask = (text: string, tools = allTools, history: ChatMessage[] = []): ModelRequest => ({
  messages: [{ role: 'system', content: 'x' }, ...history, { role: 'user', content: text }],
  tools,
});
const callOf = (text: string, tools = allTools) => decide(ask(text, tools)).toolCalls?.[0];

test('arithmetic goes to the calculator, in symbols or words', () => {
  assert.equal(callOf('What is 17 * 23?'), { name: 'calculator', args: { expression: '17 * 23' } });
  assert.equal(callOf('what is 12 times 4 plus 2'), { name: 'calculator', args: { expression: '12 * 4 + 2' } });
  assert.equal(callOf('Calculate (3 + 4) * 5, please'), { name: 'calculator', args: { expression: '(3 + 4) * 5' } });
  assert.equal(callOf('What is the square root of 144?'), { name: 'calculator', args: { expression: 'sqrt(144)' } });
  assert.equal(callOf('15% of 80'), { name: 'calculator', args: { expression: '(15 / 100 * 80)' } });
  assert.equal(callOf('1,000 / 8'), { name: 'calculator', args: { expression: '1000 / 8' } });
  assert.is(callOf('I have 3 cats'), undefined);
});

test('time, dates, files and URLs go to their tools when offered', () => {
  assert.equal(callOf('What time is it in Tokyo?'), { name: 'time.now', args: { timeZone: 'Asia/Tokyo' } });
  assert.equal(callOf('what time is it in America/New_York'), { name: 'time.now', args: { timeZone: 'America/New_York' } });
  assert.equal(callOf("What's the date today?"), { name: 'time.now', args: {} });
  assert.equal(callOf('How many days until 2030-01-01?'), { name: 'time.diff', args: { from: 'now', to: '2030-01-01', unit: 'days' } });
  assert.equal(callOf('List the files'), { name: 'filesystem.list', args: {} });
  assert.equal(callOf('what files are in docs'), { name: 'filesystem.list', args: { path: 'docs' } });
  assert.equal(callOf('Read notes.txt'), { name: 'filesystem.read', args: { path: 'notes.txt' } });
  assert.equal(callOf('show me the file docs/plan.md'), { name: 'filesystem.read', args: { path: 'docs/plan.md' } });
  assert.equal(callOf('write "buy milk" to todo.txt'), { name: 'filesystem.write', args: { content: 'buy milk', path: 'todo.txt' } });
  assert.equal(callOf('Fetch https://example.com/docs.'), { name: 'http.fetch', args: { url: 'https://example.com/docs' } });
});

test('without the tool it says so instead of guessing', () => {
  const plan = decide(ask('What is 17 * 23?', []));
  assert.is(plan.toolCalls, undefined);
  assert.match(plan.text!, 'no calculator tool');
});

test('greets honestly, remembers a name and the previous message from the session history', () => {
  assert.match(decide(ask('Hello!')).text!, "I am not a language model");
  assert.match(decide(ask('hi there')).text!, 'do arithmetic with the calculator');
  const history: ChatMessage[] = [
    { role: 'user', content: 'My name is Grace' },
    { role: 'assistant', content: 'Nice to meet you, Grace.' },
  ];
  assert.is(decide(ask('What is my name?', [], history)).text, 'Your name is Grace.');
  assert.is(decide(ask('What did I say before?', [], history)).text, 'Your previous message was: "My name is Grace"');
  assert.is(decide(ask('What is my name?', [])).text, "You haven't told me your name in this session yet.");
});

test('answers from tool results of the turn; errors are reported, not hidden', () => {
  const withResult = (name: string, content: unknown, isError = false): ModelRequest => ({
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', toolCalls: [{ callId: 'c1', name, args: { expression: '17 * 23' } }] },
      { role: 'tool', callId: 'c1', name, content: JSON.stringify(content), isError },
    ],
    tools: allTools,
  });
  assert.is(decide(withResult('calculator', { result: 391, expression: '17 * 23' })).text, '17 * 23 = 391');
  const time = { iso: '2024-03-10T15:30:00+09:00', utc: 'x', timeZone: 'Asia/Tokyo', offset: '+09:00', epochMs: 1, weekday: 'Sunday' };
  assert.is(decide(withResult('time.now', time)).text, 'It is 15:30 on Sunday, 2024-03-10 in Asia/Tokyo (UTC+09:00).');
  const listing = { path: '.', entries: [{ name: 'a.txt', type: 'file', size: 3 }, { name: 'docs', type: 'directory' }], truncated: false };
  assert.is(decide(withResult('filesystem.list', listing)).text, 'The folder "." contains 2 entries:\n- a.txt (3 bytes)\n- docs/');
  const failed = decide(withResult('calculator', { error: { code: 'CALC_DIVISION_BY_ZERO', message: 'Division by zero.' } }, true));
  assert.is(failed.text, 'The calculator tool could not do it (CALC_DIVISION_BY_ZERO): Division by zero.');
});

test('RAG: searches first, then answers extractively with citations', () => {
  const rag = [tool('vector.search')];
  assert.equal(callOf('How long do refunds take?', rag), { name: 'vector.search', args: { query: 'How long do refunds take?' } });
  const hits = [
    { chunkId: 'c-9', documentId: 'd1', source: 'faq.md', position: 0, score: 0.9, text: 'Shipping is free. Refunds take five business days after we receive the item.' },
    { chunkId: 'c-2', documentId: 'd2', source: 'terms.md', position: 3, score: 0.5, text: 'Our office is in Lyon.' },
  ];
  const plan = decide({
    messages: [
      { role: 'user', content: 'How long do refunds take?' },
      { role: 'assistant', content: '', toolCalls: [{ callId: 's', name: 'vector.search', args: {} }] },
      { role: 'tool', callId: 's', name: 'vector.search', content: JSON.stringify({ hits }) },
    ],
    tools: rag,
  });
  assert.equal(plan.citations, [{ source: 'faq.md', chunkId: 'c-9', quote: 'Refunds take five business days after we receive the item.' }]);
  assert.match(plan.text!, '"Refunds take five business days after we receive the item." [1] (faq.md)');
  const none = decide({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '', toolCalls: [{ callId: 's', name: 'vector.search', args: {} }] }, { role: 'tool', callId: 's', name: 'vector.search', content: '{"hits":[]}' }], tools: rag });
  assert.is(none.text, 'I found nothing about that in the knowledge base.');
});

test('delegates to the sub-agent whose description fits the task', () => {
  const agents = [
    tool('agent.analyst', 'Does arithmetic and calculations, and answers questions about dates and times.'),
    tool('agent.researcher', 'Searches the ingested documents and fetches web pages.'),
    tool('agent.files', 'Lists, reads and writes files in the workspace.'),
  ];
  assert.equal(callOf('What is 6 * 7?', agents), { name: 'agent.analyst', args: { task: 'What is 6 * 7?' } });
  assert.equal(callOf('Read notes.txt', agents), { name: 'agent.files', args: { task: 'Read notes.txt' } });
  assert.equal(callOf('What do the documents say about refunds?', agents), { name: 'agent.researcher', args: { task: 'What do the documents say about refunds?' } });
});

test('streams in chunks with usage, deterministically', async () => {
  const model = offlineModel({ chunkWords: 2, delayMs: 0 });
  const events: ModelStreamEvent[] = [];
  for await (const event of model.stream(ask('Hello'))) events.push(event);
  const again: ModelStreamEvent[] = [];
  for await (const event of model.stream(ask('Hello'))) again.push(event);
  assert.equal(events, again);
  const text = events.filter((e) => e.type === 'text');
  assert.ok(text.length > 3);
  assert.equal(events.slice(-2).map((e) => e.type), ['usage', 'finish']);
  assert.ok((events.at(-2) as { usage: { outputTokens: number } }).usage.outputTokens > 0);
});

test('pausing between deltas leaves no abort listener behind (a long answer trips no MaxListenersExceededWarning)', async () => {
  const model = offlineModel({ chunkWords: 1, delayMs: 1 });
  const controller = new AbortController();
  let deltas = 0;
  for await (const event of model.stream({ ...ask('Hello'), signal: controller.signal })) if (event.type === 'text') deltas++;
  assert.ok(deltas > 10, `only ${deltas} deltas`);
  assert.is(getEventListeners(controller.signal, 'abort').length, 0);
});

test('an abort during a pause still stops the stream', async () => {
  const model = offlineModel({ chunkWords: 1, delayMs: 50 });
  const controller = new AbortController();
  const reason = new Error('stop');
  setTimeout(() => controller.abort(reason), 10);
  let caught: unknown;
  try {
    for await (const _ of model.stream({ ...ask('Hello'), signal: controller.signal })) void _;
  } catch (e) {
    caught = e;
  }
  assert.is(caught, reason);
});

test('answers cut a long page, file or tool result on a code point boundary (no half emoji)', () => {
  const answer = (name: string, value: unknown) => {
    const call = { callId: 'c1', name, args: {} };
    const messages: ChatMessage[] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', callId: 'c1', name, content: JSON.stringify(value) },
    ];
    return decide({ messages }).text!;
  };
  const page = answer('http.fetch', { url: 'https://example.com/', status: 200, text: `${'x'.repeat(1_499)}${'😀'.repeat(10)}` });
  assert.ok(!/\p{Cs}/u.test(page), JSON.stringify(page.slice(-10)));
  assert.ok(page.endsWith(`${'x'.repeat(1_499)}…`));
  const file = answer('filesystem.read', { path: 'a.txt', content: `${'x'.repeat(3_999)}${'😀'.repeat(10)}`, eof: true });
  assert.ok(!/\p{Cs}/u.test(file));
  assert.ok(file.includes(`${'x'.repeat(3_999)}\n…(the file continues)`));
  const other = answer('custom.tool', { value: `${'x'.repeat(787)}😀😀` }); // {"value":" is 10 units: the second pair straddles the 800-unit cut
  assert.ok(!/\p{Cs}/u.test(other), JSON.stringify(other.slice(-10)));
});

test.run();
