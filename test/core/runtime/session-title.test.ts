// A session the runtime creates for a run is titled after its first prompt (core/runtime/session-title.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_ORG, ports } from '../../../core/index.js';
import { sessionTitle } from '../../../core/runtime/session-title.js';
import { scripted, startTestKernel } from '../../../testing.js';

test('the first non-blank line, trimmed, at most 80 code points, never half an emoji', () => {
  assert.is(sessionTitle('What is 17 * 23?'), 'What is 17 * 23?');
  assert.is(sessionTitle('  \n\n  Summarise this:  \r\nline two\nline three'), 'Summarise this:');
  assert.is(sessionTitle('a\u2028b'), 'a');
  assert.is(sessionTitle(' \n\t '), undefined);
  assert.is(sessionTitle('x'.repeat(200)), 'x'.repeat(80));
  const emoji = sessionTitle('😀'.repeat(100))!;
  assert.is(emoji, '😀'.repeat(80), '80 code points, 160 UTF-16 units');
  assert.is(sessionTitle(`${'x'.repeat(79)}😀😀`), `${'x'.repeat(79)}😀`);
  assert.is(sessionTitle(`${'word '.repeat(16)}more`), 'word '.repeat(16).trimEnd(), 'no trailing space after the cut');
});

test('a run without a session, and a run naming a new session, create sessions titled after the prompt', async () => {
  const kernel = await startTestKernel({ model: scripted(['one', 'two', 'three']) });
  try {
    const sessions = kernel.get(ports.storage).sessions;
    const agent = { instructions: 'x' };
    const fresh = await (await kernel.runs.start({ agent, input: `  Plan the trip to Lisbon 🇵🇹\nwith two kids` })).result();
    assert.is((await sessions.get(DEFAULT_ORG, fresh.sessionId))?.title, 'Plan the trip to Lisbon 🇵🇹');
    const named = await (await kernel.runs.start({ agent, input: 'First question', sessionId: 'chat-1' })).result();
    assert.is((await sessions.get(DEFAULT_ORG, named.sessionId))?.title, 'First question');
    await (await kernel.runs.start({ agent, input: 'A later question', sessionId: 'chat-1' })).result();
    assert.is((await sessions.get(DEFAULT_ORG, 'chat-1'))?.title, 'First question', 'the title is the first prompt\'s');
  } finally {
    await kernel.stop();
  }
});

test.run();
