// The offline model on hostile input: every rule must run in time linear in the text. A request of the
// default maximum size (runtime.maxInputChars, 100 000 characters) made of one rule's tokens repeated used to
// stall the event loop for seconds (a pattern backtracking over the rest of the text at each position).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { decide } from '../../../adapters/model-offline/index.js';
import type { ModelRequest } from '../../../core/index.js';

const SIZE = 100_000;
/** Generous for a loaded machine; the quadratic patterns took from 0.5 s to 12 s on these inputs. */
const BUDGET_MS = 200;

/** `prefix`, then `token` repeated, then `suffix`: SIZE characters in all. */
const fill = (prefix: string, token: string, suffix = '') => {
  const size = SIZE - prefix.length - suffix.length;
  return `${prefix}${token.repeat(Math.ceil(size / token.length)).slice(0, size)}${suffix}`;
};
const hostile: Record<string, string> = {
  'time in in in': fill('what time is it ', 'in ', '#'),
  'time in letters': fill('what time is it in ', 'a', '1'),
  'how many': fill('', 'how many ', '#'),
  'how many over lines': fill('', 'how many days\n', 'until 2030-01-01'),
  'until dates': fill('how many ', 'until 2030-01-01 '),
  'list without files': fill('', 'list '),
  'list files in in': fill('list files ', 'in ', '#'),
  'list path': fill('list files in ', 'a.', ' x'),
  'read dotted': fill('read ', 'a.', '!'),
  'read dashed': fill('read ', 'a-', '!'),
  'read slashes': fill('read ', 'a/', '!'),
  'read read': fill('', 'read '),
  'write openings': fill('', 'write "'),
  'write quotes': fill('write "', '" to '),
  'write targets': fill('write "x', "' into the file "),
  digits: fill('', '1'),
  'digits and dots': fill('', '1.'),
  'digits and commas': fill('', '1,'),
  'digits then percent': fill('', '1', ' percent'),
  'percent of': fill('', '1 % of '),
  'square root': fill('', 'square root of '),
  'times x': fill('', '1x'),
  'inner spaces': fill('1', ' ', '+1'),
  'inner commas': fill('1', ',', '+1'),
  'open parens': fill('', '('),
  functions: fill('', 'sqrt('),
  'pi pi': fill('', 'pi '),
  'greeting then spaces': fill('hi', ' ', 'x'),
  'greeting then commas': fill('hello', ',', 'x'),
  'thanks then spaces': fill('thanks', ' ', 'x'),
  'url with dots': fill('see http://a', '.', 'b'),
  urls: fill('', 'http://a. '),
  'my name is': fill('', 'my name is '),
  'zone words': fill('', 'Aa/'),
  'one long word': fill('', 'A'),
  cities: fill('', 'tokyo '),
  'in a': fill('', 'in a'),
  emoji: fill('', '😀'),
  newlines: fill('', '\n', 'x'),
  'what is in': fill('', "what's in "),
  'who am i': fill('', 'who am i what did i say '),
};

const tools = ['calculator', 'time.now', 'time.diff', 'filesystem.list', 'filesystem.read', 'filesystem.write', 'http.fetch', 'vector.search'].map((name) => ({
  name,
  description: name,
  inputSchema: Type.Object({}),
}));
const agents = ['agent.analyst', 'agent.files'].map((name) => ({ name, description: `${name} does arithmetic, dates and files`, inputSchema: Type.Object({}) }));

test('every rule answers a 100 000-character hostile request quickly', () => {
  const slow: string[] = [];
  for (const [name, text] of Object.entries(hostile)) {
    assert.is(text.length, SIZE, name);
    for (const offered of [tools, agents, []]) {
      const request: ModelRequest = { messages: [{ role: 'system', content: 'x' }, { role: 'user', content: 'my name is Ada' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: text }], tools: offered };
      const started = performance.now();
      decide(request);
      const ms = performance.now() - started;
      if (ms > BUDGET_MS) slow.push(`${name} (${offered.length} tools): ${Math.round(ms)} ms`);
    }
  }
  assert.equal(slow, []);
});

test('a long request is judged by its first 2000 characters', () => {
  const long = (question: string) => decide({ messages: [{ role: 'user', content: `${question} ${'and some more words '.repeat(5_000)}` }], tools }).toolCalls;
  assert.equal(long('What is 17 * 23?'), [{ name: 'calculator', args: { expression: '17 * 23' } }]);
  assert.equal(long('How many days until 2030-01-01?'), [{ name: 'time.diff', args: { from: 'now', to: '2030-01-01', unit: 'days' } }]);
  const late = decide({ messages: [{ role: 'user', content: `${'and some more words '.repeat(5_000)} What is 17 * 23?` }], tools }).toolCalls;
  assert.is(late?.[0]?.name, 'vector.search', 'a question after the first 2000 characters is not seen by the rules');
});

test.run();
