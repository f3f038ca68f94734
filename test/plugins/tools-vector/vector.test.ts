import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, extensionPoints, ports, sdkError, type OrgScope, type VectorHit, type VectorIndexPort, type VectorSearchRequest } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { vectorPlugin } from '../../../plugins/tools-vector/index.js';
import { accepts, assertWellFormed, callTool, toolContext, toolFailure } from '../tools-support/tool-harness.js';

/** An in-memory index that records what it was asked, with two orgs' chunks. */
function fakeIndex() {
  const calls: Array<{ scope: OrgScope; request: VectorSearchRequest }> = [];
  const chunks: Record<string, VectorHit[]> = {
    acme: Array.from({ length: 30 }, (_, i) => ({
      chunkId: `c${i}`, documentId: `d${i % 3}`, source: `docs/file-${i % 3}.md`, position: i, score: 1 - i / 100, text: i === 0 ? 'x'.repeat(5_000) : `passage ${i}`,
      ...(i % 2 ? { title: `Title ${i}` } : {}),
    })),
    other: [{ chunkId: 'secret', documentId: 'd', source: 'other.md', position: 0, score: 1, text: 'not yours' }],
  };
  const index: VectorIndexPort = {
    async search(scope, request) {
      calls.push({ scope, request });
      if (request.collection === 'missing') throw sdkError('ASDK_PLUGIN_UNKNOWN', { id: 'missing', suggestion: '' });
      return (chunks[scope.orgId] ?? []).slice(0, request.topK);
    },
  };
  const plugin = definePlugin({ id: 'fake-index', version: '1.0.0', provides: [ports.vectorIndex], init: ({ provide }) => provide(ports.vectorIndex, index) });
  return { plugin, calls };
}

async function searchTool(plugins: any[], config: Record<string, unknown> = {}) {
  const kernel = await startTestKernel({ plugins, config });
  const tool = kernel.contributions(extensionPoints.tools).find((t) => t.item.name === 'vector.search')!.item;
  return { kernel, tool };
}

test('without an index the tool exists and says clearly that none is configured', async () => {
  const { kernel, tool } = await searchTool([vectorPlugin]);
  assertWellFormed(tool);
  const failure = await toolFailure(callTool(tool, { query: 'refund policy' }));
  assert.is(failure.code, 'VECTOR_INDEX_UNAVAILABLE');
  assert.match(failure.message, 'No vector index is configured');
  assert.match(failure.message, 'core.vector-index');
  await kernel.stop();
});

test('with an index: scoped to the caller org, topK defaulted and bounded, texts capped', async () => {
  const { plugin, calls } = fakeIndex();
  const { kernel, tool } = await searchTool([vectorPlugin, plugin], { 'tools-vector': { defaultTopK: 3, maxTopK: 10, maxHitChars: 100 } });
  const result = await callTool(tool, { query: 'passage' }, toolContext({ orgId: 'acme' }));
  assert.is(result.hits.length, 3);
  assert.equal(calls[0].scope, { orgId: 'acme' });
  assert.is(calls[0].request.topK, 3);
  assert.is(calls[0].request.collection, undefined);
  assert.ok(calls[0].request.signal instanceof AbortSignal, 'the call signal reaches the index');
  assert.is(result.hits[0].text.length, 101);
  assert.is(result.hits[0].truncated, true);
  assert.equal(result.hits[1], { chunkId: 'c1', documentId: 'd1', source: 'docs/file-1.md', title: 'Title 1', position: 1, score: 0.99, text: 'passage 1' });

  const other = await callTool(tool, { query: 'anything', collection: 'handbook', topK: 10 }, toolContext({ orgId: 'other' }));
  assert.equal(other.hits.map((h: VectorHit) => h.chunkId), ['secret']);
  assert.equal([calls[1].scope.orgId, calls[1].request.collection, calls[1].request.topK], ['other', 'handbook', 10]);

  assert.not.ok(accepts(tool.input, { query: 'x', topK: 11 }), 'topK above maxTopK refused by the schema');
  assert.not.ok(accepts(tool.input, { query: 'x', topK: 0 }));
  assert.not.ok(accepts(tool.input, { query: 'x', collection: '../etc' }));
  assert.not.ok(accepts(tool.input, { query: '' }));
  assert.not.ok(accepts(tool.input, { query: 'x', filter: {} }), 'unknown keys refused');

  const blank = await toolFailure(callTool(tool, { query: '   ' }));
  assert.is(blank.code, 'VECTOR_EMPTY_QUERY');
  const missing = await toolFailure(callTool(tool, { query: 'x', collection: 'missing' }));
  assert.is(missing.code, 'VECTOR_SEARCH_FAILED');
  assert.match(missing.message, 'missing');
  await kernel.stop();
});

test('a hit text is capped on a code point boundary (never half an emoji)', async () => {
  const index: VectorIndexPort = { search: async () => [{ chunkId: 'e', documentId: 'd', source: 's', position: 0, score: 1, text: `a${'😀'.repeat(100)}` }] };
  const plugin = definePlugin({ id: 'emoji-index', version: '1.0.0', provides: [ports.vectorIndex], init: ({ provide }) => provide(ports.vectorIndex, index) });
  const { kernel, tool } = await searchTool([plugin, vectorPlugin], { 'tools-vector': { maxHitChars: 100 } });
  const [hit] = (await callTool(tool, { query: 'q' })).hits;
  assert.is(hit.text, `a${'😀'.repeat(49)}…`);
  assert.is(hit.truncated, true);
  await kernel.stop();
});

test('an index that returns more than topK is cut to topK', async () => {
  const index: VectorIndexPort = { search: async () => Array.from({ length: 9 }, (_, i) => ({ chunkId: `${i}`, documentId: 'd', source: 's', position: i, score: 1, text: 't' })) };
  const plugin = definePlugin({ id: 'greedy-index', version: '1.0.0', provides: [ports.vectorIndex], init: ({ provide }) => provide(ports.vectorIndex, index) });
  const { kernel, tool } = await searchTool([plugin, vectorPlugin]);
  assert.is((await callTool(tool, { query: 'q', topK: 2 })).hits.length, 2);
  await kernel.stop();
});

test.run();
