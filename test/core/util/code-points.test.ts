// Cuts on code point boundaries: no cut leaves half of a surrogate pair (a lone surrogate), which JSON readers
// and Postgres jsonb refuse. The helper, and the places that cut text the model or a client reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { describeArgumentErrors } from '../../../core/runtime/schema-errors.js';
import { compactHistory, cutAtCodePoint, describeValue, ModelCallError, ModelRouter, quoteOf, type ModelProvider, type StoredMessage } from '../../../core/index.js';

/** No lone surrogate (String.prototype.isWellFormed, which this TypeScript lib does not declare). */
const isWellFormed = (text: string) => !/\p{Cs}/u.test(text);

test('cutAtCodePoint keeps at most n units and never half a pair', () => {
  assert.is(cutAtCodePoint('ab😀c', 3), 'ab');
  assert.is(cutAtCodePoint('ab😀c', 4), 'ab😀');
  assert.is(cutAtCodePoint('ab😀c', 2), 'ab');
  assert.is(cutAtCodePoint('abc', 10), 'abc');
  assert.is(cutAtCodePoint('abc', 0), '');
  for (let n = 0; n <= 12; n++) assert.ok(isWellFormed(cutAtCodePoint('😀'.repeat(6), n)), `cut at ${n}`);
});

test('the extractive summary of a compaction cuts each line on a code point boundary', () => {
  const stored = (contents: string[]): StoredMessage[] =>
    contents.map((content, i) => ({ sessionId: 's', position: i + 1, message: { role: i % 2 ? 'assistant' : 'user', content }, createdAt: '' }) as StoredMessage);
  const compaction = compactHistory(stored([`${'x'.repeat(158)}😀 and more`, 'ok', 'q2', 'ok']), { maxMessages: 2, strategy: 'summarize' })!;
  const summary = compaction.replacement[0].content;
  assert.ok(isWellFormed(summary), JSON.stringify(summary));
  assert.match(summary, `- user: ${'x'.repeat(158)}…`);
});

test('a citation quote is cut on a code point boundary', () => {
  const quote = quoteOf('😀'.repeat(200), 241);
  assert.ok(isWellFormed(quote));
  assert.is(quote, `${'😀'.repeat(120)}…`);
});

test('the reason of a model failure (500 characters at most) is cut on a code point boundary', async () => {
  const provider: ModelProvider = {
    name: 'emoji',
    optionsSchema: Type.Object({}),
    create: () => ({ id: 'emoji/1', async *stream() { yield* []; throw new ModelCallError('rejected', `x${'😀'.repeat(400)}`, { retryable: false }); } }),
  };
  const router = new ModelRouter({ clock: { sleep: async () => {} }, secrets: { get: () => undefined } });
  router.configure({ main: 'emoji' }, [{ item: provider, pluginId: 'x' }]);
  let error: any;
  try {
    for await (const _ of router.stream(['main'], { messages: [{ role: 'user', content: 'hi' }] })) void _;
  } catch (e) {
    error = e;
  }
  assert.is(error.code, 'ASDK_MODEL_REJECTED');
  assert.ok(isWellFormed(error.message), error.message.slice(-20));
});

test('what errors quote of a value or of unparsable tool arguments is cut on a code point boundary', () => {
  // JSON.stringify writes a lone surrogate as a \uD83D escape: well formed, but half an emoji shown as text.
  const described = describeValue(`${'x'.repeat(35)}😀😀`); // "+35 x is 36 units: the first pair straddles the cut at 37
  assert.is(described, `"${'x'.repeat(35)}... (string)`);
  const why = describeArgumentErrors(Compile(Type.Object({})), `${'x'.repeat(79)}😀 more`);
  assert.ok(why.endsWith(`${JSON.stringify('x'.repeat(79))}`), why);
});

test.run();
