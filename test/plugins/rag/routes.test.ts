// The collection routes the rag plugin contributes to the server: add (JSON or a text body), list, read,
// search and delete documents; problem+json errors; API keys decide the org; OpenAPI lists the routes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, extensionPoints, contribution } from '../../../core/index.js';
import { embeddingPlugin, ragPlugin } from '../../../plugins/rag/index.js';
import { postJson, startServer, type TestServer } from '../../adapters/http-koa/helpers.js';

const ACME = 'asdk_acme_0123456789abcdef0123';
const GLOBEX = 'asdk_globex_0123456789abcdef012';
let server: TestServer;

/** Refuses deletions to viewer keys, to show the routes consult the policy chain. */
const viewerPolicy = definePlugin({
  id: 'test-viewer-policy',
  version: '1.0.0',
  contributes: [
    contribution(extensionPoints.policies, {
      id: 'viewers-read-only',
      authorize: (context, action) => (context.scopes?.includes('viewer') && action !== 'collection.read' ? { allow: false, reason: 'viewers only read' } : { allow: true }),
    }),
  ],
});

test.before(async () => {
  server = await startServer({
    plugins: [embeddingPlugin, ragPlugin, viewerPolicy],
    server: {
      apiKeys: [
        { key: ACME, orgId: 'acme', scopes: ['admin'] },
        { key: GLOBEX, orgId: 'globex', scopes: ['viewer'] },
      ],
    },
  });
});
test.after(async () => {
  await server?.stop();
});

const auth = (key = ACME) => ({ authorization: `Bearer ${key}` });
const get = (path: string, key = ACME) => fetch(server.base + path, { headers: auth(key) });

test('POST a JSON document: 201 created, then 200 unchanged; a text/markdown body with ?source=', async () => {
  const body = { source: 'handbook/refunds.md', content: '# Refunds\n\nRefunds are paid within five business days.', metadata: { team: 'support' } };
  const created = await postJson(server.base, '/collections/handbook/documents', body, auth());
  assert.is(created.status, 201, await created.clone().text());
  const result = await created.json();
  assert.equal([result.status, result.chunks, result.document.collection, result.document.source, result.document.title], ['created', 1, 'handbook', 'handbook/refunds.md', 'Refunds']);
  assert.equal(result.document.metadata, { format: 'markdown', team: 'support' });
  const again = await postJson(server.base, '/collections/handbook/documents', body, auth());
  assert.is(again.status, 200);
  assert.is((await again.json()).status, 'unchanged');

  const markdown = await fetch(`${server.base}/collections/handbook/documents?source=handbook/shipping.md`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'text/markdown' },
    body: '# Shipping\n\nExpress delivery costs twelve euros.',
  });
  assert.is(markdown.status, 201, await markdown.clone().text());
  const html = await fetch(`${server.base}/collections/handbook/documents?source=page&title=Opening%20hours`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'text/html; charset=utf-8' },
    body: '<h1>Hours</h1><p>We open at nine.</p>',
  });
  const page = await html.json();
  assert.equal([html.status, page.document.title, page.document.metadata.format], [201, 'Opening hours', 'html'], 'the media type chooses the format');
  const base64 = await postJson(server.base, '/collections/handbook/documents', { source: 'notes.txt', contentBase64: Buffer.from('Plain notes about lunch.').toString('base64') }, auth());
  assert.is(base64.status, 201);
});

test('GET /collections and /collections/{name}/documents list them; GET one document shows its chunks', async () => {
  const collections = await (await get('/collections')).json();
  assert.equal(collections.items.map((c: { name: string; documents: number; chunks: number }) => [c.name, c.documents, c.chunks]), [['handbook', 4, 4]]);
  assert.is(collections.items[0].embeddingModel, 'local/hashed-ngrams-v1-384');
  const page = await (await get('/collections/handbook/documents?limit=2')).json();
  assert.is(page.items.length, 2);
  assert.ok(page.nextCursor);
  const rest = await (await get(`/collections/handbook/documents?limit=2&cursor=${encodeURIComponent(page.nextCursor)}`)).json();
  assert.equal([...page.items, ...rest.items].map((d: { source: string }) => d.source).sort(), ['handbook/refunds.md', 'handbook/shipping.md', 'notes.txt', 'page']);
  const refunds = [...page.items, ...rest.items].find((d: { source: string }) => d.source === 'handbook/refunds.md');
  const detail = await (await get(`/collections/handbook/documents/${refunds.id}`)).json();
  assert.equal(detail.chunks.map((c: { position: number; heading: string }) => [c.position, c.heading]), [[0, 'Refunds']]);
  assert.match(detail.chunks[0].text, 'five business days');
});

