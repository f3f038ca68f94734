import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compactHistory, type ChatMessage, type StoredMessage } from '../../../core/index.js';

const stored = (messages: ChatMessage[]): StoredMessage[] => messages.map((message, i) => ({ sessionId: 's', position: i + 1, message, createdAt: '' }));
const turn = (n: number): ChatMessage[] => [
  { role: 'user', content: `question ${n}` },
  { role: 'assistant', content: '', toolCalls: [{ callId: `c${n}`, name: 'calculator', args: {} }] },
  { role: 'tool', callId: `c${n}`, name: 'calculator', content: '{}' },
  { role: 'assistant', content: `answer ${n}` },
];

test('fits: nothing to do', () => {
  assert.is(compactHistory(stored(turn(1)), { maxMessages: 10 }), undefined);
  assert.is(compactHistory(stored(turn(1)), undefined), undefined);
});

test('truncate cuts at a user message, never between a tool call and its result', () => {
  const result = compactHistory(stored([...turn(1), ...turn(2), ...turn(3)]), { maxMessages: 6 })!;
  assert.is(result.throughPosition, 8);
  assert.equal(result.history.map((m) => m.content), ['question 3', '', '{}', 'answer 3']);
  assert.equal(result.replacement, []);
});

test('summarize folds the removed turns (and an earlier summary) into one system message', () => {
  const first = compactHistory(stored([...turn(1), ...turn(2)]), { maxMessages: 4, strategy: 'summarize' })!;
  assert.equal(first.replacement, [{ role: 'system', content: 'Summary of the earlier conversation (4 messages, condensed):\n- user: question 1\n- assistant: answer 1' }]);
  const next = compactHistory(stored([...first.history, ...turn(3)]), { maxMessages: 5, strategy: 'summarize' })!;
  assert.match(next.replacement[0].content, '- user: question 1\n- assistant: answer 1\n- user: question 2\n- assistant: answer 2');
});

test('maxTokens keeps the newest turns under the budget', () => {
  const long: ChatMessage[] = [
    { role: 'user', content: 'x'.repeat(400) },
    { role: 'assistant', content: 'y'.repeat(400) },
    { role: 'user', content: 'short' },
    { role: 'assistant', content: 'ok' },
  ];
  const result = compactHistory(stored(long), { maxTokens: 50 })!;
  assert.equal(result.history.map((m) => m.content), ['short', 'ok']);
});

test.run();
