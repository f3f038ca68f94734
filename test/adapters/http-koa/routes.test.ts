// The routes extension point and OpenAPI: contributed routes get auth, validation, problem+json and a place
// in /openapi.json and /docs; conflicts and malformed routes are refused at start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { contribution, definePlugin, sdkError } from '../../../core/index.js';
import { defineRoute, routes, serverPlugin } from '../../../adapters/http-koa/index.js';
import { startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { postJson, startServer, type TestServer } from './helpers.js';

const KEY = 'asdk_routes_0123456789abcdef';

const addCollection = defineRoute({
  method: 'POST',
  path: '/collections/{name}/documents',
  summary: 'Add a document to a collection',
  tags: ['rag'],
  params: Type.Object({ name: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }) }),
  query: Type.Object({ replace: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
  body: { schema: Type.Object({ source: Type.String({ minLength: 1 }), text: Type.String() }, { additionalProperties: false }), contentTypes: ['application/json', 'text/*'] },
  responses: { 201: { description: 'Stored', schema: Type.Object({ collection: Type.String(), source: Type.String(), replace: Type.Boolean(), by: Type.String() }) } },
  handle({ params, query, body, principal }) {
    if (body.source === 'boom') throw new Error('the handler broke');
    if (body.source === 'known') throw sdkError('ASDK_SESSION_NOT_FOUND', { sessionId: 'x', orgId: principal.orgId });
    return { status: 201, body: { collection: params.name, source: body.source, replace: query.replace ?? false, by: principal.actor } };
  },
});

const consoleRoot = defineRoute({
  method: 'GET',
  path: '/',
  summary: 'The console',
  auth: 'public',
  hidden: true,
  responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  handle: () => ({ body: '<!doctype html><title>console</title>', contentType: 'text/html; charset=utf-8' }),
});

const assets = defineRoute({
  method: 'GET',
  path: '/assets/{*file}',
  summary: 'Console assets',
  auth: 'public',
  hidden: true,
  params: Type.Object({ file: Type.String({ pattern: '^[a-z0-9/._-]+$' }) }),
  responses: { 200: { description: 'A file' } },
  handle: ({ params, ctx }) => {
    ctx.type = 'text/javascript';
    ctx.body = `// ${params.file}`;
  },
});

const ragPlugin = definePlugin({ id: 'fake-rag', version: '1.0.0', contributes: [contribution(routes, addCollection, consoleRoot, assets)] });

let server: TestServer;
test.before(async () => {
  server = await startServer({ plugins: [ragPlugin], server: { apiKeys: [KEY] } });
});
test.after(async () => {
  await server.stop();
});

const auth = { 'x-api-key': KEY };

test('a contributed route is served with auth, validation and typed inputs', async () => {
  assert.is((await postJson(server.base, '/collections/docs/documents', { source: 'a.md', text: 'x' })).status, 401);
  const ok = await postJson(server.base, '/collections/docs/documents?replace=true', { source: 'a.md', text: 'x' }, auth);
  assert.is(ok.status, 201);
  assert.equal(await ok.json(), { collection: 'docs', source: 'a.md', replace: true, by: `key:${KEY.slice(0, 8)}` });
  const bad = await postJson(server.base, '/collections/Docs!/documents?replace=maybe', { text: 1 }, auth);
  assert.is(bad.status, 400);
  assert.equal(
    (await bad.json()).errors.map((e: { path: string }) => e.path),
    ['params.name', 'query.replace'],
    'params and query are checked before the body is read',
  );
  const badBody = await postJson(server.base, '/collections/docs/documents', { text: 1 }, auth);
  assert.equal((await badBody.json()).errors.map((e: { path: string }) => e.path).sort(), ['body.source', 'body.text']);
  const text = await fetch(`${server.base}/collections/docs/documents`, { method: 'POST', headers: { ...auth, 'content-type': 'text/markdown' }, body: '# hi' });
  assert.is(text.status, 400, 'a text body arrives as a string, which this schema refuses');
  assert.is((await text.json()).errors[0].message, 'must be object');
});

test('errors thrown by contributed handlers: their code, or a logged 500 that names no internals', async () => {
  const known = await postJson(server.base, '/collections/docs/documents', { source: 'known', text: '' }, auth);
  assert.is(known.status, 404);
  assert.is((await known.json()).code, 'ASDK_SESSION_NOT_FOUND');
  const broken = await postJson(server.base, '/collections/docs/documents', { source: 'boom', text: '' }, auth);
  assert.is(broken.status, 500);
  const problem = await broken.json();
  assert.is(problem.code, 'ASDK_SERVER_INTERNAL');
  assert.is(broken.headers.get('content-type'), 'application/problem+json');
});

test('the console can own / and serve assets under a wildcard, publicly', async () => {
  const root = await fetch(`${server.base}/`);
  assert.is(root.status, 200);
  assert.match(await root.text(), /console/);
  const asset = await fetch(`${server.base}/assets/js/app.js`);
  assert.is(asset.status, 200);
  assert.is(await asset.text(), '// js/app.js');
  assert.is((await fetch(`${server.base}/assets/${encodeURIComponent('Bad File')}`)).status, 400);
});

test('/openapi.json is OpenAPI 3.1 from the same schemas: every route, resolvable refs, problem answers', async () => {
  const res = await fetch(`${server.base}/openapi.json`);
  assert.is(res.status, 200);
  const doc = await res.json();
  assert.is(doc.openapi, '3.1.0');
  assert.is(doc.jsonSchemaDialect, 'https://json-schema.org/draft/2020-12/schema');
  const operations = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
  for (const expected of [
    'POST /run',
    'GET /run/{id}',
    'GET /run/{id}/events',
    'POST /run/{id}/cancel',
    'GET /sessions',
    'GET /sessions/{id}',
    'GET /presets',
    'GET /tools',
    'GET /health',
    'GET /openapi.json',
    'GET /docs',
    'POST /collections/{name}/documents',
  ]) {
    assert.ok(operations.includes(expected), `${expected} is documented`);
  }
  assert.not.ok(operations.includes('GET /'), 'hidden routes stay out');
  const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((item) => Object.values(item).map((op) => op.operationId));
  assert.is(new Set(ids).size, ids.length, 'operation ids are unique');
  const text = JSON.stringify(doc);
  for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc.components.schemas[name], `$ref ${name} resolves`);
  assert.not.ok(/"\$id"/.test(text), 'no $id left inline');
  const startRun = doc.paths['/run'].post;
  assert.is(startRun.requestBody.content['application/json'].schema.$ref, '#/components/schemas/StartRunRequest');
  assert.ok(startRun.parameters.some((p: { name: string }) => p.name === 'Idempotency-Key'));
  for (const status of ['202', '400', '401', '409', '413', '415', '422', 'default']) assert.ok(startRun.responses[status], `POST /run documents ${status}`);
  assert.ok(startRun.responses['400'].content['application/problem+json']);
  const events = doc.paths['/run/{id}/events'].get;
  assert.ok(events.responses['200'].content['text/event-stream']);
  assert.ok(events.parameters.some((p: { name: string; in: string }) => p.name === 'Last-Event-ID' && p.in === 'header'));
  assert.equal(doc.paths['/health'].get.security, [], 'public routes need no key');
  assert.ok(doc.components.securitySchemes.bearer);
  const contributed = doc.paths['/collections/{name}/documents'].post;
  assert.equal(Object.keys(contributed.requestBody.content), ['application/json', 'text/*']);
  assert.equal(contributed.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`), ['path:name', 'query:replace']);
  assert.is(doc['x-auth-required'], true);
});

test('/docs is a readable page of the same document, with error anchors for problem types', async () => {
  const res = await fetch(`${server.base}/docs`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type')!, /text\/html/);
  assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
  const html = await res.text();
  assert.not.match(html, /<script|https?:\/\/(?!127\.0\.0\.1)[a-z]/i, 'no script, no CDN');
  for (const anchor of ['startRun', 'streamRunEvents', 'listSessions', 'ASDK_HTTP_VALIDATION', 'ASDK_AUTH_REQUIRED']) assert.match(html, new RegExp(`id="${anchor}"`));
  assert.match(html, /requires an API key/);
  assert.match(html, /Last-Event-ID/);
});

test('a route that conflicts with another is refused at start, naming both owners', async () => {
  const clash = definePlugin({
    id: 'clash',
    version: '1.0.0',
    contributes: [contribution(routes, defineRoute({ method: 'GET', path: '/run/{runId}', summary: 'x', params: Type.Object({ runId: Type.String() }), responses: {}, handle: () => undefined }))],
  });
  const error = await rejection(startTestKernel({ plugins: [serverPlugin, clash], config: { server: { port: 0 } } }));
  assert.is(error.cause.code, 'ASDK_SERVER_ROUTE_CONFLICT');
  assert.match(error.message, /server \(built in\)/);
  assert.match(error.message, /plugin "clash"/);
});

test('malformed routes are refused at start with the reason', async () => {
  for (const [route, reason] of [
    [{ method: 'GET', path: '/x/{id}', summary: 'x', responses: {}, handle: () => undefined }, /no schema in params/],
    [{ method: 'GET', path: 'x', summary: 'x', responses: {}, handle: () => undefined }, /path must start/],
    [{ method: 'FETCH', path: '/x', summary: 'x', responses: {}, handle: () => undefined }, /method/],
    [{ method: 'GET', path: '/x', summary: 'x', responses: {} }, /handle/],
    [{ method: 'GET', path: '/x', summary: 'x', query: Type.String(), responses: {}, handle: () => undefined }, /query must be/],
  ] as const) {
    const plugin = definePlugin({ id: 'bad-route', version: '1.0.0', contributes: [contribution(routes, route as never)] });
    const error = await rejection(startTestKernel({ plugins: [serverPlugin, plugin], config: { server: { port: 0 } } }));
    assert.is(error.cause.code, 'ASDK_SERVER_ROUTE_INVALID', JSON.stringify(route));
    assert.match(error.message, reason);
  }
});

test.run();
