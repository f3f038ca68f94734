// The embedders: the local hashed n-gram one (deterministic, normalised, lexical) and OpenAI-compatible
// embeddings through the official client, against a local server speaking the `POST /embeddings` wire format.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ports, type EmbeddingPort } from '../../../core/index.js';
import { createEmbedder, embeddingPlugin, hashingEmbedder, EmbeddingConfig } from '../../../plugins/rag/index.js';
import { startTestKernel } from '../../../testing.js';
import { vendorServer, jsonError } from '../../helpers/http-server.js';
import { rejection } from '../../helpers/kernel.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));
const defaults = { encodingFormat: 'float', batchSize: 64, timeoutMs: 5_000, maxRetries: 0 } as const;

test('local: deterministic unit vectors of the configured length, named after the recipe', async () => {
  const embedder = hashingEmbedder({ dimensions: 256 });
  assert.is(embedder.model, 'local/hashed-ngrams-v1-256');
  assert.is(embedder.dimensions, 256);
  const [a, b, empty] = await embedder.embed(['Refunds are paid within five days.', 'Refunds are paid within five days.', '  ?!  ']);
  assert.is(a.length, 256);
  assert.ok(Math.abs(norm(a) - 1) < 1e-5);
  assert.equal([...a], [...b], 'the same text, the same vector');
  assert.ok(empty.every((x) => x === 0), 'a text without words is the zero vector (similar to nothing)');
  const [again] = await hashingEmbedder({ dimensions: 256 }).embed(['Refunds are paid within five days.']);
  assert.equal([...again], [...a], 'and across instances');
  assert.throws(() => hashingEmbedder({ dimensions: 8 }), /16\.\.8192/);
});

test('local: lexical similarity — inflections and word pieces meet, unrelated texts do not', async () => {
  const embedder = hashingEmbedder({ dimensions: 384 });
  const [query, related, inflected, unrelated] = await embedder.embed([
    'How long do refunds take?',
    'Refunds take five business days after we receive the parcel.',
    'The refunded amount is paid back to your card.',
    'Volcanoes erupt when magma rises through the crust.',
  ]);
  assert.ok(dot(query, related) > 0.3, `related ${dot(query, related)}`);
  assert.ok(dot(query, inflected) > dot(query, unrelated) + 0.1, 'refunded ~ refunds (stem and character n-grams)');
  assert.ok(Math.abs(dot(query, unrelated)) < 0.1, `unrelated ${dot(query, unrelated)}`);
  const [british, american, other] = await embedder.embed(['organisation', 'organization', 'volcano']);
  assert.ok(dot(british, american) > 0.2, 'a spelling variant shares character n-grams');
  assert.ok(Math.abs(dot(british, other)) < 0.1);
});

test('config: the local default; openai needs a model, a key or a baseURL, and known or given dimensions', () => {
  const local = createEmbedder({ provider: 'local', ...defaults });
  assert.is(local.model, 'local/hashed-ngrams-v1-384');
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return `${(error as { code: string }).code} ${(error as Error).message}`;
    }
    return 'no error';
  };
  assert.match(code(() => createEmbedder({ provider: 'local', model: 'x', ...defaults })), 'ASDK_RAG_EMBEDDING_CONFIG Invalid embedding configuration at embedding.model');
  assert.match(code(() => createEmbedder({ provider: 'openai', ...defaults })), 'embedding.model: provider openai needs a model');
  assert.match(code(() => createEmbedder({ provider: 'openai', model: 'text-embedding-3-small', ...defaults }, { get: () => undefined })), 'embedding.apiKey: no API key');
  assert.match(code(() => createEmbedder({ provider: 'openai', model: 'nomic-embed-text', baseURL: 'http://127.0.0.1:1/v1', ...defaults })), 'embedding.dimensions: the vector length of "nomic-embed-text" is not known');
  const small = createEmbedder({ provider: 'openai', model: 'text-embedding-3-small', ...defaults }, { get: (name) => (name === 'OPENAI_API_KEY' ? 'sk-test' : undefined) });
  assert.equal([small.model, small.dimensions], ['openai/text-embedding-3-small', 1536]);
  const shortened = createEmbedder({ provider: 'openai', model: 'text-embedding-3-small', dimensions: 256, apiKey: 'k', ...defaults });
  assert.equal([shortened.model, shortened.dimensions], ['openai/text-embedding-3-small@256', 256], 'a shortened model is another model');
  assert.ok(EmbeddingConfig.properties.provider);
});

