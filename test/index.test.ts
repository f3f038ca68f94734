// The package entry (index.ts): what `import … from 'agent-sdk'` offers besides the core, checked from source
// (test/package.test.ts checks the packed build).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sdk from '../index.js';
import * as koa from '../adapters/http-koa/index.js';
import * as rag from '../plugins/rag/index.js';

test('the RAG plugins and their ports are exported, the same objects the batteries use', () => {
  assert.is(sdk.embeddingPlugin, rag.embeddingPlugin);
  assert.is(sdk.ragPlugin, rag.ragPlugin);
  assert.is(sdk.ragPorts, rag.ragPorts);
  const ids = sdk.batteries().map((p) => p.id);
  assert.ok(ids.includes(sdk.embeddingPlugin.id) && ids.includes(sdk.ragPlugin.id));
});

test('hashApiKey and apiKeyPrefix (for storing keys the way the server holds them) are exported', () => {
  assert.is(sdk.hashApiKey, koa.hashApiKey);
  assert.is(sdk.apiKeyPrefix, koa.apiKeyPrefix);
  assert.is(sdk.apiKeyPrefix('asdk_0123456789'), 'asdk_012');
});

test.run();
