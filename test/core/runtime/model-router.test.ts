// The model router on its own: configuration errors, retries and backoff, fallback, prices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { scripted, scriptedProvider, type ScriptedModel } from '../../../adapters/model-scripted/index.js';
import { backoffDelay, ModelRouter, parseRetryAfter, RunInterrupted, type ModelProvider, type RoutedModelEvent } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';

const noSecrets = { get: () => undefined };
const clock = { sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

function router(models: Record<string, ScriptedModel>, config: Record<string, unknown>, random = () => 0.5) {
  const r = new ModelRouter({ clock, secrets: noSecrets, random });
  r.configure(config as never, [{ item: scriptedProvider(models), pluginId: 'test' }]);
  return r;
}

async function drain(stream: AsyncIterable<RoutedModelEvent>) {
  const events: RoutedModelEvent[] = [];
  let error: any;
  try {
    for await (const event of stream) events.push(event);
  } catch (e) {
    error = e;
  }
  return { events, error };
}

const request = { messages: [{ role: 'user' as const, content: 'hi' }] };

test('backoff: exponential, capped, with jitter between half and all; Retry-After is a floor', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1000 };
  assert.equal([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, undefined, () => 1)), [100, 200, 400, 800, 1000]);
  assert.equal([1, 2, 3].map((n) => backoffDelay(n, policy, undefined, () => 0)), [50, 100, 200]);
  assert.is(backoffDelay(1, policy, 700, () => 0), 700);
  assert.is(parseRetryAfter(new Headers({ 'retry-after': '2' })), 2000);
  assert.is(parseRetryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' })), 150);
  assert.is(parseRetryAfter(new Headers({ 'retry-after': new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString() }), Date.UTC(2030, 0, 1)), 10_000);
  assert.is(parseRetryAfter(new Headers({ 'retry-after': 'soon' })), undefined);
});

test('transient failures are retried with growing delays, then the chain falls back', async () => {
  const flaky = scripted([{ error: { status: 503 } }, { error: { kind: 'timeout' } }, { error: { status: 502 } }]);
  const backup = scripted(['fine']);
  const r = router({ flaky, backup }, {
    main: { provider: 'scripted', script: 'flaky', retry: { maxRetries: 2, initialDelayMs: 4, maxDelayMs: 100 } },
    spare: { provider: 'scripted', script: 'backup' },
  });
  const { events, error } = await drain(r.stream(['main', 'spare'], request));
  assert.is(error, undefined);
  assert.equal(events.map((e) => (e.type === 'retry' ? `retry ${e.attempt} ${e.delayMs}` : e.type === 'fallback' ? `fallback ${e.from}>${e.to}` : e.type)), [
    'retry 1 3', 'retry 2 6', 'fallback main>spare', 'text', 'finish',
  ]);
  assert.equal(events.at(-1), { type: 'finish', reason: 'stop', model: 'spare', modelId: 'scripted/test' });
});

test('a 4xx is never retried; at the end of the chain it is ASDK_MODEL_REJECTED', async () => {
  const denied = scripted([{ error: { status: 401, message: 'invalid key' } }, 'never']);
  const r = router({ denied }, { main: { provider: 'scripted', script: 'denied' } });
  const { events, error } = await drain(r.stream(['main'], request));
  assert.equal(events, []);
  assert.is(error.code, 'ASDK_MODEL_REJECTED');
  assert.is(error.message, 'Model "main" refused the request: rejected: 401 invalid key');
  assert.is(denied.remaining, 1, 'called once');
});

test('retries exhausted at the end of the chain: ASDK_MODEL_UNAVAILABLE naming the chain', async () => {
  const down = scripted(Array.from({ length: 5 }, () => ({ error: { status: 500, message: 'down' } })));
  const r = router({ down }, { main: { provider: 'scripted', script: 'down', retry: { maxRetries: 1, initialDelayMs: 1 } } });
  const { events, error } = await drain(r.stream(['main'], request));
  assert.is(events.length, 1);
  assert.is(error.code, 'ASDK_MODEL_UNAVAILABLE');
  assert.is(error.message, 'No model of [main] answered: main: server: 500 down');
});

