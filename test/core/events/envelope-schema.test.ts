// docs/event-envelope.schema.json is the TypeBox schema as JSON Schema, current, and it accepts what runs emit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Compile } from 'typebox/compile';
import { eventDataSchemas } from '../../../core/index.js';
import { renderEventSchema } from '../../../scripts/event-schema.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { collect } from '../../helpers/runs.js';

const file = readFileSync(new URL('../../../docs/event-envelope.schema.json', import.meta.url), 'utf8');
const schema = JSON.parse(file);

test('the JSON Schema file is current (npm run docs:events)', () => {
  assert.is(file, renderEventSchema(), 'docs/event-envelope.schema.json is stale: run `npm run docs:events`');
  assert.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const types = schema.anyOf.map((variant: { properties: { type: { const: string } } }) => variant.properties.type.const);
  assert.equal(types, Object.values(eventDataSchemas).flatMap((byType) => Object.keys(byType)));
});

test('envelopes a run emits validate against the JSON file; malformed ones do not', async () => {
  const check = Compile(schema);
  const kernel = await startTestKernel({ model: scripted([{ text: ['a', 'b'], usage: { inputTokens: 1, outputTokens: 1 }, citations: [{ source: 's', chunkId: 'c', quote: 'q' }] }]) });
  const events = await collect(await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' }));
  await kernel.stop();
  for (const event of events) assert.ok(check.Check(JSON.parse(JSON.stringify(event))), event.type);
  const completed = JSON.parse(JSON.stringify(events.at(-1)));
  assert.not.ok(check.Check({ ...completed, seq: 0 }));
  assert.not.ok(check.Check({ ...completed, v: 2 }));
  assert.not.ok(check.Check({ ...completed, data: { output: 'x', usage: { inputTokens: -1, outputTokens: 0 } } }));
  assert.not.ok(check.Check({ ...completed, stream: 'tool' }));
});

test('docs/events.md lists every event type', () => {
  const docs = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');
  for (const type of Object.values(eventDataSchemas).flatMap((byType) => Object.keys(byType))) assert.match(docs, `| \`${type}\` |`);
});

test.run();