/** A server speaking the embeddings wire format: one vector per input, `[index+1, len, 0, ...]` scaled. */
function embeddingsResponder(dims: number, format: 'float' | 'base64' = 'float') {
  return (res: import('node:http').ServerResponse, request: { body: any }) => {
    const inputs: string[] = request.body.input;
    const data = inputs.map((text, index) => {
      const vector = new Float32Array(dims);
      vector[0] = index + 1;
      vector[1] = text.length;
      return { object: 'embedding', index, embedding: format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : [...vector] };
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    // Out of order on purpose: the client must sort by index.
    res.end(JSON.stringify({ object: 'list', data: data.reverse(), model: request.body.model, usage: { prompt_tokens: 3, total_tokens: 3 } }));
  };
}

test('openai: batches, request fields, float and base64 vectors normalised, in input order', async () => {
  const server = await vendorServer([embeddingsResponder(4), embeddingsResponder(4), embeddingsResponder(4, 'base64')]);
  try {
    const embedder = createEmbedder({ provider: 'openai', model: 'text-embedding-3-small', dimensions: 4, baseURL: `${server.url}/v1`, apiKey: 'sk-local', ...defaults, batchSize: 2 });
    const vectors = await embedder.embed(['one', 'three', 'five!']);
    assert.is(server.requests.length, 2, 'three texts in batches of two');
    const [first, second] = server.requests;
    assert.is(first.url, '/v1/embeddings');
    assert.is(first.headers.authorization, 'Bearer sk-local');
    assert.equal(first.body, { model: 'text-embedding-3-small', input: ['one', 'three'], encoding_format: 'float', dimensions: 4 });
    assert.equal(second.body.input, ['five!']);
    const expect = (a: number, b: number) => [a / Math.hypot(a, b), b / Math.hypot(a, b), 0, 0];
    assert.equal(vectors.map((v) => [...v].map((x) => Math.round(x * 1e4) / 1e4)), [expect(1, 3), expect(2, 5), expect(1, 5)].map((v) => v.map((x) => Math.round(x * 1e4) / 1e4)));

    const base64 = createEmbedder({ provider: 'openai', model: 'nomic-embed-text', dimensions: 4, baseURL: `${server.url}/v1`, ...defaults, encodingFormat: 'base64' });
    const [v] = await base64.embed(['', 'ab'].slice(1));
    assert.is(server.requests[2].body.encoding_format, 'base64');
    assert.not.ok('dimensions' in server.requests[2].body, 'dimensions is only sent to models that take it');
    assert.ok(Math.abs(norm(v) - 1) < 1e-6);
  } finally {
    await server.close();
  }
});

test('openai: server errors and wrong vector lengths are ASDK_RAG_EMBEDDING_FAILED with a fix', async () => {
  const server = await vendorServer([
    (res) => jsonError(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }),
    embeddingsResponder(3),
    (res) => jsonError(res, 404, { error: { message: 'model "nope" not found' } }),
  ]);
  try {
    const embedder = createEmbedder({ provider: 'openai', model: 'nope', dimensions: 4, baseURL: `${server.url}/v1`, apiKey: 'bad', ...defaults });
    const unauthorized = await rejection(embedder.embed(['x']));
    assert.is(unauthorized.code, 'ASDK_RAG_EMBEDDING_FAILED');
    assert.match(unauthorized.message, 'The embedding model nope at 127.0.0.1');
    assert.match(unauthorized.message, 'HTTP 401');
    assert.match(unauthorized.hint, 'Check embedding.apiKey');
    const short = await rejection(embedder.embed(['x']));
    assert.match(short.message, 'returned vectors of 3 dimensions, but embedding.dimensions is 4');
    assert.match(short.hint, 'Set embedding.dimensions: 3');
    const missing = await rejection(embedder.embed(['x']));
    assert.match(missing.hint, 'Check embedding.model ("nope")');
  } finally {
    await server.close();
  }
  const down = createEmbedder({ provider: 'openai', model: 'm', dimensions: 4, baseURL: 'http://127.0.0.1:9/v1', ...defaults });
  const unreachable = await rejection(down.embed(['x']));
  assert.is(unreachable.code, 'ASDK_RAG_EMBEDDING_FAILED');
  assert.match(unreachable.hint, 'reachable');
});

test('openai: an aborted call rejects with the abort reason', async () => {
  const server = await vendorServer([() => undefined]); // never answers
  try {
    const embedder = createEmbedder({ provider: 'openai', model: 'm', dimensions: 4, baseURL: `${server.url}/v1`, ...defaults });
    const controller = new AbortController();
    const pending = embedder.embed(['x'], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    assert.match((await rejection(pending)).message, 'run cancelled');
  } finally {
    await server.close();
  }
});

test('the embedding plugin provides ports.embedding from its config slice', async () => {
  const kernel = await startTestKernel({ plugins: [embeddingPlugin], config: { embedding: { dimensions: 128 } } });
  const embedder: EmbeddingPort = kernel.get(ports.embedding);
  assert.is(embedder.model, 'local/hashed-ngrams-v1-128');
  await kernel.stop();
  const refused = await rejection(startTestKernel({ plugins: [embeddingPlugin], config: { embedding: { provider: 'openai' } } }));
  assert.match(`${refused.message} ${refused.cause?.message ?? ''}`, 'provider openai needs a model');
});

test('agent-sdk doctor: the embedder\'s settings are checked; with --online one text is embedded', async () => {
  const check = embeddingPlugin.contributes!.flatMap((c) => c.items as { name?: string; run?: unknown }[]).find((item) => item.name === 'embedding') as import('../../../core/index.js').DoctorCheck;
  const context = (config: object, online = false) => ({
    config: { ...defaults, ...config },
    section: () => undefined,
    contributions: () => [],
    kernel: { dataDir: '.', baseDir: '.', env: {} },
    online,
    signal: new AbortController().signal,
  });
  assert.equal(await check.run(context({ provider: 'local' })), { ok: true, detail: 'local/hashed-ngrams-v1-384, 384 dimensions' });
  const bad = (await check.run(context({ provider: 'openai' }))) as { ok: boolean; detail: string; hint?: string };
  assert.equal([bad.ok, bad.detail], [false, 'Invalid embedding configuration at embedding.model: provider openai needs a model']);
  const server = await vendorServer([embeddingsResponder(8)]);
  try {
    const online = await check.run(context({ provider: 'openai', model: 'm', dimensions: 8, baseURL: `${server.url}/v1` }, true));
    assert.equal(online, { ok: true, detail: 'openai/m answered with 8 dimensions' });
  } finally {
    await server.close();
  }
});

test.run();
