// The console's display helpers (plugins/console/ui/parts/format.ts) and the stand-in problem of a failed
// response: text cut for display keeps an emoji whole or leaves it out, never half of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readProblem } from '../../../plugins/console/ui/api/client.js';
import { preview, truncate } from '../../../plugins/console/ui/parts/format.js';

const isWellFormed = (text: string) => !/\p{Cs}/u.test(text);

test('truncate ends in … within max characters and never splits a surrogate pair', () => {
  assert.is(truncate('short', 10), 'short');
  assert.is(truncate('abcdefghij', 5), 'abcd…');
  assert.is(truncate('abc😀def', 5), 'abc…');
  for (let max = 1; max <= 12; max++) {
    const cut = truncate('😀'.repeat(8), max);
    assert.ok(isWellFormed(cut), `max ${max}`);
    assert.ok(cut.length <= max, `max ${max}: ${cut.length}`);
  }
});

test('preview flattens whitespace and cuts on a code point boundary', () => {
  assert.is(preview('b\n  c'), 'b c');
  const value = `${'x'.repeat(88)}😀😀`; // the first pair straddles the cut at 89
  assert.is(preview(value), `${'x'.repeat(88)}…`);
  assert.ok(isWellFormed(preview({ text: '😀'.repeat(100) }, 70)));
});

test('the detail of a failure that is not problem+json is cut on a code point boundary', async () => {
  const problem = await readProblem(new Response(`${'x'.repeat(499)}${'😀'.repeat(5)}`, { status: 502, statusText: 'Bad Gateway' }));
  assert.is(problem.title, 'Bad Gateway');
  assert.is(problem.detail, 'x'.repeat(499));
});

test.run();
