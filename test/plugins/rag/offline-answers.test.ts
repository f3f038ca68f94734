// How the offline model answers from retrieved passages (adapters/model-offline/answers.ts): the best matching
// sentence of each passage, quoted and cited; headings only as context; rare words weigh more; weak passages
// are not cited; a question the passages do not cover gets "the closest is", not a confident answer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decide } from '../../../adapters/model-offline/index.js';

const tools = [{ name: 'vector.search', description: 'search', input: {} }];
function answer(question: string, hits: { chunkId: string; source: string; text: string }[]) {
  return decide({
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: '', toolCalls: [{ callId: 's', name: 'vector.search', args: { query: question } }] },
      { role: 'tool', callId: 's', name: 'vector.search', content: JSON.stringify({ hits }) },
    ],
    tools: tools as never,
  });
}

const shipping = {
  chunkId: 'ch_ship',
  source: 'policies/shipping.md',
  text: 'Shipping › Costs\n\nStandard shipping is free for orders above 60 euros; below that it costs 4.90 euros. Express delivery, which arrives the next working day, costs 12 euros.',
};
const solar = { chunkId: 'ch_solar', source: 'science/solar.md', text: 'Solar Panels › How much power\n\nA typical residential panel is rated at 400 watts.' };
const knives = {
  chunkId: 'ch_knife',
  source: 'kitchen/knives.html',
  text: 'Kitchen Knife Care › Whetstone angles\n\nHold Japanese knives at about 15 degrees to the stone and most European knives at about 20 degrees.',
};

test('the sentence with the question\'s rarer words wins; plural and verb endings are ignored', () => {
  const plan = answer('How much does express shipping cost?', [shipping, solar]);
  assert.equal(plan.citations, [{ source: 'policies/shipping.md', chunkId: 'ch_ship', quote: 'Express delivery, which arrives the next working day, costs 12 euros.' }]);
  assert.match(plan.text!, /^From the knowledge base:\n- "Express delivery, which arrives the next working day, costs 12 euros\." \[1\] \(policies\/shipping\.md\)$/);
});

test('a heading lends its words to the sentences under it but is not quoted itself', () => {
  const plan = answer('What angle should I sharpen a Japanese knife at?', [knives]);
  assert.is(plan.citations?.[0].quote, 'Hold Japanese knives at about 15 degrees to the stone and most European knives at about 20 degrees.');
});

test('a passage that shares only a common word is not cited next to a good one', () => {
  const plan = answer('How much does express shipping cost?', [shipping, solar, knives]);
  assert.equal(plan.citations?.map((c) => c.source), ['policies/shipping.md']);
});

test('passages that do not cover the question: the closest is offered as such, still cited', () => {
  const plan = answer('What is the best pizza topping in Naples?', [shipping, knives]);
  assert.match(plan.text!, /^I found no passage that answers this directly; the closest is:\n- "/);
  assert.is(plan.citations?.length, 1);
  assert.is(answer('anything', []).text, 'I found nothing about that in the knowledge base.');
});

test.run();
