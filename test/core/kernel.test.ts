import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { contribution, createExtensionPoint, createPortRef, definePlugin, ports, type Plugin } from '../../core/index.js';
import { kernelWith, rejection } from '../helpers/kernel.js';

interface Greeter {
  greet(name: string): string;
}
const greeterPort = createPortRef<Greeter>({ id: 'test.greeter' });
const words = createExtensionPoint<string>({ id: 'test.words' });

function greeterPlugin(greeting: string): Plugin {
  return definePlugin({
    id: 'greeter',
    version: '1.0.0',
    config: Type.Object({ punctuation: Type.String({ default: '!' }) }, { additionalProperties: false }),
    provides: [greeterPort],
    init({ provide, config }) {
      provide(greeterPort, { greet: (name) => `${greeting}, ${name}${config.punctuation}` });
    },
  });
}

test('two kernels in one process never see each other\'s registrations', async () => {
  const a = await kernelWith([greeterPlugin('Hello')], { greeter: { punctuation: '.' } }).start();
  const b = await kernelWith([greeterPlugin('Hej')]).start();
  assert.is(a.get(greeterPort).greet('Ada'), 'Hello, Ada.');
  assert.is(b.get(greeterPort).greet('Ada'), 'Hej, Ada!');
  const lonely = await kernelWith([]).start();
  assert.is(lonely.tryGet(greeterPort), undefined);
  await Promise.all([a.stop(), b.stop(), lonely.stop()]);
});