test('GET /collections/{name}/search returns the hits vector.search would', async () => {
  const response = await get('/collections/handbook/search?q=how%20much%20is%20express%20delivery&topK=2');
  assert.is(response.status, 200);
  const { hits } = await response.json();
  assert.is(hits[0].source, 'handbook/shipping.md');
  assert.match(hits[0].chunkId, /^ch_/);
  assert.ok(hits.length <= 2);
});

test('another org sees none of it; viewers may read but not write', async () => {
  const theirs = await (await get('/collections', GLOBEX)).json();
  assert.equal(theirs.items, []);
  const missing = await get('/collections/handbook/documents', GLOBEX);
  assert.is(missing.status, 404);
  const problem = await missing.json();
  assert.is(problem.code, 'ASDK_RAG_COLLECTION_NOT_FOUND');
  assert.match(missing.headers.get('content-type')!, 'application/problem+json');
  const write = await postJson(server.base, '/collections/mine/documents', { source: 'a.md', content: 'x' }, auth(GLOBEX));
  assert.is(write.status, 403);
  assert.is((await write.json()).code, 'ASDK_POLICY_DENIED');
  const anonymous = await fetch(`${server.base}/collections`);
  assert.is(anonymous.status, 401);
});

test('bad requests are 4xx problems with codes: no source, both contents, unknown format, no text, bad names', async () => {
  const post = (body: unknown) => postJson(server.base, '/collections/handbook/documents', body, auth());
  const cases: [unknown, number, string][] = [
    [{ source: 'a.md' }, 400, 'ASDK_RAG_INVALID_DOCUMENT'],
    [{ source: 'a.md', content: 'x', contentBase64: 'eA==' }, 400, 'ASDK_RAG_INVALID_DOCUMENT'],
    [{ source: 'a.pdf', contentBase64: 'JVBERg==' }, 415, 'ASDK_RAG_UNSUPPORTED_FORMAT'],
    [{ source: 'a.md', content: '   ' }, 400, 'ASDK_RAG_EMPTY_DOCUMENT'],
    [{ source: 'a.md', content: 'x', metadata: { nested: { no: true } } }, 400, 'ASDK_HTTP_VALIDATION'],
  ];
  for (const [body, status, code] of cases) {
    const response = await post(body);
    const problem = await response.json();
    assert.equal([response.status, problem.code], [status, code], JSON.stringify(body));
  }
  const text = await fetch(`${server.base}/collections/handbook/documents`, { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: 'no source' });
  assert.equal([text.status, (await text.json()).code], [400, 'ASDK_RAG_INVALID_DOCUMENT']);
  const badName = await get('/collections/..%2Fetc/documents');
  assert.ok(badName.status === 400 || badName.status === 404);
});

test('DELETE removes a document; its text is no longer found; a second DELETE is 404', async () => {
  const { items } = await (await get('/collections/handbook/documents')).json();
  const shipping = items.find((d: { source: string }) => d.source === 'handbook/shipping.md');
  const deleted = await fetch(`${server.base}/collections/handbook/documents/${shipping.id}`, { method: 'DELETE', headers: auth() });
  assert.is(deleted.status, 204);
  const { hits } = await (await get('/collections/handbook/search?q=express%20delivery%20twelve%20euros')).json();
  assert.ok(hits.every((h: { source: string }) => h.source !== 'handbook/shipping.md'));
  const again = await fetch(`${server.base}/collections/handbook/documents/${shipping.id}`, { method: 'DELETE', headers: auth() });
  assert.is(again.status, 404);
  assert.is((await again.json()).code, 'ASDK_RAG_DOCUMENT_NOT_FOUND');
  const viewer = await fetch(`${server.base}/collections/handbook/documents/${shipping.id}`, { method: 'DELETE', headers: auth(GLOBEX) });
  assert.is(viewer.status, 403);
});

test('/openapi.json documents the collection routes', async () => {
  const spec = await (await fetch(`${server.base}/openapi.json`)).json();
  for (const path of ['/collections', '/collections/{name}/documents', '/collections/{name}/documents/{id}', '/collections/{name}/search']) assert.ok(spec.paths[path], path);
  assert.ok(spec.paths['/collections/{name}/documents'].post.requestBody);
  assert.ok(spec.paths['/collections/{name}/documents/{id}'].delete);
});

test.run();