test('a Retry-After longer than maxDelayMs falls back at once instead of waiting', async () => {
  const limited = scripted([{ error: { status: 429, retryAfterMs: 60_000 } }]);
  const r = router({ limited, other: scripted(['ok']) }, {
    main: { provider: 'scripted', script: 'limited', retry: { maxDelayMs: 1000 } },
    spare: { provider: 'scripted', script: 'other' },
  });
  const started = Date.now();
  const { events } = await drain(r.stream(['main', 'spare'], request));
  assert.ok(Date.now() - started < 500);
  assert.is(events[0].type, 'fallback');
});

test('an attempt that sends nothing within timeoutMs is retried as a timeout', async () => {
  const slow = scripted([{ hang: true }, 'awake']);
  const r = router({ slow }, { main: { provider: 'scripted', script: 'slow', timeoutMs: 30, retry: { initialDelayMs: 1 } } });
  const { events } = await drain(r.stream(['main'], request));
  assert.equal(events[0], { type: 'retry', model: 'main', attempt: 1, delayMs: 1, reason: 'timeout: no answer within 30 ms' });
  assert.equal(events.slice(1).map((e) => e.type), ['text', 'finish']);
});

test('an abort stops the stream at once, even a provider that ignores signals', async () => {
  const deaf: ModelProvider = {
    name: 'deaf',
    optionsSchema: Type.Object({}),
    create: () => ({ id: 'deaf/1', stream: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => {}) }) }) }),
  };
  const r = new ModelRouter({ clock, secrets: noSecrets });
  r.configure({ main: 'deaf' }, [{ item: deaf, pluginId: 'x' }]);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new RunInterrupted('cancelled', 'stop now')), 10);
  const { error } = await drain(r.stream(['main'], { ...request, signal: controller.signal }));
  assert.is(error.message, 'stop now');
});

test('prices turn usage into cost; models are listed with their providers; default is offline', async () => {
  const r = router({ a: scripted([]) }, { priced: { provider: 'scripted', script: 'a', price: { inputPerMillion: 3, outputPerMillion: 15 } }, free: 'scripted' });
  assert.is(r.cost('priced', { inputTokens: 1000, outputTokens: 2000 }), 0.033);
  assert.is(r.cost('free', { inputTokens: 1000, outputTokens: 2000 }), undefined);
  const kernel = await startTestKernel({});
  assert.equal(kernel.get((await import('../../../core/index.js')).ports.model).list(), [{ name: 'default', provider: 'offline', id: 'offline/rules-v1', priced: false }]);
  await kernel.stop();
});

test('configuration problems are refused at start with the model, the path and a suggestion', async () => {
  const unknown = await rejection(startTestKernel({ config: { models: { fast: { provider: 'opnai', model: 'x' } } } }));
  assert.match(unknown.message, 'models.fast: unknown provider "opnai" (available: offline)');
  const badOptions = await rejection(startTestKernel({ config: { models: { default: { provider: 'offline', chunkWords: 'many' } } } }));
  assert.match(badOptions.message, 'models.default is invalid: models.default.chunkWords: Wrong type: expected integer');
  const shape = await rejection(startTestKernel({ config: { models: { fast: { model: 'x' } } } }));
  assert.is(shape.code, 'ASDK_CONFIG_INVALID');
  assert.is(shape.problems[0].path, 'models.fast');
  assert.match(shape.problems[0].message, 'provider');
  const retry = await rejection(startTestKernel({ config: { models: { fast: { provider: 'offline', retry: { maxRetries: -1 } } } } }));
  assert.is(retry.problems[0].path, 'models.fast.retry.maxRetries');
});