test('plugins init and start in dependency order and stop in reverse order', async () => {
  const log: string[] = [];
  const portA = createPortRef<string>({ id: 'test.a' });
  const portB = createPortRef<string>({ id: 'test.b' });
  const hooks = (id: string) => ({
    init: () => void log.push(`init ${id}`),
    start: () => void log.push(`start ${id}`),
    stop: () => void log.push(`stop ${id}`),
  });
  // Registered in the "wrong" order on purpose: c needs b, b needs a.
  const c = definePlugin({ id: 'c', version: '1.0.0', requires: { b: portB }, ...hooks('c') });
  const b = definePlugin({
    id: 'b',
    version: '1.0.0',
    requires: { a: portA },
    provides: [portB],
    ...hooks('b'),
    init: (ctx) => {
      log.push('init b');
      assert.is(ctx.deps.a, 'A');
      ctx.provide(portB, 'B');
    },
  });
  const a = definePlugin({ id: 'a', version: '1.0.0', provides: [portA], ...hooks('a'), init: (ctx) => void (log.push('init a'), ctx.provide(portA, 'A')) });
  const kernel = await kernelWith([c, b, a]).start();
  await kernel.stop();
  assert.equal(log, ['init a', 'init b', 'init c', 'start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
});

test('a throwing stop hook does not keep the others from running, and the error names it', async () => {
  const stopped: string[] = [];
  const plugin = (id: string, fail = false) =>
    definePlugin({
      id,
      version: '1.0.0',
      stop() {
        stopped.push(id);
        if (fail) throw new Error(`${id} cannot close its socket`);
      },
    });
  const kernel = await kernelWith([plugin('first'), plugin('second', true), plugin('third', true), plugin('fourth')]).start();
  const error = await rejection(kernel.stop());
  assert.equal(stopped, ['fourth', 'third', 'second', 'first']);
  assert.is(error.code, 'ASDK_PLUGIN_STOP_FAILED');
  assert.equal(error.problems.map((p: any) => p.plugin), ['third', 'second']);
  assert.match(error.problems[0].message, 'third cannot close its socket');
  assert.is(kernel.state, 'stopped');
});

test('a plugin that throws in start is named, and the plugins started before it are stopped', async () => {
  const stopped: string[] = [];
  const ok = definePlugin({ id: 'ok', version: '1.0.0', stop: () => void stopped.push('ok') });
  const bad = definePlugin({
    id: 'bad',
    version: '1.0.0',
    dependsOn: ['ok'],
    start() {
      throw new Error('port 5432 refused the connection');
    },
  });
  const error = await rejection(kernelWith([bad, ok]).start());
  assert.is(error.code, 'ASDK_PLUGIN_START_FAILED');
  assert.match(error.message, /Plugin "bad" failed to start: port 5432 refused/);
  assert.is(error.cause.message, 'port 5432 refused the connection');
  assert.equal(stopped, ['ok']);
});

test('a plugin whose start never settles is named after the timeout', async () => {
  const hang = definePlugin({ id: 'slow-poke', version: '1.0.0', start: () => new Promise<void>(() => {}) });
  const started = Date.now();
  const error = await rejection(kernelWith([hang], { kernel: { startTimeoutMs: 50 } }).start());
  assert.is(error.code, 'ASDK_PLUGIN_START_TIMEOUT');
  assert.match(error.message, 'Plugin "slow-poke" did not finish start within 50 ms');
  assert.match(error.hint, 'never settled');
  assert.ok(Date.now() - started < 2000);
});

test('a plugin whose init throws is reported as failing in init', async () => {
  const bad = definePlugin({ id: 'bad-init', version: '1.0.0', init: () => Promise.reject(new Error('no credentials')) });
  const error = await rejection(kernelWith([bad]).start());
  assert.is(error.code, 'ASDK_PLUGIN_INIT_FAILED');
  assert.match(error.message, 'bad-init');
});

test('what init returns is this kernel\'s instance, handed to start and stop', async () => {
  const seen: string[] = [];
  const counter = definePlugin({
    id: 'counter',
    version: '1.0.0',
    config: Type.Object({ name: Type.String() }),
    init: async ({ config }) => ({ name: config.name, starts: 0 }),
    start: (_ctx, instance) => void (instance.starts += 1),
    stop: (_ctx, instance) => void seen.push(`${instance.name}:${instance.starts}`),
  });
  const a = await kernelWith([counter], { counter: { name: 'a' } }).start();
  const b = await kernelWith([counter], { counter: { name: 'b' } }).start();
  await a.stop();
  await b.stop();
  assert.equal(seen, ['a:1', 'b:1']);
});

test('a wrapped plugin failure keeps the cause\'s hint and problems', async () => {
  const inner = definePlugin({
    id: 'picky',
    version: '1.0.0',
    init() {
      throw new (class extends Error {})('plain');
    },
  });
  const plain = await rejection(kernelWith([inner]).start());
  assert.match(plain.hint, 'picky');
  const coded = definePlugin({
    id: 'coded',
    version: '1.0.0',
    init: async () => {
      const { sdkError } = await import('../../core/index.js');
      throw sdkError('ASDK_CONFIG_NOT_FOUND', { file: '/etc/x.yaml' }, { hint: 'Create /etc/x.yaml first.' });
    },
  });
  const error = await rejection(kernelWith([coded]).start());
  assert.is(error.code, 'ASDK_PLUGIN_INIT_FAILED');
  assert.match(error.message, 'Config file /etc/x.yaml does not exist');
  assert.is(error.hint, 'Create /etc/x.yaml first.');
});

test('registration after start is refused', async () => {
  const kernel = await kernelWith([]).start();
  try {
    kernel.use(definePlugin({ id: 'late', version: '1.0.0' }));
    assert.unreachable('use() after start should throw');
  } catch (error: any) {
    assert.is(error.code, 'ASDK_KERNEL_STARTED');
    assert.match(error.message, '"late"');
  }
  await kernel.stop();
});

test('starting twice is refused; stopping twice is harmless', async () => {
  const kernel = await kernelWith([]).start();
  const error = await rejection(kernel.start());
  assert.is(error.code, 'ASDK_KERNEL_STATE');
  await kernel.stop();
  await kernel.stop();
});

test('extension points collect static and init-time contributions, readable in start', async () => {
  let seen: string[] = [];
  const owner = definePlugin({ id: 'owner', version: '1.0.0', start: (ctx) => void (seen = ctx.contributions(words).map((c) => `${c.pluginId}:${c.item}`)) });
  const staticOne = definePlugin({ id: 'static-one', version: '1.0.0', contributes: [contribution(words, 'alpha', 'beta')] });
  const dynamic = definePlugin({ id: 'dynamic', version: '1.0.0', init: (ctx) => ctx.contribute(words, 'gamma') });
  const kernel = await kernelWith([owner, staticOne, dynamic]).start();
  assert.equal(seen, ['static-one:alpha', 'static-one:beta', 'dynamic:gamma']);
  await kernel.stop();
});

test('contributing after init is refused with a clear code', async () => {
  const late = definePlugin({ id: 'late-contributor', version: '1.0.0', start: (ctx) => ctx.contribute(words, 'too late') });
  const error = await rejection(kernelWith([late]).start());
  assert.is(error.code, 'ASDK_EXTENSIONS_SEALED');
});

test('providing an undeclared port, or not providing a declared one, is an error naming the plugin', async () => {
  const sneaky = definePlugin({ id: 'sneaky', version: '1.0.0', init: (ctx) => ctx.provide(greeterPort, { greet: () => '' }) });
  assert.is((await rejection(kernelWith([sneaky]).start())).code, 'ASDK_PORT_UNDECLARED');
  const lazy = definePlugin({ id: 'lazy', version: '1.0.0', provides: [greeterPort] });
  const error = await rejection(kernelWith([lazy]).start());
  assert.is(error.code, 'ASDK_PORT_NOT_PROVIDED');
  assert.match(error.message, '"lazy"');
});

test('the kernel provides logger, clock and secrets, and a plugin may replace the logger', async () => {
  const lines: string[] = [];
  const logs = definePlugin({
    id: 'my-logs',
    version: '1.0.0',
    provides: [ports.logger],
    init: (ctx) => ctx.provide(ports.logger, { debug() {}, info: (m) => void lines.push(m), warn() {}, error() {}, child() { return this; } }),
  });
  const user = definePlugin({ id: 'user', version: '1.0.0', requires: { logger: ports.logger, secrets: ports.secrets, clock: ports.clock }, start: (ctx) => {
    ctx.deps.logger.info('hello');
    assert.is(ctx.deps.secrets.get('TOKEN'), 'xyz');
    assert.type(ctx.deps.clock.now(), 'number');
  } });
  const kernel = await kernelWith([logs, user], {}, { TOKEN: 'xyz' }).start();
  assert.equal(lines, ['hello']);
  await kernel.stop();
});

test('definePlugin rejects a bad id or version at once', () => {
  try {
    definePlugin({ id: 'Bad_Id', version: 'one' });
    assert.unreachable();
  } catch (error: any) {
    assert.is(error.code, 'ASDK_PLUGIN_INVALID');
    assert.match(error.message, 'kebab-case');
    assert.match(error.message, 'semver');
  }
});

test('resolving a port before start says to start the kernel', () => {
  const kernel = kernelWith([greeterPlugin('Hi')]);
  try {
    kernel.get(greeterPort);
    assert.unreachable();
  } catch (error: any) {
    assert.is(error.code, 'ASDK_PORT_UNAVAILABLE');
    assert.match(error.message, 'await kernel.start()');
  }
});

test.run();
