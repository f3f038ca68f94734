// Renders docs/event-envelope.schema.json from the TypeBox schema of envelope v1: `npm run docs:events`
// writes it, and test/core/events-schema.test.ts fails when the file and the schema drift.
import { writeFileSync } from 'node:fs';
import { EventEnvelopeSchema } from '../core/events/envelope.js';

/**
 * The envelope schema as a standalone JSON Schema (2020-12): sub-schemas with an `$id` (Usage) are hoisted
 * into `$defs` once and referenced, since a document may not define one `$id` several times.
 */
export function renderEventSchema(): string {
  const defs: Record<string, unknown> = {};
  const hoist = (node: unknown, root: boolean): unknown => {
    if (Array.isArray(node)) return node.map((child) => hoist(child, false));
    if (!node || typeof node !== 'object') return node;
    const { $id, ...rest } = node as Record<string, unknown>;
    const body = Object.fromEntries(Object.entries(rest).map(([key, child]) => [key, hoist(child, false)]));
    if (typeof $id === 'string' && !root) {
      defs[$id] = body;
      return { $ref: `#/$defs/${$id}` };
    }
    return $id === undefined ? body : { $id, ...body };
  };
  const schema = hoist(JSON.parse(JSON.stringify(EventEnvelopeSchema)), true) as Record<string, unknown>;
  const document = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schema.$id,
    title: schema.title,
    description: 'agent-sdk event envelope v1 (docs/events.md). Additions only within v1: a reader must ignore fields and event types it does not know.',
    anyOf: schema.anyOf,
    $defs: defs,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  writeFileSync(new URL('../docs/event-envelope.schema.json', import.meta.url), renderEventSchema());
  process.stdout.write('wrote docs/event-envelope.schema.json\n');
}