test('the backoff sleeps on the kernel clock, with the run signal; an abort during it rejects with the abort reason', async () => {
  const slept: { ms: number; signal?: AbortSignal }[] = [];
  const instant = { sleep: async (ms: number, signal?: AbortSignal) => void slept.push({ ms, signal }) };
  const r = new ModelRouter({ clock: instant, secrets: noSecrets, random: () => 0.5 });
  const flaky = scripted([{ error: { status: 503 } }, { error: { status: 503 } }, 'ok']);
  r.configure({ main: { provider: 'scripted', script: 'flaky', retry: { maxRetries: 2, initialDelayMs: 60_000, maxDelayMs: 60_000 } } } as never, [{ item: scriptedProvider({ flaky }), pluginId: 'test' }]);
  const started = Date.now();
  const { events, error } = await drain(r.stream(['main'], request));
  assert.is(error, undefined);
  assert.ok(Date.now() - started < 1000, 'a minute of backoff passed on the test clock, not the wall clock');
  assert.equal(slept.map((s) => s.ms), [45_000, 45_000]);
  assert.ok(slept.every((s) => s.signal instanceof AbortSignal));
  assert.equal(events.map((e) => e.type), ['retry', 'retry', 'text', 'finish']);

  // Aborted while the stream is paused at its retry notice: the next step rejects with the reason.
  const again = new ModelRouter({ clock: instant, secrets: noSecrets, random: () => 0.5 });
  again.configure({ m: { provider: 'scripted', script: 'm' } } as never, [{ item: scriptedProvider({ m: scripted([{ error: { status: 500 } }, 'ok']) }), pluginId: 'x' }]);
  const controller = new AbortController();
  const iterator = again.stream(['m'], { ...request, signal: controller.signal })[Symbol.asyncIterator]();
  assert.is((await iterator.next()).value?.type, 'retry');
  controller.abort(new Error('user cancelled'));
  const rejected = await iterator.next().then(() => undefined, (e: Error) => e);
  assert.is(rejected?.name, 'AbortError');
  assert.is(rejected?.message, 'user cancelled');
});

test('a clock that ignores the signal cannot hold a cancelled run in its backoff', async () => {
  const never = { sleep: () => new Promise<void>(() => {}) };
  const r = new ModelRouter({ clock: never, secrets: noSecrets });
  r.configure({ m: { provider: 'scripted', script: 'm' } } as never, [{ item: scriptedProvider({ m: scripted([{ error: { status: 500 } }, 'ok']) }), pluginId: 'x' }]);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new RunInterrupted('cancelled', 'stop now')), 20);
  const { events, error } = await drain(r.stream(['m'], { ...request, signal: controller.signal }));
  assert.equal(events.map((e) => e.type), ['retry']);
  assert.is(error?.message, 'stop now');
});

test('a provider that throws a value nothing can print (no prototype, hostile Proxy, circular) fails the attempt, not the router', async () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const values: Record<string, unknown> = {
    'no prototype': Object.create(null),
    proxy: new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } }),
    circular,
  };
  for (const [label, value] of Object.entries(values)) {
    for (const where of ['stream', 'create call'] as const) {
      const weird: ModelProvider = {
        name: 'weird',
        optionsSchema: Type.Object({}),
        create: () => ({
          id: 'weird/1',
          stream: where === 'stream'
            ? async function* () { yield* []; throw value; }
            : () => { throw value; },
        }),
      };
      const r = new ModelRouter({ clock, secrets: noSecrets });
      r.configure({ main: 'weird' }, [{ item: weird, pluginId: 'x' }]);
      const { error } = await drain(r.stream(['main'], request));
      assert.is(error?.code, 'ASDK_MODEL_REJECTED', `${label} thrown in the ${where}`);
      assert.match(error.message, /^Model "main" refused the request: rejected: (\{\}|\[object Object\]|a value that cannot be described)$/, error.message);
    }
  }
});

test.run();
